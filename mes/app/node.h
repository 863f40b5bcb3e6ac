#pragma once
// Composition helpers shared by the subcommands: turning the Config into concrete adapters
// (data directory, PII key, store options). Only mes/app knows the concrete types.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/config/config.h"
#include "mes/core/pii_protector.h"
#include "mes/intake/problem.h"
#include "mes/prep/card_template.h"
#include "mes/security/audit_key.h"
#include "mes/reports/report_writer.h"
#include "mes/storage/store_factory.h"
#include "mes/workflow/catalog.h"
#include "mes/workflow/engine.h"

namespace cardline::app {

// What preparing the data directory did, for the user to read.
struct DataDirReport {
  std::vector<std::string> actions;  // "created var/demo", "generated key var/demo/keys/pii.key"
  bool audit_key_created = false;    // the audit key file was generated just now
};

// Creates the data directory (and keys/) when absent, and, for the embedded database, the PII
// and audit key files when absent (mode 0600). For MySQL the key files must exist already:
// kNotFound says where they were looked for. kUnavailable when a folder or file cannot be
// created.
Result<DataDirReport> prepareDataDir(const Config& config);

// StoreOptions for the configured backend; reads the MySQL password from password_file or the
// environment variable. kInvalidArgument when neither yields a password.
Result<StoreOptions> storeOptions(const Config& config);

// Loads the audit key named by the configuration (security.audit_key_file).
Result<std::unique_ptr<AuditKey>> openAuditKey(const Config& config);

// Loads the PII key named by the configuration.
Result<std::unique_ptr<PiiProtector>> openPiiProtector(const Config& config);

// The workflow catalog from config.workflowsDir() and an engine over it with the configured
// service levels. Not movable (the engine refers to the catalog).
struct WorkflowRuntime {
  WorkflowCatalog catalog;
  std::unique_ptr<Engine> engine;
};
// Who drives the engine: a command's own transactions, or a node's line controller (which
// keeps the working state of the applications in the line; EngineOptions::keep_working_state).
enum class EngineDriver { kCommand, kLineController };
Result<std::unique_ptr<WorkflowRuntime>> loadWorkflowRuntime(const Config& config,
                                                             const Clock& clock,
                                                             EngineDriver driver);

// The PII key, the store opened with it (the database must be migrated) and the audit key.
struct OpenedStore {
  std::unique_ptr<PiiProtector> pii;
  std::unique_ptr<AuditKey> audit_key;
  std::unique_ptr<Store> store;
};
Result<OpenedStore> openConfiguredStore(const Config& config);

// The throughput report options from the configuration (local time, service levels).
ThroughputReportOptions throughputReportOptions(const Config& config);

// The card templates of both card models from the configuration's templates folder. Fails
// with the loader's problems (file:line:col).
Result<std::map<CardModel, CardTemplate>> loadCardTemplates(const Config& config);

// Intake's fit check (ValidationOptions::fit_check) over the card templates: one Problem per
// value that does not fit its box on the card, with the field of the binding ("mrz" for the
// machine-readable zone); a record whose values cannot be laid out at all gets one problem on
// "card_model" saying why. Thread-safe.
std::function<std::vector<Problem>(const Application&)> templateFitCheck(
    std::map<CardModel, CardTemplate> templates);

}  // namespace cardline::app
