// cardline demo: the whole line end to end — generated applications, the MES node, one
// simulated device per station as separate cardline-device processes over ZeroMQ with CURVE,
// simulated logistics (hand-over and delivery confirmation), the reports. On the embedded
// database by default, or on MariaDB with --db mysql://USER@HOST:PORT/SCHEMA. The shared
// steps (data directory, devices, import, watching the line) are in line_run.h.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/db_url.h"
#include "mes/app/demo_hsm.h"
#include "mes/app/line_node.h"
#include "mes/app/line_run.h"
#include "mes/app/node.h"
#include "mes/blanks/blank_stock.h"
#include "mes/document/pki/test_pki.h"
#include "mes/blanks/commands.h"
#include "mes/blanks/reconciliation.h"
#include "mes/logistics/logistics_service.h"
#include "mes/reports/blanks/reconciliation_report.h"
#include "mes/reports/pdf/pdf_report.h"
#include "mes/security/accounts.h"
#include "mes/security/audit_chain.h"
#include "mes/security/sessions.h"

namespace cardline::app {
namespace {

namespace fs = std::filesystem;

// Logistics as the carrier and the receiving units would do it: close the open boxes, hand
// the packed ones over in one shipment, move it to in transit and confirm every box.
// Runs on the line controller thread. Returns how many boxes were delivered.
Status deliverEverything(StoreTransaction& tx, LogisticsService& logistics, int round,
                         int* delivered) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Box> open,
                            tx.logistics().boxesInState(BoxState::kOpen, ""));
  for (const Box& box : open) {
    if (box.card_count == 0) continue;
    CARDLINE_RETURN_IF_ERROR(logistics.closeBox(tx, box.id, "", "demo.logistics").status());
  }
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Box> packed,
                            tx.logistics().boxesInState(BoxState::kPacked, ""));
  if (packed.empty()) return Status::ok();
  HandOver hand_over;
  for (const Box& box : packed) hand_over.box_ids.push_back(box.id);
  hand_over.carrier = "VNPost EMS";
  hand_over.tracking_number = "EMS-DEMO-" + std::to_string(round) + "-" +
                              std::to_string(packed.size());
  hand_over.actor = "demo.logistics";
  CARDLINE_ASSIGN_OR_RETURN(Shipment shipment, logistics.handOver(tx, hand_over));
  CARDLINE_RETURN_IF_ERROR(
      logistics.setShipmentState(tx, shipment.id, ShipmentState::kInTransit, "demo.carrier")
          .status());
  for (const Box& box : packed) {
    DeliveryConfirmation confirmation;
    confirmation.box_id = box.id;
    confirmation.actor = "demo.receiving-unit";
    confirmation.actor_roles = {Role::kLogistics};
    CARDLINE_RETURN_IF_ERROR(logistics.confirmDelivery(tx, confirmation).status());
    ++*delivered;
  }
  return Status::ok();
}

std::string randomPassword() {
  auto hex = randomHex(12);
  return hex.isOk() ? *hex : "cardline-demo-password";
}

}  // namespace

const char kDemoUsage[] =
    "usage: cardline demo [--applications N] [--data-dir DIR] [--port P] [--defect-rate R]\n"
    "                     [--exit-when-done] [--seed S] [--config FILE]\n"
    "                     [--db sqlite|mysql://USER@HOST:PORT/SCHEMA] [--db-password-file F]\n"
    "                     [--hsm]\n\n"
    "Runs the whole production line: generates N approved applications (default 500) and\n"
    "imports them, starts the MES and one simulated device per station (print, encode, qa,\n"
    "dispatch) as separate cardline-device processes over ZeroMQ with CURVE, runs the line\n"
    "until every application is delivered or held (logistics and the receiving units are\n"
    "simulated too), writes the throughput and reconciliation reports as PDF, prints a\n"
    "summary, and keeps serving the web UI (log in as admin; the password is in\n"
    "DIR/admin-password) until Ctrl-C unless --exit-when-done. --port 0 picks a free port\n"
    "(default 8080). --defect-rate R (default 0.03) injects print and encode defects that QA\n"
    "must find. --seed S fixes the generated applications (default: the clock). It can run\n"
    "again on the same data directory and database.\n\n"
    "--db sqlite (default) uses the embedded database in DIR (default ./var/demo);\n"
    "--db mysql://USER@HOST:PORT/SCHEMA uses MariaDB/MySQL (PORT defaults to 3306), with the\n"
    "password from the first line of --db-password-file F or else from the environment\n"
    "variable CARDLINE_DB_PASSWORD (never in the URL). DIR still holds the keys (keep the\n"
    "same DIR for the same schema: the personal data is encrypted with DIR/keys/pii.key),\n"
    "the test PKI, the logs and the reports. Without --db the configuration's database\n"
    "section (--config FILE) applies. --hsm signs every chip in a SoftHSM2 token kept in\n"
    "DIR/hsm (made on first use, its Document Signer certified by the test CSCA) instead of\n"
    "the key file (signer.backend: pkcs11 in the configuration does the same for a real HSM).\n";

