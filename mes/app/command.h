#pragma once
// The cardline subcommand table: one entry per subcommand, exact match, no guessing.

#include <string>
#include <vector>

namespace cardline::app {

// Arguments after the subcommand name, as given.
using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;  // one line for `cardline help`
  const char* usage;    // full text for `cardline CMD --help`
  int (*run)(const Args& args);  // returns the process exit status
};

// The table, in the order `cardline help` lists it.
const std::vector<Command>& commands();

}  // namespace cardline::app
