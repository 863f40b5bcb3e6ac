// cardline: the MES executable. Dispatches to the subcommand table (commands.cc).
#include <cstring>
#include <iostream>
#include <string>

#include "mes/app/command.h"

namespace {

void printHelp(std::ostream& out) {
  out << "usage: cardline COMMAND [OPTIONS]\n\n"
         "cardline runs a chip identity card production line.\n\n"
         "commands:\n";
  for (const auto& c : cardline::app::commands()) {
    std::string name = c.name;
    name.resize(10, ' ');
    out << "  " << name << c.summary << "\n";
  }
  out << "\n`cardline COMMAND --help` describes one command.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    printHelp(std::cerr);
    return 2;
  }
  std::string name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    if (argc >= 3) {
      for (const auto& c : cardline::app::commands()) {
        if (argv[2] == std::string(c.name)) {
          std::cout << c.usage;
          return 0;
        }
      }
      std::cerr << "cardline: unknown command \"" << argv[2] << "\"\n";
      return 2;
    }
    printHelp(std::cout);
    return 0;
  }
  for (const auto& c : cardline::app::commands()) {
    if (name != c.name) continue;
    cardline::app::Args args(argv + 2, argv + argc);
    for (const auto& a : args) {
      if (a == "--help" || a == "-h") {
        std::cout << c.usage;
        return 0;
      }
    }
    return c.run(args);
  }
  std::cerr << "cardline: unknown command \"" << name << "\" (see `cardline help`)\n";
  return 2;
}
