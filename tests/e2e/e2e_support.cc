#include "tests/e2e/e2e_support.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <cstring>
#include <thread>

#include "mes/base/clock.h"
#include "mes/blanks/blank_stock.h"
#include "mes/security/key_file.h"
#include "mes/security/pii_aes_gcm.h"

extern char** environ;

namespace cardline::e2e {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The last `n` characters of a log, for failure messages.
std::string tail(const std::string& text, std::size_t n = 3000) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

// The number after "key": in a flat JSON text, or nullopt.
std::optional<std::int64_t> jsonNumber(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const std::size_t at = json.find(needle);
  if (at == std::string::npos) return std::nullopt;
  std::size_t pos = at + needle.size();
  std::size_t end = pos;
  while (end < json.size() && (std::isdigit(static_cast<unsigned char>(json[end])) != 0)) ++end;
  if (end == pos) return std::nullopt;
  return std::stoll(json.substr(pos, end - pos));
}

// The string after "key": in a flat JSON text (no escapes), or "".
std::string jsonText(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  const std::size_t at = json.find(needle);
  if (at == std::string::npos) return "";
  const std::size_t start = at + needle.size();
  const std::size_t end = json.find('"', start);
  return end == std::string::npos ? "" : json.substr(start, end - start);
}

bool isRoutingEvent(const Event& e) {
  return e.subject_type == "application" && e.actor.rfind("device:", 0) == 0;
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = std::filesystem::temp_directory_path().string() + "/cardline-e2e-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  if (path_.empty() || envOr("CARDLINE_E2E_KEEP", "") == "1") return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                          const std::string& log_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv.at(0).c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return internalError("cannot start " + argv.at(0) + ": " + std::strerror(rc));
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, log_file));
}

ChildProcess::~ChildProcess() { killHard(); }

std::string ChildProcess::log() const { return readFile(log_file_); }

bool ChildProcess::running() {
  if (reaped_) return false;
  const pid_t done = ::waitpid(pid_, &wait_status_, WNOHANG);
  if (done == pid_) reaped_ = true;
  return !reaped_;
}

void ChildProcess::killHard() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  if (::waitpid(pid_, &wait_status_, 0) == pid_) reaped_ = true;
}

int ChildProcess::waitForExit() {
  while (!reaped_) {
    const pid_t done = ::waitpid(pid_, &wait_status_, 0);
    if (done == pid_ || (done < 0 && errno != EINTR)) reaped_ = true;
  }
  return wait_status_;
}

int ChildProcess::terminate(std::chrono::seconds grace) {
  if (reaped_) return -1;
  ::kill(pid_, SIGTERM);
  const bool ended = pollUntil([&] { return !running(); }, grace,
                               std::chrono::milliseconds(20));
  if (!ended) killHard();
  return wait_status_;
}

Result<int> runToCompletion(const std::vector<std::string>& argv, const std::string& log_file) {
  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<ChildProcess> child,
                            ChildProcess::spawn(argv, log_file));
  const int status = child->waitForExit();
  if (!WIFEXITED(status)) {
    return internalError(argv.at(0) + " was killed by a signal; log:\n" + tail(child->log()));
  }
  return WEXITSTATUS(status);
}

std::string envOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value == nullptr || *value == '\0' ? fallback : std::string(value);
}

std::string sourceDir() { return envOr("CARDLINE_SOURCE_DIR", "."); }
std::string cardlineBinary() { return envOr("CARDLINE_BINARY_DIR", ".") + "/mes/app/cardline"; }
std::string deviceBinary() {
  return envOr("CARDLINE_BINARY_DIR", ".") + "/devices/app/cardline-device";
}

bool pollUntil(const std::function<bool()>& condition, std::chrono::seconds deadline,
               std::chrono::milliseconds interval) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(interval);  // polling pace, not synchronisation
  }
}

std::optional<MysqlTarget> mysqlFromEnvironment() {
  MysqlTarget t;
  t.url = envOr("CARDLINE_MYSQL_URL", "");
  t.user = envOr("CARDLINE_MYSQL_USER", "cardline");
  t.password = envOr("CARDLINE_MYSQL_PASSWORD", "");
  t.schema = envOr("CARDLINE_MYSQL_SCHEMA", "");
  if (t.url.empty() || t.schema.empty()) return std::nullopt;
  return t;
}

