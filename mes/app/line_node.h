#pragma once
// LineNode: one running cardline serve node, composed from the configuration — the store, the
// workflow engine, the line controller, the ZeroMQ device link (CURVE with the enrolled device
// keys, or plain TCP when the configuration says so), the HTTP server with the REST API and
// the web UI. `cardline serve` and `cardline demo` both run one. Only mes/app builds it.
//
// Start order: store → engine → controller → device link → HTTP. stop() reverses it.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/app/node.h"
#include "mes/config/config.h"
#include "mes/core/store.h"
#include "mes/scheduler/line_controller.h"
#include "mes/workflow/catalog.h"
#include "mes/workflow/engine.h"

namespace cardline {
class ZmqDeviceLink;
class DeviceAllowList;
class HttpServer;
class Router;
class MetricsRegistry;
class SessionTable;
class AccountService;
class AuditTrail;
class SessionAuthenticator;
class AccessApi;
class PiiProtector;
class BlankStock;
class LogisticsService;
class DeviceLink;
}  // namespace cardline

namespace cardline::app {

struct LineNodeOptions {
  // Override the configured ports: -1 keeps the configuration's value; 0 picks a free one.
  int http_port = -1;
  std::string device_endpoint;  // empty keeps devices.endpoint
  bool start_http = true;
};

class LineNode {
 public:
  // Opens everything the configuration names (the database must be migrated). Nothing runs
  // until start(). Fails with the first component that cannot be built, naming it.
  static Result<std::unique_ptr<LineNode>> open(const Config& config, LineNodeOptions options);
  ~LineNode();

  // Starts the controller, the device link and the HTTP server.
  Status start();
  // Stops in reverse order; idempotent.
  void stop();

  // Where devices connect (with the real port) and the HTTP port, once started.
  const std::string& deviceEndpoint() const { return device_endpoint_; }
  int httpPort() const;
  // The MES CURVE public key (Z85) devices must be given; empty with plain TCP.
  const std::string& serverPublicKey() const { return server_public_key_; }

  Store& store() { return *store_; }
  Engine& engine();
  LineController& controller() { return *controller_; }
  const Config& config() const { return config_; }

  BlankStock& blanks();
  DeviceLink& deviceLink();
  LogisticsService& logistics();
  AuditTrail& audit();

  // Re-reads the enrolled device keys from the store into the running allow-list.
  Status syncAllowList();
  // Periodic work (call about once a minute): closes boxes past the daily cut-off and purges
  // personal data past retention. Runs on the controller thread; does not wait for it.
  void housekeeping();
  // Writes the device time since the last call (busy, idle, fault, offline per device) into
  // the availability rollups, on the controller thread. Call every few seconds to a minute;
  // stop() calls it a last time. The future resolves when the time is durable (or with the
  // store's error; the spans are then lost — at most one interval of device time).
  std::future<Status> recordDeviceTime();

 private:
  LineNode() = default;
  struct Parts;

  Config config_;
  LineNodeOptions options_;
  SystemClock clock_;
  std::unique_ptr<PiiProtector> pii_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<WorkflowRuntime> workflow_;
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<LineController> controller_;
  std::string device_endpoint_;
  std::string server_public_key_;
  bool started_ = false;
};

// The MES CURVE key pair in DIR/keys (mes.key, mes.key_secret), generated when absent.
// Returns the pair and whether it was generated.
struct ServerKeys {
  std::string public_key;
  std::string secret_key;
  bool generated = false;
};
Result<ServerKeys> loadOrCreateServerKeys(const Config& config);

}  // namespace cardline::app
