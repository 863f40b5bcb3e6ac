// cardline migrate: creates or upgrades the database schema.
#include <iostream>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/node.h"
#include "mes/base/clock.h"

namespace cardline::app {

const char kMigrateUsage[] =
    "usage: cardline migrate [--config FILE] [--data-dir DIR]\n\n"
    "Applies the numbered schema migrations the database does not have yet, in order, and\n"
    "says which it applied. Running it again applies nothing. For the embedded database it\n"
    "creates the data directory and its personal-data key on first use.\n";

int runMigrate(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("migrate", args.status());
  auto config = loadNodeConfig(*args);
  if (!config) return 2;

  auto prepared = prepareDataDir(*config);
  if (!prepared.isOk()) return reportFailure("migrate", prepared.status());
  for (const auto& a : prepared->actions) std::cout << a << "\n";
  auto options = storeOptions(*config);
  if (!options.isOk()) return reportFailure("migrate", options.status());
  SystemClock clock;
  auto report = migrateStore(*options, clock);
  if (!report.isOk()) return reportFailure("migrate", report.status());
  std::cout << report->summary() << "\n";
  return 0;
}

}  // namespace cardline::app
