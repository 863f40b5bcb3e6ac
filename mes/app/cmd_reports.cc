// cardline report, cardline track and cardline blanks.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/node.h"
#include "mes/base/clock.h"
#include "mes/blanks/blank_stock.h"
#include "mes/blanks/commands.h"
#include "mes/blanks/reconciliation.h"
#include "mes/logistics/trace.h"
#include "mes/reports/blanks/reconciliation_report.h"
#include "mes/reports/csv/csv_report.h"
#include "mes/reports/pdf/pdf_report.h"
#include "mes/security/access_policy.h"
#include "mes/security/audit_chain.h"

namespace cardline::app {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status writeBytes(const std::string& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  return out ? Status::ok() : unavailable("cannot write " + path);
}

}  // namespace

const char kReportUsage[] =
    "usage: cardline report throughput --from DATE --to DATE --out FILE.pdf|FILE.csv\n"
    "       cardline report reconciliation (--shift ID | --from DATE --to DATE [--line L])\n"
    "                                      --out FILE.pdf|FILE.csv\n"
    "       (each also takes --config FILE / --data-dir DIR)\n\n"
    "throughput: cards per station per hour, shift and day, first-pass yield, the reject\n"
    "Pareto, work in progress, cycle times against the service levels, device availability and\n"
    "the blank reconciliation summary of the period (dates inclusive, factory local time).\n"
    "reconciliation: received = good + spoiled + samples + returned + destroyed + on hand, per\n"
    "shift or period and per lot, with the serials involved in any difference.\n";

int runReport(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.with_value.insert({"--from", "--to", "--out", "--shift", "--line"});
  spec.max_positional = 1;
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("report", args.status());
  auto out = args->value("--out");
  if (args->positional.size() != 1 || !out) {
    std::cerr << kReportUsage;
    return 2;
  }
  if (!endsWith(*out, ".pdf") && !endsWith(*out, ".csv")) {
    return reportFailure("report", invalidArgument("--out must end in .pdf or .csv"));
  }
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  auto opened = openConfiguredStore(*config);
  if (!opened.isOk()) return reportFailure("report", opened.status());
  SystemClock clock;
  BlankStock stock(clock);
  const std::string kind = args->positional[0];

  if (kind == "throughput") {
    auto from = args->value("--from");
    auto to = args->value("--to");
    if (!from || !to) return reportFailure("report", invalidArgument("give --from and --to"));
    auto from_date = Date::parse(*from);
    auto to_date = Date::parse(*to);
    if (!from_date.isOk()) return reportFailure("report", from_date.status());
    if (!to_date.isOk()) return reportFailure("report", to_date.status());
    const ThroughputReportOptions options = throughputReportOptions(*config);
    auto model = buildThroughputReportFor(*opened->store, DateRange{*from_date, *to_date}, clock,
                                          options);
    if (!model.isOk()) return reportFailure("report", model.status());
    ReconciliationQuery query;
    query.from = *from;
    query.to = *to;
    auto reconciliation = runReconciliation(*opened->store, stock, query);
    if (!reconciliation.isOk()) return reportFailure("report", reconciliation.status());
    appendBlankSummary(*model, *reconciliation);
    Status written;
    if (endsWith(*out, ".csv")) {
      std::ofstream file(*out, std::ios::binary);
      file << renderReportCsv(*model);
      file.close();
      written = file ? Status::ok() : unavailable("cannot write " + *out);
    } else {
      auto pdf = renderReportPdf(*model, options.pdf);
      written = pdf.isOk() ? writeBytes(*out, *pdf) : pdf.status();
    }
    if (!written.isOk()) return reportFailure("report", written);
    std::cout << "wrote the throughput report " << *out << "\n";
    return 0;
  }
  if (kind == "reconciliation") {
    ReconciliationQuery query;
    if (auto shift = args->value("--shift")) {
      try {
        query.shift_id = std::stoll(*shift);
      } catch (const std::exception&) {
        return reportFailure("report", invalidArgument("--shift takes a shift number"));
      }
    }
    query.from = args->value("--from").value_or("");
    query.to = args->value("--to").value_or("");
    query.line = args->value("--line").value_or("");
    auto reconciliation = runReconciliation(*opened->store, stock, query);
    if (!reconciliation.isOk()) return reportFailure("report", reconciliation.status());
    Status written;
    if (endsWith(*out, ".csv")) {
      written = writeTextFile(*out, reconciliationCsv(*reconciliation));
    } else {
      auto pdf = renderReconciliationPdf(*reconciliation, clock.now(), PdfReportOptions{});
      written = pdf.isOk() ? writeBytes(*out, *pdf) : pdf.status();
    }
    if (!written.isOk()) return reportFailure("report", written);
    std::cout << "wrote the reconciliation report " << *out << "\n";
    return 0;
  }
  return reportFailure("report", invalidArgument("unknown report \"" + kind +
                                                 "\" (throughput or reconciliation)"));
}

