#pragma once
// The line controller: the one writer of a cardline serve node. It owns the workflow engine
// and the dispatch policy and applies everything that changes the line in batches, one
// transaction per round (group commit):
//   - station results from devices (through the Engine),
//   - commands from HTTP threads (supervisor actions, imports, ...),
//   - leases released because a device was lost or a send failed,
//   - expired leases of any node re-queued (every lease_sweep),
//   - new leases for idle devices, chosen by the DispatchPolicy within the WIP limits.
// Only after the round's transaction has committed does it acknowledge results to devices,
// resolve the commands' futures and send the newly leased jobs: nothing is acknowledged
// before it is durable.
//
// Thread-safety: the input methods (deviceReady, deviceGone, stationResult, jobNotDelivered,
// submit) may be called from any thread; they only queue. runRound() is called either by the
// controller's own thread (start()) or, in tests, directly — never both.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/store.h"
#include "mes/scheduler/dispatch_policy.h"
#include "mes/workflow/engine.h"

namespace cardline {

// A connected device the controller may hand jobs to.
struct DeviceSlot {
  std::string device_id;
  StationType station = StationType::kPrint;
  int capacity = 1;  // jobs it may hold at once
};

// Port: how the controller reaches devices. Implemented over the device link in mes/app.
// Called on the controller thread; implementations return quickly (queue the work).
class JobDispatcher {
 public:
  virtual ~JobDispatcher() = default;
  // Hands a leased job to its device. A failure (now, or later through
  // LineController::jobNotDelivered) makes the controller release the lease at once.
  virtual Status send(const std::string& device_id, const StationJob& job) = 0;
  // Tells the device that its result for (job, attempt) is settled: durable (applied,
  // superseded), already recorded (duplicate) or refused (stale).
  virtual void acknowledge(const std::string& device_id, std::int64_t job_id, int attempt,
                           ResultDisposition disposition) = 0;
  // The lease of a job this node handed to device_id ran out and the job is back in the queue
  // (durably): the device no longer holds it.
  virtual void leaseExpired(const std::string& device_id, std::int64_t job_id) = 0;
};

// Whether a connected device can take work (from its STATUS reports).
enum class DeviceCondition {
  kWorking,  // idle or busy: may be given jobs up to its capacity
  kFault,    // in fault until an operator clears it: given no jobs
};

struct LineControllerOptions {
  std::string node_id = "node-1";     // recorded in leases; unique per serve node
  std::chrono::seconds lease{30};     // a leased job returns to ready this long after sending
  int max_batch = 1000;               // inputs applied per transaction at most
  int window = 256;                   // ready jobs the policy looks at per station and round
  std::chrono::milliseconds idle_wait{20};      // the thread's wait when there is nothing to do
  std::chrono::milliseconds lease_sweep{1000};  // how often expired leases are re-queued
  DispatchPolicyOptions policy;
  WipLimits wip;
};

// What one round did (for tests, metrics and progress output).
struct RoundReport {
  int results_applied = 0;    // results with disposition applied or superseded
  int results_duplicate = 0;  // duplicate or stale results, acknowledged without change
  int results_failed = 0;     // results the engine refused permanently (logged, acknowledged stale)
  int results_deferred = 0;   // results kept for the next round (database unavailable)
  int commands = 0;
  int leases_released = 0;
  int leases_expired = 0;
  int jobs_sent = 0;
  bool committed = true;  // false when the round's transaction failed
  bool isolated = false;  // the batch failed on an input: each input ran in its own transaction
};

// Cumulative counters since start.
struct LineStats {
  std::int64_t rounds = 0;
  std::int64_t rounds_with_results = 0;  // rounds that applied at least one result
  std::int64_t max_results_per_round = 0;
  std::int64_t isolated_rounds = 0;      // rounds whose batch was re-run input by input
  std::int64_t results_applied = 0;
  std::int64_t results_duplicate = 0;
  std::int64_t results_failed = 0;
  std::int64_t jobs_sent = 0;
  std::int64_t leases_released = 0;
  std::int64_t leases_expired = 0;
  std::int64_t failed_rounds = 0;
};

class LineController {
 public:
  // store, engine, clock and dispatcher must outlive the controller.
  LineController(Store& store, Engine& engine, const Clock& clock, JobDispatcher& dispatcher,
                 LineControllerOptions options);
  // Stops the thread if it runs.
  ~LineController();
  LineController(const LineController&) = delete;
  LineController& operator=(const LineController&) = delete;

  // Starts the controller thread. Idempotent.
  void start();
  // Finishes the round in progress and stops the thread. Queued inputs stay unapplied (results
  // are not acknowledged, so devices send them again to the next controller). Idempotent.
  void stop();

