// cardline demo: the whole line on the embedded database, end to end — generated applications,
// the MES node, one simulated device per station as separate cardline-device processes over
// ZeroMQ with CURVE, simulated logistics (hand-over and delivery confirmation), the reports.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <thread>

#include "devices/runtime/curve_keys.h"
#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/line_node.h"
#include "mes/app/node.h"
#include "mes/blanks/blank_stock.h"
#include "mes/blanks/commands.h"
#include "mes/blanks/reconciliation.h"
#include "mes/document/pki/test_pki.h"
#include "mes/intake/generator.h"
#include "mes/intake/importer.h"
#include "mes/intake/reference_data.h"
#include "mes/logistics/logistics_service.h"
#include "mes/reports/blanks/reconciliation_report.h"
#include "mes/reports/pdf/pdf_report.h"
#include "mes/security/accounts.h"
#include "mes/security/audit_chain.h"
#include "mes/security/sessions.h"

extern char** environ;

namespace cardline::app {
namespace {

namespace fs = std::filesystem;

const char* const kStations[] = {"print", "encode", "qa", "dispatch"};

// The cardline-device binary: $CARDLINE_DEVICE_BIN, beside this binary, or in the build tree.
std::string deviceBinary() {
  if (const char* env = std::getenv("CARDLINE_DEVICE_BIN")) return env;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  for (const fs::path& candidate :
       {self.parent_path() / "cardline-device",
        self.parent_path().parent_path().parent_path() / "devices/app/cardline-device"}) {
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return "cardline-device";
}

struct Child {
  pid_t pid = -1;
  std::string name;
};

Result<Child> spawnDevice(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  // The children must not inherit the blocked termination signals.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  Child child;
  child.name = args.size() > 5 ? args[5] : args[0];
  int rc = posix_spawn(&child.pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return unavailable("cannot start " + args[0] + ": " + std::strerror(rc));
  return child;
}

void stopChildren(std::vector<Child>& children) {
  for (const Child& c : children) kill(c.pid, SIGTERM);
  for (const Child& c : children) {
    for (int i = 0; i < 50; ++i) {
      if (waitpid(c.pid, nullptr, WNOHANG) == c.pid) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (i == 49) {
        kill(c.pid, SIGKILL);
        waitpid(c.pid, nullptr, 0);
      }
    }
  }
  children.clear();
}

struct LineCounts {
  std::int64_t queued = 0, held = 0, completed = 0, cancelled = 0;
  std::int64_t done[4] = {0, 0, 0, 0};
  std::int64_t pending = 0;  // ready or leased jobs
};

Result<LineCounts> countLine(Store& store) {
  LineCounts c;
  CARDLINE_RETURN_IF_ERROR(store.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(c.queued, tx.applications().countInState(ApplicationState::kQueued));
    CARDLINE_ASSIGN_OR_RETURN(c.held, tx.applications().countInState(ApplicationState::kHeld));
    CARDLINE_ASSIGN_OR_RETURN(c.completed,
                              tx.applications().countInState(ApplicationState::kCompleted));
    CARDLINE_ASSIGN_OR_RETURN(c.cancelled,
                              tx.applications().countInState(ApplicationState::kCancelled));
    int i = 0;
    for (StationType s : {StationType::kPrint, StationType::kEncode, StationType::kQa,
                          StationType::kDispatch}) {
      CARDLINE_ASSIGN_OR_RETURN(c.done[i], tx.jobs().count(s, JobState::kDone));
      CARDLINE_ASSIGN_OR_RETURN(std::int64_t ready, tx.jobs().count(s, JobState::kReady));
      CARDLINE_ASSIGN_OR_RETURN(std::int64_t leased, tx.jobs().count(s, JobState::kLeased));
      c.pending += ready + leased;
      ++i;
    }
    return Status::ok();
  }));
  return c;
}

// Logistics as the carrier and the receiving units would do it: close the open boxes, hand
// the packed ones over in one shipment, move it to in transit and confirm every box.
// Runs on the line controller thread. Returns how many boxes were delivered.
Status deliverEverything(StoreTransaction& tx, LogisticsService& logistics, int round,
                         int* delivered) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Box> open, tx.logistics().boxesInState(BoxState::kOpen, ""));
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
    "                     [--exit-when-done] [--config FILE]\n\n"
    "Runs the whole production line on the embedded database (SQLite in DIR, default\n"
    "./var/demo): generates N approved applications (default 500) and imports them, starts\n"
    "the MES and one simulated device per station (print, encode, qa, dispatch) as separate\n"
    "cardline-device processes over ZeroMQ with CURVE, runs the line until every application\n"
    "is delivered or held (logistics and the receiving units are simulated too), writes the\n"
    "throughput and reconciliation reports as PDF, prints a summary, and keeps serving the web\n"
    "UI (log in as admin; the password is in DIR/admin-password) until Ctrl-C unless\n"
    "--exit-when-done. --port 0 picks a free port (default 8080). --defect-rate R (default\n"
    "0.03) injects print and encode defects that QA must find.\n";

int runDemo(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.with_value.insert({"--applications", "--port", "--defect-rate"});
  spec.flags.insert("--exit-when-done");
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("demo", args.status());
  auto config_opt = loadNodeConfig(*args);
  if (!config_opt) return 2;
  Config config = *config_opt;
  if (config.database.backend != DatabaseBackend::kSqlite) {
    return reportFailure("demo", invalidArgument("the demo runs on the embedded database"));
  }
  std::int64_t applications = 500;
  int port = config.http.port;
  double defect_rate = 0.03;
  try {
    if (auto v = args->value("--applications")) applications = std::stoll(*v);
    if (auto v = args->value("--port")) port = std::stoi(*v);
    if (auto v = args->value("--defect-rate")) defect_rate = std::stod(*v);
  } catch (const std::exception&) {
    return reportFailure("demo", invalidArgument("--applications, --port and --defect-rate "
                                                 "take numbers"));
  }
  if (applications < 1 || defect_rate < 0 || defect_rate > 0.5) {
    return reportFailure("demo", invalidArgument("need --applications >= 1 and --defect-rate "
                                                 "between 0 and 0.5"));
  }
  SystemClock clock;
  const auto started = std::chrono::steady_clock::now();
  auto fail = [](const Status& s) { return reportFailure("demo", s); };

  std::cout << "cardline demo: data directory " << config.data_dir << "\n";
  auto prepared = prepareDataDir(config);
  if (!prepared.isOk()) return fail(prepared.status());
  for (const auto& a : prepared->actions) std::cout << "  " << a << "\n";
  auto options = storeOptions(config);
  if (!options.isOk()) return fail(options.status());
  auto migrated = migrateStore(*options, clock);
  if (!migrated.isOk()) return fail(migrated.status());
  std::cout << "  database " << options->sqlite_path << ": " << migrated->summary() << "\n";
  if (!fs::exists(pkiPaths(config.data_dir).ds_cert)) {
    auto pki = initTestPki(config.data_dir, TestPkiOptions{}, clock);
    if (!pki.isOk()) return fail(pki.status());
    std::cout << "  created a test CSCA and Document Signer in " << pki->dir << "\n";
  }

  // Block Ctrl-C / SIGTERM before any thread starts; the main thread polls for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto interrupted = [&signals] {
    timespec zero{0, 0};
    int sig = sigtimedwait(&signals, nullptr, &zero);
    return sig == SIGINT || sig == SIGTERM;
  };

