#include "mes/app/command.h"
#include "mes/app/commands_impl.h"

namespace cardline::app {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"help", "list the commands, or describe one: cardline help COMMAND",
       "usage: cardline help [COMMAND]\n\nLists the commands, or prints the usage of one.\n",
       nullptr},
      {"demo", "set up a data directory and run the demo line", kDemoUsage, runDemo},
      {"check", "validate the configuration, workflows and templates", kCheckUsage, runCheck},
      {"migrate", "create or upgrade the database schema", kMigrateUsage, runMigrate},
  };
  return kCommands;
}

}  // namespace cardline::app
