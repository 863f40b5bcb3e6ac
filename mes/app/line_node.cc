#include "mes/app/line_node.h"

#include <fstream>
#include <sstream>

#include "mes/app/node.h"
#include "mes/blanks/blank_observer.h"
#include "mes/blanks/blank_stock.h"
#include "mes/config/template_loader.h"
#include "mes/document/pki/key_file_signer.h"
#include "mes/document/pki/test_pki.h"
#include "mes/http/blank_stock_api.h"
#include "mes/http/logistics_api.h"
#include "mes/logistics/logistics_service.h"
#include "mes/prep/job_payloads.h"
#include "mes/http/applications_api.h"
#include "mes/http/report_api.h"
#include "mes/intake/reference_data.h"
#include "mes/reports/aggregate/device_time.h"
#include "mes/reports/aggregate/rollup_observer.h"
#include "mes/base/log.h"
#include "mes/devlink/curve_keys.h"
#include "mes/devlink/zmq_device_link.h"
#include "mes/http/access_api.h"
#include "mes/http/events_api.h"
#include "mes/http/http_server.h"
#include "mes/http/line_api.h"
#include "mes/http/metrics.h"
#include "mes/http/router.h"
#include "mes/http/service_routes.h"
#include "mes/http/static_files.h"
#include "mes/http/supervisor_api.h"
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
  std::unique_ptr<AuditKey> audit_key;
  std::unique_ptr<AuditTrail> audit;
  std::unique_ptr<MetricsRegistry> metrics;
  std::unique_ptr<SessionTable> sessions;
  std::unique_ptr<AccountService> accounts;
  std::unique_ptr<SessionAuthenticator> authenticator;
  std::unique_ptr<AccessApi> access_api;
  std::unique_ptr<StaticFiles> static_files;
  std::unique_ptr<Router> router;
  std::unique_ptr<HttpServer> http;

  // Blank accountability and dispatch packing watch the engine's transitions.
  std::unique_ptr<BlankStock> blanks;
  std::unique_ptr<BlankObserver> blank_observer;
  std::unique_ptr<LogisticsService> logistics;
  std::unique_ptr<DispatchPacker> packer;
  std::unique_ptr<RollupObserver> rollups;
  std::mutex device_time_mu;  // guards device_time
  DeviceTimeAccumulator device_time;
  std::unique_ptr<ReferenceData> reference;

  // Job payloads (print PDF, signed chip files, QA expectations), built off the controller
  // thread by payload workers so a slow PDF never stalls the group commit.
  std::map<CardModel, CardTemplate> templates;
  std::unique_ptr<Signer> signer;
  std::string csca_pem;
  std::mutex payload_mu;
  std::condition_variable payload_cv;
  std::deque<std::pair<std::string, StationJob>> payload_queue;
  std::vector<std::thread> payload_workers;
  bool payload_stopping = false;

  Result<std::vector<protocol::Part>> buildPayload(const StationJob& job);
  void payloadLoop();
  void startPayloadWorkers(int count) {
    payload_stopping = false;
    for (int i = 0; i < count; ++i) payload_workers.emplace_back([this] { payloadLoop(); });
  }
  void stopPayloadWorkers() {
    {
      std::lock_guard<std::mutex> lock(payload_mu);
      payload_stopping = true;
    }
    payload_cv.notify_all();
    for (auto& t : payload_workers) t.join();
    payload_workers.clear();
    payload_queue.clear();
  }

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
    {
      std::lock_guard<std::mutex> lock(payload_mu);
      if (payload_stopping) return unavailable("the node is stopping");
      payload_queue.emplace_back(device_id, job);
    }
    payload_cv.notify_one();
    return Status::ok();
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

