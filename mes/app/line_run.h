#pragma once
// Running the whole line in one command, as `cardline demo` and `cardline bench` do: prepare
// the data directory and the database, generate and import applications, enrol one simulated
// device per station and stock the print hopper, start the devices as separate
// `cardline-device simulate` processes, and watch the line through the store until it is done.
// Only mes/app uses it.

#include <sys/types.h>

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mes/app/line_node.h"
#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/config/config.h"
#include "mes/core/domain.h"
#include "mes/core/store.h"

namespace cardline::app {

// The stations of the line, in order, with one simulated device each ("print-1", ...).
inline constexpr StationType kLineStations[] = {StationType::kPrint, StationType::kEncode,
                                                StationType::kQa, StationType::kDispatch};
std::string simulatedDeviceId(StationType station);

// The cardline-device binary: $CARDLINE_DEVICE_BIN, beside this binary, or in the build tree
// (devices/app/cardline-device); "cardline-device" (found on PATH) otherwise.
std::string deviceBinary();

// Blocks SIGINT and SIGTERM for the whole process while it lives (construct it before any
// thread starts, so every thread inherits the mask); the main thread asks whether one came.
class InterruptWatch {
 public:
  InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;
  // True when SIGINT or SIGTERM arrived since the last call; waits at most `wait` for one.
  bool interrupted(std::chrono::milliseconds wait) const;

 private:
  sigset_t signals_;
};

// Makes the data directory and the database ready for a run: creates the folder, generates
// the personal-data key when absent (for MySQL too — the demo and the bench are throwaway
// lines; production keys are provisioned, see prepareDataDir()), migrates the schema and
// creates a test CSCA and Document Signer in DIR/pki when absent. Returns what it did, one
// line each. Fails with the first step that fails (kUnavailable for folders, files and an
// unreachable database; kInvalidArgument for a missing MariaDB password).
Result<std::vector<std::string>> prepareLineRun(const Config& config, const Clock& clock);

// Generates `count` approved applications (ids starting with `id_prefix`, seed `seed`) into
// `file` and imports them through the node's engine. Returns how many were accepted; fails
// when the reference data cannot be read, the file cannot be written or the import fails.
Result<std::int64_t> generateAndImport(LineNode& node, const Config& config, std::int64_t count,
                                       const std::string& id_prefix, std::uint64_t seed,
                                       const std::string& file, const Clock& clock);

// Gives each simulated device a CURVE key pair in `key_dir` (reusing one found there), enrols
// it on the allow-list (audited as `actor`) and reloads the running allow-list. Fails when a
// key cannot be generated or written, or the store refuses.
Status enrolSimulatedDevices(LineNode& node, const std::string& key_dir,
                             const std::string& actor);

// A received lot of blank serials issued to the print device's hopper.
struct BlankRange {
  std::string first;
  std::string last;
  std::string hopper() const { return first + "-" + last; }  // --hopper FROM-TO
};
// Receives lot LOT-<run> of `count` blanks (serials "BL" + the run's last 6 digits + a 7-digit
// counter) and issues them to print-1. `run` must have at least 6 digits; count < 10^7.
// Fails like BlankStock::receive/issue (e.g. kAlreadyExists when the lot exists).
Result<BlankRange> stockBlanks(LineNode& node, const std::string& run, std::int64_t count,
                               const std::string& actor);

// How the simulated devices run.
struct SimulatedDeviceOptions {
  std::string key_dir;      // the devices' key pairs (enrolSimulatedDevices)
  std::string carrier_dir;  // the card carrier store shared by the stations
  std::string log_dir;      // ID.log per device
  BlankRange hopper;        // print's blanks
  double defect_rate = 0;   // print and encode inject defects at this rate when > 0
  int capacity = 1;         // jobs each device accepts at once
  int latency_ms = -1;      // time each job takes; -1 leaves the simulator's default
};

// Peak resident memory of one device process.
struct DeviceMemory {
  std::string device_id;
  pid_t pid = -1;
  std::int64_t peak_rss_kib = 0;  // VmHWM of /proc/PID/status; 0 when it could not be read
};

// One `cardline-device simulate` process per station, connected to a started node. Stops
// (SIGTERM, then SIGKILL after 5 s) and reaps them on destruction.
class SimulatedDevices {
 public:
  SimulatedDevices() = default;
  ~SimulatedDevices();
  SimulatedDevices(const SimulatedDevices&) = delete;
  SimulatedDevices& operator=(const SimulatedDevices&) = delete;

  // Starts the four devices against node.deviceEndpoint() with the node's CURVE key. Fails
  // (kUnavailable, naming the binary) when a process cannot be started; the ones already
  // started are stopped then.
  Status start(const LineNode& node, const SimulatedDeviceOptions& options);
  // The devices' peak memory so far (read from /proc while they run).
  std::vector<DeviceMemory> peakMemory() const;
  // Stops them; idempotent.
  void stop();
  std::size_t size() const { return children_.size(); }

 private:
  struct Child {
    pid_t pid = -1;
    std::string device_id;
  };
  std::vector<Child> children_;
};

// What the line looks like now, across every application of the database.
struct LineCounts {
  std::int64_t queued = 0, held = 0, completed = 0, cancelled = 0;
  std::int64_t done[4] = {0, 0, 0, 0};  // done jobs per station, in kLineStations order
  std::int64_t pending = 0;             // ready or leased jobs
  std::int64_t jobsDone() const { return done[0] + done[1] + done[2] + done[3]; }
};
// Counts in one transaction; fails with the store's error.
Result<LineCounts> countLine(Store& store);

enum class LineWaitOutcome { kDone, kStalled, kInterrupted };
struct LineWaitOptions {
  std::chrono::milliseconds poll{1000};  // how often the store is counted
  std::chrono::seconds stall{120};       // no progress for this long ends the wait
};
// Counts the line every `poll` and hands the counts to `visit`, which returns true when the
// run is done (it may also act, e.g. ship what waits for logistics). Ends when `visit` says
// done, when no job, delivery or hold changed for `stall`, or on Ctrl-C / SIGTERM. A failed
// count is reported on stderr and retried at the next poll. `last` gets the last good counts.
LineWaitOutcome waitForLine(Store& store, const InterruptWatch& interrupts,
                            const LineWaitOptions& options,
                            const std::function<bool(const LineCounts&)>& visit,
                            LineCounts* last);

}  // namespace cardline::app