int runDemo(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.with_value.insert({"--applications", "--port", "--defect-rate", "--seed", "--db",
                          "--db-password-file"});
  spec.flags.insert({"--exit-when-done", "--hsm"});
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("demo", args.status());
  auto config_opt = loadNodeConfig(*args);
  if (!config_opt) return 2;
  Config config = *config_opt;
  auto fail = [](const Status& s) { return reportFailure("demo", s); };
  if (auto db = args->value("--db")) {
    Status applied = applyDatabaseUrl(*db, args->value("--db-password-file").value_or(""),
                                      &config);
    if (!applied.isOk()) return fail(applied);
  } else if (args->value("--db-password-file")) {
    return fail(invalidArgument("--db-password-file needs --db mysql://USER@HOST:PORT/SCHEMA"));
  }
  std::int64_t applications = 500;
  int port = config.http.port;
  double defect_rate = 0.03;
  std::optional<std::uint64_t> seed;
  try {
    if (auto v = args->value("--seed")) seed = std::stoull(*v);
    if (auto v = args->value("--applications")) applications = std::stoll(*v);
    if (auto v = args->value("--port")) port = std::stoi(*v);
    if (auto v = args->value("--defect-rate")) defect_rate = std::stod(*v);
  } catch (const std::exception&) {
    return fail(invalidArgument("--applications, --port, --defect-rate and --seed take numbers"));
  }
  if (applications < 1 || applications > 1000000 || defect_rate < 0 || defect_rate > 0.5) {
    return fail(invalidArgument("need --applications between 1 and 1000000 and --defect-rate "
                                "between 0 and 0.5"));
  }
  SystemClock clock;
  const auto started = std::chrono::steady_clock::now();

  std::cout << "cardline demo: data directory " << config.data_dir << ", database "
            << describeDatabase(config) << "\n";
  auto prepared = prepareLineRun(config, clock);
  if (!prepared.isOk()) return fail(prepared.status());
  for (const auto& a : *prepared) std::cout << "  " << a << "\n";
  if (args->has("--hsm")) {
    auto token = setUpDemoToken(&config, clock);
    if (!token.isOk()) return fail(token.status());
    for (const auto& a : *token) std::cout << "  " << a << "\n";
  }
  std::cout << "  Document Signer: " << name(config.signer.backend)
            << (config.signer.backend == SignerBackend::kPkcs11
                    ? " (token \"" + config.signer.pkcs11.token_label + "\")"
                    : std::string(" (") + pkiPaths(config.data_dir).dir + ")")
            << "\n";

  // Block Ctrl-C / SIGTERM before any thread starts; the main thread polls for them.
  InterruptWatch interrupts;

  LineNodeOptions node_options;
  node_options.http_port = port;
  node_options.device_endpoint = "tcp://127.0.0.1:*";
  auto node_result = LineNode::open(config, node_options);
  if (!node_result.isOk()) return fail(node_result.status());
  LineNode& node = **node_result;
  Store& store = node.store();

  // This run's applications and blanks get a run number so the demo can run again on the
  // same data directory and database.
  const std::string run = std::to_string(clock.now().seconds());
  const std::string apps_file = config.data_dir + "/applications-" + run + ".jsonl";
  auto imported = generateAndImport(
      node, config, applications, "DEMO" + run,
      seed.value_or(static_cast<std::uint64_t>(clock.now().seconds())), apps_file, clock);
  if (!imported.isOk()) return fail(imported.status());
  std::cout << "  generated and imported " << *imported << " applications (" << apps_file
            << ")\n";

  // Devices: a CURVE key pair each, enrolled on the allow-list.
  const std::string key_dir = config.data_dir + "/device-keys";
  Status enrolled = enrolSimulatedDevices(node, key_dir, "demo");
  if (!enrolled.isOk()) return fail(enrolled);

  // Blank stock: a lot with room for remakes, issued to the print device's hopper.
  auto blanks = stockBlanks(node, run, applications * 2 + 20, "demo");
  if (!blanks.isOk()) return fail(blanks.status());

  // An administrator account for the web UI.
  const std::string password_file = config.data_dir + "/admin-password";
  {
    AccountService accounts(store, node.audit(), clock);
    if (!accounts.find("admin").isOk()) {
      const std::string password = randomPassword();
      Status added = accounts.addUser("admin", "Demo administrator",
                                      {Role::kAdmin, Role::kManager, Role::kSupervisor,
                                       Role::kLogistics, Role::kOperator, Role::kAuditor},
                                      password, "demo");
      if (!added.isOk()) return fail(added);
      std::ofstream out(password_file);
      out << password << "\n";
      out.close();
      ::chmod(password_file.c_str(), 0600);
    }
  }

  Status node_started = node.start();
  if (!node_started.isOk()) return fail(node_started);
  const std::string url =
      "http://" + config.http.bind + ":" + std::to_string(node.httpPort()) + "/";
  std::cout << "  MES running: devices on " << node.deviceEndpoint() << ", web UI on " << url
            << "\n";

  SimulatedDevices devices;
  SimulatedDeviceOptions device_options;
  device_options.key_dir = key_dir;
  device_options.carrier_dir = config.data_dir + "/carrier";
  device_options.log_dir = config.data_dir + "/logs";
  device_options.hopper = *blanks;
  device_options.defect_rate = defect_rate;
  Status devices_started = devices.start(node, device_options);
  if (!devices_started.isOk()) {
    node.stop();
    return fail(devices_started);
  }
  std::cout << "  started " << devices.size() << " simulated devices (" << deviceBinary()
            << "; logs in " << device_options.log_dir << ")\n";

  // Run until every application of the database is delivered, held or cancelled.
  int round = 0, delivered_boxes = 0, ticks = 0;
  LineCounts counts;
  const LineWaitOutcome outcome = waitForLine(
      store, interrupts, LineWaitOptions{}, [&](const LineCounts& c) {
        if (++ticks % 10 == 0) node.recordDeviceTime();  // availability rollups
        std::cout << "  printed " << c.done[0] << "  encoded " << c.done[1] << "  QA "
                  << c.done[2] << "  packed " << c.done[3] << "  delivered " << c.completed
                  << "  held " << c.held << "  in line " << c.queued << "\n"
                  << std::flush;
        if (c.pending == 0 && c.queued > 0) {
          // The stations are idle: what is left waits for logistics.
          ++round;
          LogisticsService& logistics = node.logistics();
          int delivered = 0;
          Status shipped = node.controller()
                               .submit([&](StoreTransaction& tx, Engine&) {
                                 delivered = 0;
                                 return deliverEverything(tx, logistics, round, &delivered);
                               })
                               .get();
          if (!shipped.isOk()) {
            std::cerr << "cardline demo: logistics: " << shipped.message() << "\n";
          }
          delivered_boxes += delivered;
        }
        return c.queued == 0;
      },
      &counts);
  const bool stopped = outcome == LineWaitOutcome::kInterrupted;
  const bool stalled = outcome == LineWaitOutcome::kStalled;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // The device time up to now goes into the availability figures of the report.
  Status device_time = node.recordDeviceTime().get();
  if (!device_time.isOk()) {
    std::cerr << "cardline demo: device time: " << device_time.message() << "\n";
  }

  // Reports of today (factory local time).
  const std::string reports_dir = config.data_dir + "/reports";
  fs::create_directories(reports_dir);
  const Date today = utcDate(clock.now().plusSeconds(config.logistics.utc_offset_minutes * 60LL));
  const std::string throughput_pdf = reports_dir + "/throughput-" + today.toString() + ".pdf";
  const std::string reconciliation_pdf =
      reports_dir + "/reconciliation-" + today.toString() + ".pdf";
  {
    const ThroughputReportOptions report_options = throughputReportOptions(config);
    auto model = buildThroughputReportFor(store, DateRange{today.plusDays(-1), today}, clock,
                                          report_options);
    ReconciliationQuery query;
    query.from = today.plusDays(-1).toString();
    query.to = today.toString();
    auto reconciliation = runReconciliation(store, node.blanks(), query);
    Status written = model.status();
    if (written.isOk() && reconciliation.isOk()) appendBlankSummary(*model, *reconciliation);
    if (written.isOk()) written = writeReportPdf(*model, report_options.pdf, throughput_pdf);
    if (written.isOk()) written = reconciliation.status();
    if (written.isOk()) {
      auto pdf = renderReconciliationPdf(*reconciliation, clock.now(), PdfReportOptions{});
      written = pdf.status();
      if (pdf.isOk()) {
        std::ofstream out(reconciliation_pdf, std::ios::binary);
        out.write(reinterpret_cast<const char*>(pdf->data()),
                  static_cast<std::streamsize>(pdf->size()));
      }
    }
    if (!written.isOk()) std::cerr << "cardline demo: reports: " << written.message() << "\n";
  }

  std::cout << "\ncardline demo: " << (stopped ? "interrupted" : stalled ? "STALLED" : "done")
            << " after " << std::fixed << std::setprecision(1) << seconds << " s\n"
            << "  delivered " << counts.completed << ", held for a supervisor " << counts.held
            << ", cancelled " << counts.cancelled << ", still in the line " << counts.queued
            << "\n"
            << "  station jobs: print " << counts.done[0] << ", encode " << counts.done[1]
            << ", qa " << counts.done[2] << ", dispatch " << counts.done[3] << "; boxes delivered "
            << delivered_boxes << "\n"
            << "  " << std::setprecision(2)
            << (seconds > 0 ? static_cast<double>(counts.completed + counts.held) / seconds : 0)
            << " cards per second end to end\n"
            << "  reports: " << throughput_pdf << "\n           " << reconciliation_pdf << "\n"
            << "  web UI:  " << url << " (user admin, password in " << password_file << ")\n";

  if (!args->has("--exit-when-done") && !stopped) {
    std::cout << "cardline demo: serving the web UI until Ctrl-C\n" << std::flush;
    while (!interrupts.interrupted(std::chrono::milliseconds(1000))) {
    }
  }
  devices.stop();
  node.stop();
  return stalled ? 1 : 0;
}

}  // namespace cardline::app
