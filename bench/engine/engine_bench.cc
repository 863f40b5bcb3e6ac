// Transitions per second of the line's core alone: workflow engine + line controller (group
// commit, leases through the dispatch policy) + store, with no devices and no network. An
// in-process dispatcher answers every job "ok" the moment the controller sends it, so the
// controller's thread and the database are the only limits.
//
// N applications are inserted and started (not timed), then the controller runs until every
// application has passed print, encode, qa and dispatch (4 transitions each) and waits at
// in_transit. Runs on a fresh SQLite file and, when CARDLINE_MYSQL_URL/_USER/_PASSWORD/_SCHEMA
// are set, on MariaDB/MySQL (its tables are dropped first).
//
// Usage: engine_bench [--count N] [--devices D] [--capacity C] [--max-batch B] [--dir DIR]
//                     [--backend sqlite|mysql|all]
// Output: one line per backend: transitions/s (wall clock), the benchmark process's CPU time
// (user + system, the main thread's 2 ms polling included; MariaDB's own CPU is not) and
// transitions per CPU second (robust on a shared machine), rounds (= group commits), the mean
// results per round.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mes/base/clock.h"
#include "mes/config/workflow_loader.h"
#include "mes/scheduler/line_controller.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/storage/store_factory.h"

#ifndef CARDLINE_SOURCE_DIR_DEFAULT
#define CARDLINE_SOURCE_DIR_DEFAULT "."
#endif

