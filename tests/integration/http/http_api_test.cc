#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <chrono>

#include <thread>
#include <gtest/gtest.h>

#include <future>
#include <sstream>
#include <stdlib.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "mes/http/access_api.h"
#include "mes/http/events_api.h"
#include "mes/http/http_server.h"
#include "mes/http/supervisor_api.h"
#include "mes/http/metrics.h"
#include "mes/http/router.h"
#include "mes/http/service_routes.h"
#include "mes/http/static_files.h"
#include "mes/security/accounts.h"
#include "mes/security/audit_chain.h"
#include "mes/security/audit_key_hmac.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/security/sessions.h"
#include "mes/storage/store_factory.h"
#include "mes/config/workflow_loader.h"
#include "mes/http/applications_api.h"
#include "mes/intake/generator.h"
#include "mes/intake/reference_data.h"

namespace cardline {
namespace {

constexpr char kAdminPassword[] = "quản-trị-viên-2026";
constexpr char kOperatorPassword[] = "vận-hành-viên-2026";
constexpr char kAuditorPassword[] = "kiểm-toán-viên-2026";

struct Reply {
  int status = 0;
  std::string reason;  // the status line's reason phrase
  std::string body;
  std::string content_type;
  std::string set_cookie;
  std::string allow;

  Poco::JSON::Object::Ptr json() const {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
  }
};

// A logged-in browser: the session cookie and the CSRF token.
struct Login {
  std::string cookie;
  std::string csrf;
};

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pii = AesGcmPiiProtector::create(Bytes(32, 0x17));
    ASSERT_TRUE(pii.isOk());
    pii_ = std::move(pii).value();
    std::string pattern = ::testing::TempDir() + "cardline-http-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    temp_dir_ = pattern;
    StoreOptions options;
    options.backend = StoreBackend::kSqlite;
    options.sqlite_path = temp_dir_ + "/cardline.db";
    ASSERT_TRUE(migrateStore(options, clock_).isOk());
    auto store = openStore(options, *pii_);
    ASSERT_TRUE(store.isOk()) << store.status().toString();
    store_ = std::move(store).value();

    AccountOptions account_options;
    account_options.hashing.iterations = kMinPasswordIterations;  // fast; the default is tested
    auto audit_key = HmacAuditKey::create(Bytes(32, 0x5a));
    ASSERT_TRUE(audit_key.isOk()) << audit_key.status().toString();
    audit_key_ = std::move(audit_key).value();
    audit_ = std::make_unique<AuditTrail>(*store_, clock_, *audit_key_);
    accounts_ = std::make_unique<AccountService>(*store_, *audit_, clock_, account_options);
    sessions_ = std::make_unique<SessionTable>(clock_, SessionOptions{15 * 60, 8 * 3600});
    authenticator_ = std::make_unique<SessionAuthenticator>(*sessions_, *accounts_);
    router_ = std::make_unique<Router>(clock_, metrics_, authenticator_.get());
    api_ = std::make_unique<AccessApi>(*accounts_, *sessions_, *audit_);
    ASSERT_TRUE(api_->registerRoutes(*router_).isOk());
    ASSERT_TRUE(registerServiceRoutes(*router_, metrics_).isOk());
    const char* source = std::getenv("CARDLINE_SOURCE_DIR");
    ASSERT_NE(source, nullptr) << "CARDLINE_SOURCE_DIR is not set (run through ctest)";
    // Intake over HTTP, with the real engine; the submitter runs each command in its own
    // transaction on the calling thread (the line controller does the same on its thread).
    auto reference = ReferenceData::loadFromDirectory(std::string(source) + "/etc/reference");
    ASSERT_TRUE(reference.isOk()) << reference.status().toString();
    reference_ = std::make_unique<ReferenceData>(std::move(reference).value());
    auto files = workflowFilesIn(std::string(source) + "/workflows");
    ASSERT_TRUE(files.isOk());
    auto catalog = loadWorkflowCatalog(*files);
    ASSERT_TRUE(catalog.isOk()) << catalog.status().toString();
    catalog_ = std::make_unique<WorkflowCatalog>(std::move(catalog).value());
    engine_ = std::make_unique<Engine>(*catalog_, clock_, EngineOptions{});
    ASSERT_TRUE(registerApplicationsRoutes(
                    *router_, *reference_, clock_,
                    [this](std::function<Status(StoreTransaction&, Engine&)> command) {
                      std::promise<Status> done;
                      done.set_value(store_->transact(
                          [&](StoreTransaction& tx) { return command(tx, *engine_); }));
                      return done.get_future();
                    },
                    ApplicationsApiOptions{})
                    .isOk());
    supervisor_commands_ = std::make_unique<SubmittedSupervisorCommands>(
        [this](std::function<Status(StoreTransaction&, Engine&)> command) {
          std::promise<Status> done;
          done.set_value(
              store_->transact([&](StoreTransaction& tx) { return command(tx, *engine_); }));
          return done.get_future();
        });
    SupervisorApiOptions supervisor_options;
    supervisor_options.clock = &clock_;
    supervisor_ = std::make_unique<SupervisorApi>(*store_, *audit_, *supervisor_commands_,
                                                  FaultClearer{}, supervisor_options);
    ASSERT_TRUE(supervisor_->registerRoutes(*router_).isOk());
    // Live event streams on a clock of their own: each poll waits 100 ms and moves that clock
    // on by the poll interval, so snapshots (and the check that the client is still there)
    // come every few hundred milliseconds without touching the sessions' clock.
    events_ = std::make_unique<EventsApi>(
        *store_, events_clock_, LiveDeviceSource{}, EventsApiOptions{},
        [this](std::chrono::milliseconds interval) {
          if (stopping_) {  // end every stream at its next poll (past max_connection)
            events_clock_.advanceMillis(3600 * 1000);
            return;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          events_clock_.advanceMillis(interval.count());
        });
    ASSERT_TRUE(events_->registerRoutes(*router_).isOk());
    static_files_ = std::make_unique<StaticFiles>(std::string(source) + "/web");
    router_->setGetFallback([this](const HttpRequest& r) { return static_files_->serve(r); });
    server_ = std::make_unique<HttpServer>(*router_);
    Status started = server_->start(0);
    ASSERT_TRUE(started.isOk()) << started.toString();
    ASSERT_GT(server_->port(), 0);

    ASSERT_TRUE(accounts_->addUser("admin", "Quản trị", {Role::kAdmin}, kAdminPassword, "system")
                    .isOk());
    ASSERT_TRUE(accounts_->addUser("lan", "Trần Thị Lan", {Role::kOperator}, kOperatorPassword,
                                   "system")
                    .isOk());
    ASSERT_TRUE(accounts_->addUser("kiem", "Kiểm toán", {Role::kAuditor}, kAuditorPassword,
                                   "system")
                    .isOk());
  }

