// GET /api/v1/devices and /api/v1/queues in-process (mes/http/line_api.h): the JSON shape of
// the device registry, the role check, a store failure, and both routes in the OpenAPI
// document. The same routes run over real HTTP in serve_test.cc.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/http/line_api.h"
#include "mes/http/metrics.h"
#include "mes/http/router.h"
#include "mes/http/service_routes.h"

namespace cardline::testing {
namespace {

using JsonObject = Poco::JSON::Object::Ptr;

JsonObject parse(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<JsonObject>();
}

class FixedLink final : public DeviceLink {
 public:
  Status sendJob(const std::string&, const protocol::Job&) override { return Status::ok(); }
  Status acknowledge(const std::string&, std::int64_t, int, protocol::AckStatus) override {
    return Status::ok();
  }
  void forgetJob(const std::string&, std::int64_t) override {}
  std::vector<DeviceInfo> devices() const override { return devices_; }
  LinkCounters counters() const override { return counters_; }
  std::vector<DeviceTimeSpan> takeDeviceTime() override { return {}; }
  Status clearFault(const std::string&, const std::string&, const std::string&) override {
    return Status::ok();
  }

  std::vector<DeviceInfo> devices_;
  LinkCounters counters_;
};

// A store that is down: every transaction fails with kUnavailable.
class DownStore final : public Store {
 public:
  Status transact(const std::function<Status(StoreTransaction&)>&) override {
    return unavailable("database is down");
  }
  Status read(const std::function<Status(StoreTransaction&)>&) override {
    return unavailable("database is down");
  }
  StoreBackend backend() const override { return StoreBackend::kSqlite; }
  StoreCounters counters() const override { return {}; }
};

// The caller's roles come from the x-test-roles header ("supervisor" or "auditor").
class HeaderAuthenticator final : public CallerAuthenticator {
 public:
  Result<Caller> authenticate(const HttpRequest& request) override {
    const std::string role = request.header("x-test-roles");
    if (role.empty()) return permissionDenied("no session");
    CARDLINE_ASSIGN_OR_RETURN(Role parsed, parseRole(role));
    return Caller{"tester", {parsed}, "s1", "csrf"};
  }
};

class LineApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_ = std::make_unique<Router>(clock_, metrics_, &authenticator_);
    ASSERT_TRUE(registerLineRoutes(*router_, link_, store_).isOk());
  }
  HttpResponse get(const std::string& path, const std::string& role) {
    HttpRequest request;
    request.method = HttpMethod::kGet;
    request.path = path;
    if (!role.empty()) request.headers["x-test-roles"] = role;
    return router_->handle(request);
  }

  FakeClock clock_;
  MetricsRegistry metrics_;
  HeaderAuthenticator authenticator_;
  FixedLink link_;
  DownStore store_;
  std::unique_ptr<Router> router_;
};

TEST_F(LineApiTest, DevicesListsTheRegistryWithStatesJobsAndCounters) {
  DeviceInfo busy;
  busy.device.id = "print-1";
  busy.device.station = StationType::kPrint;
  busy.device.state = DeviceState::kBusy;
  busy.device.last_heartbeat = clock_.now();
  busy.device.jobs_done = 7;
  busy.device.jobs_failed = 1;
  busy.jobs = {42, 43};
  busy.capacity = 2;
  busy.session = "abc";
  busy.counters.jobs_sent = 10;
  DeviceInfo offline;
  offline.device.id = "qa-\"1\"";  // quoted in the JSON
  offline.device.station = StationType::kQa;
  offline.device.state = DeviceState::kOffline;
  link_.devices_ = {busy, offline};
  link_.counters_.refused_peers = 3;

  HttpResponse r = get("/api/v1/devices", "supervisor");
  ASSERT_EQ(r.status, 200) << r.body;
  JsonObject body = parse(r.body);
  auto devices = body->getArray("devices");
  ASSERT_EQ(devices->size(), 2u);
  JsonObject first = devices->getObject(0);
  EXPECT_EQ(first->getValue<std::string>("id"), "print-1");
  EXPECT_EQ(first->getValue<std::string>("station"), "print");
  EXPECT_EQ(first->getValue<std::string>("state"), "busy");
  EXPECT_EQ(first->getValue<int>("current_job"), 42);
  EXPECT_EQ(first->getArray("jobs")->size(), 2u);
  EXPECT_EQ(first->getValue<int>("capacity"), 2);
  EXPECT_EQ(first->getValue<std::string>("last_heartbeat"), "2026-01-01T00:00:00.000000Z");
  EXPECT_EQ(first->getObject("counters")->getValue<int>("jobs_done"), 7);
  EXPECT_EQ(first->getObject("counters")->getValue<int>("jobs_failed"), 1);
  EXPECT_EQ(first->getObject("counters")->getValue<int>("jobs_sent"), 10);
  JsonObject second = devices->getObject(1);
  EXPECT_EQ(second->getValue<std::string>("id"), "qa-\"1\"");
  EXPECT_EQ(second->getValue<std::string>("state"), "offline");
  EXPECT_TRUE(second->isNull("current_job"));
  EXPECT_EQ(body->getObject("link")->getValue<int>("refused_peers"), 3);
}

TEST_F(LineApiTest, RoutesNeedASessionAndTheQueueViewAction) {
  EXPECT_EQ(get("/api/v1/devices", "").status, 401);
  EXPECT_EQ(get("/api/v1/devices", "auditor").status, 403);
  EXPECT_EQ(get("/api/v1/queues", "auditor").status, 403);
  EXPECT_EQ(get("/api/v1/devices", "operator").status, 200);
}

TEST_F(LineApiTest, QueuesReportAStoreFailureAsAnError) {
  HttpResponse r = get("/api/v1/queues", "supervisor");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("database is down"), std::string::npos);
}

TEST_F(LineApiTest, BothRoutesAreInTheOpenApiDocument) {
  JsonObject paths = parse(openApiDocument())->getObject("paths");
  ASSERT_FALSE(paths.isNull());
  for (const RouteInfo& route : router_->routes()) {
    JsonObject item = paths->getObject(route.pattern);
    ASSERT_FALSE(item.isNull()) << route.pattern;
    std::string method = name(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(item->has(method)) << route.pattern << " " << method;
    EXPECT_EQ(item->getObject(method)->getValue<std::string>("x-cardline-action"), "queue.view");
  }
  EXPECT_EQ(router_->routes().size(), 2u);
}

}  // namespace
}  // namespace cardline::testing
