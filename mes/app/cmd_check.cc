// cardline check: validates the configuration, and the workflow definitions and card templates
// it points at, reporting every problem at once.
#include <iostream>
#include <vector>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/config/config_loader.h"

namespace cardline::app {

const char kCheckUsage[] =
    "usage: cardline check [--config FILE] [--data-dir DIR]\n\n"
    "Validates the configuration (the built-in defaults without --config) and the workflow\n"
    "definitions, card templates and reference data (etc/reference) it names. Prints every\n"
    "problem as file:line:col: message and exits 1 when there is any, 0 when everything is\n"
    "valid.\n";

int runCheck(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("check", args.status());

  std::vector<ConfigProblem> problems;
  Config config = defaultConfig();
  if (auto path = args->value("--config")) {
    ConfigLoadResult loaded = loadConfig(*path);
    problems = loaded.problems;
    config = loaded.config;
  }
  if (auto dir = args->value("--data-dir")) config.data_dir = *dir;

  std::vector<std::string> checked = {config.source};
  for (CheckStep& step : checkSteps()) {
    std::vector<ConfigProblem> found = step.run(config);
    checked.push_back(step.what);
    problems.insert(problems.end(), found.begin(), found.end());
  }

  for (const auto& p : problems) std::cout << p.toString() << "\n";
  if (!problems.empty()) {
    std::cout << problems.size() << " problem(s) found\n";
    return 1;
  }
  std::cout << "ok: checked";
  for (const auto& c : checked) std::cout << " " << c << ";";
  std::cout << " no problems\n";
  return 0;
}

}  // namespace cardline::app