  void TearDown() override {
    // Streams run on the server's threads and use the store and the clock: end them all
    // before those go.
    stopping_ = true;
    if (server_) server_->stop();
    for (int i = 0; i < 1000 && events_ && events_->openStreams() > 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (events_) {
      EXPECT_EQ(events_->openStreams(), 0);
    }
    server_.reset();
    router_.reset();
    store_.reset();
    if (!temp_dir_.empty()) {
      EXPECT_EQ(std::system(("rm -rf '" + temp_dir_ + "'").c_str()), 0);
    }
  }

  Reply call(const std::string& method, const std::string& uri, const std::string& body = "",
             const Login* login = nullptr, const std::string& csrf_override = "-") {
    Poco::Net::HTTPClientSession client("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    if (login != nullptr) {
      request.set("Cookie", std::string(kSessionCookie) + "=" + login->cookie);
      const std::string csrf = csrf_override == "-" ? login->csrf : csrf_override;
      if (!csrf.empty()) request.set("X-CSRF-Token", csrf);
    }
    if (!body.empty()) request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    client.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = client.receiveResponse(response);
    Reply reply;
    reply.status = static_cast<int>(response.getStatus());
    reply.reason = response.getReason();
    Poco::StreamCopier::copyToString(in, reply.body);
    reply.content_type = response.getContentType();
    reply.set_cookie = response.get("Set-Cookie", "");
    reply.allow = response.get("Allow", "");
    return reply;
  }

  Login login(const std::string& user, const std::string& password) {
    Reply reply = call("POST", "/api/v1/session",
                       "{\"name\":\"" + user + "\",\"password\":\"" + password + "\"}");
    EXPECT_EQ(reply.status, 200) << reply.body;
    Login result;
    const std::string prefix = std::string(kSessionCookie) + "=";
    const auto start = reply.set_cookie.find(prefix);
    EXPECT_EQ(start, 0u) << reply.set_cookie;
    if (start != 0) return result;
    result.cookie = reply.set_cookie.substr(prefix.size(),
                                            reply.set_cookie.find(';') - prefix.size());
    result.csrf = reply.json()->getValue<std::string>("csrf_token");
    return result;
  }

  std::vector<std::string> auditActions() {
    std::vector<std::string> actions;
    auto entries = audit_->list(0, 1000);
    EXPECT_TRUE(entries.isOk());
    for (const auto& e : *entries) actions.push_back(e.action + " " + e.subject);
    return actions;
  }

  FakeClock clock_;
  std::unique_ptr<AesGcmPiiProtector> pii_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<HmacAuditKey> audit_key_;
  std::unique_ptr<AuditTrail> audit_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<SessionTable> sessions_;
  std::unique_ptr<SessionAuthenticator> authenticator_;
  MetricsRegistry metrics_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<AccessApi> api_;
  FakeClock events_clock_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<EventsApi> events_;
  std::unique_ptr<StaticFiles> static_files_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<ReferenceData> reference_;
  std::unique_ptr<WorkflowCatalog> catalog_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<SubmittedSupervisorCommands> supervisor_commands_;
  std::unique_ptr<SupervisorApi> supervisor_;
  std::string temp_dir_;
};

TEST_F(HttpApiTest, LoginSetsAStrictHttpOnlyCookieAndMeWorks) {
  Reply reply = call("POST", "/api/v1/session",
                     std::string("{\"name\":\"lan\",\"password\":\"") + kOperatorPassword + "\"}");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_NE(reply.set_cookie.find("HttpOnly"), std::string::npos) << reply.set_cookie;
  EXPECT_NE(reply.set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(reply.set_cookie.find("Path=/"), std::string::npos);
  EXPECT_EQ(reply.json()->getValue<std::string>("csrf_token").size(), 32u);
  EXPECT_EQ(reply.body.find("password"), std::string::npos);

  Login lan = login("lan", kOperatorPassword);
  Reply me = call("GET", "/api/v1/me", "", &lan);
  ASSERT_EQ(me.status, 200) << me.body;
  auto json = me.json();
  EXPECT_EQ(json->getValue<std::string>("name"), "lan");
  EXPECT_EQ(json->getValue<std::string>("display_name"), "Trần Thị Lan");
  EXPECT_EQ(json->getValue<std::string>("csrf_token"), lan.csrf);
  EXPECT_EQ(json->getValue<std::string>("personal_data"), "masked");
  EXPECT_EQ(call("GET", "/api/v1/me").status, 401);
}

TEST_F(HttpApiTest, BadPasswordIsAGeneric401) {
  Reply bad = call("POST", "/api/v1/session", "{\"name\":\"lan\",\"password\":\"nope nope\"}");
  Reply unknown = call("POST", "/api/v1/session", "{\"name\":\"ghost\",\"password\":\"x\"}");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(bad.body, unknown.body);  // no user enumeration
  EXPECT_TRUE(bad.set_cookie.empty());
  EXPECT_EQ(call("POST", "/api/v1/session", "{not json").status, 400);
}

TEST_F(HttpApiTest, BruteForceLocksTheAccountAndIsAudited) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(call("POST", "/api/v1/session", "{\"name\":\"lan\",\"password\":\"guess " +
                                                  std::to_string(i) + "\"}")
                  .status,
              401);
  }
  Reply right = call("POST", "/api/v1/session",
                     std::string("{\"name\":\"lan\",\"password\":\"") + kOperatorPassword + "\"}");
  EXPECT_EQ(right.status, 401) << "a locked account must not log in";
  // Its owner (who knows the password) is told why — the page shows "account locked".
  EXPECT_NE(right.body.find("locked"), std::string::npos) << right.body;
  Reply wrong = call("POST", "/api/v1/session", "{\"name\":\"lan\",\"password\":\"guess\"}");
  EXPECT_EQ(wrong.body.find("locked"), std::string::npos) << wrong.body;

