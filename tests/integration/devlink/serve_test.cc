// The device protocol proven end to end against a real `cardline serve` process: the Python
// device written from PROTOCOL.md alone works the print station, cardline-device simulators
// work encode, qa and dispatch, imported applications reach in_transit. With CURVE an
// unknown key is refused, logged and audited (the audit chain stays intact); the device
// registry and the queues are read over HTTP by logged-in users.
//
// Everything runs as child processes on 127.0.0.1 with free ports, in a temporary directory;
// waits are bounded polls of observable state (files, the database, HTTP), never sleeps as
// synchronisation and never timing assertions.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "devices/runtime/curve_keys.h"

namespace cardline::testing {
namespace {

namespace fs = std::filesystem;
using JsonObject = Poco::JSON::Object::Ptr;

constexpr auto kDeadline = std::chrono::seconds(90);  // generous: CI machines are shared
constexpr int kApplications = 6;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Polls condition every 20 ms until it holds or kDeadline passes; returns the last answer.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, not synchronising
  }
  return condition();
}

// A child process with stdout and stderr in a log file; SIGKILLed and reaped on destruction
// if still running.
class Child {
 public:
  Child(std::vector<std::string> argv, const fs::path& log) : log_(log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      std::_Exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void signal(int sig) const { ::kill(pid_, sig); }
  bool running() {
    if (exited_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return !exited_;
  }
  // The exit status (or 128 + signal); -1 when it did not exit before the deadline.
  int wait() {
    if (!eventually([&] { return !running(); })) return -1;
    return exit_code_;
  }
  std::string output() const { return readFile(log_); }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

struct HttpResult {
  int status = 0;
  std::string body;
  std::vector<std::string> cookies;  // Set-Cookie values
};

HttpResult httpCall(int port, const std::string& method, const std::string& path,
                    const std::map<std::string, std::string>& headers,
                    const std::string& body) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) request.set(k, v);
  if (!body.empty()) {
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpResult out;
  out.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, out.body);
  for (auto it = response.find("Set-Cookie"); it != response.end() && it->first == "Set-Cookie";
       ++it) {
    out.cookies.push_back(it->second);
  }
  return out;
}

JsonObject parseObject(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<JsonObject>();
}

// A logged-in HTTP user (session cookie + CSRF token).
class HttpUser {
 public:
  HttpUser(int port, const std::string& name, const std::string& password) : port_(port) {
    HttpResult login = httpCall(port, "POST", "/api/v1/session", {},
                                "{\"name\":\"" + name + "\",\"password\":\"" + password + "\"}");
    status_ = login.status;
    for (const std::string& c : login.cookies) {
      if (c.rfind("cardline_session=", 0) == 0) cookie_ = c.substr(0, c.find(';'));
    }
    if (status_ == 200) csrf_ = parseObject(login.body)->getValue<std::string>("csrf_token");
  }
  int loginStatus() const { return status_; }
  HttpResult get(const std::string& path) const {
    return httpCall(port_, "GET", path, {{"Cookie", cookie_}}, "");
  }
  HttpResult post(const std::string& path, const std::string& body) const {
    return httpCall(port_, "POST", path, {{"Cookie", cookie_}, {"X-CSRF-Token", csrf_}}, body);
  }

