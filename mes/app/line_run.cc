#include "mes/app/line_run.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "devices/runtime/curve_keys.h"
#include "mes/config/reference_loader.h"
#include "mes/app/node.h"
#include "mes/blanks/blank_stock.h"
#include "mes/document/pki/test_pki.h"
#include "mes/intake/generator.h"
#include "mes/intake/importer.h"
#include "mes/intake/reference_data.h"
#include "mes/security/audit_chain.h"
#include "mes/security/key_file.h"
#include "mes/storage/store_factory.h"

extern char** environ;

namespace cardline::app {
namespace {

namespace fs = std::filesystem;

// Starts argv with stdin from /dev/null and stdout + stderr into `log`, with no signal
// blocked (the parent blocks SIGINT/SIGTERM, see InterruptWatch).
Result<pid_t> spawnLogged(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return unavailable("cannot start " + args[0] + ": " + std::strerror(rc));
  return pid;
}

// VmHWM of /proc/PID/status in KiB, 0 when it cannot be read.
std::int64_t peakRssOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, 6, "VmHWM:") == 0) {
      try {
        return std::stoll(line.substr(6));
      } catch (const std::exception&) {
        return 0;
      }
    }
  }
  return 0;
}

}  // namespace

std::string simulatedDeviceId(StationType station) { return std::string(name(station)) + "-1"; }

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

InterruptWatch::InterruptWatch() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

bool InterruptWatch::interrupted(std::chrono::milliseconds wait) const {
  timespec timeout{static_cast<time_t>(wait.count() / 1000),
                   static_cast<long>((wait.count() % 1000) * 1000000)};
  const int sig = sigtimedwait(&signals_, nullptr, &timeout);
  return sig == SIGINT || sig == SIGTERM;
}

Result<std::vector<std::string>> prepareLineRun(const Config& config, const Clock& clock) {
  std::vector<std::string> actions;
  if (config.database.backend == DatabaseBackend::kMysql) {
    // prepareDataDir() wants provisioned keys for MySQL; a throwaway line makes its own.
    for (const std::string& key_file : {config.piiKeyFile(), config.auditKeyFile()}) {
      std::error_code ec;
      fs::create_directories(fs::path(key_file).parent_path(), ec);
      if (ec) return unavailable("cannot create the folder of " + key_file + ": " + ec.message());
      CARDLINE_ASSIGN_OR_RETURN(KeyFileOutcome outcome, generateKeyFile(key_file));
      if (outcome == KeyFileOutcome::kCreated) actions.push_back("generated " + key_file);
    }
  }
  CARDLINE_ASSIGN_OR_RETURN(DataDirReport prepared, prepareDataDir(config));
  actions.insert(actions.end(), prepared.actions.begin(), prepared.actions.end());
  CARDLINE_ASSIGN_OR_RETURN(StoreOptions options, storeOptions(config));
  auto migrated = migrateStore(options, clock);
  if (!migrated.isOk()) return migrated.status().withContext("migrating the database");
  actions.push_back("database " +
                    (options.backend == StoreBackend::kSqlite
                         ? options.sqlite_path
                         : options.mysql_url + " schema " + options.mysql_schema) +
                    ": " + migrated->summary());
  if (!fs::exists(pkiPaths(config.data_dir).ds_cert)) {
    CARDLINE_ASSIGN_OR_RETURN(PkiPaths pki, initTestPki(config.data_dir, TestPkiOptions{}, clock));
    actions.push_back("created a test CSCA and Document Signer in " + pki.dir);
  }
  return actions;
}