  Login auditor = login("kiem", kAuditorPassword);
  Reply trail = call("GET", "/api/v1/audit?after=0&limit=1000", "", &auditor);
  ASSERT_EQ(trail.status, 200) << trail.body;
  auto entries = trail.json()->getArray("entries");
  int failed = 0;
  int locked = 0;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    auto entry = entries->getObject(static_cast<unsigned>(i));
    if (entry->getValue<std::string>("subject") != "user:lan") continue;
    const std::string action = entry->getValue<std::string>("action");
    if (action == "user.login_failed") ++failed;
    if (action == "user.locked") ++locked;
  }
  EXPECT_EQ(failed, 7);  // 5 guesses, the right password while locked, one more guess
  EXPECT_EQ(locked, 1);

  clock_.advanceMillis(15 * 60 * 1000 + 1);
  login("lan", kOperatorPassword);  // the lock has expired
}

TEST_F(HttpApiTest, ExpiredSessionIs401) {
  Login lan = login("lan", kOperatorPassword);
  ASSERT_EQ(call("GET", "/api/v1/me", "", &lan).status, 200);
  clock_.advanceMillis(16 * 60 * 1000);  // past the 15-minute idle timeout
  Reply expired = call("GET", "/api/v1/me", "", &lan);
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("unauthenticated"), std::string::npos);
}