Result<std::vector<protocol::Part>> LineNode::Parts::buildPayload(const StationJob& job) {
  JobPayloadInput input;
  Application application;
  Card card;
  CARDLINE_RETURN_IF_ERROR(node->store().transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(application, tx.applications().find(job.application_id));
    if (job.station == StationType::kEncode || job.station == StationType::kQa ||
        job.station == StationType::kDispatch) {
      CARDLINE_ASSIGN_OR_RETURN(std::vector<Card> cards,
                                tx.cards().forApplication(job.application_id));
      const Card* live = nullptr;
      for (const Card& c : cards) {
        if (c.state == CardState::kPersonalised || c.state == CardState::kGood) live = &c;
      }
      if (live == nullptr) {
        return failedPrecondition("application " + job.application_id + " has no card in the line");
      }
      card = *live;
    }
    return Status::ok();
  }));
  input.application = &application;
  input.card = &card;
  auto tmpl = templates.find(application.card_model);
  if (tmpl != templates.end()) input.card_template = &tmpl->second;
  input.signer = signer.get();
  input.csca_pem = csca_pem;
  input.receiving_unit = application.receiving_unit.code;
  input.artefacts = node->config().devices.payload == JobPayloadMode::kFull
                        ? PayloadArtefacts::kFull
                        : PayloadArtefacts::kHeadersOnly;
  std::string signed_by;
  input.signed_by = &signed_by;
  CARDLINE_ASSIGN_OR_RETURN(std::vector<PayloadPart> parts, buildJobPayload(job.station, input));
  if (!signed_by.empty() && signed_by != card.signer_id) {
    // The chip carries this signer's signature: record it on the card (DOMAIN.md: the MES
    // knows which Document Signer signed each chip) before the job leaves, through the
    // controller like every other change. Not recorded means not sent: the job is retried.
    const std::string serial = card.serial;
    std::future<Status> recorded = node->controller().submit(
        [serial, signed_by, &clock = node->clock_](StoreTransaction& tx, Engine&) -> Status {
          CARDLINE_ASSIGN_OR_RETURN(Card current, tx.cards().find(serial));
          if (current.signer_id == signed_by) return Status::ok();
          Card updated = current;
          updated.signer_id = signed_by;
          updated.updated_at = clock.now();
          return tx.cards().updateState(serial, current.state, updated);
        });
    if (recorded.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      return unavailable("recording the signer of card " + serial + " timed out");
    }
    CARDLINE_RETURN_IF_ERROR(recorded.get().withContext("recording the signer of card " + serial));
  }
  std::vector<protocol::Part> out;
  out.reserve(parts.size());
  for (PayloadPart& p : parts) out.push_back(protocol::Part{std::move(p.name), std::move(p.data)});
  return out;
}

void LineNode::Parts::payloadLoop() {
  for (;;) {
    std::pair<std::string, StationJob> item;
    {
      std::unique_lock<std::mutex> lock(payload_mu);
      payload_cv.wait(lock, [&] { return payload_stopping || !payload_queue.empty(); });
      if (payload_stopping) return;
      item = std::move(payload_queue.front());
      payload_queue.pop_front();
    }
    const auto& [device_id, job] = item;
    protocol::Job out;
    out.job = job.id;
    out.attempt = job.attempt;
    out.station = toProtocolStation(job.station);
    out.application = job.application_id;
    out.lease_ms = node->config().devices.lease_seconds * 1000LL;
    auto parts = buildPayload(job);
    Status sent = parts.isOk() ? Status::ok() : parts.status();
    if (sent.isOk()) {
      out.parts = std::move(parts).value();
      sent = link->sendJob(device_id, out);
    }
    if (!sent.isOk()) {
      logWarning(kComponent, "job " + std::to_string(job.id) + " for " + device_id +
                                 " not sent: " + sent.message());
      if (!parts.isOk() && parts.status().code() == ErrorCode::kInvalidArgument) {
        // The record's data cannot make this payload, now or on the next try: hold the
        // application for a supervisor (audited in its events) instead of handing the job out
        // again and again.
        const std::string reason = "the " + std::string(name(job.station)) +
                                   " job cannot be prepared: " + parts.status().message();
        node->controller().submit(
            [id = job.application_id, reason](StoreTransaction& tx, Engine& engine) -> Status {
              Status held = engine.hold(tx, SupervisorAction{id, "system", reason});
              return held.code() == ErrorCode::kFailedPrecondition ? Status::ok() : held;
            });
      }
      node->controller().jobNotDelivered(device_id, job.id);
    }
  }
}

