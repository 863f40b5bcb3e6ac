#include "mes/app/line_node.h"

#include <sstream>

#include "mes/app/node.h"
#include "mes/base/log.h"
#include "mes/devlink/curve_keys.h"
#include "mes/devlink/zmq_device_link.h"
#include "mes/http/access_api.h"
#include "mes/http/http_server.h"
#include "mes/http/metrics.h"
#include "mes/http/router.h"
#include "mes/http/service_routes.h"
#include "mes/http/static_files.h"
#include "mes/security/accounts.h"
#include "mes/security/audit_chain.h"
#include "mes/security/sessions.h"

namespace cardline::app {
namespace {

constexpr char kComponent[] = "serve";

protocol::Station toProtocolStation(StationType s) {
  switch (s) {
    case StationType::kPrint: return protocol::Station::kPrint;
    case StationType::kEncode: return protocol::Station::kEncode;
    case StationType::kQa: return protocol::Station::kQa;
    case StationType::kDispatch: return protocol::Station::kDispatch;
  }
  return protocol::Station::kPrint;
}

// The station result the engine understands: "ok", the defect code, or "aborted".
StationResult toStationResult(const std::string& device_id, const protocol::JobResult& r) {
  StationResult out;
  out.job_id = r.job;
  out.attempt = r.attempt;
  out.device_id = device_id;
  switch (r.outcome) {
    case protocol::Outcome::kOk: out.outcome = "ok"; break;
    case protocol::Outcome::kDefect: out.outcome = r.defect.empty() ? "defect" : r.defect; break;
    case protocol::Outcome::kAborted: out.outcome = "aborted"; break;
  }
  out.blank_serial = r.blank;
  if (!r.measurements.empty()) {
    std::ostringstream json;
    json << "{";
    bool first = true;
    for (const auto& [key, value] : r.measurements) {
      json << (first ? "" : ",") << jsonQuote(key) << ":" << value;
      first = false;
    }
    json << "}";
    out.measurements = json.str();
  }
  return out;
}

}  // namespace

// Everything with third-party types, kept out of the header.
struct LineNode::Parts final : public DeviceLinkListener, public JobDispatcher {
  LineNode* node = nullptr;
  std::shared_ptr<DeviceAllowList> allow_list = std::make_shared<DeviceAllowList>();
  std::unique_ptr<ZmqDeviceLink> link;
  std::unique_ptr<AuditTrail> audit;
  std::unique_ptr<MetricsRegistry> metrics;
  std::unique_ptr<SessionTable> sessions;
  std::unique_ptr<AccountService> accounts;
  std::unique_ptr<SessionAuthenticator> authenticator;
  std::unique_ptr<AccessApi> access_api;
  std::unique_ptr<StaticFiles> static_files;
  std::unique_ptr<Router> router;
  std::unique_ptr<HttpServer> http;

  // DeviceLinkListener: hand everything to the line controller's queue.
  void onReady(const DeviceInfo& device, bool new_session) override {
    node->controller().deviceReady(
        {device.device.id, device.device.station, device.capacity});
    logInfo(kComponent, "device " + device.device.id + " (" + name(device.device.station) +
                            ") ready" + (new_session ? "" : " again after a reconnect"));
  }
  void onResult(const std::string& device_id, const protocol::JobResult& result,
                bool /*held*/) override {
    node->controller().stationResult(toStationResult(device_id, result));
  }
  void onStatus(const std::string& /*device_id*/, const protocol::StatusReport& /*status*/)
      override {}
  void onDeviceLost(const LostDevice& lost) override {
    logWarning(kComponent, "device " + lost.device_id + " lost (" + name(lost.reason) + "), " +
                               std::to_string(lost.jobs.size()) + " job(s) re-queued");
    node->controller().deviceGone(lost.device_id, lost.jobs);
  }
  void onRefused(const RefusedPeer& peer) override {
    logWarning(kComponent, "refused device connection from " + peer.address + ": " +
                               peer.reason);
    auto appended = audit->append(
        "system", "device.refused", peer.device_id.empty() ? peer.address : peer.device_id,
        "{\"address\":" + jsonQuote(peer.address) + ",\"public_key\":" +
            jsonQuote(peer.public_key) + ",\"reason\":" + jsonQuote(peer.reason) + "}");
    if (!appended.isOk()) {
      logError(kComponent, "audit of a refused device failed: " + appended.status().toString());
    }
  }