TEST_F(HttpApiTest, StateChangeWithoutCsrfTokenIs403) {
  Login admin = login("admin", kAdminPassword);
  const std::string body =
      "{\"name\":\"minh\",\"display_name\":\"Minh\",\"roles\":[\"supervisor\"],"
      "\"password\":\"giám-sát-viên-2026\"}";
  EXPECT_EQ(call("POST", "/api/v1/users", body, &admin, "").status, 403);
  EXPECT_EQ(call("POST", "/api/v1/users", body, &admin, "0123456789abcdef0123456789abcdef").status,
            403);
  EXPECT_EQ(call("DELETE", "/api/v1/session", "", &admin, "").status, 403);
  Reply added = call("POST", "/api/v1/users", body, &admin);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json()->getValue<std::string>("name"), "minh");
  EXPECT_EQ(call("POST", "/api/v1/users", body, &admin).status, 409);
}

TEST_F(HttpApiTest, WrongRoleIs403) {
  Login lan = login("lan", kOperatorPassword);
  EXPECT_EQ(call("GET", "/api/v1/users", "", &lan).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/audit", "", &lan).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/audit/verify", "", &lan).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/users/admin/disable", "", &lan).status, 403);
  // Object level: an operator may change only their own password.
  EXPECT_EQ(call("POST", "/api/v1/users/admin/password", "{\"password\":\"taken-over-2026\"}",
                 &lan)
                .status,
            403);
  EXPECT_EQ(call("POST", "/api/v1/users/lan/password",
                 "{\"password\":\"mật-khẩu-mới-2026\",\"current_password\":\"wrong\"}", &lan)
                .status,
            403);
  EXPECT_EQ(call("POST", "/api/v1/users/lan/password",
                 std::string("{\"password\":\"mật-khẩu-mới-2026\",\"current_password\":\"") +
                     kOperatorPassword + "\"}",
                 &lan)
                .status,
            200);
  Login admin = login("admin", kAdminPassword);
  EXPECT_EQ(call("GET", "/api/v1/users", "", &admin).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/audit", "", &admin).status, 200);
}

TEST_F(HttpApiTest, LogoutAndDisableEndSessions) {
  Login lan = login("lan", kOperatorPassword);
  Reply out = call("DELETE", "/api/v1/session", "", &lan);
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_NE(out.set_cookie.find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/me", "", &lan).status, 401);

  Login again = login("lan", kOperatorPassword);
  Login admin = login("admin", kAdminPassword);
  Reply disabled = call("POST", "/api/v1/users/lan/disable", "", &admin);
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(call("GET", "/api/v1/me", "", &again).status, 401);
  EXPECT_EQ(call("POST", "/api/v1/session",
                 std::string("{\"name\":\"lan\",\"password\":\"") + kOperatorPassword + "\"}")
                .status,
            401);
  EXPECT_EQ(call("POST", "/api/v1/users/admin/disable", "", &admin).status, 409);

  // Disabled from another process (the CLI): the next request notices.
  Login kiem = login("kiem", kAuditorPassword);
  ASSERT_TRUE(accounts_->disable("kiem", "system").isOk());
  EXPECT_EQ(call("GET", "/api/v1/me", "", &kiem).status, 401);
}

TEST_F(HttpApiTest, AuditVerifyOverHttpNamesTampering) {
  Login auditor = login("kiem", kAuditorPassword);
  Reply ok = call("POST", "/api/v1/audit/verify", "", &auditor);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_TRUE(ok.json()->getValue<bool>("intact"));
  EXPECT_EQ(call("GET", "/api/v1/audit/verify", "", &auditor).status, 405);

  StoreOptions options;
  options.backend = StoreBackend::kSqlite;
  options.sqlite_path = temp_dir_ + "/cardline.db";
  auto db = openSqlConnection(options);
  ASSERT_TRUE(db.isOk());
  ASSERT_TRUE((*db)->executeDirect("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 2")
                  .isOk());
  Reply bad = call("POST", "/api/v1/audit/verify", "", &auditor);
  ASSERT_EQ(bad.status, 200) << bad.body;
  EXPECT_FALSE(bad.json()->getValue<bool>("intact"));
  EXPECT_EQ(bad.json()->getValue<int>("first_bad_seq"), 2);
  EXPECT_EQ(bad.json()->getValue<std::string>("problem"), "altered");
}

TEST_F(HttpApiTest, UnknownRouteIsJson404AndWrongMethodIs405) {
  Reply missing = call("GET", "/api/v1/no-such-thing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.content_type.find("application/json"), std::string::npos);
  EXPECT_NE(missing.body.find("\"error\""), std::string::npos);
  Reply post_missing = call("POST", "/api/v1/no-such-thing", "{}");
  EXPECT_EQ(post_missing.status, 404);
  Reply wrong = call("GET", "/api/v1/session");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_NE(wrong.allow.find("POST"), std::string::npos);
  EXPECT_EQ(call("PUT", "/api/v1/me").status, 405);
}

TEST_F(HttpApiTest, StaticFilesAndPathTraversal) {
  Reply index = call("GET", "/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  Reply login_page = call("GET", "/login.html");
  EXPECT_EQ(login_page.status, 200);
  EXPECT_NE(login_page.body.find("Đăng nhập"), std::string::npos);
  for (const std::string uri : {"/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt",
                                "/css/..%2f..%2fCMakeLists.txt", "/..%2fmes%2fbase%2fstatus.h",
                                "/%2e%2e/%2e%2e/etc/passwd"}) {
    Reply r = call("GET", uri);
    EXPECT_NE(r.status, 200) << uri;
    EXPECT_EQ(r.body.find("cmake_minimum_required"), std::string::npos) << uri;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << uri;
  }
}

TEST_F(HttpApiTest, MetricsInPrometheusFormat) {
  call("GET", "/api/v1/me");
  Reply metrics = call("GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NE(metrics.body.find("cardline_http_requests_total{method=\"GET\",route=\"/api/v1/me\","
                              "status=\"401\"} 1"),
            std::string::npos)
      << metrics.body;
}

// Every route this fixture's router has is in the OpenAPI document served over HTTP. (The other
// direction needs every route group: `cardline serve` checks both ways at start-up with
// checkOpenApiMatches, so every test that starts a server checks the whole composition.)
TEST_F(HttpApiTest, OpenApiDocumentCoversTheRouter) {
  Reply reply = call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(reply.status, 200);
  auto paths = reply.json()->getObject("paths");
  ASSERT_FALSE(paths.isNull());
  std::set<std::string> documented;
  for (const auto& [path, item] : *paths) {
    auto operations = item.extract<Poco::JSON::Object::Ptr>();
    for (const auto& [method, operation] : *operations) {
      if (method == "parameters" || method == "summary") continue;
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + path);
    }
  }
  std::set<std::string> routed;
  for (const RouteInfo& route : router_->routes()) {
    routed.insert(std::string(name(route.method)) + " " + route.pattern);
  }
  for (const auto& r : routed) EXPECT_TRUE(documented.count(r)) << r << " is not documented";
  EXPECT_GE(routed.size(), 12u);
  // The same parse in the library agrees with this one.
  const std::vector<std::string> from_library = documentedRoutes();
  EXPECT_EQ(std::set<std::string>(from_library.begin(), from_library.end()), documented);
  // And the both-ways check names what is missing.
  Status mismatch = checkOpenApiMatches(*router_);
  EXPECT_EQ(mismatch.code(), ErrorCode::kInternal);
  EXPECT_NE(mismatch.message().find("documented but not served: GET /api/v1/track"),
            std::string::npos) << mismatch.message();
}

// POST /api/v1/applications: the intake validation over HTTP, every problem by field, the
// accepted record imported with its workflow started, a repeat harmless, roles and CSRF checked.
TEST_F(HttpApiTest, ApplicationsAreImportedWithTheSameValidationAsTheCommand) {
  GenerateOptions generate;
  generate.count = 2;
  generate.seed = 42;
  std::stringstream lines;
  ASSERT_TRUE(generateApplications(generate, *reference_, lines).isOk());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  // Break the second record: a personal number with an unknown province code.
  const auto at = second.find("\"personal_number\":\"");
  ASSERT_NE(at, std::string::npos);
  second.replace(at + 19, 3, "003");
  const std::string body = "[" + first + "," + second + "]";

  Login admin = login("admin", kAdminPassword);
  // Wrong role: an operator may not import; no CSRF token: refused too.
  Login lan = login("lan", kOperatorPassword);
  EXPECT_EQ(call("POST", "/api/v1/applications", body, &lan).status, 403);
  EXPECT_EQ(call("POST", "/api/v1/applications", body, &admin, "").status, 403);

  Reply reply = call("POST", "/api/v1/applications", body, &admin);
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto json = reply.json();
  EXPECT_EQ(json->getValue<int>("accepted"), 1);
  EXPECT_EQ(json->getValue<int>("rejected"), 1);
  auto records = json->getArray("records");
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ(records->getObject(0)->getValue<std::string>("result"), "imported");
  auto problems = records->getObject(1)->getArray("problems");
  ASSERT_GE(problems->size(), 1u);
  EXPECT_EQ(problems->getObject(0)->getValue<std::string>("field"), "personal_number");
  EXPECT_NE(problems->getObject(0)->getValue<std::string>("message").find("003"),
            std::string::npos);

  // The accepted application is stored and its workflow started (a print job waits).
  const std::string id = records->getObject(0)->getValue<std::string>("application_id");
  std::int64_t ready = 0;
  ASSERT_TRUE(store_->transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(Application a, tx.applications().find(id));
    EXPECT_FALSE(a.workflow.empty());
    CARDLINE_ASSIGN_OR_RETURN(ready, tx.jobs().count(StationType::kPrint, JobState::kReady));
    return Status::ok();
  }).isOk());
  EXPECT_EQ(ready, 1);

  // The same body again: the accepted one is a harmless duplicate.
  Reply again = call("POST", "/api/v1/applications", body, &admin);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()->getValue<int>("duplicates"), 1);
  EXPECT_EQ(again.json()->getValue<int>("accepted"), 0);

  // Not JSON: the record's problem says so, like a broken line of a JSON Lines file.
  Reply broken = call("POST", "/api/v1/applications", "{not json", &admin);
  EXPECT_EQ(broken.status, 422) << broken.body;
  EXPECT_EQ(broken.json()->getValue<int>("rejected"), 1);
  // An empty body is no request at all.
  EXPECT_EQ(call("POST", "/api/v1/applications", " ", &admin).status, 400);
}

