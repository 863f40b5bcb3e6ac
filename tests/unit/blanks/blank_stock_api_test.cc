// The blank stock REST endpoints in-process: the real Router (session, role and CSRF checks),
// the real SQLite store and audit trail, a fixed-caller authenticator.

#include "mes/http/blank_stock_api.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "mes/http/service_routes.h"
#include "mes/security/audit_key_hmac.h"
#include "tests/unit/blanks/blanks_fixture.h"

namespace cardline::blanks_test {
namespace {

// Authenticates whoever `current` names, with the roles given to it.
class FixedCallers final : public CallerAuthenticator {
 public:
  Result<Caller> authenticate(const HttpRequest& request) override {
    auto found = callers.find(request.cookie(kSessionCookie));
    if (found == callers.end()) return permissionDenied("no session");
    return found->second;
  }
  std::map<std::string, Caller> callers;
};

class BlankStockApiTest : public BlanksTest {
 protected:
  void SetUp() override {
    BlanksTest::SetUp();
    auto audit_key = HmacAuditKey::create(Bytes(32, 0x5a));
    ASSERT_TRUE(audit_key.isOk()) << audit_key.status().toString();
    audit_key_ = std::move(audit_key).value();
    audit_ = std::make_unique<AuditTrail>(*store_, clock_, *audit_key_);
    router_ = std::make_unique<Router>(clock_, metrics_, &auth_);
    ASSERT_TRUE(registerBlankStockRoutes(*router_, *store_, stock_, *audit_).isOk());
    for (const auto& [user, role] :
         std::vector<std::pair<std::string, Role>>{{"sup1", Role::kSupervisor},
                                                   {"sup2", Role::kSupervisor},
                                                   {"man1", Role::kManager},
                                                   {"aud1", Role::kAuditor},
                                                   {"op1", Role::kOperator}}) {
      addUser(user, {role});
      auth_.callers[user] = Caller{user, {role}, "session-" + user, "csrf-" + user};
    }
  }

  HttpResponse call(const std::string& user, HttpMethod method, const std::string& path,
                    const std::string& body = "", std::map<std::string, std::string> query = {}) {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.query = std::move(query);
    request.headers["cookie"] = std::string(kSessionCookie) + "=" + user;
    request.headers[kCsrfHeader] = "csrf-" + user;
    return router_->handle(request);
  }