  // JobDispatcher: the device link.
  Status send(const std::string& device_id, const StationJob& job) override {
    protocol::Job out;
    out.job = job.id;
    out.attempt = job.attempt;
    out.station = toProtocolStation(job.station);
    out.application = job.application_id;
    out.lease_ms = node->config().devices.lease_seconds * 1000LL;
    return link->sendJob(device_id, out);
  }
  void acknowledge(const std::string& device_id, std::int64_t job_id, int attempt,
                   ResultDisposition disposition) override {
    protocol::AckStatus status = protocol::AckStatus::kRecorded;
    if (disposition == ResultDisposition::kDuplicate) status = protocol::AckStatus::kDuplicate;
    if (disposition == ResultDisposition::kStale) status = protocol::AckStatus::kStale;
    Status acked = link->acknowledge(device_id, job_id, attempt, status);
    if (!acked.isOk() && acked.code() != ErrorCode::kNotFound) {
      logWarning(kComponent, "ack to " + device_id + " failed: " + acked.message());
    }
  }
};

Result<ServerKeys> loadOrCreateServerKeys(const Config& config) {
  ServerKeys keys;
  const std::string dir = config.deviceKeyDir();
  auto existing = readKeyFile(dir + "/mes.key_secret");
  if (existing.isOk()) {
    keys.public_key = existing->public_key;
    keys.secret_key = existing->secret_key;
    return keys;
  }
  if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
  CARDLINE_ASSIGN_OR_RETURN(CurveKeyPair pair, generateCurveKeyPair());
  CARDLINE_RETURN_IF_ERROR(writeKeyFiles(dir, "mes", pair));
  keys.public_key = pair.public_key;
  keys.secret_key = pair.secret_key;
  keys.generated = true;
  return keys;
}

Result<std::unique_ptr<LineNode>> LineNode::open(const Config& config, LineNodeOptions options) {
  std::unique_ptr<LineNode> node(new LineNode());
  node->config_ = config;
  node->options_ = options;

  CARDLINE_ASSIGN_OR_RETURN(node->pii_, openPiiProtector(config));
  CARDLINE_ASSIGN_OR_RETURN(StoreOptions store_options, storeOptions(config));
  auto store = openStore(store_options, *node->pii_);
  if (!store.isOk()) return store.status().withContext("opening the database");
  node->store_ = std::move(store).value();

  auto workflow = loadWorkflowRuntime(config, node->clock_);
  if (!workflow.isOk()) return workflow.status();
  node->workflow_ = std::move(workflow).value();

  node->parts_ = std::make_unique<Parts>();
  Parts& p = *node->parts_;
  p.node = node.get();
  p.audit = std::make_unique<AuditTrail>(*node->store_, node->clock_);

  LineControllerOptions line;
  line.node_id = config.node_id;
  line.lease = std::chrono::seconds(config.devices.lease_seconds);
  node->controller_ = std::make_unique<LineController>(*node->store_, *node->workflow_->engine,
                                                       node->clock_, p, line);

  DeviceLinkOptions link;
  link.endpoint = options.device_endpoint.empty() ? config.devices.endpoint
                                                  : options.device_endpoint;
  link.heartbeat_ms = config.devices.heartbeat_ms;
  link.liveness = config.devices.liveness;
  if (config.devices.security == DeviceLinkSecurity::kCurve) {
    CARDLINE_ASSIGN_OR_RETURN(ServerKeys keys, loadOrCreateServerKeys(config));
    link.security = TransportSecurity::kCurve;
    link.server_key = CurveKeyPair{keys.public_key, keys.secret_key};
    link.allow_list = p.allow_list;
    node->server_public_key_ = keys.public_key;
    CARDLINE_RETURN_IF_ERROR(node->syncAllowList());
  } else {
    link.security = TransportSecurity::kPlain;
    logWarning(kComponent, "devices.security is plain: device traffic is not encrypted and any "
                           "device may connect (development only)");
  }
  p.link = std::make_unique<ZmqDeviceLink>(link, node->clock_, p);

  if (options.start_http) {
    p.metrics = std::make_unique<MetricsRegistry>();
    p.sessions = std::make_unique<SessionTable>(node->clock_);
    p.accounts = std::make_unique<AccountService>(*node->store_, *p.audit, node->clock_);
    p.authenticator = std::make_unique<SessionAuthenticator>(*p.sessions, *p.accounts);
    p.access_api = std::make_unique<AccessApi>(*p.accounts, *p.sessions, *p.audit);
    p.router = std::make_unique<Router>(node->clock_, *p.metrics, p.authenticator.get());
    CARDLINE_RETURN_IF_ERROR(p.access_api->registerRoutes(*p.router));
    CARDLINE_RETURN_IF_ERROR(registerServiceRoutes(*p.router, *p.metrics));
    p.static_files = std::make_unique<StaticFiles>(config.resources_dir + "/web");
    StaticFiles* files_ptr = p.static_files.get();
    p.router->setGetFallback([files_ptr](const HttpRequest& r) { return files_ptr->serve(r); });
    HttpServerOptions http;
    http.bind_address = config.http.bind;
    p.http = std::make_unique<HttpServer>(*p.router, http);
  }
  return node;
}

LineNode::~LineNode() { stop(); }

Engine& LineNode::engine() { return *workflow_->engine; }

Status LineNode::syncAllowList() {
  std::vector<Device> devices;
  CARDLINE_RETURN_IF_ERROR(store_->transact([&](StoreTransaction& tx) {
    CARDLINE_ASSIGN_OR_RETURN(devices, tx.devices().list());
    return Status::ok();
  }));
  Parts& p = *parts_;
  std::set<std::string> enrolled;
  for (const Device& d : devices) {
    if (d.public_key.empty()) continue;
    enrolled.insert(d.id);
    if (p.allow_list->keyOf(d.id) == d.public_key) continue;
    Status allowed = p.allow_list->allow(d.id, d.public_key);
    if (!allowed.isOk()) logWarning(kComponent, "device " + d.id + ": " + allowed.message());
  }
  for (const auto& [id, key] : p.allow_list->entries()) {
    if (!enrolled.count(id)) (void)p.allow_list->remove(id);
  }
  return Status::ok();
}

Status LineNode::start() {
  if (started_) return failedPrecondition("the node is already started");
  Parts& p = *parts_;
  controller_->start();
  auto endpoint = p.link->start();
  if (!endpoint.isOk()) {
    controller_->stop();
    return endpoint.status().withContext("starting the device link");
  }
  device_endpoint_ = endpoint.value();
  if (p.http) {
    const int port = options_.http_port >= 0 ? options_.http_port : config_.http.port;
    Status http = p.http->start(port);
    if (!http.isOk()) {
      p.link->stop();
      controller_->stop();
      return http.withContext("starting the HTTP server");
    }
  }
  started_ = true;
  return Status::ok();
}

void LineNode::stop() {
  if (!started_ || !parts_) return;
  Parts& p = *parts_;
  if (p.http) p.http->stop();
  p.link->stop();
  controller_->stop();
  started_ = false;
}

int LineNode::httpPort() const { return parts_ && parts_->http ? parts_->http->port() : 0; }

}  // namespace cardline::app
