// cardline bench: N applications through print, encode, QA and dispatch on a fresh database,
// with one zero-latency simulated device process per station, full artefacts or headers only.
// Reports cards/s, station jobs/s, job latency (lease to durable completion, from the store)
// and the peak memory of the MES and of each device process. docs/PERFORMANCE.md has results.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/db_url.h"
#include "mes/app/line_node.h"
#include "mes/app/line_run.h"
#include "mes/storage/raw_commit_rate.h"
#include "mes/app/node.h"
#include "mes/base/json_text.h"
#include "mes/base/log.h"
#include "mes/storage/sql_connection.h"
#include "mes/storage/store_factory.h"

namespace cardline::app {
namespace {

namespace fs = std::filesystem;

// Written into a data directory the bench created; --reset only ever empties such a folder.
constexpr const char kBenchMarker[] = ".cardline-bench";

struct BenchOptions {
  std::int64_t applications = 1000;
  JobPayloadMode payload = JobPayloadMode::kHeaders;
  int capacity = 8;
  int baseline_seconds = 3;  // raw commit baseline before the run; 0 skips it
  bool reset = false;
  std::string json_file;
};

// One done station job as the store recorded it.
struct DoneJob {
  StationType station = StationType::kPrint;
  std::string outcome;
  Timestamp leased;     // lease_expires minus the lease duration
  Timestamp completed;  // first event of its result (0 when none was found)
};

struct LatencySummary {
  std::int64_t samples = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

struct BenchResult {
  std::int64_t applications = 0;
  std::int64_t dispatched = 0;  // dispatch jobs done with outcome ok
  std::int64_t held = 0;
  std::int64_t jobs_done = 0;
  std::int64_t jobs_by_station[4] = {0, 0, 0, 0};
  double import_seconds = 0;
  double wall_seconds = 0;  // node start → last durable completion
  LatencySummary latency;
  std::int64_t mes_peak_rss_kib = 0;
  std::vector<DeviceMemory> devices;
  std::string outcome;  // "done", "stalled", "interrupted"
  // What the node did during the run (differences of the counters at start and at the end).
  StoreCounters store;
  LineStats line;
  RawCommitRate baseline;  // commits == 0 when not measured
};

StoreCounters minus(const StoreCounters& a, const StoreCounters& b) {
  StoreCounters d;
  d.transactions = a.transactions - b.transactions;
  d.commits = a.commits - b.commits;
  d.reads = a.reads - b.reads;
  d.statements = a.statements - b.statements;
  d.read_statements = a.read_statements - b.read_statements;
  d.round_trips = a.round_trips - b.round_trips;
  return d;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0; }

// Empties or checks the data directory: a missing or empty folder is fresh; a non-empty one
// is refused unless --reset and it carries the bench marker.
Status freshDataDir(const std::string& dir, bool reset) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    if (!reset) {
      return failedPrecondition("the data directory " + dir +
                                " is not empty; pass --reset to start it afresh or choose "
                                "another --data-dir");
    }
    if (!fs::exists(fs::path(dir) / kBenchMarker, ec)) {
      return failedPrecondition("--reset refuses to empty " + dir +
                                ": it was not created by cardline bench (no " + kBenchMarker +
                                ")");
    }
    for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove_all(entry.path(), ec);
    if (ec) return unavailable("cannot empty " + dir + ": " + ec.message());
  }
  fs::create_directories(dir, ec);
  if (ec) return unavailable("cannot create " + dir + ": " + ec.message());
  std::ofstream marker(fs::path(dir) / kBenchMarker);
  marker << "created by cardline bench; --reset may empty this folder\n";
  if (!marker) return unavailable("cannot write into " + dir);
  return Status::ok();
}

// A MariaDB schema must hold no tables, unless --reset drops them.
Status freshSchema(const StoreOptions& options, bool reset) {
  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<SqlConnection> db, openSqlConnection(options));
  CARDLINE_ASSIGN_OR_RETURN(
      std::vector<SqlRow> tables,
      db->query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
                {}));
  if (tables.empty()) return Status::ok();
  if (!reset) {
    return failedPrecondition("the schema " + options.mysql_schema + " holds " +
                              std::to_string(tables.size()) +
                              " tables; pass --reset to drop them or choose another schema");
  }
  CARDLINE_RETURN_IF_ERROR(db->executeDirect("SET FOREIGN_KEY_CHECKS = 0"));
  for (const SqlRow& row : tables) {
    CARDLINE_ASSIGN_OR_RETURN(std::string table, sqlText(row.at(0)));
    CARDLINE_RETURN_IF_ERROR(db->executeDirect("DROP TABLE IF EXISTS `" + table + "`"));
  }
  return db->executeDirect("SET FOREIGN_KEY_CHECKS = 1");
}

