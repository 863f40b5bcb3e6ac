#pragma once
// The MES's in-memory view of the connected devices: who is there, in which state, holding
// which jobs, when last heard from. Pure (no ZeroMQ); liveness is decided by a Clock so unit
// tests drive it with FakeClock. Thread-safe: the devlink thread updates it while other threads
// reserve jobs (DeviceLink::sendJob) and read snapshots (GET /api/v1/devices).

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "devices/protocol/message.h"
#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"

namespace cardline {

struct DeviceCounters {
  std::int64_t messages_in = 0;
  std::int64_t messages_out = 0;
  std::int64_t jobs_sent = 0;
  std::int64_t results = 0;            // first deliveries of a result
  std::int64_t duplicate_results = 0;  // results seen again (re-sent after a reconnect)
  std::int64_t send_blocked = 0;       // sends refused at the high-water mark (EAGAIN)
  std::int64_t send_unreachable = 0;   // sends refused because the peer is gone (EHOSTUNREACH)
  std::int64_t sessions = 0;           // READY messages accepted
  std::int64_t protocol_errors = 0;    // messages answered with ERROR
};

// One device as the registry knows it. device.current_job is the first job in flight.
struct DeviceInfo {
  Device device;
  std::string session;
  int capacity = 1;
  std::vector<std::int64_t> jobs;  // in flight: reserved, sent, not yet answered
  std::string fault;               // fault code from the last STATUS, when state is fault
  DeviceCounters counters;
};

// Why a device's jobs were released.
enum class LossReason {
  kSilent,      // "silent": no message within heartbeat x liveness
  kRestarted,   // "restarted": READY with a new session (the device process restarted)
  kDisconnect,  // "disconnect": the device said DISCONNECT
};
const char* name(LossReason v);

struct LostDevice {
  std::string device_id;
  std::vector<std::int64_t> jobs;  // jobs the device held; the caller re-queues them
  LossReason reason = LossReason::kSilent;
};

// Time a device spent in one state, [from, to). Feeds the availability and utilisation
// rollups (mes/reports/aggregate/device_time.h).
struct DeviceTimeSpan {
  std::string device_id;
  StationType station = StationType::kPrint;
  DeviceState state = DeviceState::kOffline;
  Timestamp from;
  Timestamp to;
};

struct ReadyOutcome {
  bool new_session = false;                 // first READY of this session
  std::optional<LostDevice> released;       // jobs of an earlier session, to re-queue
  std::vector<std::int64_t> resend;         // jobs of this same session to send again
};

class DeviceRegistry {
 public:
  // heartbeat and liveness: a device is lost when nothing came from it for
  // heartbeat * liveness. clock must outlive the registry.
  DeviceRegistry(const Clock& clock, std::chrono::milliseconds heartbeat, int liveness);

  // Records a READY from routing_id. A new session for a known device id releases the jobs the
  // old session held (reported in the outcome); the same session (a reconnect) keeps them and
  // lists them for re-sending. The device becomes idle (busy if it still holds jobs).
  ReadyOutcome ready(const protocol::Ready& ready, const std::string& routing_id,
                     const std::string& public_key);

  // The device id bound to routing_id, after counting a message from it and refreshing its
  // liveness. Fails with kNotFound when no READY came over this routing id (or the device was
  // declared lost since): the caller answers ERROR not_ready.
  Result<std::string> touch(const std::string& routing_id);

  // The routing id currently bound to device_id; kNotFound when unknown or offline.
  Result<std::string> routingId(const std::string& device_id) const;

  // Reserves job for device_id. Fails with kNotFound (unknown device), kUnavailable (offline or
  // in fault), kAlreadyExists (the device already holds this job), kFailedPrecondition (the
  // device holds as many jobs as its capacity). On success the device is busy.
  Status reserve(const std::string& device_id, std::int64_t job);

  // Whether device_id holds job.
  bool holds(const std::string& device_id, std::int64_t job) const;