namespace {

// Who runs a command when no --actor is given: the login name, else "system".
std::string loginName() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? std::string("os:") + user : "system";
}

}  // namespace

const char kTrackUsage[] =
    "usage: cardline track QUERY [--unmasked] [--actor USER] [--reason TEXT] [--config FILE]\n"
    "                      [--data-dir DIR]\n\n"
    "Finds an application, card, box or shipment by personal number, application id, card\n"
    "serial, box id or tracking number and prints its whole history with timestamps and where\n"
    "it is now. Personal numbers and names are masked unless --unmasked. Every look-up, found\n"
    "or not, is recorded in the audit trail (pii.lookup: who --actor, default the login name;\n"
    "what matched; the view; why --reason).\n"
    "Exit status 1 when nothing matches.\n";

int runTrack(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.flags.insert("--unmasked");
  spec.with_value.insert({"--actor", "--reason"});
  spec.max_positional = 1;
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("track", args.status());
  if (args->positional.size() != 1) {
    std::cerr << kTrackUsage;
    return 2;
  }
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  auto opened = openConfiguredStore(*config);
  if (!opened.isOk()) return reportFailure("track", opened.status());
  SystemClock clock;
  TraceFormat format;
  if (!args->has("--unmasked")) {
    format.mask_personal_number = [](std::string_view n) { return maskPersonalNumber(n); };
    format.mask_name = [](std::string_view n) { return maskName(n); };
  }
  const std::string query = args->positional[0];
  const bool full = args->has("--unmasked");
  const std::string reason = args->value("--reason").value_or("");
  const std::string actor = args->value("--actor").value_or(loginName());
  AuditTrail audit(*opened->store, clock, *opened->audit_key);
  Status s = cardline::runTrack(
      *opened->store, clock, query, format, std::cout,
      [&](StoreTransaction& tx, const TraceReport& report) {
        return audit.appendIn(tx, actor, "pii.lookup", "track",
                              lookupAuditDetail(query, &report, full, reason))
            .status();
      });
  if (s.code() == ErrorCode::kNotFound) {
    // A look-up that found nothing is recorded too (who searched for what).
    auto audited =
        audit.append(actor, "pii.lookup", "track", lookupAuditDetail(query, nullptr, full, reason));
    if (!audited.isOk()) return reportFailure("track", audited.status());
    std::cerr << "cardline track: " << s.message() << "\n";
    return 1;
  }
  if (!s.isOk()) return reportFailure("track", s);
  return 0;
}

const char kBlanksUsage[] =
    "usage: cardline blanks receive --lot ID --line L --supplier S --chip-type T\n"
    "                               --model cccd-2021|can-cuoc-2024 --serials LIST\n"
    "       cardline blanks issue --device ID --serials LIST\n"
    "       cardline blanks return --serials LIST\n"
    "       cardline blanks sample --serials LIST --reason TEXT\n"
    "       cardline blanks destroy-propose --serials LIST --reason TEXT --actor SUPERVISOR\n"
    "       cardline blanks destroy-confirm --destruction ID --actor OTHER_SUPERVISOR\n"
    "       cardline blanks shift-open --line L\n"
    "       cardline blanks shift-close --shift ID --counted LIST|@FILE\n"
    "       (each also takes --actor USER (default system), --config FILE / --data-dir DIR)\n\n"
    "Security blanks are accountable items. LIST is serials and ranges: VN0001..VN0100,VN0200.\n"
    "Destruction needs two different supervisors. A shift closes only when the serials counted\n"
    "on hand match the ledger; otherwise the difference and the serials are shown.\n"
    "Every change is audited.\n";