// The job id in an event detail's `"job":N` (the engine's cause of a station result), or 0.
std::int64_t jobIdIn(const std::string& detail) {
  const std::string key = "\"job\":";
  const auto at = detail.find(key);
  if (at == std::string::npos) return 0;
  std::int64_t id = 0;
  for (std::size_t i = at + key.size(); i < detail.size() && detail[i] >= '0' && detail[i] <= '9';
       ++i) {
    id = id * 10 + (detail[i] - '0');
  }
  return id;
}

// Every done job with its lease and completion time. A job completes in the transaction that
// applies its result, which appends the application's event naming the job (actor device:ID)
// stamped with the controller's clock; the lease time is lease_expires - lease.
Result<std::vector<DoneJob>> readDoneJobs(const StoreOptions& options, int lease_seconds) {
  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<SqlConnection> db, openSqlConnection(options));
  CARDLINE_ASSIGN_OR_RETURN(
      std::vector<SqlRow> events,
      db->query("SELECT at, detail FROM events WHERE subject_type = 'application' AND actor "
                "LIKE 'device:%'",
                {}));
  std::map<std::int64_t, std::int64_t> first_event;  // job id → micros
  for (const SqlRow& row : events) {
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t at, sqlInt(row.at(0)));
    CARDLINE_ASSIGN_OR_RETURN(std::string detail, sqlText(row.at(1)));
    const std::int64_t job = jobIdIn(detail);
    if (job == 0) continue;
    auto it = first_event.find(job);
    if (it == first_event.end() || at < it->second) first_event[job] = at;
  }
  CARDLINE_ASSIGN_OR_RETURN(
      std::vector<SqlRow> rows,
      db->query("SELECT id, station, outcome, lease_expires FROM station_jobs "
                "WHERE state = 'done'",
                {}));
  std::vector<DoneJob> jobs;
  jobs.reserve(rows.size());
  for (const SqlRow& row : rows) {
    DoneJob job;
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t id, sqlInt(row.at(0)));
    CARDLINE_ASSIGN_OR_RETURN(std::string station, sqlText(row.at(1)));
    CARDLINE_ASSIGN_OR_RETURN(job.station, parseStationType(station));
    CARDLINE_ASSIGN_OR_RETURN(job.outcome, sqlText(row.at(2)));
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t expires, sqlInt(row.at(3)));
    job.leased = Timestamp{expires}.plusSeconds(-lease_seconds);
    auto it = first_event.find(id);
    if (it != first_event.end()) job.completed = Timestamp{it->second};
    jobs.push_back(std::move(job));
  }
  return jobs;
}

LatencySummary summarise(std::vector<double> ms) {
  LatencySummary s;
  s.samples = static_cast<std::int64_t>(ms.size());
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  // Nearest rank: the smallest value with at least p% of the samples at or below it.
  auto rank = [&ms](double p) {
    std::size_t k = static_cast<std::size_t>(p * static_cast<double>(ms.size()) + 0.999999);
    return ms[std::min(ms.size(), std::max<std::size_t>(k, 1)) - 1];
  };
  s.p50_ms = rank(0.50);
  s.p99_ms = rank(0.99);
  s.max_ms = ms.back();
  double sum = 0;
  for (double v : ms) sum += v;
  s.mean_ms = sum / static_cast<double>(ms.size());
  return s;
}