namespace cardline {
namespace {

struct BenchOptions {
  int count = 2000;
  int devices = 4;    // per station
  int capacity = 8;   // jobs each device may hold
  int max_batch = 1000;
  std::string dir = "/tmp/cardline-engine-bench";
  std::string backend = "all";
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// CPU time (user + system) of this process so far.
double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double secondsSince(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Answers each job at once with "ok"; print consumes a fresh blank serial. Called on the
// controller's thread only (send), so the counter needs no lock.
class InstantDispatcher final : public JobDispatcher {
 public:
  void attach(LineController* controller) { controller_ = controller; }
  Status send(const std::string& device_id, const StationJob& job) override {
    StationResult result;
    result.job_id = job.id;
    result.attempt = job.attempt;
    result.device_id = device_id;
    result.outcome = "ok";
    if (job.station == StationType::kPrint) {
      result.blank_serial = "BENCH" + std::to_string(++blank_);
    }
    controller_->stationResult(result);
    return Status::ok();
  }
  void acknowledge(const std::string& /*device_id*/, std::int64_t /*job_id*/, int /*attempt*/,
                   ResultDisposition /*disposition*/) override {}
  void leaseExpired(const std::string& /*device_id*/, std::int64_t /*job_id*/) override {}

 private:
  LineController* controller_ = nullptr;
  std::int64_t blank_ = 0;
};

Status emptyMysqlSchema(const StoreOptions& options) {
  CARDLINE_ASSIGN_OR_RETURN(auto db, openSqlConnection(options));
  CARDLINE_ASSIGN_OR_RETURN(
      auto tables,
      db->query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
                {}));
  CARDLINE_RETURN_IF_ERROR(db->executeDirect("SET FOREIGN_KEY_CHECKS = 0"));
  for (const auto& row : tables) {
    CARDLINE_ASSIGN_OR_RETURN(std::string table, sqlText(row.at(0)));
    CARDLINE_RETURN_IF_ERROR(db->executeDirect("DROP TABLE IF EXISTS `" + table + "`"));
  }
  return db->executeDirect("SET FOREIGN_KEY_CHECKS = 1");
}

// Inserts and starts `count` applications in transactions of 500 (the import's work).
Status seedBacklog(Store& store, Engine& engine, const Clock& clock, int count) {
  const char* units[] = {"HN-BD", "HCM-Q1", "DN-HC", "HP-LC", "CT-NK"};
  for (int first = 0; first < count; first += 500) {
    const int last = std::min(count, first + 500);
    Status batch = store.transact([&](StoreTransaction& tx) -> Status {
      for (int i = first; i < last; ++i) {
        Application a;
        a.id = "BENCH-" + std::to_string(i);
        a.approval_ref = "APR-" + a.id;
        a.approved_at = clock.now();
        a.card_model = i % 2 == 0 ? CardModel::kCccd2021 : CardModel::kCanCuoc2024;
        a.priority = i % 10 == 0 ? Priority::kUrgent : Priority::kNormal;
        char number[16];
        std::snprintf(number, sizeof number, "%012d", i);
        a.personal_number = number;
        a.receiving_unit = ReceivingUnit{units[i % 5], "Công an đơn vị " + std::to_string(i % 5)};
        a.person.full_name = "Nguyễn Văn Bench " + std::to_string(i);
        a.person.nationality = "VNM";
        a.person.photo = Image{"jpeg", Bytes{0xff, 0xd8, 0xff, 0xd9}};
        a.step = "received";
        a.received_at = clock.now();
        CARDLINE_RETURN_IF_ERROR(tx.applications().insert(a));
        CARDLINE_RETURN_IF_ERROR(engine.start(tx, a));
      }
      return Status::ok();
    });
    CARDLINE_RETURN_IF_ERROR(batch);
  }
  return Status::ok();
}

// One run on one backend. Returns the process exit code contribution (0 = fine).
int runOn(const std::string& label, const StoreOptions& store_options, const BenchOptions& o,
          const WorkflowCatalog& catalog) {
  SystemClock clock;
  auto pii = AesGcmPiiProtector::create(Bytes(32, 0x29));
  if (!pii.isOk()) return 2;
  auto migrated = migrateStore(store_options, clock);
  if (!migrated.isOk()) {
    std::cerr << label << ": " << migrated.status().toString() << "\n";
    return 2;
  }
  auto store = openStore(store_options, **pii);
  if (!store.isOk()) {
    std::cerr << label << ": " << store.status().toString() << "\n";
    return 2;
  }
  Engine engine(catalog, clock, EngineOptions{});
  Status seeded = seedBacklog(**store, engine, clock, o.count);
  if (!seeded.isOk()) {
    std::cerr << label << ": seeding: " << seeded.toString() << "\n";
    return 2;
  }

  InstantDispatcher dispatcher;
  LineControllerOptions line;
  line.node_id = "bench";
  line.lease = std::chrono::seconds(300);
  line.max_batch = o.max_batch;
  LineController controller(**store, engine, clock, dispatcher, line);
  dispatcher.attach(&controller);

  const std::int64_t transitions = 4LL * o.count;
  const auto started = std::chrono::steady_clock::now();
  const double cpu_started = cpuSeconds();
  controller.start();
  for (StationType station : {StationType::kPrint, StationType::kEncode, StationType::kQa,
                              StationType::kDispatch}) {
    for (int d = 1; d <= o.devices; ++d) {
      controller.deviceReady({std::string(name(station)) + "-" + std::to_string(d), station,
                              o.capacity});
    }
  }
  // Progress is read from the controller's counters; the poll interval bounds the error of the
  // measured wall time (reported below), not the work.
  LineStats stats;
  for (;;) {
    stats = controller.stats();
    if (stats.results_applied >= transitions || stats.results_failed > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double wall = secondsSince(started);
  controller.stop();
  const double cpu = cpuSeconds() - cpu_started;

  std::int64_t in_transit = 0;
  Status counted = (*store)->transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(in_transit,
                              tx.applications().countInState(ApplicationState::kQueued));
    return Status::ok();
  });
  if (stats.results_failed > 0 || !counted.isOk() || in_transit != o.count) {
    std::cerr << label << ": " << stats.results_failed << " result(s) failed, " << in_transit
              << " of " << o.count << " applications queued at the end; " << counted.toString()
              << "\n";
    return 1;
  }
  const double per_round =
      stats.rounds == 0 ? 0 : static_cast<double>(stats.results_applied) / stats.rounds;
  std::printf("%-8s applications=%d transitions=%lld wall=%.2fs transitions/s=%.0f cpu=%.2fs "
              "transitions/cpu-s=%.0f rounds=%lld results/round=%.1f failed_rounds=%lld "
              "max_batch=%d devices=%dx%d\n",
              label.c_str(), o.count, static_cast<long long>(stats.results_applied), wall,
              static_cast<double>(stats.results_applied) / wall, cpu,
              static_cast<double>(stats.results_applied) / cpu,
              static_cast<long long>(stats.rounds), per_round,
              static_cast<long long>(stats.failed_rounds), o.max_batch, o.devices, o.capacity);
  std::fflush(stdout);
  return 0;
}

int usage() {
  std::cerr << "usage: engine_bench [--count N] [--devices D] [--capacity C] [--max-batch B]\n"
               "                    [--dir DIR] [--backend sqlite|mysql|all]\n";
  return 2;
}

int run(int argc, char** argv) {
  BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string value = argv[++i];
    try {
      if (arg == "--count") o.count = std::stoi(value);
      else if (arg == "--devices") o.devices = std::stoi(value);
      else if (arg == "--capacity") o.capacity = std::stoi(value);
      else if (arg == "--max-batch") o.max_batch = std::stoi(value);
      else if (arg == "--dir") o.dir = value;
      else if (arg == "--backend") o.backend = value;
      else return usage();
    } catch (const std::exception&) {
      return usage();
    }
  }
  if (o.count < 1 || o.devices < 1 || o.capacity < 1 || o.max_batch < 1) return usage();

