#pragma once
// DeviceRuntime: the device end of CARDLINE/1 (PROTOCOL.md). A DEALER loop that announces the
// device, runs jobs on a worker thread through a Driver, heart-beats both ways, detects a
// silent MES (liveness) and reconnects with doubling back-off (1 s -> 32 s), keeps every
// result until the MES acknowledges it and re-sends it after a reconnect, and ignores jobs it
// already has. CURVE client when given keys. run() blocks; requestStop() and requestReconnect()
// may be called from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "devices/protocol/message.h"
#include "devices/runtime/driver.h"
#include "mes/base/clock.h"
#include "mes/base/status.h"

namespace cardline {

enum class LinkSecurity {
  kCurve,  // encrypted and authenticated; needs the server's public key and the device's pair
  kPlain,  // plain TCP (development only)
};

struct DeviceRuntimeOptions {
  std::string device_id;           // [A-Za-z0-9._-]{1,64}
  std::string endpoint;            // the MES ROUTER, e.g. "tcp://mes.local:5570"
  LinkSecurity security = LinkSecurity::kCurve;
  std::string server_public_key;   // Z85, for kCurve
  std::string device_public_key;   // Z85, for kCurve
  std::string device_secret_key;   // Z85, for kCurve
  int capacity = 1;                // jobs the device accepts at once (queued for the driver)
  // Used until the MES's WELCOME says otherwise.
  int heartbeat_ms = protocol::kDefaultHeartbeatMs;
  int liveness = protocol::kDefaultLiveness;
  int reconnect_initial_ms = protocol::kReconnectInitialMs;
  int reconnect_max_ms = protocol::kReconnectMaxMs;
  std::string software = "cardline-device";
  // Test fault (`cardline-device simulate --garbage-every N`): with N > 0, once every N
  // heartbeat intervals while connected, one bad message, in turn: random bytes in one frame, another protocol id, a
  // header that is not JSON, an unknown command, a RESULT with an ill-typed member, and a
  // well-formed RESULT for a job this device was never sent (the next job id after the highest
  // it has seen, attempt 1). Sent once each, never re-sent. The MES must answer or refuse each
  // and carry on; it must never apply the forged result.
  int garbage_every = 0;
};

struct RuntimeCounters {
  std::int64_t connections = 0;      // sockets opened (first connect and reconnects)
  std::int64_t welcomes = 0;
  std::int64_t jobs_received = 0;    // distinct jobs started
  std::int64_t duplicate_jobs = 0;   // JOBs for a job already held or done
  std::int64_t results_sent = 0;     // RESULT messages sent, re-sends included
  std::int64_t results_acked = 0;
  std::int64_t jobs_done = 0;
  std::int64_t jobs_failed = 0;
  std::int64_t garbage_sent = 0;     // bad messages sent (garbage_every)
};

class DeviceRuntime {
 public:
  // driver and clock must outlive the runtime. Destroy it only after run() returned.
  DeviceRuntime(DeviceRuntimeOptions options, Driver& driver, const Clock& clock);
  ~DeviceRuntime();
  DeviceRuntime(const DeviceRuntime&) = delete;
  DeviceRuntime& operator=(const DeviceRuntime&) = delete;

  // Runs until requestStop(), then waits for a job in the driver to finish. Call once. Fails
  // at once with kInvalidArgument when the options are
  // incomplete (device id, endpoint, keys for CURVE); connection problems are not failures:
  // the runtime keeps reconnecting with back-off.
  Status run();
  // Makes run() say DISCONNECT and return. Thread-safe.
  void requestStop();
  // Drops the connection and reconnects after the current back-off (operator action, fault
  // injection). Unacknowledged results survive. Thread-safe.
  void requestReconnect();
  // The session id this runtime announces (new per DeviceRuntime object).
  const std::string& session() const { return session_; }
  RuntimeCounters counters() const;

 private:
  struct Impl;
  DeviceRuntimeOptions options_;
  Driver& driver_;
  const Clock& clock_;
  std::string session_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> reconnect_{false};
  std::mutex wait_mu_;
  std::condition_variable wait_cv_;
  mutable std::mutex counters_mu_;
  RuntimeCounters counters_;
};

}  // namespace cardline