std::string jsonReport(const BenchResult& r, const Config& config, const BenchOptions& o,
                       const std::string& command) {
  const double wall = r.wall_seconds > 0 ? r.wall_seconds : 1e-9;
  std::ostringstream j;
  j << std::fixed << std::setprecision(3);
  j << "{\n"
    << "  \"command\": " << jsonQuote(command) << ",\n"
    << "  \"outcome\": " << jsonQuote(r.outcome) << ",\n"
    << "  \"database\": " << jsonQuote(describeDatabase(config)) << ",\n"
    << "  \"backend\": " << jsonQuote(name(config.database.backend)) << ",\n"
    << "  \"artefacts\": " << jsonQuote(o.payload == JobPayloadMode::kFull ? "on" : "off")
    << ",\n"
    << "  \"device_capacity\": " << o.capacity << ",\n"
    << "  \"applications\": " << r.applications << ",\n"
    << "  \"dispatched\": " << r.dispatched << ",\n"
    << "  \"held\": " << r.held << ",\n"
    << "  \"import_seconds\": " << r.import_seconds << ",\n"
    << "  \"wall_seconds\": " << r.wall_seconds << ",\n"
    << "  \"cards_per_second\": " << static_cast<double>(r.dispatched) / wall << ",\n"
    << "  \"jobs_done\": " << r.jobs_done << ",\n"
    << "  \"jobs_per_second\": " << static_cast<double>(r.jobs_done) / wall << ",\n"
    << "  \"jobs_by_station\": {";
  for (int i = 0; i < 4; ++i) {
    j << (i ? ", " : "") << jsonQuote(name(kLineStations[i])) << ": " << r.jobs_by_station[i];
  }
  j << "},\n"
    << "  \"rounds\": " << r.line.rounds << ",\n"
    << "  \"rounds_with_results\": " << r.line.rounds_with_results << ",\n"
    << "  \"results_per_round\": {\"mean\": "
    << ratio(static_cast<double>(r.line.results_applied + r.line.results_duplicate +
                                 r.line.results_failed),
             static_cast<double>(r.line.rounds_with_results))
    << ", \"max\": " << r.line.max_results_per_round << "},\n"
    << "  \"commits\": " << r.store.commits << ",\n"
    << "  \"commits_per_second\": " << static_cast<double>(r.store.commits) / wall << ",\n"
    << "  \"failed_rounds\": " << r.line.failed_rounds << ",\n"
    << "  \"sql_statements_per_job\": "
    << ratio(static_cast<double>(r.store.statements), static_cast<double>(r.jobs_done)) << ",\n"
    << "  \"read_statements_per_job\": "
    << ratio(static_cast<double>(r.store.read_statements), static_cast<double>(r.jobs_done))
    << ",\n"
    << "  \"round_trips_per_job\": "
    << ratio(static_cast<double>(r.store.round_trips), static_cast<double>(r.jobs_done)) << ",\n"
    << "  \"raw_durable_commits_per_second\": " << r.baseline.perSecond() << ",\n"
    << "  \"jobs_per_second_over_raw_commits\": "
    << ratio(static_cast<double>(r.jobs_done) / wall, r.baseline.perSecond()) << ",\n"
    << "  \"job_latency_ms\": {\"samples\": " << r.latency.samples << ", \"p50\": "
    << r.latency.p50_ms << ", \"p99\": " << r.latency.p99_ms << ", \"mean\": "
    << r.latency.mean_ms << ", \"max\": " << r.latency.max_ms << "},\n"
    << "  \"peak_rss_kib\": {\"mes\": " << r.mes_peak_rss_kib << ", \"devices\": {";
  for (std::size_t i = 0; i < r.devices.size(); ++i) {
    j << (i ? ", " : "") << jsonQuote(r.devices[i].device_id) << ": "
      << r.devices[i].peak_rss_kib;
  }
  j << "}}\n}\n";
  return j.str();
}

std::string commandLine(const Args& raw) {
  std::string out = "cardline bench";
  for (const auto& a : raw) out += " " + a;
  return out;
}

}  // namespace

