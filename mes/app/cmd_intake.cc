// cardline import and cardline generate.
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/node.h"
#include "mes/base/clock.h"
#include "mes/config/reference_loader.h"
#include "mes/intake/generator.h"
#include "mes/intake/import_report.h"
#include "mes/intake/importer.h"
#include "mes/intake/reference_data.h"
#include "mes/security/audit_chain.h"

namespace cardline::app {

const char kImportUsage[] =
    "usage: cardline import FILE... [--report FILE] [--config FILE] [--data-dir DIR]\n\n"
    "Imports approved applications from JSON Lines (.jsonl) or CSV (.csv) files (format:\n"
    "docs/intake.md). Every record is validated; accepted ones start their workflow. Prints a\n"
    "summary (accepted, rejected, duplicates) and, for each rejected record, its line, its\n"
    "application id and every problem. --report FILE writes the same as JSON. Re-importing a\n"
    "file is harmless; an interrupted import is completed by running it again.\n"
    "Every accepted application (application.import) and the batch (import.batch: files and\n"
    "counts) are recorded in the audit trail; --actor USER names who imports (default the\n"
    "login name).\n"
    "Exit status: 0 when nothing was rejected, 1 otherwise.\n";

namespace {

constexpr char kReferenceAuditAction[] = "reference_data.load";

// A reference-data update is an audited change: the first import that uses a version of the
// administrative units other than the last one recorded appends a "reference_data.load" entry
// (version, effective date, counts). Reads the audit trail from the start to find the last one.
Status auditReferenceVersion(AuditTrail& audit, const ReferenceData& reference) {
  const AdministrativeUnits& units = reference.administrativeUnits();
  std::string last_detail;
  std::int64_t after = 0;
  for (;;) {
    CARDLINE_ASSIGN_OR_RETURN(std::vector<AuditEntry> page, audit.list(after, 1000));
    for (const AuditEntry& e : page) {
      if (e.action == kReferenceAuditAction) last_detail = e.detail;
      after = e.seq;
    }
    if (page.size() < 1000) break;
  }
  const std::string version = "\"version\":" + std::to_string(units.version) + ",";
  if (last_detail.find(version) != std::string::npos) return Status::ok();
  const std::string detail = "{" + version + "\"effective_from\":\"" +
                             units.effective_from.toString() +
                             "\",\"units\":" + std::to_string(units.units.size()) +
                             ",\"successors\":" + std::to_string(units.successors.size()) + "}";
  return audit.append("system", kReferenceAuditAction, "administrative_units", detail).status();
}

}  // namespace

int runImport(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.with_value.insert({"--report", "--actor"});
  spec.max_positional = -1;
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("import", args.status());
  if (args->positional.empty()) {
    return reportFailure("import", invalidArgument("name at least one file to import"));
  }
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  auto reference = loadReferenceData(config->referenceDir());
  if (!reference.isOk()) return reportFailure("import", reference.status());
  auto opened = openConfiguredStore(*config);
  if (!opened.isOk()) return reportFailure("import", opened.status());
  SystemClock clock;
  AuditTrail audit(*opened->store, clock, *opened->audit_key);
  Status audited = auditReferenceVersion(audit, *reference);
  if (!audited.isOk()) return reportFailure("import", audited);
  auto workflow = loadWorkflowRuntime(*config, clock, EngineDriver::kCommand);
  if (!workflow.isOk()) return reportFailure("import", workflow.status());
  Engine& engine = *(*workflow)->engine;

  auto templates = loadCardTemplates(*config);
  if (!templates.isOk()) return reportFailure("import", templates.status());

  ImportOptions options;
  options.print_due_seconds = config->service_levels.receipt_to_print_hours * 3600LL;
  options.validation.fit_check = templateFitCheck(std::move(templates).value());
  const char* login = std::getenv("USER");
  const std::string actor = args->value("--actor").value_or(
      login != nullptr && *login != '\0' ? std::string("os:") + login : "system");
  options.actor = actor;
  ImportSummary summary = importFiles(
      args->positional, options, *opened->store, *reference, clock,
      [&](StoreTransaction& tx, const Application& a) -> Status {
        CARDLINE_RETURN_IF_ERROR(engine.start(tx, a));
        return audit.appendIn(tx, actor, "application.import", a.id, "{\"via\":\"cli\"}")
            .status();
      });
  std::string files;
  for (const auto& f : summary.files) files += (files.empty() ? "" : ",") + jsonQuote(f);
  auto batch = audit.append(
      actor, "import.batch", "import",
      "{\"via\":\"cli\",\"files\":[" + files + "],\"records\":" +
          std::to_string(summary.records) + ",\"accepted\":" + std::to_string(summary.accepted) +
          ",\"rejected\":" + std::to_string(summary.rejected) +
          ",\"duplicates\":" + std::to_string(summary.duplicates) + "}");
  printImportSummary(summary, std::cout);
  if (!batch.isOk()) return reportFailure("import", batch.status());
  if (auto report = args->value("--report")) {
    std::ofstream out(*report);
    Status written = out ? writeImportReport(summary, out)
                         : unavailable("cannot write the report " + *report);
    if (!written.isOk()) return reportFailure("import", written);
  }
  if (!summary.status.isOk()) return reportFailure("import", summary.status);
  return summary.clean() ? 0 : 1;
}

const char kGenerateUsage[] =
    "usage: cardline generate --count N [--seed S] [--out FILE] [--invalid-share P]\n"
    "                         [--format jsonl|csv] [--date YYYY-MM-DD]\n\n"
    "Writes N realistic synthetic approved applications (Vietnamese names, every province,\n"
    "valid personal numbers, both card models, drawn face and fingerprint images; no real\n"
    "persons) to FILE or standard output. --invalid-share P (0..1) mixes in broken records of\n"
    "the kinds listed in docs/intake.md. The same seed gives the same file. --date is the\n"
    "latest issue/approval date (default: the newest day whose office hours, to 17:00\n"
    "+07:00, are over, so no approval lies in the future).\n";

int runGenerate(const Args& raw) {
  OptionSpec spec;
  spec.with_value.insert({"--count", "--seed", "--out", "--invalid-share", "--format", "--date",
                          "--config"});
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("generate", args.status());
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  GenerateOptions options;
  SystemClock clock;
  options.latest_date = latestPastOfficeDay(clock.now());
  try {
    if (auto v = args->value("--count")) options.count = std::stoll(*v);
    else return reportFailure("generate", invalidArgument("--count N is required"));
    if (auto v = args->value("--seed")) options.seed = std::stoull(*v);
    if (auto v = args->value("--invalid-share")) options.invalid_share = std::stod(*v);
  } catch (const std::exception&) {
    return reportFailure("generate", invalidArgument("--count, --seed and --invalid-share take "
                                                     "numbers"));
  }
  if (auto v = args->value("--date")) {
    auto date = Date::parse(*v);
    if (!date.isOk()) return reportFailure("generate", date.status());
    options.latest_date = *date;
  }
  if (auto v = args->value("--format")) {
    if (*v == "csv") options.format = InputFormat::kCsv;
    else if (*v != "jsonl") return reportFailure("generate", invalidArgument("--format is jsonl or csv"));
  } else if (auto out = args->value("--out"); out && out->size() > 4 &&
                                               out->substr(out->size() - 4) == ".csv") {
    options.format = InputFormat::kCsv;
  }
  auto reference = loadReferenceData(config->referenceDir());
  if (!reference.isOk()) return reportFailure("generate", reference.status());

  Result<GenerateStats> stats = internalError("not run");
  if (auto path = args->value("--out")) {
    std::ofstream out(*path, std::ios::binary);
    if (!out) return reportFailure("generate", unavailable("cannot write " + *path));
    stats = generateApplications(options, *reference, out);
    out.close();
    if (stats.isOk() && !out) return reportFailure("generate", unavailable("writing " + *path));
  } else {
    stats = generateApplications(options, *reference, std::cout);
  }
  if (!stats.isOk()) return reportFailure("generate", stats.status());
  std::cerr << "generated " << stats->written << " application(s), " << stats->invalid
            << " deliberately invalid\n";
  return 0;
}

}  // namespace cardline::app