 private:
  int port_;
  int status_ = 0;
  std::string cookie_;
  std::string csrf_;
};

enum class Security { kCurve, kPlain };

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = env("CARDLINE_SOURCE_DIR");
    binary_ = env("CARDLINE_BINARY_DIR");
    ASSERT_FALSE(source_.empty()) << "run through ctest (CARDLINE_SOURCE_DIR is not set)";
    ASSERT_TRUE(fs::exists(kPython)) << "the Python device needs Debian's /usr/bin/python3";
    dir_ = fs::temp_directory_path() /
           ("cardline-serve-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    data_ = (dir_ / "data").string();
    keys_ = (dir_ / "devkeys").string();
  }
  void TearDown() override {
    if (HasFailure()) {
      for (const auto& [name, child] : children_) {
        std::cerr << "---- " << name << " ----\n" << child->output() << "\n";
      }
    }
    children_.clear();  // kills what still runs
    serve_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::string cardline() const { return binary_ + "/mes/app/cardline"; }
  std::string cardlineDevice() const { return binary_ + "/devices/app/cardline-device"; }
  std::string pythonDevice() const {
    return source_ + "/tests/integration/devlink/python_device.py";
  }
  // --data-dir (and --config for plain TCP) for every cardline command.
  std::vector<std::string> nodeArgs() const {
    std::vector<std::string> out = {"--data-dir", data_};
    if (security_ == Security::kPlain) {
      out.push_back("--config");
      out.push_back((dir_ / "plain.yaml").string());
    }
    return out;
  }

  // Runs a command to completion; returns its exit status and leaves its output in *output.
  int run(const std::string& label, std::vector<std::string> argv, std::string* output = nullptr,
          const std::vector<std::string>& extra = {}) {
    argv.insert(argv.end(), extra.begin(), extra.end());
    Child child(argv, dir_ / (label + ".log"));
    int code = child.wait();
    if (output != nullptr) *output = child.output();
    if (code != 0) std::cerr << label << " exited " << code << ":\n" << child.output() << "\n";
    return code;
  }
  Child& spawn(const std::string& label, const std::vector<std::string>& argv) {
    auto child = std::make_unique<Child>(argv, dir_ / (label + ".log"));
    Child& ref = *child;
    children_.emplace_back(label, std::move(child));
    return ref;
  }

  // A migrated database with kApplications imported applications and two accounts:
  // "shift-sup" (supervisor: queue.view) and "auditor-1" (auditor: audit.read).
  void prepareLine(Security security) {
    security_ = security;
    if (security == Security::kPlain) {
      std::ofstream(dir_ / "plain.yaml") << "devices:\n  security: plain\n";
    }
    ASSERT_EQ(run("migrate", {cardline(), "migrate"}, nullptr, nodeArgs()), 0);
    ASSERT_EQ(run("pki", {cardline(), "pki", "init"}, nullptr, nodeArgs()), 0);
    const std::string apps = (dir_ / "apps.jsonl").string();
    ASSERT_EQ(run("generate", {cardline(), "generate", "--count", std::to_string(kApplications),
                               "--seed", "7", "--out", apps}),
              0);
    ASSERT_EQ(run("import", {cardline(), "import", apps}, nullptr, nodeArgs()), 0);
    std::ofstream(dir_ / "password") << kPassword;
    const std::vector<std::pair<std::string, std::string>> accounts = {
        {"shift-sup", "supervisor"}, {"auditor-1", "auditor"}, {"op-1", "operator"}};
    for (const auto& [user, role] : accounts) {
      ASSERT_EQ(run("user-" + user,
                    {cardline(), "user", "add", user, "--roles", role, "--password-file",
                     (dir_ / "password").string()},
                    nullptr, nodeArgs()),
                0);
    }
  }

  // cardline-device keygen for id; returns the pair.
  CurveKeyPair keygen(const std::string& id) {
    EXPECT_EQ(run("keygen-" + id, {cardlineDevice(), "keygen", "--id", id, "--key-dir", keys_}),
              0);
    auto pair = readKeyFile(keys_ + "/" + id + ".key_secret");
    EXPECT_TRUE(pair.isOk()) << pair.status().toString();
    return pair.isOk() ? pair.value() : CurveKeyPair{};
  }
  // Generates a key for id and enrols it with `cardline device add`.
  CurveKeyPair enrol(const std::string& id, const std::string& station) {
    CurveKeyPair pair = keygen(id);
    EXPECT_EQ(run("enrol-" + id,
                  {cardline(), "device", "add", id, "--station", station, "--key",
                   keys_ + "/" + id + ".key"},
                  nullptr, nodeArgs()),
              0);
    return pair;
  }

  // Starts `cardline serve` and reads the device endpoint, MES key and HTTP port it prints.
  void startServe() {
    std::vector<std::string> argv = {cardline(), "serve", "--port", "0", "--devices",
                                     "tcp://127.0.0.1:*"};
    for (const std::string& a : nodeArgs()) argv.push_back(a);
    serve_ = std::make_unique<Child>(argv, dir_ / "serve.log");
    const std::regex endpoint(R"(devices connect to (tcp://127\.0\.0\.1:[0-9]+))");
    const std::regex http(R"(API on http://127\.0\.0\.1:([0-9]+)/)");
    const std::regex key(R"(MES public key (\S+) )");
    std::smatch m;
    ASSERT_TRUE(eventually([&] {
      std::string out = serve_->output();
      if (!serve_->running()) return true;  // exited: fail at once below
      if (!std::regex_search(out, m, http)) return false;
      http_port_ = std::stoi(m[1].str());
      if (!std::regex_search(out, m, endpoint)) return false;
      endpoint_ = m[1].str();
      if (std::regex_search(out, m, key)) server_key_ = m[1].str();
      return true;
    })) << serve_->output();
    ASSERT_TRUE(serve_->running()) << serve_->output();
    ASSERT_FALSE(endpoint_.empty()) << serve_->output();
    if (security_ == Security::kCurve) {
      ASSERT_FALSE(server_key_.empty()) << serve_->output();
    }
  }
  // Stops serve with SIGTERM and expects a clean exit.
  void stopServe() {
    serve_->signal(SIGTERM);
    EXPECT_EQ(serve_->wait(), 0) << serve_->output();
  }

  // The Python device for id/station (keys: its own pair, or none with plain TCP).
  Child& startPythonDevice(const std::string& label, const std::string& id,
                           const std::string& station, const CurveKeyPair* keys) {
    std::vector<std::string> argv = {kPython, pythonDevice(), "--connect", endpoint_, "--id", id,
                                     "--station", station};
    if (id == "print-py") {
      std::string serials;
      for (int i = 1; i <= kApplications; ++i) {
        serials += (i > 1 ? "," : "") + std::string("PYB000") + std::to_string(i);
      }
      argv.push_back("--blanks=" + serials);
    }
    if (keys != nullptr) {
      // "=" keeps argparse from reading a key that starts with '-' as an option.
      argv.push_back("--server-key=" + server_key_);
      argv.push_back("--public-key=" + keys->public_key);
      argv.push_back("--secret-key=" + keys->secret_key);
    }
    return spawn(label, argv);
  }
  // A cardline-device simulator for id/station.
  void startSimulator(const std::string& id, const std::string& station,
                      const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {cardlineDevice(), "simulate", "--station", station,
                                     "--id", id, "--connect", endpoint_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (security_ == Security::kPlain) {
      argv.push_back("--plain");
    } else {
      std::ofstream(dir_ / "mes.key") << "public-key = " << server_key_ << "\n";
      argv.insert(argv.end(), {"--server-key", (dir_ / "mes.key").string(), "--key-dir", keys_});
    }
    spawn(id, argv);
  }

  // One integer from the node's SQLite database (read-only; serve keeps writing).
  std::int64_t queryInt(const std::string& sql) const {
    sqlite3* db = nullptr;
    const std::string path = data_ + "/cardline.db";
    std::int64_t value = -1;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 5000);
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        value = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return value;
  }
  std::int64_t applicationsInTransit() const {
    return queryInt("SELECT count(*) FROM applications WHERE step = 'in_transit'");
  }

  // The devices of GET /api/v1/devices by id.
  std::map<std::string, JsonObject> devicesById(const HttpUser& user) const {
    std::map<std::string, JsonObject> out;
    HttpResult r = user.get("/api/v1/devices");
    if (r.status != 200) return out;
    auto devices = parseObject(r.body)->getArray("devices");
    for (std::size_t i = 0; devices && i < devices->size(); ++i) {
      JsonObject d = devices->getObject(static_cast<unsigned>(i));
      out[d->getValue<std::string>("id")] = d;
    }
    return out;
  }

  // Runs the whole line: the Python device on print, simulators on the other stations, and
  // checks that every application reaches in_transit with the Python device's print jobs done.
  // jam_encode_after >= 0: the encode simulator jams on job N+1; an operator clears the fault
  // over HTTP once it shows, and the line finishes.
  void runLineWithPythonPrinter(const CurveKeyPair* python_keys, int jam_encode_after = -1) {
    // Blank accounting: the print device may only consume serials issued to its hopper.
    std::string serials;
    for (int i = 1; i <= kApplications; ++i) {
      serials += (i > 1 ? "," : "") + std::string("PYB000") + std::to_string(i);
    }
    ASSERT_EQ(run("blanks-receive",
                  {cardline(), "blanks", "receive", "--lot", "LOT-PY", "--line", "line-1",
                   "--supplier", "test", "--chip-type", "test-chip", "--model", "cccd-2021",
                   "--serials", serials},
                  nullptr, nodeArgs()),
              0);
    ASSERT_EQ(run("blanks-issue",
                  {cardline(), "blanks", "issue", "--device", "print-py", "--serials", serials},
                  nullptr, nodeArgs()),
              0);
    startServe();
    startPythonDevice("print-py", "print-py", "print", python_keys);
    for (const char* station : {"encode", "qa", "dispatch"}) {
      std::vector<std::string> extra;
      if (std::string(station) == "encode" && jam_encode_after >= 0) {
        extra = {"--jam-after", std::to_string(jam_encode_after)};
      }
      startSimulator(std::string(station) + "-1", station, extra);
    }
    if (jam_encode_after >= 0) {
      HttpUser operator_user(http_port_, "op-1", kPassword);
      ASSERT_EQ(operator_user.loginStatus(), 200);
      ASSERT_TRUE(eventually([&] {
        auto devices = devicesById(operator_user);
        return devices.count("encode-1") &&
               devices["encode-1"]->getValue<std::string>("state") == "fault";
      })) << "encode-1 never reported its jam";
      HttpResult cleared = operator_user.post("/api/v1/devices/encode-1/clear-fault",
                                              R"({"reason":"jammed card removed"})");
      ASSERT_EQ(cleared.status, 200) << cleared.body;
      EXPECT_TRUE(parseObject(cleared.body)->getValue<bool>("forwarded")) << cleared.body;
    }
    ASSERT_TRUE(eventually([&] { return applicationsInTransit() == kApplications; }))
        << "applications in transit: " << applicationsInTransit();
    EXPECT_EQ(queryInt("SELECT count(*) FROM station_jobs WHERE station = 'print' AND "
                       "device_id = 'print-py' AND state = 'done'"),
              kApplications);
    EXPECT_EQ(queryInt("SELECT count(*) FROM station_jobs WHERE state <> 'done'"), 0);

    HttpUser supervisor(http_port_, "shift-sup", kPassword);
    ASSERT_EQ(supervisor.loginStatus(), 200);
    std::map<std::string, JsonObject> devices;
    ASSERT_TRUE(eventually([&] {
      devices = devicesById(supervisor);
      return devices.count("print-py") &&
             devices["print-py"]->getObject("counters")->getValue<int>("jobs_done") ==
                 kApplications;
    }));
    ASSERT_EQ(devices.size(), 4u);
    JsonObject py = devices["print-py"];
    EXPECT_EQ(py->getValue<std::string>("station"), "print");
    EXPECT_EQ(py->getValue<std::string>("state"), "idle");
    EXPECT_TRUE(py->isNull("current_job"));
    EXPECT_EQ(py->getObject("counters")->getValue<int>("jobs_failed"), 0);
    EXPECT_FALSE(py->getValue<std::string>("last_heartbeat").empty());
    for (const char* id : {"encode-1", "qa-1", "dispatch-1"}) {
      ASSERT_TRUE(devices.count(id)) << id;
      EXPECT_NE(devices[id]->getValue<std::string>("state"), "offline") << id;
      EXPECT_EQ(devices[id]->getObject("counters")->getValue<int>("jobs_done"), kApplications)
          << id;
    }

    HttpResult queues = supervisor.get("/api/v1/queues");
    ASSERT_EQ(queues.status, 200) << queues.body;
    auto list = parseObject(queues.body)->getArray("queues");
    ASSERT_EQ(list->size(), 4u);
    for (std::size_t i = 0; i < list->size(); ++i) {
      JsonObject q = list->getObject(static_cast<unsigned>(i));
      // A jammed job is done (outcome aborted) and its retry is a second encode job.
      const std::string station = q->getValue<std::string>("station");
      const int jammed = station == "encode" && jam_encode_after >= 0 ? 1 : 0;
      EXPECT_EQ(q->getValue<int>("done"), kApplications + jammed) << station;
      EXPECT_EQ(q->getValue<int>("ready"), 0);
      EXPECT_EQ(q->getValue<int>("leased"), 0);
    }
  }

  static constexpr char kPython[] = "/usr/bin/python3";
  static constexpr char kPassword[] = "correct horse battery";

  std::string source_, binary_;
  fs::path dir_;
  std::string data_, keys_;
  Security security_ = Security::kCurve;
  std::unique_ptr<Child> serve_;
  std::vector<std::pair<std::string, std::unique_ptr<Child>>> children_;
  std::string endpoint_, server_key_;
  int http_port_ = 0;
};

TEST_F(ServeTest, PythonDeviceWithCurveWorksTheLineAndUnknownKeysAreRefusedAndAudited) {
  ASSERT_NO_FATAL_FAILURE(prepareLine(Security::kCurve));
  CurveKeyPair python_keys = enrol("print-py", "print");
  for (const char* station : {"encode", "qa", "dispatch"}) {
    enrol(std::string(station) + "-1", station);
  }
  CurveKeyPair rogue = keygen("print-rogue");  // never enrolled
  ASSERT_NO_FATAL_FAILURE(runLineWithPythonPrinter(&python_keys));

  // An unknown key: refused at the handshake, logged, audited; never in the registry.
  startPythonDevice("print-rogue", "print-rogue", "print", &rogue);
  HttpUser auditor(http_port_, "auditor-1", kPassword);
  ASSERT_EQ(auditor.loginStatus(), 200);
  JsonObject refused;
  ASSERT_TRUE(eventually([&] {
    HttpResult r = auditor.get("/api/v1/audit?after=0&limit=1000");
    if (r.status != 200) return false;
    auto entries = parseObject(r.body)->getArray("entries");
    for (std::size_t i = 0; entries && i < entries->size(); ++i) {
      JsonObject e = entries->getObject(static_cast<unsigned>(i));
      if (e->getValue<std::string>("action") == "device.refused" &&
          e->getValue<std::string>("detail").find(rogue.public_key) != std::string::npos) {
        refused = e;
        return true;
      }
    }
    return false;
  })) << "no device.refused audit entry for the unknown key";
  EXPECT_EQ(refused->getValue<std::string>("actor"), "system");
  EXPECT_NE(refused->getValue<std::string>("detail").find("127.0.0.1"), std::string::npos)
      << refused->getValue<std::string>("detail");
  EXPECT_NE(serve_->output().find("refused device connection"), std::string::npos);

  HttpUser supervisor(http_port_, "shift-sup", kPassword);
  HttpResult devices = supervisor.get("/api/v1/devices");
  ASSERT_EQ(devices.status, 200);
  EXPECT_EQ(devices.body.find("print-rogue"), std::string::npos);
  EXPECT_GE(parseObject(devices.body)->getObject("link")->getValue<int>("refused_peers"), 1);
  // The auditor's roles do not include queue.view; no session at all is 401.
  EXPECT_EQ(auditor.get("/api/v1/devices").status, 403);
  EXPECT_EQ(httpCall(http_port_, "GET", "/api/v1/devices", {}, "").status, 401);

  children_.clear();
  stopServe();
  std::string verify;
  EXPECT_EQ(run("audit-verify", {cardline(), "audit", "verify"}, &verify, nodeArgs()), 0)
      << verify;
}

TEST_F(ServeTest, PythonDeviceOverPlainTcpWorksTheLine) {
  ASSERT_NO_FATAL_FAILURE(prepareLine(Security::kPlain));
  // Blanks are issued to known devices only; the key is not used over plain TCP.
  enrol("print-py", "print");
  // The encode simulator jams on its third job; the operator clears the fault over HTTP, the
  // device leaves fault and the line finishes (the jammed job was aborted and retried).
  ASSERT_NO_FATAL_FAILURE(runLineWithPythonPrinter(nullptr, 2));
  EXPECT_NE(serve_->output().find("devices.security is plain"), std::string::npos);
  children_.clear();
  stopServe();
}

}  // namespace
}  // namespace cardline::testing