Result<std::int64_t> generateAndImport(LineNode& node, const Config& config, std::int64_t count,
                                       const std::string& id_prefix, std::uint64_t seed,
                                       const std::string& file, const Clock& clock) {
  CARDLINE_ASSIGN_OR_RETURN(ReferenceData reference,
                            loadReferenceData(config.referenceDir()));
  GenerateOptions generate;
  generate.count = count;
  generate.seed = seed;
  generate.latest_date = latestPastOfficeDay(clock.now());
  generate.id_prefix = id_prefix;
  {
    std::ofstream out(file, std::ios::binary);
    if (!out) return unavailable("cannot write " + file);
    CARDLINE_RETURN_IF_ERROR(generateApplications(generate, reference, out).status());
    out.close();
    if (!out) return unavailable("cannot write " + file);
  }
  Engine& engine = node.engine();
  ImportOptions import_options;
  import_options.print_due_seconds = config.service_levels.receipt_to_print_hours * 3600LL;
  ImportSummary summary = importFiles(
      {file}, import_options, node.store(), reference, clock,
      [&engine](StoreTransaction& tx, const Application& a) { return engine.start(tx, a); });
  CARDLINE_RETURN_IF_ERROR(summary.status);
  return summary.accepted;
}

Status enrolSimulatedDevices(LineNode& node, const std::string& key_dir,
                             const std::string& actor) {
  for (StationType station : kLineStations) {
    const std::string id = simulatedDeviceId(station);
    auto existing = readKeyFile(key_dir + "/" + id + ".key_secret");
    CurveKeyPair pair;
    if (existing.isOk()) {
      pair = *existing;
    } else {
      CARDLINE_ASSIGN_OR_RETURN(pair, generateCurveKeyPair());
      CARDLINE_RETURN_IF_ERROR(writeKeyFiles(key_dir, id, pair));
    }
    CARDLINE_RETURN_IF_ERROR(node.store().transact([&](StoreTransaction& tx) -> Status {
      Device d;
      d.id = id;
      d.station = station;
      d.public_key = pair.public_key;
      CARDLINE_RETURN_IF_ERROR(tx.devices().upsert(d));
      return node.audit().appendIn(tx, actor, "device.add", id, "{}").status();
    }));
  }
  return node.syncAllowList();
}

Result<BlankRange> stockBlanks(LineNode& node, const std::string& run, std::int64_t count,
                               const std::string& actor) {
  if (run.size() < 6) return invalidArgument("a run tag needs at least 6 digits: " + run);
  if (count < 1 || count > 9999999) return invalidArgument("blank count out of range");
  const std::string run_tag = run.substr(run.size() - 6);
  char first[32];
  char last[32];
  std::snprintf(first, sizeof first, "BL%s%07d", run_tag.c_str(), 1);
  std::snprintf(last, sizeof last, "BL%s%07lld", run_tag.c_str(), static_cast<long long>(count));
  BlankRange range{first, last};
  CARDLINE_RETURN_IF_ERROR(node.store().transact([&](StoreTransaction& tx) -> Status {
    LotReceipt receipt;
    receipt.lot_id = "LOT-" + run;
    receipt.line = "line-1";
    receipt.supplier = "simulated blank supplier";
    receipt.chip_type = "simulated";
    receipt.first_serial = range.first;
    receipt.last_serial = range.last;
    CARDLINE_RETURN_IF_ERROR(node.blanks().receive(tx, receipt, actor).status());
    CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> serials,
                              expandSerialRange(range.first, range.last));
    return node.blanks().issue(tx, serials, simulatedDeviceId(StationType::kPrint), actor);
  }));
  return range;
}

SimulatedDevices::~SimulatedDevices() { stop(); }