  LineNodeOptions node_options;
  node_options.http_port = port;
  node_options.device_endpoint = "tcp://127.0.0.1:*";
  auto node_result = LineNode::open(config, node_options);
  if (!node_result.isOk()) return fail(node_result.status());
  LineNode& node = **node_result;
  Store& store = node.store();

  // This run's applications and blanks get a run number so the demo can run again on the
  // same data directory.
  const std::string run = std::to_string(clock.now().seconds());
  const std::string apps_file = config.data_dir + "/applications-" + run + ".jsonl";
  {
    auto reference = ReferenceData::loadFromDirectory(config.referenceDir());
    if (!reference.isOk()) return fail(reference.status());
    GenerateOptions generate;
    generate.count = applications;
    generate.seed = static_cast<std::uint64_t>(clock.now().seconds());
    generate.latest_date = utcDate(clock.now());
    generate.id_prefix = "DEMO" + run;
    std::ofstream out(apps_file, std::ios::binary);
    auto generated = generateApplications(generate, *reference, out);
    out.close();
    if (!generated.isOk()) return fail(generated.status());
    Engine& engine = node.engine();
    ImportOptions import_options;
    import_options.print_due_seconds = config.service_levels.receipt_to_print_hours * 3600LL;
    ImportSummary summary = importFiles(
        {apps_file}, import_options, store, *reference, clock,
        [&engine](StoreTransaction& tx, const Application& a) { return engine.start(tx, a); });
    if (!summary.status.isOk()) return fail(summary.status);
    std::cout << "  generated and imported " << summary.accepted << " applications ("
              << apps_file << ")\n";
  }

  // Devices: a CURVE key pair each, enrolled on the allow-list.
  const std::string key_dir = config.data_dir + "/device-keys";
  AuditTrail audit(store, clock);
  for (const char* station : kStations) {
    const std::string id = std::string(station) + "-1";
    auto existing = readKeyFile(key_dir + "/" + id + ".key_secret");
    CurveKeyPair pair;
    if (existing.isOk()) {
      pair = *existing;
    } else {
      auto fresh = generateCurveKeyPair();
      if (!fresh.isOk()) return fail(fresh.status());
      pair = *fresh;
      Status written = writeKeyFiles(key_dir, id, pair);
      if (!written.isOk()) return fail(written);
    }
    Status enrolled = store.transact([&](StoreTransaction& tx) -> Status {
      Device d;
      d.id = id;
      d.station = *parseStationType(station);
      d.public_key = pair.public_key;
      CARDLINE_RETURN_IF_ERROR(tx.devices().upsert(d));
      return audit.appendIn(tx, "demo", "device.add", id, "{}").status();
    });
    if (!enrolled.isOk()) return fail(enrolled);
  }
  Status synced = node.syncAllowList();
  if (!synced.isOk()) return fail(synced);

