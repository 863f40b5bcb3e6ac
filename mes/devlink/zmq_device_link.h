#pragma once
// ZmqDeviceLink: the MES end of CARDLINE/1 over ZeroMQ. One ROUTER socket (ROUTER_MANDATORY on,
// bounded linger, configurable high-water marks), a ZAP handler that admits only CURVE keys on
// the allow-list, and one thread that owns the sockets. Other threads talk to it through
// DeviceLink (thread-safe). Owns its own ZeroMQ context (a context has one ZAP handler).

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "mes/base/clock.h"
#include "mes/devlink/curve_keys.h"
#include "mes/devlink/device_link.h"

namespace cardline {

enum class TransportSecurity {
  kCurve,  // "curve": encrypted, devices authenticated by the allow-list (production)
  kPlain,  // "plain": plain TCP, anyone may connect (development only, said explicitly)
};

struct DeviceLinkOptions {
  // Where the ROUTER binds; "tcp://127.0.0.1:*" picks a free port (start() returns it).
  std::string endpoint = "tcp://*:5570";
  TransportSecurity security = TransportSecurity::kCurve;
  // The MES key pair (both halves) when security is kCurve.
  CurveKeyPair server_key;
  // Devices allowed to connect when security is kCurve; required then. Shared so that the
  // enrolment commands can change it while the link runs.
  std::shared_ptr<const DeviceAllowList> allow_list;
  // Heartbeat interval and liveness (PROTOCOL.md §7): sent to devices in WELCOME; a device
  // silent for heartbeat_ms * liveness is lost.
  int heartbeat_ms = protocol::kDefaultHeartbeatMs;
  int liveness = protocol::kDefaultLiveness;
  // ZeroMQ high-water marks (messages per peer) and linger on close.
  int send_hwm = 1000;
  int receive_hwm = 1000;
  int linger_ms = 1000;
  // How often a send refused at the high-water mark is tried again.
  int retry_ms = 50;
  // How many (job, attempt) results are remembered for duplicate detection.
  std::size_t result_memory = 100000;
};

class ZmqDeviceLink final : public DeviceLink {
 public:
  // clock and listener must outlive the link. Nothing happens until start().
  ZmqDeviceLink(DeviceLinkOptions options, const Clock& clock, DeviceLinkListener& listener);
  // Stops the link if it runs.
  ~ZmqDeviceLink() override;
  ZmqDeviceLink(const ZmqDeviceLink&) = delete;
  ZmqDeviceLink& operator=(const ZmqDeviceLink&) = delete;

  // Binds and starts the devlink thread; returns the bound endpoint (with the real port).
  // Fails with kInvalidArgument when CURVE is asked for without a server key pair or an
  // allow-list, kUnavailable when the endpoint cannot be bound, kFailedPrecondition when
  // already started.
  Result<std::string> start();
  // Says DISCONNECT to every live device, stops the thread and closes the sockets (waiting at
  // most linger_ms for unsent data). Idempotent. Call it from one thread; sendJob and
  // acknowledge fail with kFailedPrecondition (or are ignored) once it has begun.
  void stop();

  Status sendJob(const std::string& device_id, const protocol::Job& job) override;
  Status acknowledge(const std::string& device_id, std::int64_t job, int attempt,
                     protocol::AckStatus status) override;
  void forgetJob(const std::string& device_id, std::int64_t job) override;
  std::vector<DeviceInfo> devices() const override;
  LinkCounters counters() const override;
  std::vector<DeviceTimeSpan> takeDeviceTime() override;
  Status clearFault(const std::string& device_id, const std::string& by,
                    const std::string& reason) override;

 private:
  struct Impl;
  struct PendingJob {
    protocol::Job job;
    bool sent = false;
  };

  void run();
  void post(std::function<void()> work);

  DeviceLinkOptions options_;
  const Clock& clock_;
  DeviceLinkListener& listener_;
  DeviceRegistry registry_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::atomic<bool> running_{false};   // between start() and stop()
  std::atomic<bool> stopping_{false};  // tells the devlink thread to finish

  mutable std::mutex inbox_mu_;  // guards inbox_ and the wake socket in impl_
  std::deque<std::function<void()>> inbox_;

  mutable std::mutex ledger_mu_;
  ResultLedger ledger_;

  mutable std::mutex counters_mu_;
  LinkCounters counters_;

  // Devlink thread only: jobs reserved per device, in order, with whether they were sent.
  std::map<std::string, std::deque<PendingJob>> jobs_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_sent_;
};

}  // namespace cardline
