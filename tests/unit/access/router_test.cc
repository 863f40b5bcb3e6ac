#include "mes/http/router.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <stdexcept>

#include "mes/http/metrics.h"
#include "mes/http/service_routes.h"
#include "mes/http/static_files.h"

namespace cardline {
namespace {

// Accepts the cookie "good" as user lan with the given roles and CSRF token "t0k3n".
class FakeAuthenticator final : public CallerAuthenticator {
 public:
  explicit FakeAuthenticator(std::vector<Role> roles) : roles_(std::move(roles)) {}
  Result<Caller> authenticate(const HttpRequest& request) override {
    if (request.cookie(kSessionCookie) != "good") return permissionDenied("no session");
    return Caller{"lan", roles_, "good", "t0k3n"};
  }

 private:
  std::vector<Role> roles_;
};

HttpResponse ok(const HttpRequest&, const Caller& caller) {
  return HttpResponse::json(200, "{\"user\":\"" + caller.user + "\"}");
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : auth_({Role::kOperator}), router_(clock_, metrics_, &auth_) {}
  void SetUp() override {
    ASSERT_TRUE(router_.add({HttpMethod::kGet, "/api/v1/queue", Effect::kReadOnly,
                             Guard::kSession, Action::kViewQueue, ok})
                    .isOk());
    ASSERT_TRUE(router_.add({HttpMethod::kPost, "/api/v1/things/{id}/hold",
                             Effect::kChangesState, Guard::kSession, Action::kConfirmStep,
                             [](const HttpRequest& r, const Caller&) {
                               return HttpResponse::json(200, "{\"id\":\"" +
                                                                  r.path_params.at("id") + "\"}");
                             }})
                    .isOk());
    ASSERT_TRUE(router_.add({HttpMethod::kPost, "/api/v1/users", Effect::kChangesState,
                             Guard::kSession, Action::kManageUsers, ok})
                    .isOk());
    ASSERT_TRUE(router_.add({HttpMethod::kGet, "/api/v1/boom", Effect::kReadOnly, Guard::kPublic,
                             {}, [](const HttpRequest&, const Caller&) -> HttpResponse {
                               throw std::runtime_error("kaboom");
                             }})
                    .isOk());
  }
  HttpRequest request(HttpMethod method, const std::string& path, const std::string& cookie = "",
                      const std::string& csrf = "") {
    HttpRequest r;
    r.method = method;
    r.path = path;
    if (!cookie.empty()) r.headers["cookie"] = "theme=dark; " + std::string(kSessionCookie) + "=" + cookie;
    if (!csrf.empty()) r.headers[kCsrfHeader] = csrf;
    return r;
  }

  FakeClock clock_;
  MetricsRegistry metrics_;
  FakeAuthenticator auth_;
  Router router_;
};

TEST_F(RouterTest, RefusesStateChangingGetAndBadPatterns) {
  Status get_change = router_.add({HttpMethod::kGet, "/api/v1/delete-everything",
                                   Effect::kChangesState, Guard::kSession, {}, ok});
  EXPECT_EQ(get_change.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(router_.add({HttpMethod::kGet, "/api/v1/queue", Effect::kReadOnly, Guard::kSession,
                         {}, ok})
                .code(),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(router_.add({HttpMethod::kGet, "api", Effect::kReadOnly, Guard::kPublic, {}, ok}).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(router_.add({HttpMethod::kGet, "/a//b", Effect::kReadOnly, Guard::kPublic, {}, ok})
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(router_.add({HttpMethod::kGet, "/a/x{id}", Effect::kReadOnly, Guard::kPublic, {}, ok})
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(router_.add({HttpMethod::kGet, "/a", Effect::kReadOnly, Guard::kPublic, {}, {}}).code(),
            ErrorCode::kInvalidArgument);
  MetricsRegistry metrics;
  Router no_auth(clock_, metrics, nullptr);
  EXPECT_EQ(no_auth.add({HttpMethod::kGet, "/a", Effect::kReadOnly, Guard::kSession, {}, ok}).code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(RouterTest, UnknownRouteIsJson404AndWrongMethodIs405) {
  HttpResponse missing = router_.handle(request(HttpMethod::kGet, "/api/v1/nothing"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.content_type.find("application/json"), std::string::npos);
  EXPECT_NE(missing.body.find("\"not_found\""), std::string::npos);
  HttpResponse wrong = router_.handle(request(HttpMethod::kGet, "/api/v1/users", "good"));
  EXPECT_EQ(wrong.status, 405);
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0].first, "Allow");
  EXPECT_EQ(wrong.headers[0].second, "POST");
  EXPECT_EQ(router_.handle(request(HttpMethod::kGet, "/api/v1/queue/")).status, 404);
}

TEST_F(RouterTest, SessionRoleAndCsrfChecks) {
  EXPECT_EQ(router_.handle(request(HttpMethod::kGet, "/api/v1/queue")).status, 401);
  EXPECT_EQ(router_.handle(request(HttpMethod::kGet, "/api/v1/queue", "forged")).status, 401);
  HttpResponse allowed = router_.handle(request(HttpMethod::kGet, "/api/v1/queue", "good"));
  EXPECT_EQ(allowed.status, 200);
  EXPECT_EQ(allowed.body, "{\"user\":\"lan\"}");

  // Wrong role: an operator may not manage users, even with the right CSRF token.
  HttpResponse wrong_role =
      router_.handle(request(HttpMethod::kPost, "/api/v1/users", "good", "t0k3n"));
  EXPECT_EQ(wrong_role.status, 403);
  EXPECT_NE(wrong_role.body.find("user.manage"), std::string::npos);

  // State change without or with a wrong CSRF token.
  EXPECT_EQ(router_.handle(request(HttpMethod::kPost, "/api/v1/things/A1/hold", "good")).status,
            403);
  EXPECT_EQ(
      router_.handle(request(HttpMethod::kPost, "/api/v1/things/A1/hold", "good", "t0k3N")).status,
      403);
  HttpResponse held =
      router_.handle(request(HttpMethod::kPost, "/api/v1/things/A1/hold", "good", "t0k3n"));
  EXPECT_EQ(held.status, 200);
  EXPECT_EQ(held.body, "{\"id\":\"A1\"}");
}

TEST_F(RouterTest, ExceptionsBecomeJson500AndEverythingIsCounted) {
  HttpResponse boom = router_.handle(request(HttpMethod::kGet, "/api/v1/boom"));
  EXPECT_EQ(boom.status, 500);
  EXPECT_NE(boom.body.find("kaboom"), std::string::npos);
  EXPECT_EQ(metrics_.value("cardline_http_requests_total",
                           {{"method", "GET"}, {"route", "/api/v1/boom"}, {"status", "500"}}),
            1);
  const std::string text = metrics_.render();
  EXPECT_NE(text.find("# TYPE cardline_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("cardline_http_request_duration_seconds_count{route=\"/api/v1/boom\"} 1"),
            std::string::npos)
      << text;
}

TEST(MetricsRegistryTest, PrometheusTextFormat) {
  MetricsRegistry metrics;
  metrics.describe("cardline_queue_depth", MetricType::kGauge, "Ready jobs per station");
  metrics.describe("cardline_latency_seconds", MetricType::kHistogram, "Latency", {0.1, 1});
  metrics.addCollector([](MetricsRegistry& m) {
    m.set("cardline_queue_depth", {{"station", "print"}}, 42);
  });
  metrics.increment("cardline_transitions_total", {{"to", "qa"}, {"from", "print \"x\"\n"}}, 2);
  metrics.observe("cardline_latency_seconds", {}, 0.05);
  metrics.observe("cardline_latency_seconds", {}, 0.5);
  metrics.observe("cardline_latency_seconds", {}, 7);
  const std::string text = metrics.render();
  EXPECT_EQ(text,
            "# HELP cardline_latency_seconds Latency\n"
            "# TYPE cardline_latency_seconds histogram\n"
            "cardline_latency_seconds_bucket{le=\"0.1\"} 1\n"
            "cardline_latency_seconds_bucket{le=\"1\"} 2\n"
            "cardline_latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "cardline_latency_seconds_sum 7.55\n"
            "cardline_latency_seconds_count 3\n"
            "# HELP cardline_queue_depth Ready jobs per station\n"
            "# TYPE cardline_queue_depth gauge\n"
            "cardline_queue_depth{station=\"print\"} 42\n"
            "# TYPE cardline_transitions_total counter\n"
            "cardline_transitions_total{from=\"print \\\"x\\\"\\n\",to=\"qa\"} 2\n");
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "cardline-web-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ASSERT_EQ(::mkdir((dir_ + "/web").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((dir_ + "/web/css").c_str(), 0700), 0);
    std::ofstream(dir_ + "/web/index.html") << "<!doctype html><title>cardline</title>";
    std::ofstream(dir_ + "/web/css/app.css") << "body{}";
    std::ofstream(dir_ + "/web/.secret") << "CONFIDENTIAL-DOTFILE";
    std::ofstream(dir_ + "/outside.txt") << "SECRET OUTSIDE";
    ASSERT_EQ(::symlink((dir_ + "/outside.txt").c_str(), (dir_ + "/web/link.txt").c_str()), 0);
  }
  void TearDown() override {
    EXPECT_EQ(std::system(("rm -rf '" + dir_ + "'").c_str()), 0);
  }
  HttpResponse get(const std::string& path) {
    HttpRequest r;
    r.path = path;
    return StaticFiles(dir_ + "/web").serve(r);
  }
  std::string dir_;
};

TEST_F(StaticFilesTest, ServesFilesWithContentTypes) {
  HttpResponse index = get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("cardline"), std::string::npos);
  HttpResponse css = get("/css/app.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(get("/css/").status, 404);  // no index.html there
  EXPECT_EQ(get("/missing.js").status, 404);
}

TEST_F(StaticFilesTest, PathTraversalIsRefused) {
  for (const std::string path : {"/../outside.txt", "/css/../../outside.txt", "/./index.html",
                                  "/.secret", "/css//app.css", "/..", "/link.txt",
                                  "/..\\outside.txt"}) {
    HttpResponse r = get(path);
    EXPECT_NE(r.status, 200) << path;
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("CONFIDENTIAL"), std::string::npos) << path;
  }
}

// The OpenAPI document lists exactly the routes the server registers, and vice versa.
TEST(OpenApiTest, DocumentMatchesTheRouterExactly) {
  FakeClock clock;
  MetricsRegistry metrics;
  FakeAuthenticator auth({Role::kAdmin});
  Router router(clock, metrics, &auth);
  ASSERT_TRUE(registerServiceRoutes(router, metrics).isOk());
  // The access API needs live services; register its routes through a real AccessApi in the
  // integration test. Here: the document parses and names every service route.
  Poco::JSON::Parser parser;
  auto document = parser.parse(openApiDocument()).extract<Poco::JSON::Object::Ptr>();
  ASSERT_FALSE(document.isNull());
  EXPECT_EQ(document->getValue<std::string>("openapi").rfind("3.", 0), 0u);
  auto paths = document->getObject("paths");
  ASSERT_FALSE(paths.isNull());
  for (const RouteInfo& route : router.routes()) {
    auto item = paths->getObject(route.pattern);
    ASSERT_FALSE(item.isNull()) << route.pattern;
    std::string method = name(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(item->has(method)) << route.pattern << " " << method;
  }
}

}  // namespace
}  // namespace cardline
