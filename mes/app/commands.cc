#include "mes/app/command.h"

namespace cardline::app {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"help", "list the commands, or describe one: cardline help COMMAND",
       "usage: cardline help [COMMAND]\n\nLists the commands, or prints the usage of one.\n",
       nullptr},
  };
  return kCommands;
}

}  // namespace cardline::app