  FixedCallers auth_;
  MetricsRegistry metrics_;
  std::unique_ptr<HmacAuditKey> audit_key_;
  std::unique_ptr<AuditTrail> audit_;
  std::unique_ptr<Router> router_;
};

TEST_F(BlankStockApiTest, SupervisorsManageStockAndCloseShiftsOthersRead) {
  addDevice("P1");
  const std::string lot = R"({"lot_id":"L1","line":"line-1","supplier":"S","chip_type":"P71",)"
                          R"("first_serial":"VN0001","last_serial":"VN0004"})";
  EXPECT_EQ(call("op1", HttpMethod::kPost, "/api/v1/blanks/lots", lot).status, 403);
  EXPECT_EQ(call("man1", HttpMethod::kPost, "/api/v1/blanks/lots", lot).status, 403);
  HttpResponse received = call("sup1", HttpMethod::kPost, "/api/v1/blanks/lots", lot);
  ASSERT_EQ(received.status, 201) << received.body;
  EXPECT_NE(received.body.find("\"quantity\":4"), std::string::npos) << received.body;
  EXPECT_EQ(call("sup1", HttpMethod::kPost, "/api/v1/blanks/lots", lot).status, 409);
  EXPECT_EQ(call("sup1", HttpMethod::kPost, "/api/v1/blanks/lots", "[1]").status, 400);

  HttpResponse shift = call("sup1", HttpMethod::kPost, "/api/v1/shifts", R"({"line":"line-1"})");
  ASSERT_EQ(shift.status, 201) << shift.body;
  EXPECT_EQ(call("sup1", HttpMethod::kPost, "/api/v1/blanks/issue",
                 R"({"serials":["VN0001","VN0002"],"device_id":"P1"})")
                .status,
            200);
  HttpResponse one = call("aud1", HttpMethod::kGet, "/api/v1/blanks/serials/VN0002");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_NE(one.body.find("\"state\":\"issued\""), std::string::npos) << one.body;
  EXPECT_EQ(call("op1", HttpMethod::kGet, "/api/v1/blanks/serials/VN0002").status, 403);

  // A close that does not balance answers 409 with the reconciliation.
  HttpResponse refused = call("sup1", HttpMethod::kPost, "/api/v1/shifts/1/close",
                              R"({"counted":["VN0001","VN0002","VN0003"]})");
  ASSERT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find("VN0004"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("\"reconciliation\""), std::string::npos) << refused.body;
  EXPECT_EQ(call("man1", HttpMethod::kPost, "/api/v1/shifts/1/close",
                 R"({"counted":["VN0001","VN0002","VN0003","VN0004"]})")
                .status,
            403);
  HttpResponse closed = call("sup2", HttpMethod::kPost, "/api/v1/shifts/1/close",
                             R"({"counted":["VN0001","VN0002","VN0003","VN0004"]})");
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_NE(closed.body.find("\"balanced\":true"), std::string::npos) << closed.body;

  HttpResponse csv =
      call("man1", HttpMethod::kGet, "/api/v1/shifts/1/reconciliation", "", {{"format", "csv"}});
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("record,line,shift,", 0), 0u) << csv.body;
  HttpResponse range = call("aud1", HttpMethod::kGet, "/api/v1/reports/reconciliation", "",
                            {{"from", "2026-01-01"}, {"to", "2026-01-01"}});
  ASSERT_EQ(range.status, 200) << range.body;
  EXPECT_NE(range.body.find("\"received\":4"), std::string::npos) << range.body;
  EXPECT_EQ(call("aud1", HttpMethod::kGet, "/api/v1/reports/reconciliation", "",
                 {{"from", "yesterday"}, {"to", "2026-01-01"}})
                .status,
            400);

  // Every change left an audit entry by its caller.
  std::vector<AuditEntry> entries;
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                CARDLINE_ASSIGN_OR_RETURN(entries, tx.audit().after(0, 100));
                return Status::ok();
              }).isOk());
  ASSERT_EQ(entries.size(), 4u);  // receive, open, issue, close
  EXPECT_EQ(entries[0].action, "blanks.manage");
  EXPECT_EQ(entries[0].actor, "sup1");
  EXPECT_EQ(entries[3].action, "shift.close");
  EXPECT_EQ(entries[3].actor, "sup2");
}

TEST_F(BlankStockApiTest, DestructionNeedsTwoDifferentSupervisors) {
  receive("L1", 1, 2);
  ASSERT_TRUE(act([&](StoreTransaction& tx) {
                return stock_.spoil(tx, sn(1), "dropped", "vault", "sup1");
              }).isOk());
  EXPECT_EQ(call("op1", HttpMethod::kPost, "/api/v1/blanks/destructions",
                 R"({"serials":["VN0001"],"reason":"spoils"})")
                .status,
            403);
  HttpResponse proposed = call("sup1", HttpMethod::kPost, "/api/v1/blanks/destructions",
                               R"({"serials":["VN0001"],"reason":"spoils"})");
  ASSERT_EQ(proposed.status, 201) << proposed.body;
  EXPECT_EQ(call("sup1", HttpMethod::kPost, "/api/v1/blanks/destructions/1/confirm").status, 403);
  HttpResponse confirmed = call("sup2", HttpMethod::kPost, "/api/v1/blanks/destructions/1/confirm");
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(serial(sn(1)).state, BlankState::kDestroyed);
}

TEST_F(BlankStockApiTest, EveryRouteIsInTheOpenApiDocument) {
  Poco::JSON::Parser parser;
  auto document = parser.parse(openApiDocument()).extract<Poco::JSON::Object::Ptr>();
  auto paths = document->getObject("paths");
  ASSERT_FALSE(paths.isNull());
  for (const RouteInfo& route : router_->routes()) {
    auto item = paths->getObject(route.pattern);
    ASSERT_FALSE(item.isNull()) << route.pattern;
    std::string method = name(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(item->has(method)) << route.pattern << " " << method;
  }
}

}  // namespace
}  // namespace cardline::blanks_test
