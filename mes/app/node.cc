#include "mes/app/node.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mes/app/signer_factory.h"
#include "mes/config/template_loader.h"
#include "mes/config/workflow_loader.h"
#include "mes/prep/prepare.h"
#include "mes/security/audit_key_hmac.h"
#include "mes/security/key_file.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/security/pkcs11/wrapped_key.h"

namespace cardline::app {
namespace {

Status ensureDir(const std::string& path, DataDirReport* report) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::ok();
  std::filesystem::create_directories(path, ec);
  if (ec) return unavailable("cannot create folder " + path + ": " + ec.message());
  report->actions.push_back("created folder " + path);
  return Status::ok();
}

std::string parentOf(const std::string& path) {
  return std::filesystem::path(path).parent_path().string();
}

}  // namespace

Result<DataDirReport> prepareDataDir(const Config& config) {
  DataDirReport report;
  CARDLINE_RETURN_IF_ERROR(ensureDir(config.data_dir, &report));
  const std::string key_file = config.piiKeyFile();
  if (config.security.pii_key_protection == PiiKeyProtection::kPkcs11 &&
      !std::filesystem::exists(key_file)) {
    return notFound("the wrapped personal-data key " + key_file + " does not exist (make it with "
                    "`cardline pki wrap-pii-key`)");
  }
  if (config.database.backend == DatabaseBackend::kSqlite) {
    CARDLINE_RETURN_IF_ERROR(ensureDir(parentOf(config.sqlitePath()), &report));
    CARDLINE_RETURN_IF_ERROR(ensureDir(parentOf(key_file), &report));
    CARDLINE_ASSIGN_OR_RETURN(KeyFileOutcome outcome, generateKeyFile(key_file));
    if (outcome == KeyFileOutcome::kCreated) {
      report.actions.push_back("generated the personal-data key " + key_file + " (mode 0600)");
    }
    const std::string audit_key_file = config.auditKeyFile();
    CARDLINE_RETURN_IF_ERROR(ensureDir(parentOf(audit_key_file), &report));
    CARDLINE_ASSIGN_OR_RETURN(KeyFileOutcome audit_outcome, generateKeyFile(audit_key_file));
    if (audit_outcome == KeyFileOutcome::kCreated) {
      report.audit_key_created = true;
      report.actions.push_back("generated the audit key " + audit_key_file + " (mode 0600)");
    }
  } else {
    if (!std::filesystem::exists(key_file)) {
      return notFound("the personal-data key file " + key_file +
                      " does not exist; production keys are provisioned, not generated");
    }
    if (!std::filesystem::exists(config.auditKeyFile())) {
      return notFound("the audit key file " + config.auditKeyFile() +
                      " does not exist; production keys are provisioned, not generated");
    }
  }
  return report;
}

Result<StoreOptions> storeOptions(const Config& config) {
  StoreOptions options;
  if (config.database.backend == DatabaseBackend::kSqlite) {
    options.backend = StoreBackend::kSqlite;
    options.sqlite_path = config.sqlitePath();
    return options;
  }
  const MysqlSettings& my = config.database.mysql;
  options.backend = StoreBackend::kMysql;
  options.mysql_url = my.url;
  options.mysql_user = my.user;
  options.mysql_schema = my.schema;
  options.max_connections = my.pool_size;
  if (!my.password_file.empty()) {
    std::ifstream in(my.password_file);
    if (!in) return invalidArgument("cannot read database.mysql.password_file " + my.password_file);
    std::getline(in, options.mysql_password);
  } else if (const char* env = std::getenv(my.password_env.c_str())) {
    options.mysql_password = env;
  } else {
    return invalidArgument("no MariaDB password: set database.mysql.password_file or the "
                           "environment variable " + my.password_env);
  }
  return options;
}

Result<std::unique_ptr<AuditKey>> openAuditKey(const Config& config) {
  auto key = HmacAuditKey::fromKeyFile(config.auditKeyFile());
  if (!key.isOk()) return key.status();
  return std::unique_ptr<AuditKey>(std::move(key).value());
}