int runBlanks(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.with_value.insert({"--lot", "--line", "--supplier", "--chip-type", "--model", "--serials",
                          "--device", "--reason", "--actor", "--destruction", "--shift",
                          "--counted"});
  spec.max_positional = 1;
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("blanks", args.status());
  if (args->positional.size() != 1) {
    std::cerr << kBlanksUsage;
    return 2;
  }
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  auto opened = openConfiguredStore(*config);
  if (!opened.isOk()) return reportFailure("blanks", opened.status());
  SystemClock clock;
  BlankStock stock(clock);
  AuditTrail audit(*opened->store, clock, *opened->audit_key);
  const std::string verb = args->positional[0];
  const std::string actor = args->value("--actor").value_or("system");

  auto serials = [&](const char* option) -> Result<std::vector<std::string>> {
    auto text = args->value(option);
    if (!text) return invalidArgument(std::string(verb) + " needs " + option);
    std::string list = *text;
    if (!list.empty() && list[0] == '@') {
      std::ifstream in(list.substr(1));
      if (!in) return invalidArgument("cannot read " + list.substr(1));
      std::stringstream all;
      std::string line;
      while (std::getline(in, line)) all << (all.tellp() > 0 ? "," : "") << line;
      list = all.str();
    }
    return parseSerialList(list);
  };
  auto required = [&](const char* option) -> Result<std::string> {
    auto v = args->value(option);
    if (!v || v->empty()) return invalidArgument(verb + " needs " + option);
    return *v;
  };

  std::string said;
  Status s = opened->store->transact([&](StoreTransaction& tx) -> Status {
    std::string subject;
    std::string detail = "{}";
    if (verb == "receive") {
      LotReceipt receipt;
      CARDLINE_ASSIGN_OR_RETURN(receipt.lot_id, required("--lot"));
      CARDLINE_ASSIGN_OR_RETURN(receipt.line, required("--line"));
      CARDLINE_ASSIGN_OR_RETURN(receipt.supplier, required("--supplier"));
      CARDLINE_ASSIGN_OR_RETURN(receipt.chip_type, required("--chip-type"));
      CARDLINE_ASSIGN_OR_RETURN(std::string model, required("--model"));
      CARDLINE_ASSIGN_OR_RETURN(receipt.card_model, parseCardModel(model));
      CARDLINE_ASSIGN_OR_RETURN(receipt.serials, serials("--serials"));
      CARDLINE_ASSIGN_OR_RETURN(BlankLot lot, stock.receive(tx, receipt, actor));
      subject = receipt.lot_id;
      said = "received lot " + receipt.lot_id + " (" + std::to_string(receipt.serials.size()) +
             " blanks)";
      (void)lot;
    } else if (verb == "issue") {
      CARDLINE_ASSIGN_OR_RETURN(std::string device, required("--device"));
      CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> list, serials("--serials"));
      CARDLINE_RETURN_IF_ERROR(stock.issue(tx, list, device, actor));
      subject = device;
      said = "issued " + std::to_string(list.size()) + " blanks to " + device;
    } else if (verb == "return") {
      CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> list, serials("--serials"));
      CARDLINE_RETURN_IF_ERROR(stock.returnToVault(tx, list, actor));
      said = "returned " + std::to_string(list.size()) + " blanks to the vault";
    } else if (verb == "sample") {
      CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> list, serials("--serials"));
      CARDLINE_ASSIGN_OR_RETURN(std::string reason, required("--reason"));
      CARDLINE_RETURN_IF_ERROR(stock.markSample(tx, list, reason, actor));
      said = "took " + std::to_string(list.size()) + " blanks as samples";
    } else if (verb == "destroy-propose") {
      CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> list, serials("--serials"));
      CARDLINE_ASSIGN_OR_RETURN(std::string reason, required("--reason"));
      CARDLINE_ASSIGN_OR_RETURN(std::int64_t id, stock.proposeDestruction(tx, list, reason, actor));
      subject = std::to_string(id);
      said = "proposed destruction " + subject + " of " + std::to_string(list.size()) +
             " spoiled blanks; a second supervisor must confirm it";
    } else if (verb == "destroy-confirm") {
      CARDLINE_ASSIGN_OR_RETURN(std::string id, required("--destruction"));
      CARDLINE_RETURN_IF_ERROR(stock.confirmDestruction(tx, std::stoll(id), actor));
      subject = id;
      said = "destruction " + id + " confirmed";
    } else if (verb == "shift-open") {
      CARDLINE_ASSIGN_OR_RETURN(std::string line, required("--line"));
      CARDLINE_ASSIGN_OR_RETURN(Shift shift, stock.openShift(tx, line, actor));
      subject = std::to_string(shift.id);
      said = "opened shift " + subject + " on line " + line;
    } else if (verb == "shift-close") {
      CARDLINE_ASSIGN_OR_RETURN(std::string id, required("--shift"));
      CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> counted, serials("--counted"));
      CARDLINE_ASSIGN_OR_RETURN(Reconciliation r,
                                stock.closeShift(tx, std::stoll(id), counted, actor));
      (void)r;
      subject = id;
      said = "closed shift " + id + ": balanced";
    } else {
      return invalidArgument("unknown verb \"" + verb + "\" (see cardline blanks --help)");
    }
    return audit.appendIn(tx, actor, "blanks." + verb, subject, detail).status();
  });
  if (!s.isOk()) return reportFailure("blanks", s);
  std::cout << said << "\n";
  return 0;
}

}  // namespace cardline::app
