// GET /api/v1/reports/throughput in-process through the real Router (session and role checks)
// on a SQLite store with rollups written through the port: JSON figures and chart model, CSV,
// PDF, the roles, bad parameters, and its entry in the OpenAPI document.

#include "mes/http/report_api.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "mes/http/service_routes.h"
#include "tests/unit/reports/reports_test_support.h"

namespace cardline {
namespace {

using reports_test::TempSqliteStore;

class FixedCallers final : public CallerAuthenticator {
 public:
  Result<Caller> authenticate(const HttpRequest& request) override {
    auto found = callers.find(request.cookie(kSessionCookie));
    if (found == callers.end()) return permissionDenied("no session");
    return found->second;
  }
  std::map<std::string, Caller> callers;
};

class ReportApiTest : public ::testing::Test {
 protected:
  ReportApiTest() : clock_(Timestamp::fromSeconds(1772582400)), db_(clock_) {}

  void SetUp() override {
    ASSERT_TRUE(db_.ready());
    router_ = std::make_unique<Router>(clock_, metrics_, &auth_);
    ASSERT_TRUE(registerReportRoutes(*router_, db_.store(), clock_, ThroughputReportOptions{})
                    .isOk());
    for (const auto& [user, role] : std::vector<std::pair<std::string, Role>>{
             {"man1", Role::kManager}, {"aud1", Role::kAuditor}, {"op1", Role::kOperator}}) {
      auth_.callers[user] = Caller{user, {role}, "session-" + user, "csrf-" + user};
    }
    // 2026-03-01 09:00 local = 02:00Z: print P1 120 jobs, 114 ok, 110/106 first pass.
    const std::int64_t hour = Date{2026, 3, 1}.toDays() * 86400 - 7 * 3600 + 9 * 3600;
    Status s = db_.store().transact([&](StoreTransaction& tx) {
      CARDLINE_RETURN_IF_ERROR(tx.rollups().addStationHour(
          StationHour{hour, StationType::kPrint, "P1", 120, 114, 110, 106}));
      return tx.rollups().addDefectHour(
          DefectHour{hour, StationType::kPrint, "P1", "print_smudge", 6});
    });
    ASSERT_TRUE(s.isOk()) << s.toString();
  }

  HttpResponse get(const std::string& user, std::map<std::string, std::string> query) {
    HttpRequest request;
    request.method = HttpMethod::kGet;
    request.path = "/api/v1/reports/throughput";
    request.query = std::move(query);
    request.headers["cookie"] = std::string(kSessionCookie) + "=" + user;
    return router_->handle(request);
  }

  FakeClock clock_;
  TempSqliteStore db_;
  FixedCallers auth_;
  MetricsRegistry metrics_;
  std::unique_ptr<Router> router_;
};

TEST_F(ReportApiTest, JsonCarriesFiguresAndTheChartModel) {
  HttpResponse r = get("man1", {{"from", "2026-03-01"}, {"to", "2026-03-01"}});
  ASSERT_EQ(r.status, 200) << r.body;
  Poco::JSON::Parser parser;
  auto root = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(root->getObject("period")->getValue<std::string>("from"), "2026-03-01");
  auto figures = root->getObject("figures");
  auto print = figures->getArray("stations")->getObject(0);
  EXPECT_EQ(print->getValue<std::string>("station"), "print");
  EXPECT_EQ(print->getValue<std::int64_t>("jobs"), 120);
  EXPECT_EQ(print->getValue<std::int64_t>("rejects"), 6);
  EXPECT_NEAR(print->getValue<double>("first_pass_yield"), 106.0 / 110.0, 1e-9);
  EXPECT_EQ(figures->getArray("hour_of_day")
                ->getObject(9)
                ->getObject("jobs")
                ->getValue<std::int64_t>("print"),
            120);
  auto pareto = figures->getArray("pareto")->getObject(0);
  EXPECT_EQ(pareto->getValue<std::string>("code"), "print_smudge");
  auto charts = root->getArray("charts");
  bool found = false;
  for (std::size_t i = 0; i < charts->size(); ++i) {
    auto chart = charts->getObject(static_cast<unsigned>(i));
    if (chart->getValue<std::string>("id") != "throughput_by_hour") continue;
    found = true;
    EXPECT_EQ(chart->getObject("title")->getValue<std::string>("vi"),
              "Sản lượng theo giờ trong ngày");
    EXPECT_EQ(chart->getValue<std::string>("layout"), "stacked");
    auto series = chart->getArray("series")->getObject(0);
    EXPECT_EQ(series->getObject("label")->getValue<std::string>("en"), "Print");
    EXPECT_DOUBLE_EQ(series->getArray("values")->getElement<double>(9), 120.0);
  }
  EXPECT_TRUE(found);
}

TEST_F(ReportApiTest, CsvAndPdfFormats) {
  HttpResponse csv = get("aud1", {{"from", "2026-03-01"}, {"to", "2026-03-01"}, {"format", "csv"}});
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.content_type.rfind("text/csv", 0), 0u);
  EXPECT_NE(csv.body.find("In / Print,120,114,6,96.4%"), std::string::npos) << csv.body;
  HttpResponse pdf = get("man1", {{"from", "2026-03-01"}, {"to", "2026-03-01"}, {"format", "pdf"}});
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
}

TEST_F(ReportApiTest, RolesAndBadParameters) {
  EXPECT_EQ(get("op1", {{"from", "2026-03-01"}, {"to", "2026-03-01"}}).status, 403);
  EXPECT_EQ(get("nobody", {{"from", "2026-03-01"}, {"to", "2026-03-01"}}).status, 401);
  EXPECT_EQ(get("man1", {{"to", "2026-03-01"}}).status, 400);
  EXPECT_EQ(get("man1", {{"from", "2026-02-30"}, {"to", "2026-03-01"}}).status, 400);
  EXPECT_EQ(get("man1", {{"from", "2026-03-02"}, {"to", "2026-03-01"}}).status, 400);
  EXPECT_EQ(get("man1", {{"from", "2026-03-01"}, {"to", "2026-03-01"}, {"format", "xls"}}).status,
            400);
}

TEST_F(ReportApiTest, RouteIsInTheOpenApiDocument) {
  Poco::JSON::Parser parser;
  auto document = parser.parse(openApiDocument()).extract<Poco::JSON::Object::Ptr>();
  auto paths = document->getObject("paths");
  ASSERT_FALSE(paths.isNull());
  for (const RouteInfo& route : router_->routes()) {
    auto item = paths->getObject(route.pattern);
    ASSERT_FALSE(item.isNull()) << route.pattern;
    EXPECT_TRUE(item->has("get")) << route.pattern;
  }
}

}  // namespace
}  // namespace cardline