TEST_F(HttpApiTest, AnOperatorRejectsACardByItsSerial) {
  GenerateOptions generate;
  generate.count = 1;
  generate.seed = 11;
  std::stringstream lines;
  ASSERT_TRUE(generateApplications(generate, *reference_, lines).isOk());
  std::string record;
  std::getline(lines, record);
  Login admin = login("admin", kAdminPassword);
  Reply imported = call("POST", "/api/v1/applications", record, &admin);
  ASSERT_EQ(imported.status, 200) << imported.body;
  const std::string id =
      imported.json()->getArray("records")->getObject(0)->getValue<std::string>("application_id");
  // The print station reports its card S-100 (as the line controller would apply it).
  ASSERT_TRUE(store_->transact([&](StoreTransaction& tx) -> Status {
                CARDLINE_ASSIGN_OR_RETURN(std::vector<StationJob> ready,
                                          tx.jobs().lockReady(StationType::kPrint, 1));
                if (ready.empty()) return notFound("no print job");
                CARDLINE_RETURN_IF_ERROR(tx.jobs().leaseJob(ready[0].id, "P1", "node-1",
                                                            clock_.now().plusSeconds(60)));
                StationResult r{ready[0].id, ready[0].attempt, "P1", "ok", "S-100", ""};
                return engine_->applyResult(tx, r).status();
              }).isOk());

  Login lan = login("lan", kOperatorPassword);
  EXPECT_EQ(call("POST", "/api/v1/cards/S-100/reject", R"({"reason":"visible_damage"})", &lan)
                .status,
            400);
  EXPECT_EQ(call("POST", "/api/v1/cards/NOPE/reject",
                 R"({"reason":"visible_damage","station":"encode"})", &lan)
                .status,
            404);
  Login kiem = login("kiem", kAuditorPassword);
  EXPECT_EQ(call("POST", "/api/v1/cards/S-100/reject",
                 R"({"reason":"visible_damage","station":"encode"})", &kiem)
                .status,
            403);
  Reply rejected = call("POST", "/api/v1/cards/S-100/reject",
                        R"({"reason":"visible_damage","station":"encode"})", &lan);
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(rejected.json()->getValue<std::string>("application_id"), id);
  EXPECT_EQ(rejected.json()->getValue<std::string>("from_step"), "encode");
  EXPECT_EQ(rejected.json()->getValue<std::string>("to_step"), "print");
  // Rejected once: the card is no longer in the line.
  Reply again = call("POST", "/api/v1/cards/S-100/reject",
                     R"({"reason":"visible_damage","station":"encode"})", &lan);
  EXPECT_EQ(again.status, 409) << again.body;

  ASSERT_TRUE(store_->transact([&](StoreTransaction& tx) -> Status {
                CARDLINE_ASSIGN_OR_RETURN(Card card, tx.cards().find("S-100"));
                EXPECT_EQ(card.state, CardState::kSpoiled);
                EXPECT_EQ(card.spoil_reason, "visible_damage");
                CARDLINE_ASSIGN_OR_RETURN(std::int64_t encode,
                                          tx.jobs().count(StationType::kEncode, JobState::kReady));
                EXPECT_EQ(encode, 0);
                CARDLINE_ASSIGN_OR_RETURN(std::int64_t print,
                                          tx.jobs().count(StationType::kPrint, JobState::kReady));
                EXPECT_EQ(print, 1);
                return Status::ok();
              }).isOk());
  const std::vector<std::string> actions = auditActions();
  EXPECT_NE(std::find(actions.begin(), actions.end(), "card.reject S-100"), actions.end());
}