Status SimulatedDevices::start(const LineNode& node, const SimulatedDeviceOptions& options) {
  const std::string binary = deviceBinary();
  std::error_code ec;
  fs::create_directories(options.log_dir, ec);
  if (ec) return unavailable("cannot create " + options.log_dir + ": " + ec.message());
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.4f", options.defect_rate);
  const Config& config = node.config();
  for (StationType station : kLineStations) {
    const std::string id = simulatedDeviceId(station);
    std::vector<std::string> argv = {binary, "simulate", "--station", name(station), "--id", id,
                                     "--connect", node.deviceEndpoint(), "--carrier",
                                     options.carrier_dir};
    if (config.devices.security == DeviceLinkSecurity::kCurve) {
      argv.insert(argv.end(), {"--server-key", config.deviceKeyDir() + "/mes.key", "--key-dir",
                               options.key_dir});
    } else {
      argv.push_back("--plain");
    }
    if (options.capacity > 1) argv.insert(argv.end(), {"--capacity",
                                                       std::to_string(options.capacity)});
    if (options.latency_ms >= 0) {
      argv.insert(argv.end(), {"--latency-ms", std::to_string(options.latency_ms)});
    }
    if (station == StationType::kPrint) argv.insert(argv.end(), {"--hopper",
                                                                 options.hopper.hopper()});
    if ((station == StationType::kPrint || station == StationType::kEncode) &&
        options.defect_rate > 0) {
      argv.insert(argv.end(), {"--defect-rate", rate});
    }
    auto pid = spawnLogged(argv, options.log_dir + "/" + id + ".log");
    if (!pid.isOk()) {
      stop();
      return pid.status();
    }
    children_.push_back(Child{*pid, id});
  }
  return Status::ok();
}

std::vector<DeviceMemory> SimulatedDevices::peakMemory() const {
  std::vector<DeviceMemory> out;
  for (const Child& c : children_) out.push_back(DeviceMemory{c.device_id, c.pid,
                                                              peakRssOf(c.pid)});
  return out;
}

void SimulatedDevices::stop() {
  for (const Child& c : children_) kill(c.pid, SIGTERM);
  for (const Child& c : children_) {
    // Up to 5 s for a clean exit, then SIGKILL. The poll paces a process exit, nothing else.
    bool gone = false;
    for (int i = 0; i < 50 && !gone; ++i) {
      gone = waitpid(c.pid, nullptr, WNOHANG) == c.pid;
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!gone) {
      kill(c.pid, SIGKILL);
      waitpid(c.pid, nullptr, 0);
    }
  }
  children_.clear();
}

Result<LineCounts> countLine(Store& store) {
  LineCounts c;
  CARDLINE_RETURN_IF_ERROR(store.read([&](StoreTransaction& tx) -> Status {
    c = LineCounts{};
    CARDLINE_ASSIGN_OR_RETURN(c.queued, tx.applications().countInState(ApplicationState::kQueued));
    CARDLINE_ASSIGN_OR_RETURN(c.held, tx.applications().countInState(ApplicationState::kHeld));
    CARDLINE_ASSIGN_OR_RETURN(c.completed,
                              tx.applications().countInState(ApplicationState::kCompleted));
    CARDLINE_ASSIGN_OR_RETURN(c.cancelled,
                              tx.applications().countInState(ApplicationState::kCancelled));
    int i = 0;
    for (StationType s : kLineStations) {
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

LineWaitOutcome waitForLine(Store& store, const InterruptWatch& interrupts,
                            const LineWaitOptions& options,
                            const std::function<bool(const LineCounts&)>& visit,
                            LineCounts* last) {
  std::int64_t last_progress = -1;
  auto last_change = std::chrono::steady_clock::now();
  for (;;) {
    if (interrupts.interrupted(options.poll)) return LineWaitOutcome::kInterrupted;
    auto counts = countLine(store);
    if (counts.isOk()) {
      *last = *counts;
      const std::int64_t progress = counts->jobsDone() + counts->completed + counts->held;
      if (progress != last_progress) {
        last_progress = progress;
        last_change = std::chrono::steady_clock::now();
      }
      if (visit(*counts)) return LineWaitOutcome::kDone;
    } else {
      std::cerr << "cardline: counting the line: " << counts.status().message() << "\n";
    }
    if (std::chrono::steady_clock::now() - last_change > options.stall) {
      return LineWaitOutcome::kStalled;
    }
  }
}

}  // namespace cardline::app