bool mariadbRequired() { return envOr("CARDLINE_REQUIRE_MARIADB", "") == "1"; }

Status dropAllTables(const MysqlTarget& target) {
  StoreOptions options;
  options.backend = StoreBackend::kMysql;
  options.mysql_url = target.url;
  options.mysql_user = target.user;
  options.mysql_password = target.password;
  options.mysql_schema = target.schema;
  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<SqlConnection> db, openSqlConnection(options));
  CARDLINE_ASSIGN_OR_RETURN(
      std::vector<SqlRow> tables,
      db->query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
                {}));
  CARDLINE_RETURN_IF_ERROR(db->executeDirect("SET FOREIGN_KEY_CHECKS = 0"));
  for (const SqlRow& row : tables) {
    CARDLINE_ASSIGN_OR_RETURN(std::string table, sqlText(row.at(0)));
    CARDLINE_RETURN_IF_ERROR(db->executeDirect("DROP TABLE IF EXISTS `" + table + "`"));
  }
  return db->executeDirect("SET FOREIGN_KEY_CHECKS = 1");
}

std::string auditKeyFile(const LineSettings& line) {
  const auto slash = line.pii_key_file.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : line.pii_key_file.substr(0, slash);
  return dir + "/audit.key";
}

Result<NodeSetup> writeNodeConfig(const LineSettings& line, const std::string& node_id,
                                  const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir + "/keys", error);
  if (error) return unavailable("cannot create " + dir + ": " + error.message());
  NodeSetup node;
  node.node_id = node_id;
  node.data_dir = dir;
  node.config_file = dir + "/cardline.yaml";
  std::ofstream out(node.config_file);
  out << "data_dir: " << dir << "\n"
      << "node_id: " << node_id << "\n"
      << "resources_dir: " << sourceDir() << "\n"
      << "database:\n";
  if (line.backend == Backend::kSqlite) {
    out << "  backend: sqlite\n";
  } else {
    if (!line.mysql) return invalidArgument("a MySQL line needs the server");
    out << "  backend: mysql\n"
        << "  mysql:\n"
        << "    url: " << line.mysql->url << "\n"
        << "    user: " << line.mysql->user << "\n"
        << "    password_env: CARDLINE_MYSQL_PASSWORD\n"
        << "    schema: " << line.mysql->schema << "\n"
        << "    pool_size: 4\n";
  }
  out << "security:\n"
      << "  pii_key_file: " << line.pii_key_file << "\n"
      << "  audit_key_file: " << auditKeyFile(line) << "\n"
      << "http:\n"
      << "  bind: 127.0.0.1\n"
      << "  port: 0\n"
      << "devices:\n"
      << "  endpoint: tcp://127.0.0.1:*\n"
      << "  security: curve\n"
      << "  heartbeat_ms: " << line.heartbeat_ms << "\n"
      << "  liveness: 3\n"
      << "  lease_seconds: " << line.lease_seconds << "\n";
  out.close();
  if (!out) return unavailable("cannot write " + node.config_file);
  return node;
}

Status runCardline(const NodeSetup& node, std::vector<std::string> args,
                   const std::string& log_name) {
  args.insert(args.begin(), cardlineBinary());
  args.push_back("--config");
  args.push_back(node.config_file);
  const std::string log_file = node.data_dir + "/" + log_name + ".log";
  CARDLINE_ASSIGN_OR_RETURN(int code, runToCompletion(args, log_file));
  if (code != 0) {
    return internalError("`cardline " + args.at(1) + "` exited with " + std::to_string(code) +
                         "; log:\n" + tail(readFile(log_file)));
  }
  return Status::ok();
}

