// cardline demo: the demo line on the embedded database. Today it prepares the data directory
// and migrates the database; the full line (generate, import, devices, reports) joins as it
// lands.
#include <iostream>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/node.h"
#include "mes/base/clock.h"

namespace cardline::app {

const char kDemoUsage[] =
    "usage: cardline demo [--data-dir DIR] [--config FILE]\n\n"
    "Runs the demo line on the embedded database (SQLite in DIR, default ./var/demo).\n"
    "Current stage: creates the data directory and its personal-data key, migrates the\n"
    "database and says what it did. Later stages add the generated applications, the\n"
    "simulated stations and the reports.\n";

int runDemo(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("demo", args.status());
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  if (config->database.backend != DatabaseBackend::kSqlite) {
    std::cerr << "cardline demo: runs on the embedded database only for now\n";
    return 2;
  }

  std::cout << "cardline demo: data directory " << config->data_dir << "\n";
  auto prepared = prepareDataDir(*config);
  if (!prepared.isOk()) return reportFailure("demo", prepared.status());
  for (const auto& a : prepared->actions) std::cout << "  " << a << "\n";

  auto options = storeOptions(*config);
  if (!options.isOk()) return reportFailure("demo", options.status());
  SystemClock clock;
  auto report = migrateStore(*options, clock);
  if (!report.isOk()) return reportFailure("demo", report.status());
  std::cout << "  database " << options->sqlite_path << ": " << report->summary() << "\n";

  auto pii = openPiiProtector(*config);
  if (!pii.isOk()) return reportFailure("demo", pii.status());
  auto store = openStore(*options, **pii);
  if (!store.isOk()) return reportFailure("demo", store.status());
  std::cout << "cardline demo: the data directory is ready; the production line itself is not "
               "built yet (see README.md, \"Status\")\n";
  return 0;
}

}  // namespace cardline::app