  // A device is connected and may take up to `capacity` jobs.
  void deviceReady(const DeviceSlot& slot);
  // A device is gone; `jobs` are the jobs it held. Their leases (if this node still holds
  // them) are released so other devices take them at once (attempt + 1).
  void deviceGone(const std::string& device_id, const std::vector<std::int64_t>& jobs);
  // A connected device reported its condition: a device in fault gets no lease until it
  // reports working again. Devices start working (deviceReady).
  void deviceCondition(const std::string& device_id, DeviceCondition condition);
  // A station result from a device (queued; acknowledged after the round commits).
  void stationResult(const StationResult& result);
  // A job handed to JobDispatcher::send could not be delivered after all: its lease is
  // released with the same attempt (it never reached the device).
  void jobNotDelivered(const std::string& device_id, std::int64_t job_id);
  // No job of `station` is leased for `pause` (measured on the Clock's monotonic time): its
  // jobs cannot be made now (e.g. the signing token is away). The reason is logged once per
  // pause and reported by pausedStations(). A later call extends or renews the pause.
  void pauseStation(StationType station, std::chrono::milliseconds pause,
                    const std::string& reason);
  // The stations paused now, with their reasons.
  std::map<StationType, std::string> pausedStations() const;
  // Runs `command` inside the next round's transaction on the controller thread. The future
  // gets the command's status once the round committed (or the commit's failure).
  std::future<Status> submit(std::function<Status(StoreTransaction&, Engine&)> command);

  // One round on the calling thread (see the class comment).
  RoundReport runRound();

  LineStats stats() const;
  // Devices the controller may hand jobs to, with the jobs each holds now.
  std::map<std::string, std::vector<std::int64_t>> devicesInFlight() const;

 private:
  struct Command {
    std::function<Status(StoreTransaction&, Engine&)> work;
    std::promise<Status> done;
  };
  // A device came (ready) or went (gone, with the jobs it held). Kept in arrival order: a
  // device that restarts is gone (old session) and ready (new session) within one round, and
  // the order decides whether it has a slot afterwards.
  struct DeviceEvent {
    enum class Kind { kReady, kGone, kCondition } kind = Kind::kReady;
    DeviceSlot slot;                  // ready
    std::string device_id;            // gone, condition
    std::vector<std::int64_t> jobs;   // gone
    DeviceCondition condition = DeviceCondition::kWorking;  // condition
  };
  // A lease this node gives back.
  struct Release {
    std::string device_id;
    std::int64_t job_id = 0;
    LeaseEnd why = LeaseEnd::kDeviceLost;
    bool operator<(const Release& o) const {
      return std::tie(device_id, job_id, why) < std::tie(o.device_id, o.job_id, o.why);
    }
  };
  struct Inputs {
    std::vector<DeviceEvent> devices;  // arrival order
    std::vector<StationResult> results;
    // Leases to release: jobs not delivered, and (after a failed round) the releases it owed.
    std::vector<Release> undelivered;
    std::vector<std::shared_ptr<Command>> commands;
    bool empty() const {
      return devices.empty() && results.empty() && undelivered.empty() && commands.empty();
    }
  };
  struct Slot {
    DeviceSlot device;
    DeviceCondition condition = DeviceCondition::kWorking;
    std::set<std::int64_t> in_flight;
    // Free capacity for new leases (none while in fault).
    int room() const {
      if (condition == DeviceCondition::kFault) return 0;
      return std::max(0, device.capacity - static_cast<int>(in_flight.size()));
    }
  };
  struct Lease {
    std::string device_id;
    StationJob job;
  };

  // store_.transact bracketed by the engine's working-state hooks.
  Status inTransaction(const std::function<Status(StoreTransaction&)>& work);
  Inputs takeInputs();
  void requeueInputs(Inputs inputs);
  Status leaseForIdleDevices(StoreTransaction& tx, Timestamp now, std::vector<Lease>* leases);
  void loop();

  Store& store_;
  Engine& engine_;
  const Clock& clock_;
  JobDispatcher& dispatcher_;
  LineControllerOptions options_;

  mutable std::mutex mu_;  // guards inputs_, stats_, stopping_
  std::condition_variable wake_;
  Inputs inputs_;
  LineStats stats_;
  bool stopping_ = false;
  std::thread thread_;

  // Owned by the round (the controller thread, or the test calling runRound()).
  std::map<std::string, Slot> slots_;
  std::map<StationType, DispatchPolicy> policies_;
  struct Pause {
    std::chrono::steady_clock::time_point until;
    std::string reason;
  };
  std::map<StationType, Pause> paused_;  // guarded by slots_mu_
  std::chrono::steady_clock::time_point last_sweep_{};
  mutable std::mutex slots_mu_;  // guards slots_ for devicesInFlight() from other threads
};

}  // namespace cardline