namespace {

// Line gauges for /metrics, refreshed at every scrape: queue depths per station and job state,
// devices per state, the line controller's cumulative counters.
void registerLineMetrics(MetricsRegistry& metrics, LineNode& node) {
  metrics.describe("cardline_jobs", MetricType::kGauge, "Station jobs by station and state");
  metrics.describe("cardline_applications", MetricType::kGauge, "Applications by state");
  metrics.describe("cardline_devices", MetricType::kGauge, "Devices seen by station and state");
  metrics.describe("cardline_transitions_total", MetricType::kGauge,
                   "Station results applied by the line controller since start");
  metrics.describe("cardline_jobs_sent_total", MetricType::kGauge,
                   "Jobs sent to devices since start");
  metrics.describe("cardline_line_rounds_total", MetricType::kGauge,
                   "Group-commit rounds of the line controller since start");
  metrics.addCollector([&node](MetricsRegistry& m) {
    Status read = node.store().transact([&](StoreTransaction& tx) -> Status {
      for (StationType s : {StationType::kPrint, StationType::kEncode, StationType::kQa,
                            StationType::kDispatch}) {
        for (JobState j : {JobState::kReady, JobState::kLeased, JobState::kDone}) {
          CARDLINE_ASSIGN_OR_RETURN(std::int64_t n, tx.jobs().count(s, j));
          m.set("cardline_jobs", {{"station", name(s)}, {"state", name(j)}},
                static_cast<double>(n));
        }
      }
      for (ApplicationState a : {ApplicationState::kQueued, ApplicationState::kHeld,
                                 ApplicationState::kCancelled, ApplicationState::kCompleted}) {
        CARDLINE_ASSIGN_OR_RETURN(std::int64_t n, tx.applications().countInState(a));
        m.set("cardline_applications", {{"state", name(a)}}, static_cast<double>(n));
      }
      return Status::ok();
    });
    if (!read.isOk()) logWarning(kComponent, "metrics: " + read.message());
    std::map<std::pair<std::string, std::string>, int> devices;
    for (const DeviceInfo& d : node.deviceLink().devices()) {
      ++devices[{name(d.device.station), name(d.device.state)}];
    }
    for (const auto& [key, count] : devices) {
      m.set("cardline_devices", {{"station", key.first}, {"state", key.second}}, count);
    }
    const LineStats stats = node.controller().stats();
    m.set("cardline_transitions_total", {}, static_cast<double>(stats.results_applied));
    m.set("cardline_jobs_sent_total", {}, static_cast<double>(stats.jobs_sent));
    m.set("cardline_line_rounds_total", {}, static_cast<double>(stats.rounds));
  });
}

}  // namespace

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
  CARDLINE_ASSIGN_OR_RETURN(p.audit_key, openAuditKey(config));
  p.audit = std::make_unique<AuditTrail>(*node->store_, node->clock_, *p.audit_key);

  // Transition observers, attached before the engine is used.
  p.blanks = std::make_unique<BlankStock>(node->clock_);
  p.blank_observer = std::make_unique<BlankObserver>(*p.blanks);
  node->engine().addObserver(p.blank_observer.get());
  LogisticsOptions logistics;
  logistics.box_capacity = config.logistics.box_capacity;
  logistics.cutoff_minute_of_day = parseClockTime(config.logistics.cutoff);
  logistics.utc_offset_minutes = config.logistics.utc_offset_minutes;
  logistics.retention_days = config.logistics.retention_days;
  // The reference data is loaded with the HTTP front (the only place boxes are opened by hand);
  // without it, boxes open only for the units of imported applications, checked at import.
  logistics.is_receiving_unit = [&p](const std::string& code) {
    return p.reference == nullptr || p.reference->receivingUnit(code) != nullptr;
  };
  logistics.delivery_service_level =
      std::chrono::hours(config.logistics.delivery_service_level_hours);
  p.logistics = std::make_unique<LogisticsService>(node->engine(), node->clock_, logistics);
  p.packer = std::make_unique<DispatchPacker>(*p.logistics);
  node->engine().addObserver(p.packer.get());
  RollupOptions rollup_options;
  rollup_options.utc_offset_seconds = config.logistics.utc_offset_minutes * 60LL;
  p.rollups = std::make_unique<RollupObserver>(node->clock_, rollup_options);
  node->engine().addObserver(p.rollups.get());

  // What the payload workers need: the card templates and, for full artefacts, the PKI.
  CARDLINE_ASSIGN_OR_RETURN(p.templates, loadCardTemplates(config));
  if (config.devices.payload == JobPayloadMode::kFull) {
    const PkiPaths pki = pkiPaths(config.data_dir);
    KeyFileSignerOptions signer_options;
    signer_options.pki_dir = pki.dir;
    auto signer = KeyFileSigner::open(signer_options, node->clock_);
    if (!signer.isOk()) {
      return signer.status().withContext("opening the Document Signer in " + pki.dir +
                                         " (create a test PKI with `cardline pki init`)");
    }
    p.signer = std::move(signer).value();
    std::ifstream csca(pki.csca_cert);
    if (!csca) return notFound("cannot read the CSCA certificate " + pki.csca_cert);
    std::stringstream text;
    text << csca.rdbuf();
    p.csca_pem = text.str();
  }

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
    registerLineMetrics(*p.metrics, *node);
    CARDLINE_RETURN_IF_ERROR(
        registerBlankStockRoutes(*p.router, *node->store_, *p.blanks, *p.audit));
    CARDLINE_RETURN_IF_ERROR(
        registerLogisticsRoutes(*p.router, *node->store_, *p.logistics, node->clock_,
                                [audit = p.audit.get()](StoreTransaction& t, const std::string& a,
                                                        const std::string& act,
                                                        const std::string& s,
                                                        const std::string& d) {
                                  return audit->appendIn(t, a, act, s, d).status();
                                }));
    CARDLINE_RETURN_IF_ERROR(registerReportRoutes(*p.router, *node->store_, node->clock_,
                                                  throughputReportOptions(config)));
    auto reference = ReferenceData::loadFromDirectory(config.referenceDir());
    if (!reference.isOk()) return reference.status().withContext("loading reference data");
    p.reference = std::make_unique<ReferenceData>(std::move(reference).value());
    ApplicationsApiOptions applications;
    applications.print_due_seconds = config.service_levels.receipt_to_print_hours * 3600LL;
    applications.fit_check = templateFitCheck(p.templates);
    applications.audit = [audit = p.audit.get()](StoreTransaction& t, const std::string& a,
                                                  const std::string& act, const std::string& s,
                                                  const std::string& d) {
      return audit->appendIn(t, a, act, s, d).status();
    };
    CARDLINE_RETURN_IF_ERROR(registerApplicationsRoutes(
        *p.router, *p.reference, node->clock_,
        [controller = node->controller_.get()](
            std::function<Status(StoreTransaction&, Engine&)> command) {
          return controller->submit(std::move(command));
        },
        applications));
    // Web UI live updates and supervisor actions (mes/http/events_api.h, supervisor_api.h).
    CARDLINE_RETURN_IF_ERROR(registerEventsRoutes(
        *p.router, *node->store_, node->clock_, [link = p.link.get()] {
          std::vector<Device> live;
          for (const DeviceInfo& info : link->devices()) live.push_back(info.device);
          return live;
        }));
    CARDLINE_RETURN_IF_ERROR(registerSupervisorRoutes(
        *p.router, *node->store_, *p.audit,
        std::make_shared<SubmittedSupervisorCommands>(
            [controller = node->controller_.get()](EngineCommand command) {
              return controller->submit(std::move(command));
            }),
        [link = p.link.get()](const std::string& device_id, const std::string& actor,
                              const std::string& reason) {
          return link->clearFault(device_id, actor, reason);
        }));
    CARDLINE_RETURN_IF_ERROR(registerLineRoutes(*p.router, *p.link, *node->store_));
    CARDLINE_RETURN_IF_ERROR(checkOpenApiMatches(*p.router));
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
  p.startPayloadWorkers(config_.devices.payload_workers);
  controller_->start();
  auto endpoint = p.link->start();
  if (!endpoint.isOk()) {
    controller_->stop();
    p.stopPayloadWorkers();
    return endpoint.status().withContext("starting the device link");
  }
  device_endpoint_ = endpoint.value();
  if (p.http) {
    const int port = options_.http_port >= 0 ? options_.http_port : config_.http.port;
    Status http = p.http->start(port);
    if (!http.isOk()) {
      p.link->stop();
      controller_->stop();
      p.stopPayloadWorkers();
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
  std::future<Status> device_time = recordDeviceTime();
  if (device_time.wait_for(std::chrono::seconds(10)) == std::future_status::ready) {
    Status recorded = device_time.get();
    if (!recorded.isOk()) {
      logWarning(kComponent, "device time not recorded at stop: " + recorded.message());
    }
  }
  controller_->stop();
  p.stopPayloadWorkers();
  started_ = false;
}

int LineNode::httpPort() const { return parts_ && parts_->http ? parts_->http->port() : 0; }

BlankStock& LineNode::blanks() { return *parts_->blanks; }
DeviceLink& LineNode::deviceLink() { return *parts_->link; }
LogisticsService& LineNode::logistics() { return *parts_->logistics; }
AuditTrail& LineNode::audit() { return *parts_->audit; }

void LineNode::housekeeping() {
  Parts& p = *parts_;
  // On the controller thread, like every other change: close boxes past the cut-off, purge
  // personal data past retention (audited in the same transaction).
  controller_->submit([&p](StoreTransaction& tx, Engine&) -> Status {
    CARDLINE_RETURN_IF_ERROR(p.logistics->closeAtCutoff(tx).status());
    return p.logistics
        ->purgeExpired(tx, "system",
                       [&p](StoreTransaction& t, const std::string& actor,
                            const std::string& action, const std::string& subject,
                            const std::string& detail) {
                         return p.audit->appendIn(t, actor, action, subject, detail).status();
                       })
        .status();
  });
}

std::future<Status> LineNode::recordDeviceTime() {
  Parts& p = *parts_;
  std::vector<DeviceTimeHour> rows;
  {
    std::lock_guard<std::mutex> lock(p.device_time_mu);
    for (const DeviceTimeSpan& span : p.link->takeDeviceTime()) {
      p.device_time.add(span.device_id, span.station, span.state, span.from, span.to);
    }
    rows = p.device_time.takeWholeSeconds();
  }
  return controller_->submit([rows = std::move(rows)](StoreTransaction& tx, Engine&) {
    return addDeviceHours(tx, rows);
  });
}

}  // namespace cardline::app