  // Blank stock: a lot with room for remakes, issued to the print device's hopper.
  const std::int64_t blank_count = applications * 2 + 20;
  char first[32], last[32];
  // Serial: "BL" + the run's last 6 digits + a 7-digit counter (at most 15 digits in all).
  const std::string run_tag = run.substr(run.size() - 6);
  std::snprintf(first, sizeof first, "BL%s%07d", run_tag.c_str(), 1);
  std::snprintf(last, sizeof last, "BL%s%07lld", run_tag.c_str(),
                static_cast<long long>(blank_count));
  Status stocked = store.transact([&](StoreTransaction& tx) -> Status {
    LotReceipt receipt;
    receipt.lot_id = "LOT-" + run;
    receipt.line = "line-1";
    receipt.supplier = "demo blank supplier";
    receipt.chip_type = "simulated";
    receipt.first_serial = first;
    receipt.last_serial = last;
    CARDLINE_ASSIGN_OR_RETURN(BlankLot lot, node.blanks().receive(tx, receipt, "demo"));
    CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> serials, expandSerialRange(first, last));
    (void)lot;
    return node.blanks().issue(tx, serials, "print-1", "demo");
  });
  if (!stocked.isOk()) return fail(stocked);

  // An administrator account for the web UI.
  const std::string password_file = config.data_dir + "/admin-password";
  {
    AccountService accounts(store, audit, clock);
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
  const std::string url = "http://" + config.http.bind + ":" + std::to_string(node.httpPort()) + "/";
  std::cout << "  MES running: devices on " << node.deviceEndpoint() << ", web UI on " << url
            << "\n";

  std::vector<Child> children;
  const std::string device_bin = deviceBinary();
  const std::string carrier = config.data_dir + "/carrier";
  fs::create_directories(config.data_dir + "/logs");
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.4f", defect_rate);
  for (const char* station : kStations) {
    const std::string id = std::string(station) + "-1";
    std::vector<std::string> argv = {device_bin, "simulate", "--station", station, "--id", id,
                                     "--connect", node.deviceEndpoint(), "--server-key",
                                     config.deviceKeyDir() + "/mes.key", "--key-dir", key_dir,
                                     "--carrier", carrier};
    if (std::string(station) == "print") {
      argv.insert(argv.end(), {"--hopper", std::string(first) + "-" + last});
    }
    if ((std::string(station) == "print" || std::string(station) == "encode") &&
        defect_rate > 0) {
      argv.insert(argv.end(), {"--defect-rate", rate});
    }
    auto child = spawnDevice(argv, config.data_dir + "/logs/" + id + ".log");
    if (!child.isOk()) {
      stopChildren(children);
      node.stop();
      return fail(child.status());
    }
    children.push_back(*child);
  }
  std::cout << "  started " << children.size() << " simulated devices (" << device_bin
            << "; logs in " << config.data_dir << "/logs)\n";

  // Run until every application of the database is delivered, held or cancelled.
  int round = 0, delivered_boxes = 0, ticks = 0;
  std::int64_t last_progress = -1;
  auto last_change = std::chrono::steady_clock::now();
  bool stalled = false, stopped = false;
  LineCounts counts;
  for (;;) {
    if (interrupted()) {
      stopped = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (++ticks % 10 == 0) node.recordDeviceTime();  // availability rollups
    auto c = countLine(store);
    if (!c.isOk()) {
      std::cerr << "cardline demo: " << c.status().message() << "\n";
      continue;
    }
    counts = *c;
    const std::int64_t progress = counts.done[0] + counts.done[1] + counts.done[2] +
                                  counts.done[3] + counts.completed + counts.held;
    if (progress != last_progress) {
      last_progress = progress;
      last_change = std::chrono::steady_clock::now();
    }
    std::cout << "  printed " << counts.done[0] << "  encoded " << counts.done[1] << "  QA "
              << counts.done[2] << "  packed " << counts.done[3] << "  delivered "
              << counts.completed << "  held " << counts.held << "  in line " << counts.queued
              << "\n"
              << std::flush;
    if (counts.pending == 0 && counts.queued > 0) {
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
      if (!shipped.isOk()) std::cerr << "cardline demo: logistics: " << shipped.message() << "\n";
      delivered_boxes += delivered;
    }
    if (counts.queued == 0) break;
    if (std::chrono::steady_clock::now() - last_change > std::chrono::seconds(120)) {
      stalled = true;
      break;
    }
  }
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
    for (;;) {
      timespec wait{1, 0};
      int sig = sigtimedwait(&signals, nullptr, &wait);
      if (sig == SIGINT || sig == SIGTERM) break;
    }
  }
  stopChildren(children);
  node.stop();
  return stalled ? 1 : 0;
}

}  // namespace cardline::app