TEST_F(HttpApiTest, BreachesListApplicationsPastTheirDeadlineMostOverdueFirst) {
  GenerateOptions generate;
  generate.count = 2;
  generate.seed = 7;
  std::stringstream lines;
  ASSERT_TRUE(generateApplications(generate, *reference_, lines).isOk());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  Login admin = login("admin", kAdminPassword);
  ASSERT_EQ(call("POST", "/api/v1/applications", first, &admin).status, 200);
  clock_.advanceMillis(600 * 1000);  // the second one arrives ten minutes later
  ASSERT_EQ(call("POST", "/api/v1/applications", second, &admin).status, 200);

  Login lan = login("lan", kOperatorPassword);
  Reply in_time = call("GET", "/api/v1/breaches", "", &lan);
  ASSERT_EQ(in_time.status, 200) << in_time.body;
  EXPECT_EQ(in_time.json()->getArray("breaches")->size(), 0u) << in_time.body;

  // Three days later neither is printed: both broke receipt -> print (2 days), the first
  // one ten minutes more than the second.
  clock_.advanceMillis(3LL * 24 * 3600 * 1000);
  Login lan_again = login("lan", kOperatorPassword);  // the old session idled out
  Reply late = call("GET", "/api/v1/breaches", "", &lan_again);
  ASSERT_EQ(late.status, 200) << late.body;
  auto breaches = late.json()->getArray("breaches");
  ASSERT_EQ(breaches->size(), 2u) << late.body;
  auto most = breaches->getObject(0);
  auto less = breaches->getObject(1);
  EXPECT_EQ(most->getValue<std::string>("level"), "receipt_to_print");
  EXPECT_EQ(most->getValue<std::int64_t>("overdue_seconds") -
                less->getValue<std::int64_t>("overdue_seconds"),
            600);
  EXPECT_EQ(late.json()->getValue<std::string>("personal_data"), "masked");
  EXPECT_FALSE(late.json()->getValue<bool>("truncated"));

  Reply one = call("GET", "/api/v1/breaches?limit=1", "", &lan_again);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json()->getArray("breaches")->size(), 1u);
  EXPECT_TRUE(one.json()->getValue<bool>("truncated"));
  EXPECT_EQ(one.json()->getArray("breaches")->getObject(0)->getValue<std::string>(
                "application_id"),
            most->getValue<std::string>("application_id"));

  EXPECT_EQ(call("GET", "/api/v1/breaches?limit=0", "", &lan_again).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/breaches?limit=x", "", &lan_again).status, 400);
  Login kiem = login("kiem", kAuditorPassword);  // auditors do not watch the queue
  EXPECT_EQ(call("GET", "/api/v1/breaches", "", &kiem).status, 403);
}