const char kBenchUsage[] =
    "usage: cardline bench [--applications N] [--artefacts on|off] [--data-dir DIR]\n"
    "                      [--db sqlite|mysql://USER@HOST:PORT/SCHEMA] [--db-password-file F]\n"
    "                      [--capacity C] [--baseline-seconds S] [--json FILE] [--reset]\n"
    "                      [--config FILE]\n\n"
    "Measures the whole line: on a fresh data directory (default ./var/bench) and database,\n"
    "generates and imports N applications (default 1000), starts the MES (no web UI) and one\n"
    "cardline-device simulate process per station with zero latency, each taking C jobs at\n"
    "once (default 8), and runs until every application has been dispatched (in_transit;\n"
    "logistics is not part of the run). --artefacts on sends the full job payloads (print PDF,\n"
    "signed chip, QA inspection); off (default) sends headers only. Reports the wall time\n"
    "from starting the node to the last durable completion, cards/s (applications dispatched\n"
    "per second), station jobs/s, p50/p99 job latency (lease to durable completion, from the\n"
    "store), the line controller's rounds (results per round, commits/s), SQL statements and\n"
    "database round trips per job (counted by the SQL driver), and the peak memory of the MES\n"
    "and of each device process. Before the line starts it measures the database's raw durable\n"
    "commit rate with the product's settings for S seconds (default 3; 0 skips it): one\n"
    "connection, single-row transactions; jobs/s is reported beside it. --json FILE writes the\n"
    "same as JSON. A non-empty data directory or schema is refused unless --reset (which only\n"
    "empties a folder the bench created). --db and the password as for `cardline demo`.\n"
    "Exits 1 when not every application was dispatched.\n";

