#include "mes/app/line_node.h"

#include <fstream>
#include <sstream>

#include "mes/app/node.h"
#include "mes/app/signer_factory.h"
#include "mes/blanks/blank_observer.h"
#include "mes/blanks/blank_stock.h"
#include "mes/config/template_loader.h"
#include "mes/document/pki/test_pki.h"
#include "mes/http/blank_stock_api.h"
#include "mes/http/logistics_api.h"
#include "mes/logistics/logistics_service.h"
#include "mes/prep/job_payloads.h"
#include "mes/http/applications_api.h"
#include "mes/http/report_api.h"
#include "mes/config/reference_loader.h"
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
#include "mes/jobflow/station_job_flow.h"
#include "mes/security/accounts.h"
#include "mes/security/audit_chain.h"
#include "mes/security/sessions.h"

namespace cardline::app {
namespace {

constexpr char kComponent[] = "serve";

}  // namespace

// Everything with third-party types, kept out of the header.
struct LineNode::Parts {
  std::shared_ptr<DeviceAllowList> allow_list = std::make_shared<DeviceAllowList>();
  std::unique_ptr<StationJobFlow> jobs;  // the job path: controller <-> devices
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
  std::map<CardModel, CardTemplate> templates;  // also for the fit check at intake
};

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
  metrics.describe("cardline_line_rounds_with_results_total", MetricType::kGauge,
                   "Rounds of the line controller that applied at least one result");
  metrics.describe("cardline_line_results_per_round_max", MetricType::kGauge,
                   "Most results one round of the line controller applied");
  metrics.describe("cardline_line_failed_rounds_total", MetricType::kGauge,
                   "Rounds whose transaction failed (inputs kept for the next round)");
  metrics.describe("cardline_station_paused", MetricType::kGauge,
                   "1 while a station's jobs are not leased because their payloads cannot be "
                   "made (e.g. the signing token is away; the reason is in the log)");
  metrics.describe("cardline_db_commits_total", MetricType::kGauge,
                   "Write transactions committed by this node");
  metrics.describe("cardline_db_transactions_total", MetricType::kGauge,
                   "Transactions begun by this node, by kind (write, read)");
  metrics.describe("cardline_db_statements_total", MetricType::kGauge,
                   "SQL statements run by this node, by transaction kind (write, read)");
  metrics.describe("cardline_db_round_trips_total", MetricType::kGauge,
                   "Database server round trips of this node (0 for SQLite, which is embedded)");
  metrics.addCollector([&node](MetricsRegistry& m) {
    Status read = node.store().read([&](StoreTransaction& tx) -> Status {
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
    m.set("cardline_line_rounds_with_results_total", {},
          static_cast<double>(stats.rounds_with_results));
    m.set("cardline_line_results_per_round_max", {},
          static_cast<double>(stats.max_results_per_round));
    m.set("cardline_line_failed_rounds_total", {}, static_cast<double>(stats.failed_rounds));
    for (StationType s : {StationType::kPrint, StationType::kEncode, StationType::kQa,
                          StationType::kDispatch}) {
      m.set("cardline_station_paused", {{"station", name(s)}}, 0);
    }
    for (const auto& [station, reason] : node.controller().pausedStations()) {
      m.set("cardline_station_paused", {{"station", name(station)}}, 1);
    }
    const StoreCounters db = node.store().counters();
    m.set("cardline_db_commits_total", {}, static_cast<double>(db.commits));
    m.set("cardline_db_transactions_total", {{"kind", "write"}},
          static_cast<double>(db.transactions));
    m.set("cardline_db_transactions_total", {{"kind", "read"}}, static_cast<double>(db.reads));
    m.set("cardline_db_statements_total", {{"kind", "write"}},
          static_cast<double>(db.statements));
    m.set("cardline_db_statements_total", {{"kind", "read"}},
          static_cast<double>(db.read_statements));
    m.set("cardline_db_round_trips_total", {}, static_cast<double>(db.round_trips));
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

  auto workflow = loadWorkflowRuntime(config, node->clock_, EngineDriver::kLineController);
  if (!workflow.isOk()) return workflow.status();
  node->workflow_ = std::move(workflow).value();

  node->parts_ = std::make_unique<Parts>();
  Parts& p = *node->parts_;
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
  PayloadMaterials materials;
  materials.templates = p.templates;
  if (config.devices.payload == JobPayloadMode::kFull) {
    const PkiPaths pki = pkiPaths(config.data_dir);
    CARDLINE_ASSIGN_OR_RETURN(materials.signer, openConfiguredSigner(config, node->clock_));
    std::ifstream csca(pki.csca_cert);
    if (!csca) return notFound("cannot read the CSCA certificate " + pki.csca_cert);
    std::stringstream text;
    text << csca.rdbuf();
    materials.csca_pem = text.str();
  }
  StationJobFlowOptions flow;
  flow.artefacts = config.devices.payload == JobPayloadMode::kFull
                       ? PayloadArtefacts::kFull
                       : PayloadArtefacts::kHeadersOnly;
  flow.payload_workers = config.devices.payload_workers;
  flow.lease_ms = config.devices.lease_seconds * 1000LL;
  AuditTrail* audit = p.audit.get();
  p.jobs = std::make_unique<StationJobFlow>(
      *node->store_, node->clock_, flow, std::move(materials), [audit](const RefusedPeer& peer) {
        auto appended = audit->append(
            "system", "device.refused", peer.device_id.empty() ? peer.address : peer.device_id,
            "{\"address\":" + jsonQuote(peer.address) + ",\"public_key\":" +
                jsonQuote(peer.public_key) + ",\"reason\":" + jsonQuote(peer.reason) + "}");
        if (!appended.isOk()) {
          logError(kComponent, "audit of a refused device failed: " +
                                   appended.status().toString());
        }
      });

  LineControllerOptions line;
  line.node_id = config.node_id;
  line.lease = std::chrono::seconds(config.devices.lease_seconds);
  node->controller_ = std::make_unique<LineController>(*node->store_, *node->workflow_->engine,
                                                       node->clock_, *p.jobs, line);

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
  p.link = std::make_unique<ZmqDeviceLink>(link, node->clock_, *p.jobs);
  p.jobs->attach(*node->controller_, *p.link);

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
    auto reference = loadReferenceData(config.referenceDir());
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
  p.jobs->start();
  controller_->start();
  auto endpoint = p.link->start();
  if (!endpoint.isOk()) {
    controller_->stop();
    p.jobs->stop();
    return endpoint.status().withContext("starting the device link");
  }
  device_endpoint_ = endpoint.value();
  if (p.http) {
    const int port = options_.http_port >= 0 ? options_.http_port : config_.http.port;
    Status http = p.http->start(port);
    if (!http.isOk()) {
      p.link->stop();
      controller_->stop();
      p.jobs->stop();
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
  p.jobs->stop();
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