TEST_F(HttpApiTest, ErrorStatusLinesCarryTheirReasonPhrase) {
  Reply missing = call("GET", "/api/v1/no-such-thing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.reason, "Not Found");
  Reply anonymous = call("GET", "/api/v1/me");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.reason, "Unauthorized");
  EXPECT_EQ(call("GET", "/metrics").reason, "OK");
}

// The held list credits a hold to whoever made it, not to the newest event of the
// application (a device's superseded result arriving after the supervisor's hold).
TEST_F(HttpApiTest, HeldListCreditsTheHoldToItsActor) {
  ASSERT_TRUE(accounts_->addUser("sup", "Giám sát", {Role::kSupervisor}, kAdminPassword,
                                 "system")
                  .isOk());
  GenerateOptions generate;
  generate.count = 1;
  generate.seed = 12;
  std::stringstream lines;
  ASSERT_TRUE(generateApplications(generate, *reference_, lines).isOk());
  std::string record;
  std::getline(lines, record);
  Login sup = login("sup", kAdminPassword);
  Reply imported = call("POST", "/api/v1/applications", record, &sup);
  ASSERT_EQ(imported.status, 200) << imported.body;
  const std::string id =
      imported.json()->getArray("records")->getObject(0)->getValue<std::string>("application_id");
  Reply held = call("POST", "/api/v1/applications/" + id + "/hold",
                    "{\"reason\":\"check the photo\"}", &sup);
  ASSERT_EQ(held.status, 200) << held.body;
  ASSERT_TRUE(store_->transact([&](StoreTransaction& tx) -> Status {
                Event late;
                late.at = clock_.now();
                late.subject_type = "application";
                late.subject_id = id;
                late.kind = "result_superseded";
                late.actor = "device:print-1";
                late.detail = "{}";
                return tx.events().append(late);
              }).isOk());
  Reply list = call("GET", "/api/v1/applications?state=held", "", &sup);
  ASSERT_EQ(list.status, 200) << list.body;
  auto first = list.json()->getArray("applications")->getObject(0);
  ASSERT_FALSE(first.isNull()) << list.body;
  EXPECT_EQ(first->getValue<std::string>("held_by"), "sup") << list.body;
  EXPECT_EQ(first->getValue<std::string>("reason"), "check the photo") << list.body;
}

