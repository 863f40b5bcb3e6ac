// The logistics REST endpoints in-process through the real Router (roles, CSRF) over the real
// engine and SQLite store: hand-over, delivery confirmation, wrong-box scan, tracking and the
// OpenAPI document listing every route.
#include "mes/http/logistics_api.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "mes/http/service_routes.h"
#include "mes/security/audit_chain.h"
#include "mes/security/audit_key_hmac.h"
#include "tests/unit/logistics/logistics_fixture.h"

namespace cardline::logistics_test {
namespace {

class RoleAuthenticator final : public CallerAuthenticator {
 public:
  Result<Caller> authenticate(const HttpRequest& request) override {
    const std::string user = request.header("x-test-user");
    if (user.empty()) return permissionDenied("no session");
    Caller caller;
    caller.user = user;
    CARDLINE_ASSIGN_OR_RETURN(Role role, parseRole(request.header("x-test-role")));
    caller.roles = {role};
    caller.session_id = "s";
    caller.csrf_token = "token";
    return caller;
  }
};

Poco::JSON::Object::Ptr parse(const std::string& body) {
  Poco::JSON::Parser parser;
  return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

class LogisticsApiTest : public LogisticsTest {
 protected:
  void SetUp() override {
    LogisticsTest::SetUp();
    router_ = std::make_unique<Router>(clock_, metrics_, &auth_);
    auto key = HmacAuditKey::create(Bytes(32, 0x5a));
    ASSERT_TRUE(key.isOk());
    audit_key_ = std::move(key).value();
    audit_ = std::make_unique<AuditTrail>(*store_, clock_, *audit_key_);
    ASSERT_TRUE(registerLogisticsRoutes(
                    *router_, *store_, *service_, clock_,
                    [this](StoreTransaction& tx, const std::string& actor,
                           const std::string& action, const std::string& subject,
                           const std::string& detail) {
                      return audit_->appendIn(tx, actor, action, subject, detail).status();
                    })
                    .isOk());
  }

  // "actor action subject" of every audit entry, in order.
  std::vector<std::string> auditLines() {
    auto entries = audit_->list(0, 1000);
    EXPECT_TRUE(entries.isOk());
    std::vector<std::string> lines;
    if (!entries.isOk()) return lines;
    for (const AuditEntry& e : *entries) lines.push_back(e.actor + " " + e.action + " " + e.subject);
    return lines;
  }

  HttpResponse call(HttpMethod method, const std::string& path, const std::string& role,
                    const std::string& body = "",
                    const std::map<std::string, std::string>& query = {}) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.query = query;
    r.body = body;
    r.headers["x-test-user"] = role + ".user";
    r.headers["x-test-role"] = role;
    r.headers[kCsrfHeader] = "token";
    return router_->handle(r);
  }

  MetricsRegistry metrics_;
  RoleAuthenticator auth_;
  std::unique_ptr<HmacAuditKey> audit_key_;
  std::unique_ptr<AuditTrail> audit_;
  std::unique_ptr<Router> router_;
};

TEST_F(LogisticsApiTest, HandOverDeliveryAndTrackThroughTheApi) {
  fullLine("A1", "001099000001", "Nguyễn Văn An", kHanoiUnit, "SER0001");
  fullLine("A3", "079099000003", "Lê Hoàng Cường", kSaigonUnit, "SER0003");

  HttpResponse boxes = call(HttpMethod::kGet, "/api/v1/boxes", "logistics", "",
                            {{"state", "open"}, {"unit", "HN-01"}});
  ASSERT_EQ(boxes.status, 200) << boxes.body;
  const std::string box_id =
      parse(boxes.body)->getArray("boxes")->getObject(0)->getValue<std::string>("id");

  // Wrong box: a good Saigon card (not yet dispatched) scanned into the Hanoi box.
  accept("A4", "079099000004", "Phan Thị Thu", kSaigonUnit);
  produce("A4", "SER0004");
  HttpResponse wrong = call(HttpMethod::kPost, "/api/v1/boxes/" + box_id + "/cards", "logistics",
                            "{\"serial\":\"SER0004\"}");
  EXPECT_EQ(wrong.status, 409) << wrong.body;
  EXPECT_NE(wrong.body.find("wrong box"), std::string::npos) << wrong.body;

  // An operator may not close boxes; logistics may.
  EXPECT_EQ(call(HttpMethod::kPost, "/api/v1/boxes/" + box_id + "/close", "operator",
                 "{\"seal_number\":\"SL-1\"}")
                .status,
            403);
  HttpResponse closed = call(HttpMethod::kPost, "/api/v1/boxes/" + box_id + "/close",
                             "logistics", "{\"seal_number\":\"SL-1\"}");
  ASSERT_EQ(closed.status, 200) << closed.body;

  HttpResponse shipped =
      call(HttpMethod::kPost, "/api/v1/shipments", "logistics",
           "{\"box_ids\":[\"" + box_id + "\"],\"carrier\":\"VNPost\",\"tracking_number\":\"EE1\"}");
  ASSERT_EQ(shipped.status, 201) << shipped.body;
  EXPECT_EQ(parse(shipped.body)->getValue<std::string>("handed_over_by"), "logistics.user");

  HttpResponse bad_json = call(HttpMethod::kPost, "/api/v1/boxes/" + box_id + "/delivery",
                               "logistics", "{not json");
  EXPECT_EQ(bad_json.status, 400) << bad_json.body;
  HttpResponse delivered =
      call(HttpMethod::kPost, "/api/v1/boxes/" + box_id + "/delivery", "logistics", "{}");
  ASSERT_EQ(delivered.status, 200) << delivered.body;
  EXPECT_TRUE(parse(delivered.body)->getValue<bool>("shipment_delivered"));
  EXPECT_EQ(application("A1").step, "delivered");

  HttpResponse tracked =
      call(HttpMethod::kGet, "/api/v1/track", "supervisor", "", {{"q", "EE1"}});
  ASSERT_EQ(tracked.status, 200) << tracked.body;
  auto report = parse(tracked.body);
  EXPECT_EQ(report->getValue<std::string>("matched_by"), "tracking_number");
  EXPECT_EQ(report->getArray("applications")->getObject(0)->getValue<std::string>("full_name"),
            "Nguyễn Văn An");
  EXPECT_GT(report->getArray("history")->size(), 5u);
  EXPECT_EQ(call(HttpMethod::kGet, "/api/v1/track", "manager", "", {{"q", "EE1"}}).status, 403);
  EXPECT_EQ(call(HttpMethod::kGet, "/api/v1/track", "logistics", "", {{"q", "nothing"}}).status,
            404);
  EXPECT_EQ(call(HttpMethod::kGet, "/api/v1/shipments/overdue", "logistics").status, 200);

  // Every custody change and every look-up of personal data is in the chained trail.
  HttpResponse manifest = call(HttpMethod::kGet, "/api/v1/boxes/" + box_id, "supervisor", "",
                               {{"reason", "complaint 42"}});
  ASSERT_EQ(manifest.status, 200) << manifest.body;
  const std::string shipment_id = parse(shipped.body)->getValue<std::string>("id");
  std::vector<std::string> lines = auditLines();
  for (const std::string& expected : std::vector<std::string>{
           "logistics.user box.close " + box_id, "logistics.user shipment.hand_over " + shipment_id,
        "logistics.user box.delivered " + box_id, "supervisor.user pii.lookup track",
        "logistics.user pii.lookup track", "supervisor.user pii.lookup box:" + box_id}) {
    EXPECT_NE(std::find(lines.begin(), lines.end(), expected), lines.end())
        << expected << " missing from:\n" << ::testing::PrintToString(lines);
  }
  auto entries = audit_->list(0, 1000);
  ASSERT_TRUE(entries.isOk());
  bool reason_recorded = false;
  for (const AuditEntry& e : *entries) {
    EXPECT_EQ(e.detail.find("Nguyễn"), std::string::npos) << "personal data in " << e.detail;
    if (e.action == "pii.lookup" && e.detail.find("complaint 42") != std::string::npos) {
      reason_recorded = true;
    }
  }
  EXPECT_TRUE(reason_recorded);
  auto verified = audit_->verify();
  ASSERT_TRUE(verified.isOk());
  EXPECT_TRUE(verified->intact()) << verified->message;
}

TEST(LogisticsOpenApiTest, DocumentListsEveryLogisticsRoute) {
  FakeClock clock;
  MetricsRegistry metrics;
  RoleAuthenticator auth;
  Router router(clock, metrics, &auth);
  // The handlers are never called here; the store and service are placeholders.
  WorkflowCatalog catalog;
  Engine engine(catalog, clock, EngineOptions{});
  LogisticsService service(engine, clock, LogisticsOptions{});
  struct NoStore final : Store {
    Status transact(const std::function<Status(StoreTransaction&)>&) override {
      return unavailable("no store");
    }
    Status read(const std::function<Status(StoreTransaction&)>&) override {
      return unavailable("no store");
    }
    StoreBackend backend() const override { return StoreBackend::kSqlite; }
    StoreCounters counters() const override { return {}; }
  } store;
  ASSERT_TRUE(registerLogisticsRoutes(router, store, service, clock,
                                      [](StoreTransaction&, const std::string&, const std::string&,
                                         const std::string&, const std::string&) {
                                        return Status::ok();
                                      })
                  .isOk());
  auto paths = parse(openApiDocument())->getObject("paths");
  ASSERT_FALSE(paths.isNull());
  ASSERT_EQ(router.routes().size(), 12u);
  for (const RouteInfo& route : router.routes()) {
    auto item = paths->getObject(route.pattern);
    ASSERT_FALSE(item.isNull()) << route.pattern;
    std::string method = name(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(item->has(method)) << route.pattern << " " << method;
  }
}

}  // namespace
}  // namespace cardline::logistics_test