Result<std::unique_ptr<PiiProtector>> openPiiProtector(const Config& config) {
  if (config.security.pii_key_protection == PiiKeyProtection::kPkcs11) {
    // The data directory holds the key wrapped by the token; the token unwraps it.
    std::ifstream in(config.piiKeyFile(), std::ios::binary);
    if (!in) return notFound("cannot read the wrapped personal-data key " + config.piiKeyFile());
    std::stringstream text;
    text << in.rdbuf();
    CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Token> token, openConfiguredToken(config));
    auto key = unwrapSecret(*token, text.str());
    if (!key.isOk()) return key.status().withContext(config.piiKeyFile());
    auto protector = AesGcmPiiProtector::create(*key);
    if (!protector.isOk()) return protector.status();
    return std::unique_ptr<PiiProtector>(std::move(protector).value());
  }
  auto protector = AesGcmPiiProtector::fromKeyFile(config.piiKeyFile());
  if (!protector.isOk()) return protector.status();
  return std::unique_ptr<PiiProtector>(std::move(protector).value());
}

Result<std::unique_ptr<WorkflowRuntime>> loadWorkflowRuntime(const Config& config,
                                                             const Clock& clock,
                                                             EngineDriver driver) {
  auto runtime = std::make_unique<WorkflowRuntime>();
  auto files = workflowFilesIn(config.workflowsDir());
  if (!files.isOk()) return files.status().withContext("finding workflows");
  auto catalog = loadWorkflowCatalog(*files);
  if (!catalog.isOk()) return catalog.status().withContext("loading workflows");
  runtime->catalog = std::move(catalog).value();
  EngineOptions options;
  options.receipt_to_print = std::chrono::hours(config.service_levels.receipt_to_print_hours);
  options.print_to_dispatch = std::chrono::hours(config.service_levels.print_to_dispatch_hours);
  options.keep_working_state = driver == EngineDriver::kLineController;
  runtime->engine = std::make_unique<Engine>(runtime->catalog, clock, options);
  return runtime;
}

Result<OpenedStore> openConfiguredStore(const Config& config) {
  OpenedStore out;
  CARDLINE_ASSIGN_OR_RETURN(out.pii, openPiiProtector(config));
  CARDLINE_ASSIGN_OR_RETURN(out.audit_key, openAuditKey(config));
  CARDLINE_ASSIGN_OR_RETURN(StoreOptions options, storeOptions(config));
  auto store = openStore(options, *out.pii);
  if (!store.isOk()) return store.status().withContext("opening the database");
  out.store = std::move(store).value();
  return out;
}

ThroughputReportOptions throughputReportOptions(const Config& config) {
  ThroughputReportOptions options;
  options.figures.utc_offset_seconds = config.logistics.utc_offset_minutes * 60LL;
  options.figures.approved_to_printed =
      std::chrono::hours(config.service_levels.receipt_to_print_hours);
  options.figures.printed_to_dispatched =
      std::chrono::hours(config.service_levels.print_to_dispatch_hours);
  return options;
}

Result<std::map<CardModel, CardTemplate>> loadCardTemplates(const Config& config) {
  std::map<CardModel, CardTemplate> templates;
  for (CardModel model : {CardModel::kCccd2021, CardModel::kCanCuoc2024}) {
    auto tmpl = loadTemplateForModel(config.templatesDir() + "/cards", model);
    if (!tmpl.isOk()) return tmpl.status().withContext("loading the card templates");
    templates.emplace(model, std::move(tmpl).value());
  }
  return templates;
}

std::function<std::vector<Problem>(const Application&)> templateFitCheck(
    std::map<CardModel, CardTemplate> templates) {
  auto checker = std::make_shared<FitChecker>(std::move(templates));
  return [checker](const Application& application) {
    std::vector<Problem> problems;
    Result<std::vector<FitError>> fit = checker->check(application);
    if (!fit.isOk()) {
      problems.push_back({0, application.id, "card_model",
                          "cannot be laid out on the card: " + fit.status().message()});
      return problems;
    }
    for (const FitError& error : *fit) {
      problems.push_back({0, application.id, error.binding, error.message});
    }
    return problems;
  };
}

}  // namespace cardline::app
