#include "mes/app/command.h"
#include "mes/app/commands_impl.h"

namespace cardline::app {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"help", "list the commands, or describe one: cardline help COMMAND",
       "usage: cardline help [COMMAND]\n\nLists the commands, or prints the usage of one.\n",
       nullptr},
      {"demo", "set up a data directory and run the demo line", kDemoUsage, runDemo},
      {"bench", "measure the whole line: cards/s, jobs/s, job latency, peak memory",
       kBenchUsage, runBench},
      {"check", "validate the configuration, workflows, templates and reference data", kCheckUsage, runCheck},
      {"serve", "run a node of the line: device link, line controller, web UI and API",
       kServeUsage, runServe},
      {"import", "validate and import approved applications (JSON Lines, CSV)", kImportUsage,
       runImport},
      {"generate", "write realistic synthetic approved applications", kGenerateUsage,
       runGenerate},
      {"prepare", "build one card's print job, proofs and signed chip image", kPrepareUsage,
       runPrepare},
      {"pki", "test PKI and Document Signer keys in a PKCS#11 token (init, list, generate-key, ...)",
       kPkiUsage, runPki},
      {"migrate", "create or upgrade the database schema", kMigrateUsage, runMigrate},
      {"device", "enrol, remove and list the devices allowed to connect", kDeviceUsage,
       runDevice},
      {"user", "add, change, disable and list user accounts", kUserUsage, runUser},
      {"report", "throughput and blank reconciliation reports as PDF or CSV", kReportUsage,
       runReport},
      {"track", "find an application, card, box or shipment and show its history", kTrackUsage,
       runTrack},
      {"blanks", "blank card stock: receive, issue, return, destroy, shifts", kBlanksUsage,
       runBlanks},
      {"audit", "verify the hash-chained audit trail", kAuditUsage, runAudit},
  };
  return kCommands;
}

}  // namespace cardline::app