// A factory floor of screens: 16 sessions with 4 live streams each (64 streams) stay open
// while pages answer; a session's fifth stream is refused (per session, not per server).
TEST_F(HttpApiTest, SixtyFourLiveStreamsAndPagesAnswer) {
  struct OpenStream {
    std::unique_ptr<Poco::Net::HTTPClientSession> client;
    Poco::Net::HTTPResponse response;
  };
  std::vector<Login> logins;
  for (int i = 0; i < 16; ++i) logins.push_back(login("lan", kOperatorPassword));
  auto open = [&](const Login& who) {
    auto stream = std::make_unique<OpenStream>();
    stream->client = std::make_unique<Poco::Net::HTTPClientSession>(
        "127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    Poco::Net::HTTPRequest request("GET", "/api/v1/events/stream",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Cookie", std::string(kSessionCookie) + "=" + who.cookie);
    stream->client->sendRequest(request);
    stream->client->receiveResponse(stream->response);
    return stream;
  };
  std::vector<std::unique_ptr<OpenStream>> streams;
  for (const Login& who : logins) {
    for (int i = 0; i < 4; ++i) {
      streams.push_back(open(who));
      EXPECT_EQ(streams.back()->response.getStatus(), Poco::Net::HTTPResponse::HTTP_OK);
    }
  }
  ASSERT_EQ(streams.size(), 64u);
  auto fifth = open(logins[0]);
  EXPECT_EQ(fifth->response.getStatus(), Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(call("GET", "/api/v1/me", "", &logins[1]).status, 200);
    EXPECT_EQ(call("GET", "/index.html").status, 200);
  }
  for (auto& stream : streams) stream->client->abort();
}

// A screen whose only traffic is the live stream idles out: opening the stream does not
// count as activity.
TEST_F(HttpApiTest, ASessionWhoseOnlyTrafficIsTheStreamIdlesOut) {
  Login lan = login("lan", kOperatorPassword);
  auto openStream = [&] {
    Poco::Net::HTTPClientSession client("127.0.0.1",
                                        static_cast<Poco::UInt16>(server_->port()));
    Poco::Net::HTTPRequest request("GET", "/api/v1/events/stream",
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Cookie", std::string(kSessionCookie) + "=" + lan.cookie);
    client.sendRequest(request);
    Poco::Net::HTTPResponse response;
    client.receiveResponse(response);
    const int status = static_cast<int>(response.getStatus());
    client.abort();
    return status;
  };
  clock_.advanceMillis(10 * 60 * 1000);
  EXPECT_EQ(openStream(), 200);
  clock_.advanceMillis(6 * 60 * 1000);  // 16 minutes since the last page request
  EXPECT_EQ(openStream(), 401);
  EXPECT_EQ(call("GET", "/api/v1/me", "", &lan).status, 401);
}

// Sixteen clients that start requests and never finish them (partial bodies with a
// Content-Length, and bodies without one), held open: the pages still answer while they hang
// on (long before the server's read timeout ends them).
TEST_F(HttpApiTest, PagesAnswerWhileSixteenSlowClientsHangOn) {
  std::vector<std::unique_ptr<Poco::Net::StreamSocket>> slow;
  for (int i = 0; i < 16; ++i) {
    auto socket = std::make_unique<Poco::Net::StreamSocket>(
        Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server_->port())));
    const std::string start =
        i % 2 == 0 ? "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     "application/json\r\nContent-Length: 100000\r\n\r\n{\"name\":"
                   : "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     "application/json\r\n\r\n{\"name\":";
    socket->sendBytes(start.data(), static_cast<int>(start.size()));
    slow.push_back(std::move(socket));
  }
  for (int i = 0; i < 5; ++i) {
    Reply health = call("GET", "/metrics");
    EXPECT_EQ(health.status, 200) << health.body;
    Reply page = call("GET", "/index.html");
    EXPECT_EQ(page.status, 200);
  }
  for (auto& socket : slow) socket->close();
}

}  // namespace
}  // namespace cardline