int runBench(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.with_value.insert({"--applications", "--artefacts", "--db", "--db-password-file",
                          "--json", "--capacity", "--baseline-seconds"});
  spec.flags.insert("--reset");
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("bench", args.status());
  auto fail = [](const Status& s) { return reportFailure("bench", s); };
  ParsedArgs parsed = *args;
  if (!parsed.value("--data-dir")) parsed.values["--data-dir"] = "var/bench";
  auto config_opt = loadNodeConfig(parsed);
  if (!config_opt) return 2;
  Config config = *config_opt;
  if (auto db = parsed.value("--db")) {
    Status applied =
        applyDatabaseUrl(*db, parsed.value("--db-password-file").value_or(""), &config);
    if (!applied.isOk()) return fail(applied);
  } else if (parsed.value("--db-password-file")) {
    return fail(invalidArgument("--db-password-file needs --db mysql://USER@HOST:PORT/SCHEMA"));
  }
  BenchOptions options;
  options.reset = parsed.has("--reset");
  options.json_file = parsed.value("--json").value_or("");
  try {
    if (auto v = parsed.value("--applications")) options.applications = std::stoll(*v);
    if (auto v = parsed.value("--capacity")) options.capacity = std::stoi(*v);
    if (auto v = parsed.value("--baseline-seconds")) options.baseline_seconds = std::stoi(*v);
  } catch (const std::exception&) {
    return fail(invalidArgument("--applications, --capacity and --baseline-seconds take numbers"));
  }
  if (options.baseline_seconds < 0 || options.baseline_seconds > 60) {
    return fail(invalidArgument("--baseline-seconds must be between 0 and 60"));
  }
  if (options.applications < 1 || options.applications > 1000000) {
    return fail(invalidArgument("--applications must be between 1 and 1000000"));
  }
  if (options.capacity < 1 || options.capacity > 64) {
    return fail(invalidArgument("--capacity must be between 1 and 64"));
  }
  const std::string artefacts = parsed.value("--artefacts").value_or("off");
  if (artefacts == "on") {
    options.payload = JobPayloadMode::kFull;
  } else if (artefacts != "off") {
    return fail(invalidArgument("--artefacts takes on or off, not " + artefacts));
  }
  config.devices.payload = options.payload;
  const std::string command = commandLine(raw);

  setLogLevel(LogLevel::kWarning);  // the report is the output; problems still show
  SystemClock clock;
  std::cout << "cardline bench: " << options.applications << " applications, artefacts "
            << artefacts << ", database " << describeDatabase(config) << ", data directory "
            << config.data_dir << "\n";
  Status fresh = freshDataDir(config.data_dir, options.reset);
  if (!fresh.isOk()) return fail(fresh);
  auto store_options = storeOptions(config);
  if (!store_options.isOk()) return fail(store_options.status());
  if (config.database.backend == DatabaseBackend::kMysql) {
    Status schema = freshSchema(*store_options, options.reset);
    if (!schema.isOk()) return fail(schema);
  }
  auto prepared = prepareLineRun(config, clock);
  if (!prepared.isOk()) return fail(prepared.status());
  for (const auto& a : *prepared) std::cout << "  " << a << "\n";

  BenchResult result;
  if (options.baseline_seconds > 0) {
    auto baseline = measureRawCommitRate(*store_options,
                                         std::chrono::seconds(options.baseline_seconds));
    if (!baseline.isOk()) return fail(baseline.status().withContext("measuring the baseline"));
    result.baseline = *baseline;
    std::cout << "  raw durable commits (one connection, single-row transactions): "
              << std::fixed << std::setprecision(0) << result.baseline.perSecond() << "/s\n";
  }

  InterruptWatch interrupts;  // before any thread starts
  LineNodeOptions node_options;
  node_options.start_http = false;
  node_options.device_endpoint = "tcp://127.0.0.1:*";
  auto node_result = LineNode::open(config, node_options);
  if (!node_result.isOk()) return fail(node_result.status());
  LineNode& node = **node_result;

  result.applications = options.applications;
  const std::string run = std::to_string(clock.now().seconds());
  {
    const auto import_started = std::chrono::steady_clock::now();
    auto imported = generateAndImport(node, config, options.applications, "BENCH" + run, 1,
                                      config.data_dir + "/applications.jsonl", clock);
    if (!imported.isOk()) return fail(imported.status());
    if (*imported != options.applications) {
      return fail(internalError("imported " + std::to_string(*imported) + " of " +
                                std::to_string(options.applications) + " applications"));
    }
    result.import_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                          import_started)
                                .count();
    std::cout << "  generated and imported " << *imported << " applications in " << std::fixed
              << std::setprecision(1) << result.import_seconds << " s (not timed below)\n";
  }
  const std::string key_dir = config.data_dir + "/device-keys";
  Status enrolled = enrolSimulatedDevices(node, key_dir, "bench");
  if (!enrolled.isOk()) return fail(enrolled);
  auto blanks = stockBlanks(node, run, options.applications + options.applications / 10 + 20,
                            "bench");
  if (!blanks.isOk()) return fail(blanks.status());

  const Timestamp started = clock.now();
  const auto started_steady = std::chrono::steady_clock::now();
  const StoreCounters store_at_start = node.store().counters();
  Status node_started = node.start();
  if (!node_started.isOk()) return fail(node_started);
  SimulatedDevices devices;
  SimulatedDeviceOptions device_options;
  device_options.key_dir = key_dir;
  device_options.carrier_dir = config.data_dir + "/carrier";
  device_options.log_dir = config.data_dir + "/logs";
  device_options.hopper = *blanks;
  device_options.capacity = options.capacity;
  device_options.latency_ms = 0;
  Status devices_started = devices.start(node, device_options);
  if (!devices_started.isOk()) return fail(devices_started);
  std::cout << "  MES on " << node.deviceEndpoint() << "; " << devices.size()
            << " simulated devices (" << deviceBinary() << ", capacity " << options.capacity
            << ", latency 0 ms; logs in " << device_options.log_dir << ")\n"
            << std::flush;

  LineCounts counts;
  auto last_print = std::chrono::steady_clock::now();
  LineWaitOptions wait;
  wait.poll = std::chrono::milliseconds(100);
  wait.stall = std::chrono::seconds(30);  // zero-latency devices: 30 s without progress is stuck
  const LineWaitOutcome outcome = waitForLine(
      node.store(), interrupts, wait,
      [&](const LineCounts& c) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_print >= std::chrono::seconds(2)) {
          last_print = now;
          std::cout << "  printed " << c.done[0] << "  encoded " << c.done[1] << "  QA "
                    << c.done[2] << "  dispatched " << c.done[3] << "  held " << c.held << "\n"
                    << std::flush;
        }
        return c.pending == 0 && c.done[3] + c.held + c.cancelled >= options.applications;
      },
      &counts);
  const double steady_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_steady).count();
  result.outcome = outcome == LineWaitOutcome::kDone      ? "done"
                   : outcome == LineWaitOutcome::kStalled ? "stalled"
                                                          : "interrupted";
  result.devices = devices.peakMemory();  // before they stop
  result.store = minus(node.store().counters(), store_at_start);
  result.line = node.controller().stats();
  node.stop();     // first, so the devices' departure is no news to log
  devices.stop();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  result.mes_peak_rss_kib = usage.ru_maxrss;
  result.held = counts.held;

  auto jobs = readDoneJobs(*store_options, config.devices.lease_seconds);
  if (!jobs.isOk()) return fail(jobs.status().withContext("reading the job timestamps"));
  std::vector<double> latencies;
  Timestamp last_completion = started;
  for (const DoneJob& job : *jobs) {
    ++result.jobs_done;
    for (int i = 0; i < 4; ++i) {
      if (kLineStations[i] == job.station) ++result.jobs_by_station[i];
    }
    if (job.station == StationType::kDispatch && job.outcome == "ok") ++result.dispatched;
    if (job.completed.micros == 0) continue;
    latencies.push_back(static_cast<double>(job.completed.micros - job.leased.micros) / 1000.0);
    if (job.completed > last_completion) last_completion = job.completed;
  }
  result.latency = summarise(std::move(latencies));
  result.wall_seconds = last_completion > started
                            ? static_cast<double>(last_completion.micros - started.micros) / 1e6
                            : steady_seconds;

  const double wall = result.wall_seconds > 0 ? result.wall_seconds : 1e-9;
  std::cout << std::fixed << std::setprecision(1) << "\ncardline bench: " << result.outcome
            << "\n  command:        " << command
            << "\n  database:       " << describeDatabase(config) << ", artefacts " << artefacts
            << ", device capacity " << options.capacity
            << "\n  applications:   " << result.applications << ", dispatched "
            << result.dispatched << ", held " << result.held
            << "\n  wall time:      " << std::setprecision(3) << result.wall_seconds
            << " s (node start to the last durable completion)"
            << "\n  cards/s:        " << std::setprecision(1)
            << static_cast<double>(result.dispatched) / wall
            << "\n  station jobs/s: " << static_cast<double>(result.jobs_done) / wall << " ("
            << result.jobs_done << " jobs: print " << result.jobs_by_station[0] << ", encode "
            << result.jobs_by_station[1] << ", qa " << result.jobs_by_station[2]
            << ", dispatch " << result.jobs_by_station[3] << ")"
            << "\n  job latency:    p50 " << std::setprecision(2) << result.latency.p50_ms
            << " ms, p99 " << result.latency.p99_ms << " ms, max " << result.latency.max_ms
            << " ms (" << result.latency.samples << " jobs, lease to durable completion)"
            << "\n  rounds:         " << result.line.rounds << " (" << result.line.rounds_with_results
            << " with results; results per round mean " << std::setprecision(1)
            << ratio(static_cast<double>(result.line.results_applied +
                                         result.line.results_duplicate +
                                         result.line.results_failed),
                     static_cast<double>(result.line.rounds_with_results))
            << ", max " << result.line.max_results_per_round << "; failed "
            << result.line.failed_rounds << ")"
            << "\n  commits:        " << result.store.commits << " ("
            << static_cast<double>(result.store.commits) / wall << "/s)"
            << "\n  SQL per job:    " << std::setprecision(2)
            << ratio(static_cast<double>(result.store.statements),
                     static_cast<double>(result.jobs_done))
            << " statements in write transactions, "
            << ratio(static_cast<double>(result.store.read_statements),
                     static_cast<double>(result.jobs_done))
            << " in reads, "
            << ratio(static_cast<double>(result.store.round_trips),
                     static_cast<double>(result.jobs_done))
            << " database round trips (all, counted by the SQL driver)";
  if (result.baseline.commits > 0) {
    std::cout << "\n  baseline:       " << std::setprecision(0) << result.baseline.perSecond()
              << " raw durable commits/s; station jobs/s over it " << std::setprecision(2)
              << ratio(static_cast<double>(result.jobs_done) / wall,
                       result.baseline.perSecond());
  }
  std::cout << std::setprecision(1)
            << "\n  peak RSS:       MES " << result.mes_peak_rss_kib / 1024 << " MiB";
  for (const DeviceMemory& d : result.devices) {
    std::cout << ", " << d.device_id << " " << d.peak_rss_kib / 1024 << " MiB";
  }
  std::cout << "\n";
  if (!options.json_file.empty()) {
    std::ofstream out(options.json_file);
    out << jsonReport(result, config, options, command);
    out.close();
    if (!out) return fail(unavailable("cannot write " + options.json_file));
    std::cout << "  JSON:           " << options.json_file << "\n";
  }
  return result.dispatched == result.applications ? 0 : 1;
}

}  // namespace cardline::app