  std::string source = env("CARDLINE_SOURCE_DIR");
  if (source.empty()) source = CARDLINE_SOURCE_DIR_DEFAULT;
  WorkflowCatalog catalog;
  for (const char* file : {"standard-cccd-2021.yaml", "standard-can-cuoc-2024.yaml"}) {
    WorkflowLoadResult loaded = loadWorkflowFile(source + "/workflows/" + file);
    if (!loaded.problems.empty()) {
      std::cerr << "cannot load workflow " << file << " from " << source << "/workflows\n";
      return 2;
    }
    Status added = catalog.add(loaded.definition);
    if (!added.isOk()) {
      std::cerr << added.toString() << "\n";
      return 2;
    }
  }

  int rc = 0;
  if (o.backend == "sqlite" || o.backend == "all") {
    std::filesystem::remove_all(o.dir);
    std::filesystem::create_directories(o.dir);
    StoreOptions sqlite;
    sqlite.backend = StoreBackend::kSqlite;
    sqlite.sqlite_path = o.dir + "/cardline.db";
    rc |= runOn("sqlite", sqlite, o, catalog);
    std::filesystem::remove_all(o.dir);
  }
  if (o.backend == "mysql" || (o.backend == "all" && !env("CARDLINE_MYSQL_URL").empty())) {
    StoreOptions mysql;
    mysql.backend = StoreBackend::kMysql;
    mysql.mysql_url = env("CARDLINE_MYSQL_URL");
    mysql.mysql_user = env("CARDLINE_MYSQL_USER");
    mysql.mysql_password = env("CARDLINE_MYSQL_PASSWORD");
    mysql.mysql_schema = env("CARDLINE_MYSQL_SCHEMA");
    if (mysql.mysql_url.empty() || mysql.mysql_schema.empty()) {
      std::cerr << "mysql: CARDLINE_MYSQL_URL/_SCHEMA are not set\n";
      return 2;
    }
    Status emptied = emptyMysqlSchema(mysql);
    if (!emptied.isOk()) {
      std::cerr << "mysql: " << emptied.toString() << "\n";
      return 2;
    }
    rc |= runOn("mariadb", mysql, o, catalog);
  }
  return rc;
}

}  // namespace
}  // namespace cardline

int main(int argc, char** argv) { return cardline::run(argc, argv); }
