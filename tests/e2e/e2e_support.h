#pragma once
// Support for the end-to-end tests of the line: real `cardline` and `cardline-device`
// processes (spawned from CARDLINE_BINARY_DIR), a real database (SQLite file or the MariaDB
// named by CARDLINE_MYSQL_*), and a read-only view of the result through the Store port.
//
// Nothing here synchronises by sleeping: every wait polls a condition (a log line, a store
// query) until it holds or a bounded deadline passes, and then fails with what it saw.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/pii_protector.h"
#include "mes/core/store.h"
#include "mes/storage/store_factory.h"

namespace cardline::e2e {

// How long any single wait of a test may take before it fails.
inline constexpr std::chrono::seconds kDeadline{180};

// A fresh directory under the test temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One spawned child process with stdout and stderr appended to a log file. The destructor
// kills it (SIGKILL) and reaps it, so a failing test never leaves children behind.
class ChildProcess {
 public:
  // Starts `argv[0]` with the arguments, the environment of the test. kInternal if the spawn
  // fails.
  static Result<std::unique_ptr<ChildProcess>> spawn(const std::vector<std::string>& argv,
                                                     const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& logFile() const { return log_file_; }
  // The whole log so far.
  std::string log() const;
  // True while the process has not exited (reaps it when it has).
  bool running();
  // Sends SIGKILL and waits until it is gone. Idempotent.
  void killHard();
  // Waits until the process exits; returns the wait status (see waitpid).
  int waitForExit();
  // Sends SIGTERM and waits until it is gone (SIGKILL after `grace`). Returns the exit status
  // as waitpid reported it, or -1 if it had already been reaped.
  int terminate(std::chrono::seconds grace);

 private:
  ChildProcess(pid_t pid, std::string log_file) : pid_(pid), log_file_(std::move(log_file)) {}
  pid_t pid_;
  std::string log_file_;
  bool reaped_ = false;
  int wait_status_ = 0;
};

// Runs a command to completion with its output in `log_file`. Returns the exit code (or
// kInternal if it could not be started or was killed by a signal, with the log in the message).
Result<int> runToCompletion(const std::vector<std::string>& argv, const std::string& log_file);

// Paths of the binaries under test and of the source tree.
std::string cardlineBinary();        // CARDLINE_BINARY_DIR/mes/app/cardline
std::string deviceBinary();          // CARDLINE_BINARY_DIR/devices/app/cardline-device
std::string sourceDir();             // CARDLINE_SOURCE_DIR
std::string envOr(const char* name, const std::string& fallback);

// Polls `condition` every `interval` until it returns true or `deadline` passes.
// Returns whether it held.
bool pollUntil(const std::function<bool()>& condition, std::chrono::seconds deadline,
               std::chrono::milliseconds interval = std::chrono::milliseconds(100));

// The MariaDB server named by CARDLINE_MYSQL_* (scripts/mariadb.sh start prints them).
struct MysqlTarget {
  std::string url;
  std::string user;
  std::string password;
  std::string schema;
};
// The target from the environment, or nullopt when CARDLINE_MYSQL_URL / _SCHEMA are unset.
std::optional<MysqlTarget> mysqlFromEnvironment();
// True when CI demands MariaDB (CARDLINE_REQUIRE_MARIADB=1).
bool mariadbRequired();
// Drops every table of the target schema (the e2e tests run serially and start empty).
Status dropAllTables(const MysqlTarget& target);

enum class Backend { kSqlite, kMysql };

// One node's configuration file and data directory.
struct NodeSetup {
  std::string node_id;
  std::string data_dir;
  std::string config_file;
};

// What a line under test looks like: the shared database, the PII key, the nodes.
struct LineSettings {
  Backend backend = Backend::kSqlite;
  std::optional<MysqlTarget> mysql;  // required for kMysql
  std::string pii_key_file;          // shared by every node (absolute)
  int lease_seconds = 5;
  int heartbeat_ms = 250;
};

// The audit key shared by every node of the line: audit.key next to the PII key.
std::string auditKeyFile(const LineSettings& line);

// Writes DIR/cardline.yaml for one node (data_dir DIR, HTTP on port 0, CURVE devices, the
// given lease) and creates DIR.
Result<NodeSetup> writeNodeConfig(const LineSettings& line, const std::string& node_id,
                                  const std::string& dir);

// Runs `cardline ARGS... --config node.config_file` to completion; fails with the log unless
// it exits 0.
Status runCardline(const NodeSetup& node, std::vector<std::string> args,
                   const std::string& log_name);

// A running `cardline serve` and where its devices connect.
struct ServeProcess {
  std::unique_ptr<ChildProcess> process;
  std::string device_endpoint;  // tcp://127.0.0.1:PORT
  std::string server_key_file;  // the MES public key file for the devices
  int http_port = 0;            // where the web UI and the API answer (127.0.0.1)
};
// Starts `cardline serve` for the node (devices on `endpoint`, e.g. tcp://127.0.0.1:* or a
// fixed port to come back on after a crash) and waits until it printed where devices
// connect. Fails with the log if it exits first or the deadline passes.
Result<ServeProcess> startServe(const NodeSetup& node, const std::string& endpoint,
                                const std::string& log_file);

// Generates a CURVE key pair for device `id` in key_dir and enrolls it for `station`.
Status enrollDevice(const NodeSetup& node, const std::string& id, const std::string& station,
                    const std::string& key_dir);
// Receives `count` blank serials "SIM-<device_id>-1".."SIM-<device_id>-<count>" (the serials
// `cardline-device simulate --station print` consumes, in order) into the vault and issues
// them to the hopper of print device `device_id`, through the blank stock service on the
// test's own store, so blank accountability at print accepts them. The device must be
// enrolled. Fails like BlankStock::receive / issue.
Status stockBlanks(Store& store, const std::string& device_id, int count);

// Starts a simulated device of `station` connecting to the serve process.
Result<std::unique_ptr<ChildProcess>> startDevice(const ServeProcess& serve,
                                                  const std::string& id,
                                                  const std::string& station,
                                                  const std::string& key_dir,
                                                  const std::vector<std::string>& extra,
                                                  const std::string& log_file);

// Everything the store says about the applications of a run, read in one transaction.
struct LineSnapshot {
  std::map<std::string, Application> applications;        // by id ("started" events)
  std::map<std::string, std::vector<Card>> cards;         // by application id
  std::vector<Event> events;                              // every event, oldest first
};
// Reads the snapshot through the Store port. The events cover at least the states read (on
// MariaDB, READ COMMITTED, they may also hold a few later ones).
Result<LineSnapshot> readSnapshot(Store& store);

// An application is final for these tests when it waits at in_transit (dispatched, with
// logistics) or is held for a supervisor.
bool isFinal(const Application& application);
// Number of applications that are final.
int countFinal(const LineSnapshot& snapshot);

// The invariants every run must keep, as a list of human-readable violations (empty = all
// held):
//  - `expected` applications were started, each in exactly one final state;
//  - per application: cards = 1 + spoiled cards, each spoiled card with one "spoiled" event
//    (a recorded remake), at most one card not spoiled, and an in_transit application has
//    exactly one card, dispatched;
//  - no blank serial on two cards, exactly one "printed" event per card, no blank refused at
//    print (every consumed blank was issued to its printer);
//  - every station job's result applied at most once (one routing event per job id).
std::vector<std::string> checkInvariants(const LineSnapshot& snapshot, int expected);

// One line for the test log: applications final / in transit / held, cards, spoiled cards,
// remakes ("reworked" events), routing events.
std::string describe(const LineSnapshot& snapshot);

// Jobs currently leased (any station), read through the store.
Result<std::int64_t> countLeasedJobs(Store& store);

// Every station job the events name ("next_job" of the routing events), read from the store.
Result<std::vector<StationJob>> allJobs(Store& store, const LineSnapshot& snapshot);

// The device that completed each job (from the routing events' cause), by job id.
std::map<std::int64_t, std::string> completedJobs(const LineSnapshot& snapshot);

// An opened store for reading from the test (with the same PII key as the nodes).
struct OpenedStore {
  std::unique_ptr<PiiProtector> pii;
  std::unique_ptr<Store> store;
};
Result<OpenedStore> openTestStore(const LineSettings& line, const NodeSetup& node);

}  // namespace cardline::e2e