Result<ServeProcess> startServe(const NodeSetup& node, const std::string& endpoint,
                                const std::string& log_file) {
  ServeProcess serve;
  CARDLINE_ASSIGN_OR_RETURN(
      serve.process,
      ChildProcess::spawn({cardlineBinary(), "serve", "--config", node.config_file, "--port", "0",
                           "--devices", endpoint},
                          log_file));
  static const std::regex kEndpoint(R"(devices connect to (tcp://127\.0\.0\.1:[0-9]+))");
  static const std::regex kKey(R"(MES public key \S+ \(([^)]+)\))");
  static const std::regex kWeb(R"(web UI and API on http://[0-9.]+:([0-9]+))");
  std::smatch match;
  std::string log;
  bool exited = false;
  const bool ready = pollUntil(
      [&] {
        log = serve.process->log();
        if (std::regex_search(log, match, kEndpoint)) {
          serve.device_endpoint = match[1].str();
          std::smatch key;
          if (std::regex_search(log, key, kKey)) serve.server_key_file = key[1].str();
          std::smatch web;
          if (std::regex_search(log, web, kWeb)) serve.http_port = std::stoi(web[1].str());
          return !serve.server_key_file.empty() && serve.http_port > 0;
        }
        exited = !serve.process->running();
        return exited;
      },
      kDeadline, std::chrono::milliseconds(20));
  if (!ready || exited) {
    return internalError(std::string("cardline serve ") +
                         (exited ? "exited" : "did not report its endpoints") + "; log:\n" +
                         tail(log));
  }
  return serve;
}

Status enrollDevice(const NodeSetup& node, const std::string& id, const std::string& station,
                    const std::string& key_dir) {
  const std::string log_file = node.data_dir + "/keygen-" + id + ".log";
  CARDLINE_ASSIGN_OR_RETURN(
      int code, runToCompletion({deviceBinary(), "keygen", "--id", id, "--key-dir", key_dir},
                                log_file));
  if (code != 0) {
    return internalError("cardline-device keygen exited with " + std::to_string(code) + ":\n" +
                         readFile(log_file));
  }
  return runCardline(node,
                     {"device", "add", id, "--station", station, "--key",
                      key_dir + "/" + id + ".key"},
                     "device-add-" + id);
}

Status stockBlanks(Store& store, const std::string& device_id, int count) {
  SystemClock clock;
  BlankStock stock(clock);
  LotReceipt receipt;
  receipt.lot_id = "E2E-" + device_id;
  receipt.line = "line-1";
  receipt.supplier = "e2e";
  receipt.chip_type = "simulated";
  for (int i = 1; i <= count; ++i) {
    receipt.serials.push_back("SIM-" + device_id + "-" + std::to_string(i));
  }
  return store.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(BlankLot lot, stock.receive(tx, receipt, "e2e"));
    (void)lot;
    return stock.issue(tx, receipt.serials, device_id, "e2e");
  });
}