  // Releases job from device_id after its result arrived; counts it done or failed.
  // Returns false when the device did not hold the job.
  bool finish(const std::string& device_id, std::int64_t job, protocol::Outcome outcome);

  // Releases job from device_id without a result: its lease ran out. Returns false when the
  // device did not hold the job.
  bool forget(const std::string& device_id, std::int64_t job);

  // Applies a STATUS report: state busy/idle/fault and the fault code.
  void status(const std::string& device_id, const protocol::StatusReport& report);

  // Marks device_id offline after DISCONNECT and returns the jobs it held.
  LostDevice disconnect(const std::string& device_id);

  // Marks every device silent for longer than heartbeat * liveness offline and returns them
  // with the jobs they held (now released). Offline devices are reported once.
  std::vector<LostDevice> expire();

  // Devices that are not offline (for heartbeats).
  std::vector<std::string> liveDevices() const;

  // Adds delta to one counter of device_id (no-op when unknown).
  void count(const std::string& device_id, std::int64_t DeviceCounters::*counter,
             std::int64_t delta = 1);

  // The device time since the last call: every span a device spent in a state it has left,
  // plus, for each device seen, its current state up to now (that open span then restarts at
  // now, so consecutive calls never report the same time twice and never leave a gap).
  // Empty spans are left out.
  std::vector<DeviceTimeSpan> takeDeviceTime();

  // A copy of every device, ordered by id. Offline devices stay listed.
  std::vector<DeviceInfo> snapshot() const;
  // One device; kNotFound when never seen.
  Result<DeviceInfo> find(const std::string& device_id) const;

 private:
  struct Entry {
    DeviceInfo info;
    std::string routing_id;
    std::chrono::steady_clock::time_point last_seen;
    bool timed = false;                      // whether timed_state/timed_since are set
    DeviceState timed_state = DeviceState::kOffline;
    Timestamp timed_since;                   // when the device entered timed_state
  };
  static void refreshState(Entry& entry);
  // Closes the timed span of entry when its state changed since; starts timing a new entry.
  // Called with mu_ held after every state change.
  void noteState(Entry& entry);

  const Clock& clock_;
  const std::chrono::milliseconds expiry_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> devices_;          // by device id
  std::map<std::string, std::string> by_route_;   // routing id -> device id
  std::vector<DeviceTimeSpan> closed_spans_;      // not yet taken by takeDeviceTime()
};

// Remembers which results (device, job, attempt) were already handed to the MES and how they
// were acknowledged, so that a result delivered again produces no second outcome. Bounded: the
// oldest entries are forgotten first (the store's idempotency by job + attempt is the last
// line). Not thread-safe: owned by the devlink thread.
class ResultLedger {
 public:
  enum class Seen { kNew, kPending, kAcknowledged };
  explicit ResultLedger(std::size_t capacity) : capacity_(capacity > 0 ? capacity : 1) {}

  // Results are keyed by the reporting device as well as (job, attempt): a result another
  // device forged or garbled for someone else's job must not shadow the real one (the engine
  // refuses it as stale; the real device's result is still new).
  // kNew (and remembers it as pending), kPending (handed over, not yet acknowledged) or
  // kAcknowledged (status() has the answer to repeat).
  Seen see(const std::string& device, std::int64_t job, int attempt);
  // Records the acknowledgement; returns false when (device, job, attempt) was never seen.
  bool acknowledge(const std::string& device, std::int64_t job, int attempt,
                   protocol::AckStatus status);
  // The acknowledgement of (device, job, attempt); nullopt when not acknowledged.
  std::optional<protocol::AckStatus> status(const std::string& device, std::int64_t job,
                                            int attempt) const;

 private:
  using Key = std::tuple<std::string, std::int64_t, int>;
  std::size_t capacity_;
  std::map<Key, std::optional<protocol::AckStatus>> entries_;
  std::vector<Key> order_;  // insertion order, for eviction
  std::size_t oldest_ = 0;
};

}  // namespace cardline
