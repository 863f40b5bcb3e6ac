// cardline migrate: creates or upgrades the database schema.
#include <iostream>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/node.h"
#include "mes/base/clock.h"
#include "mes/security/audit_chain.h"

namespace cardline::app {

const char kMigrateUsage[] =
    "usage: cardline migrate [--config FILE] [--data-dir DIR]\n\n"
    "Applies the numbered schema migrations the database does not have yet, in order, and\n"
    "says which it applied. Running it again applies nothing. For the embedded database it\n"
    "creates the data directory and its personal-data and audit keys on first use; when it\n"
    "creates the audit key for a database whose audit trail predates it, it seals that trail\n"
    "(cardline audit seal) and prints the old head.\n";

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
  if (prepared->audit_key_created) {
    // Upgrading an embedded database from before the audit key: seal its old trail now, while
    // the key is new (a later seal would also accept a trail rebuilt without the key).
    auto opened = openConfiguredStore(*config);
    if (!opened.isOk()) return reportFailure("migrate", opened.status());
    AuditTrail audit(*opened->store, clock, *opened->audit_key);
    auto sealed = audit.sealUnkeyed("system");
    if (sealed.isOk()) {
      std::cout << "sealed audit entries 1.." << sealed->seq - 1 << " (head "
                << sealed->prev_hash << ") with keyed checkpoint entry " << sealed->seq << "\n";
    } else if (sealed.status().code() != ErrorCode::kFailedPrecondition) {
      return reportFailure("migrate", sealed.status());
    }
  }
  return 0;
}

}  // namespace cardline::app