Result<std::unique_ptr<ChildProcess>> startDevice(const ServeProcess& serve,
                                                  const std::string& id,
                                                  const std::string& station,
                                                  const std::string& key_dir,
                                                  const std::vector<std::string>& extra,
                                                  const std::string& log_file) {
  std::vector<std::string> argv = {deviceBinary(), "simulate",      "--station",
                                   station,        "--id",          id,
                                   "--connect",    serve.device_endpoint, "--server-key",
                                   serve.server_key_file, "--key-dir", key_dir,
                                   "--heartbeat-ms", "250"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return ChildProcess::spawn(argv, log_file);
}

Result<LineSnapshot> readSnapshot(Store& store) {
  LineSnapshot snapshot;
  Status read = store.transact([&](StoreTransaction& tx) -> Status {
    snapshot = LineSnapshot();
    std::int64_t after = 0;
    for (;;) {
      CARDLINE_ASSIGN_OR_RETURN(std::vector<Event> page, tx.events().after(after, 5000));
      if (page.empty()) break;
      after = page.back().seq;
      for (Event& e : page) snapshot.events.push_back(std::move(e));
    }
    for (const Event& e : snapshot.events) {
      if (e.subject_type != "application" || e.kind != "started") continue;
      CARDLINE_ASSIGN_OR_RETURN(Application app, tx.applications().find(e.subject_id));
      CARDLINE_ASSIGN_OR_RETURN(std::vector<Card> cards, tx.cards().forApplication(app.id));
      snapshot.cards[app.id] = std::move(cards);
      snapshot.applications[app.id] = std::move(app);
    }
    // MariaDB runs READ COMMITTED: a node may commit while the rows above are read. The events
    // committed since are read too, so the events always cover the states read (an application
    // seen final has the events that made it final).
    for (;;) {
      CARDLINE_ASSIGN_OR_RETURN(std::vector<Event> page, tx.events().after(after, 5000));
      if (page.empty()) break;
      after = page.back().seq;
      for (Event& e : page) snapshot.events.push_back(std::move(e));
    }
    return Status::ok();
  });
  if (!read.isOk()) return read;
  return snapshot;
}

bool isFinal(const Application& application) {
  return (application.state == ApplicationState::kQueued && application.step == "in_transit") ||
         application.state == ApplicationState::kHeld;
}

int countFinal(const LineSnapshot& snapshot) {
  return static_cast<int>(std::count_if(snapshot.applications.begin(),
                                        snapshot.applications.end(),
                                        [](const auto& entry) { return isFinal(entry.second); }));
}

std::vector<std::string> checkInvariants(const LineSnapshot& snapshot, int expected) {
  std::vector<std::string> problems;
  if (static_cast<int>(snapshot.applications.size()) != expected) {
    problems.push_back(std::to_string(snapshot.applications.size()) +
                       " applications started, expected " + std::to_string(expected));
  }
  // Card events by serial.
  std::map<std::string, std::map<std::string, int>> card_events;
  std::set<std::string> started;
  for (const Event& e : snapshot.events) {
    if (e.subject_type == "card") ++card_events[e.subject_id][e.kind];
    if (e.kind == "blank_refused") {
      problems.push_back("a blank was refused at print: " + e.subject_id + " " + e.detail);
    }
    if (e.subject_type == "application" && e.kind == "started") {
      if (!started.insert(e.subject_id).second) {
        problems.push_back("application " + e.subject_id + " started twice");
      }
    }
  }
  std::set<std::string> serials;
  for (const auto& [id, app] : snapshot.applications) {
    if (!isFinal(app)) {
      problems.push_back("application " + id + " is not final: step " + app.step + ", state " +
                         name(app.state));
    }
    const auto found = snapshot.cards.find(id);
    const std::vector<Card> none;
    const std::vector<Card>& cards = found == snapshot.cards.end() ? none : found->second;
    int live = 0;
    int dispatched = 0;
    for (const Card& card : cards) {
      if (!serials.insert(card.serial).second) {
        problems.push_back("blank serial " + card.serial + " is on two cards");
      }
      const auto events = card_events.find(card.serial);
      const int printed = events == card_events.end() ? 0 : events->second.count("printed")
                                                                ? events->second.at("printed")
                                                                : 0;
      if (printed != 1) {
        problems.push_back("card " + card.serial + " has " + std::to_string(printed) +
                           " \"printed\" events");
      }
      if (card.state == CardState::kSpoiled) {
        const int spoiled = events == card_events.end() || !events->second.count("spoiled")
                                ? 0
                                : events->second.at("spoiled");
        if (spoiled != 1) {
          problems.push_back("spoiled card " + card.serial + " of " + id + " has " +
                             std::to_string(spoiled) + " \"spoiled\" events");
        }
      } else {
        ++live;
        if (card.state == CardState::kDispatched) ++dispatched;
      }
    }
    // Cards = 1 + recorded remakes: every card but the live one was spoiled with an event.
    if (live > 1) {
      problems.push_back("application " + id + " has " + std::to_string(live) +
                         " cards that are not spoiled");
    }
    if (app.step == "in_transit" && (live != 1 || dispatched != 1)) {
      problems.push_back("application " + id + " is in transit with " + std::to_string(live) +
                         " live and " + std::to_string(dispatched) + " dispatched cards");
    }
  }
  // Each job's result applied once: one routing event per job id.
  std::map<std::int64_t, int> routed;
  for (const Event& e : snapshot.events) {
    if (!isRoutingEvent(e)) continue;
    const std::optional<std::int64_t> job = jsonNumber(e.detail, "job");
    if (!job) {
      problems.push_back("event " + std::to_string(e.seq) + " by " + e.actor +
                         " names no job: " + e.detail);
      continue;
    }
    if (++routed[*job] == 2) {
      problems.push_back("the result of job " + std::to_string(*job) + " was applied twice");
    }
  }
  return problems;
}

std::string describe(const LineSnapshot& snapshot) {
  int in_transit = 0;
  int held = 0;
  for (const auto& [id, app] : snapshot.applications) {
    in_transit += app.step == "in_transit" && app.state == ApplicationState::kQueued;
    held += app.state == ApplicationState::kHeld;
  }
  int cards = 0;
  int spoiled = 0;
  for (const auto& [id, list] : snapshot.cards) {
    for (const Card& card : list) {
      ++cards;
      spoiled += card.state == CardState::kSpoiled;
    }
  }
  int reworked = 0;
  int routed = 0;
  for (const Event& e : snapshot.events) {
    reworked += e.subject_type == "application" && e.kind == "reworked";
    routed += isRoutingEvent(e);
  }
  std::ostringstream out;
  out << snapshot.applications.size() << " applications: " << countFinal(snapshot)
      << " final (" << in_transit << " in transit, " << held << " held); " << cards
      << " cards, " << spoiled << " spoiled, " << reworked << " remakes; " << routed
      << " station results applied; " << snapshot.events.size() << " events";
  return out.str();
}

Result<std::int64_t> countLeasedJobs(Store& store) {
  std::int64_t leased = 0;
  CARDLINE_RETURN_IF_ERROR(store.transact([&](StoreTransaction& tx) -> Status {
    for (StationType station : {StationType::kPrint, StationType::kEncode, StationType::kQa,
                                StationType::kDispatch}) {
      CARDLINE_ASSIGN_OR_RETURN(std::int64_t n, tx.jobs().count(station, JobState::kLeased));
      leased += n;
    }
    return Status::ok();
  }));
  return leased;
}

Result<std::vector<StationJob>> allJobs(Store& store, const LineSnapshot& snapshot) {
  std::set<std::int64_t> ids;
  for (const Event& e : snapshot.events) {
    if (e.subject_type != "application") continue;
    const std::optional<std::int64_t> next = jsonNumber(e.detail, "next_job");
    if (next && *next > 0) ids.insert(*next);
  }
  std::vector<StationJob> jobs;
  CARDLINE_RETURN_IF_ERROR(store.transact([&](StoreTransaction& tx) -> Status {
    jobs.clear();
    for (std::int64_t id : ids) {
      CARDLINE_ASSIGN_OR_RETURN(StationJob job, tx.jobs().find(id));
      jobs.push_back(std::move(job));
    }
    return Status::ok();
  }));
  return jobs;
}

std::map<std::int64_t, std::string> completedJobs(const LineSnapshot& snapshot) {
  std::map<std::int64_t, std::string> out;
  for (const Event& e : snapshot.events) {
    if (!isRoutingEvent(e)) continue;
    const std::optional<std::int64_t> job = jsonNumber(e.detail, "job");
    if (!job) continue;
    std::string device = jsonText(e.detail, "device");
    if (device.empty()) device = e.actor.substr(std::string("device:").size());
    out[*job] = device;
  }
  return out;
}

Result<OpenedStore> openTestStore(const LineSettings& line, const NodeSetup& node) {
  OpenedStore opened;
  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<AesGcmPiiProtector> pii,
                            AesGcmPiiProtector::fromKeyFile(line.pii_key_file));
  opened.pii = std::move(pii);
  StoreOptions options;
  if (line.backend == Backend::kSqlite) {
    options.backend = StoreBackend::kSqlite;
    options.sqlite_path = node.data_dir + "/cardline.db";
  } else {
    options.backend = StoreBackend::kMysql;
    options.mysql_url = line.mysql->url;
    options.mysql_user = line.mysql->user;
    options.mysql_password = line.mysql->password;
    options.mysql_schema = line.mysql->schema;
  }
  options.max_connections = 2;
  CARDLINE_ASSIGN_OR_RETURN(opened.store, openStore(options, *opened.pii));
  return opened;
}

}  // namespace cardline::e2e
