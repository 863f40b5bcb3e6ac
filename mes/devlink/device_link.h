#pragma once
// The MES side of the device protocol as narrow interfaces: DeviceLink (what the line controller
// calls) and DeviceLinkListener (what the link reports). No ZeroMQ types here; the ZeroMQ
// implementation is ZmqDeviceLink (zmq_device_link.h).

#include <cstdint>
#include <string>
#include <vector>

#include "devices/protocol/message.h"
#include "mes/base/status.h"
#include "mes/devlink/device_registry.h"

namespace cardline {

// A peer the link refused: an unknown CURVE key, or a device id its key is not enrolled for.
struct RefusedPeer {
  std::string address;     // peer IP address as ZeroMQ reports it
  std::string public_key;  // Z85 CURVE public key, empty with plain TCP
  std::string device_id;   // the id claimed in READY, when the refusal came that far
  std::string reason;      // for people: "unknown key", "key enrolled as print-02", ...
};

// What the link reports. Called on the devlink thread, one call at a time: implementations
// hand the event to the line controller's queue and return quickly; they must not call back
// into the link while blocking on it.
class DeviceLinkListener {
 public:
  virtual ~DeviceLinkListener() = default;
  // A device announced itself (READY accepted). new_session is false after a reconnect.
  virtual void onReady(const DeviceInfo& device, bool new_session) = 0;
  // The first delivery of a result for (job, attempt) since this link started. The receiver
  // makes it durable and then calls DeviceLink::acknowledge exactly once; until then repeats
  // of the same result are swallowed, afterwards they are answered with ACK duplicate.
  // held is false when the device no longer held the job (it was released as lost): the
  // receiver then decides whether the result is stale.
  virtual void onResult(const std::string& device_id, const protocol::JobResult& result,
                        bool held) = 0;
  // A STATUS report.
  virtual void onStatus(const std::string& device_id, const protocol::StatusReport& status) = 0;
  // A device went silent, restarted or disconnected; jobs are the jobs it held (sent or still
  // waiting to be sent): re-queue them through the scheduler's lease.
  virtual void onDeviceLost(const LostDevice& lost) = 0;
  // A peer was refused (log it and append an audit entry).
  virtual void onRefused(const RefusedPeer& peer) = 0;
};

// Link-wide counters (per-device counters are in DeviceInfo).
struct LinkCounters {
  std::int64_t refused_peers = 0;
  std::int64_t bad_messages = 0;
  std::int64_t send_blocked = 0;
  std::int64_t send_unreachable = 0;
  std::int64_t unsent_jobs_released = 0;
};

// Sends jobs to devices and acknowledges results. Implementations are thread-safe.
class DeviceLink {
 public:
  virtual ~DeviceLink() = default;

  // Hands job to device_id. The device must be connected, not in fault and below its capacity.
  // Fails with kNotFound (device never seen), kUnavailable (offline or in fault),
  // kAlreadyExists (the device already holds this job) or kFailedPrecondition (at capacity).
  // On success the job is the device's until its result arrives or the device is lost
  // (onDeviceLost lists it); a send refused by the high-water mark is retried, never dropped.
  virtual Status sendJob(const std::string& device_id, const protocol::Job& job) = 0;

  // Acknowledges a result onResult reported, after it is durable: the device receives ACK with
  // status and forgets the result. Fails with kNotFound when no such result was reported.
  virtual Status acknowledge(const std::string& device_id, std::int64_t job, int attempt,
                             protocol::AckStatus status) = 0;

  // The lease of `job` on device_id ran out (the scheduler gave the job back to the queue):
  // the device no longer holds it, so it counts as free again, and a JOB not yet sent to it is
  // dropped. A late result from the device is still reported (onResult with held false).
  virtual void forgetJob(const std::string& device_id, std::int64_t job) = 0;
  // Every device seen since start, ordered by id (for GET /api/v1/devices).
  virtual std::vector<DeviceInfo> devices() const = 0;
  virtual LinkCounters counters() const = 0;
  // Sends CLEAR (PROTOCOL.md §5.10) to device_id: an operator cleared its fault. The device
  // answers with STATUS, which updates its state (idle again, or still fault). Fails with
  // kNotFound (device never seen) or kUnavailable (offline). OK means queued for sending.
  virtual Status clearFault(const std::string& device_id, const std::string& by,
                            const std::string& reason) = 0;
  // Device time since the last call (DeviceRegistry::takeDeviceTime): each span once.
  virtual std::vector<DeviceTimeSpan> takeDeviceTime() = 0;
};

}  // namespace cardline
