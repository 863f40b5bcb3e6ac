#include "tests/e2e/fault_scenarios.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/line_steps.h"

namespace cardline::e2e {
namespace {

// One simulated device of the run.
struct DeviceSpec {
  std::string id;
  std::string station;
  std::vector<std::string> options;
};

// "d-<station>" for every station, with deviceOptions(station, 1).
std::vector<DeviceSpec> standardDevices() {
  std::vector<DeviceSpec> devices;
  for (const std::string& station : kStations) {
    devices.push_back(DeviceSpec{"d-" + station, station, deviceOptions(station, 1)});
  }
  return devices;
}

// A one-node line under a fault: its directory, store and processes.
struct FaultRun {
  TempDir root;
  LineSettings line;
  std::string key_dir;
  int applications = 0;
  NodeUnderTest node;
  std::map<std::string, std::size_t> device_index;  // id -> node.devices index
  OpenedStore opened;

  Store& store() { return *opened.store; }
  ChildProcess& device(const std::string& id) { return *node.devices.at(device_index.at(id)); }
  std::string logPath(const std::string& name) const {
    return node.setup.data_dir + "/" + name + ".log";
  }
};

// Prepares the database (backlog of `applications`, PKI, blanks for "d-print"), enrolls and
// starts `devices` and `cardline serve`; `before_serve` runs on the node before serve starts.
void startLine(FaultRun* run, const LineSettings& settings, int applications,
               const std::vector<DeviceSpec>& devices,
               const std::function<void(const NodeSetup&)>& before_serve = {}) {
  ASSERT_FALSE(run->root.path().empty());
  run->line = settings;
  run->applications = applications;
  run->line.pii_key_file = run->root.path() + "/pii.key";
  run->key_dir = run->root.path() + "/devkeys";
  auto setup = writeNodeConfig(run->line, "node-1", run->root.path() + "/node-1");
  ASSERT_TRUE(setup.isOk()) << setup.status().toString();
  run->node.setup = *setup;
  prepareLine(&run->line, run->root.path(), run->node.setup, applications);
  if (::testing::Test::HasFatalFailure()) return;
  initPki(run->node.setup);
  if (::testing::Test::HasFatalFailure()) return;
  for (const DeviceSpec& device : devices) {
    Status enrolled = enrollDevice(run->node.setup, device.id, device.station, run->key_dir);
    ASSERT_TRUE(enrolled.isOk()) << enrolled.toString();
  }
  auto opened = openTestStore(run->line, run->node.setup);
  ASSERT_TRUE(opened.isOk()) << opened.status().toString();
  run->opened = std::move(opened).value();
  // Blanks for every print, remakes and re-sends included.
  Status stocked = stockBlanks(run->store(), "d-print", 5 * applications);
  ASSERT_TRUE(stocked.isOk()) << stocked.toString();
  if (before_serve) before_serve(run->node.setup);
  if (::testing::Test::HasFatalFailure()) return;

  auto serve = startServe(run->node.setup, "tcp://127.0.0.1:*", run->logPath("serve"));
  ASSERT_TRUE(serve.isOk()) << serve.status().toString();
  run->node.serve = std::move(serve).value();
  for (const DeviceSpec& spec : devices) {
    auto device = startDevice(run->node.serve, spec.id, spec.station, run->key_dir, spec.options,
                              run->logPath(spec.id));
    ASSERT_TRUE(device.isOk()) << device.status().toString();
    run->device_index[spec.id] = run->node.devices.size();
    run->node.devices.push_back(std::move(device).value());
  }
}

// Results of `device_id` applied so far.
int doneBy(const LineSnapshot& snapshot, const std::string& device_id) {
  int n = 0;
  for (const auto& [job, device] : completedJobs(snapshot)) n += device == device_id;
  return n;
}

// Jobs leased to `device_id` right now.
std::vector<StationJob> leasedTo(Store& store, const LineSnapshot& snapshot,
                                 const std::string& device_id) {
  std::vector<StationJob> held;
  auto jobs = allJobs(store, snapshot);
  EXPECT_TRUE(jobs.isOk()) << jobs.status().toString();
  if (!jobs.isOk()) return held;
  for (const StationJob& job : *jobs) {
    if (job.state == JobState::kLeased && job.device_id == device_id) held.push_back(job);
  }
  return held;
}

// Waits until every application is final, then checks the run: invariants, signer, nothing
// leased, ledgers, and that the MES is still up. Returns the final snapshot.
LineSnapshot finishRun(FaultRun* run, const std::string& what) {
  LineSnapshot after = waitFor(
      run->store(),
      [&](const LineSnapshot& s) { return countFinal(s) == run->applications; }, what);
  EXPECT_EQ(countFinal(after), run->applications) << "serve log:\n"
                                                   << lastLog(*run->node.serve.process);
  std::cout << "[ e2e      ] " << what << ": " << describe(after) << std::endl;
  const std::vector<std::string> problems = checkInvariants(after, run->applications);
  EXPECT_TRUE(problems.empty()) << failures(problems);
  expectSignerOnEncodedCards(after);
  expectNothingLeased(run->store());
  expectLedgersHold(run->node.setup, run->store(), after);
  EXPECT_TRUE(run->node.serve.process->running()) << lastLog(*run->node.serve.process);
  return after;
}

void stopLine(FaultRun* run) {
  for (auto& device : run->node.devices) device->terminate(std::chrono::seconds(10));
  if (run->node.serve.process) run->node.serve.process->terminate(std::chrono::seconds(30));
}

// Whether the process is stopped (SIGSTOP): state "T" in /proc/PID/stat.
bool isStopped(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  const std::size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'T';
}

int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

void runDeviceKillScenario(const LineSettings& settings, int applications) {
  FaultRun run;
  startLine(&run, settings, applications, standardDevices());
  if (::testing::Test::HasFatalFailure()) return;
  Store& store = run.store();

  // The encoder works and holds a job: kill it without warning.
  std::vector<StationJob> held;
  waitFor(
      store,
      [&](const LineSnapshot& s) {
        if (doneBy(s, "d-encode") < 3) return false;
        held = leasedTo(store, s, "d-encode");
        return !held.empty();
      },
      "the encoder busy with a job");
  ASSERT_FALSE(held.empty()) << lastLog(*run.node.serve.process);
  run.device("d-encode").killHard();
  auto at_kill = readSnapshot(store);
  ASSERT_TRUE(at_kill.isOk()) << at_kill.status().toString();
  // What it held when it died (a result it sent just before may still be applied, under the
  // old attempt; everything else is handed out again).
  held = leasedTo(store, *at_kill, "d-encode");
  ASSERT_LT(countFinal(*at_kill), applications)
      << "the line finished before the kill landed; the test proves nothing (raise the count)";
  std::cout << "[ e2e      ] encoder killed holding " << held.size() << " job(s): "
            << describe(*at_kill) << std::endl;

  // The same device comes back (a new process, a new session).
  auto again = startDevice(run.node.serve, "d-encode", "encode", run.key_dir,
                           deviceOptions("encode", 7), run.logPath("d-encode-restarted"));
  ASSERT_TRUE(again.isOk()) << again.status().toString();
  run.node.devices[run.device_index.at("d-encode")] = std::move(again).value();

  LineSnapshot after = finishRun(&run, "every application final after the encoder's restart");
  EXPECT_GT(doneBy(after, "d-encode"), doneBy(*at_kill, "d-encode"))
      << "the restarted encoder did no work";
  // The job it held when it died was handed out again and finished (by the encoder again: it
  // is the only one).
  expectFinishedBy(store, after, held, "d-encode", /*new_attempt=*/false);
  stopLine(&run);
}

void runDeviceHangScenario(const LineSettings& settings, int applications) {
  FaultRun run;
  std::vector<DeviceSpec> devices = standardDevices();
  for (DeviceSpec& device : devices) {
    if (device.station != "qa") continue;
    device.options.push_back("--hang-after");
    device.options.push_back("3");
  }
  devices.push_back(DeviceSpec{"d-qa-2", "qa", deviceOptions("qa", 2)});
  startLine(&run, settings, applications, devices);
  if (::testing::Test::HasFatalFailure()) return;
  Store& store = run.store();
  ChildProcess& hung = run.device("d-qa");

  ASSERT_TRUE(pollUntil([&] { return isStopped(hung.pid()); }, kDeadline))
      << "d-qa never froze:\n"
      << lastLog(hung);
  auto at_freeze = readSnapshot(store);
  ASSERT_TRUE(at_freeze.isOk()) << at_freeze.status().toString();
  // What it holds: its lease stays until the MES declares it lost.
  const std::vector<StationJob> held = leasedTo(store, *at_freeze, "d-qa");
  std::cout << "[ e2e      ] d-qa froze holding " << held.size() << " job(s): "
            << describe(*at_freeze) << std::endl;

  // The rest of the line, with the second QA device only.
  LineSnapshot done = waitFor(
      store, [&](const LineSnapshot& s) { return countFinal(s) == applications; },
      "every application final while d-qa hangs");
  ASSERT_EQ(countFinal(done), applications) << lastLog(*run.node.serve.process);
  ASSERT_TRUE(isStopped(hung.pid())) << "d-qa woke up on its own";
  expectFinishedBy(store, done, held, "d-qa-2", /*new_attempt=*/true);

  // d-qa wakes up, finishes its old job, reconnects and reports it: refused as stale.
  ASSERT_EQ(::kill(hung.pid(), SIGCONT), 0);
  ASSERT_TRUE(pollUntil([&] { return occurrences(hung.log(), "d-qa connected to") >= 2; },
                        kDeadline))
      << "d-qa did not reconnect after waking up:\n"
      << lastLog(hung);
  // Watch the line for a while as the late result arrives: nothing may move.
  const int results = static_cast<int>(completedJobs(done).size());
  std::string what_changed;
  const bool changed = pollUntil(
      [&] {
        auto s = readSnapshot(store);
        if (!s.isOk()) return false;
        const std::vector<std::string> problems = checkInvariants(*s, applications);
        if (static_cast<int>(completedJobs(*s).size()) == results && problems.empty()) {
          return false;
        }
        what_changed = describe(*s) + failures(problems);
        for (std::size_t i = done.events.size(); i < s->events.size(); ++i) {
          const Event& e = s->events[i];
          what_changed += "\n  new event " + std::to_string(e.seq) + " " + e.subject_type + " " +
                          e.subject_id + " " + e.kind + " by " + e.actor + ": " + e.detail;
        }
        return true;
      },
      std::chrono::seconds(3));
  EXPECT_FALSE(changed) << "the woken device's late result changed the line: before "
                        << describe(done) << "; after " << what_changed;
  LineSnapshot after = finishRun(&run, "after d-qa woke up");
  EXPECT_EQ(doneBy(after, "d-qa"), doneBy(*at_freeze, "d-qa"));
  EXPECT_TRUE(hung.running()) << lastLog(hung);
  stopLine(&run);
}

void runGarbageDeviceScenario(const LineSettings& settings, int applications) {
  FaultRun run;
  std::vector<DeviceSpec> devices = standardDevices();
  devices.push_back(DeviceSpec{
      "d-encode-g", "encode", {"--latency-ms", "20", "--seed", "3", "--garbage-every", "1"}});
  startLine(&run, settings, applications, devices);
  if (::testing::Test::HasFatalFailure()) return;

  LineSnapshot after = finishRun(&run, "every application final beside a faulty encoder");
  const std::string serve_log = run.node.serve.process->log();
  const int refused = occurrences(serve_log, "bad message from");
  EXPECT_GE(refused, 3) << "the MES reported no bad messages:\n"
                        << lastLog(*run.node.serve.process);
  // Every applied device result is a real one: the simulators put their timing in the
  // measurements, which the routing event keeps; the forged RESULT carries none.
  for (const Event& e : after.events) {
    if (e.actor.rfind("device:", 0) != 0 || e.subject_type != "application") continue;
    if (e.detail.find("\"job\"") == std::string::npos) continue;
    EXPECT_NE(e.detail.find("sim_ms"), std::string::npos)
        << "event " << e.seq << " applied a result without the simulator's measurements: "
        << e.detail;
  }
  std::cout << "[ e2e      ] the MES refused " << refused << " bad messages; the faulty encoder "
            << "completed " << doneBy(after, "d-encode-g") << " jobs, d-encode "
            << doneBy(after, "d-encode") << std::endl;
  EXPECT_TRUE(run.device("d-encode-g").running()) << lastLog(run.device("d-encode-g"));
  stopLine(&run);
}

namespace {

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection refused, reset, timed out)
  std::string body;
  std::string cookie;  // the first Set-Cookie's name=value
};

HttpAnswer httpCall(int port, const std::string& method, const std::string& path,
                    const std::string& cookie, const std::string& body) {
  HttpAnswer answer;
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(20, 0));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!cookie.empty()) request.set("Cookie", cookie);
    if (!body.empty()) {
      request.setContentType("application/json");
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    answer.status = static_cast<int>(response.getStatus());
    Poco::StreamCopier::copyToString(in, answer.body);
    auto set = response.find("Set-Cookie");
    if (set != response.end()) answer.cookie = set->second.substr(0, set->second.find(';'));
  } catch (const std::exception& e) {
    answer.status = 0;
    answer.body = e.what();
  }
  return answer;
}

constexpr char kFloodUser[] = "flood-sup";
constexpr char kFloodPassword[] = "flood-password-0123";

std::string loginBody(const std::string& name, const std::string& password) {
  return "{\"name\":\"" + name + "\",\"password\":\"" + password + "\"}";
}

}  // namespace

void runHttpFloodScenario(const LineSettings& settings, int applications) {
  FaultRun run;
  startLine(&run, settings, applications, standardDevices(), [&](const NodeSetup& node) {
    const std::string password_file = node.data_dir + "/flood.password";
    std::ofstream(password_file) << kFloodPassword;
    Status added = runCardline(node,
                               {"user", "add", kFloodUser, "--roles", "supervisor",
                                "--password-file", password_file},
                               "user-add");
    ASSERT_TRUE(added.isOk()) << added.toString();
  });
  if (::testing::Test::HasFatalFailure()) return;
  Store& store = run.store();
  const int port = run.node.serve.http_port;
  HttpAnswer login = httpCall(port, "POST", "/api/v1/session", "",
                              loginBody(kFloodUser, kFloodPassword));
  ASSERT_EQ(login.status, 200) << login.body;
  ASSERT_FALSE(login.cookie.empty());

  waitFor(
      store,
      [&](const LineSnapshot& s) { return countFinal(s) >= std::max(1, applications / 5); },
      "the line under way");

  // The flood: every client cycles through the kinds of request until the time is up.
  const std::string oversized(256 * 1024, 'x');
  std::atomic<bool> stop{false};
  std::atomic<int> total{0}, ok{0}, client_errors{0}, server_errors{0}, no_answer{0};
  std::mutex mu;
  std::map<int, int> by_status;
  std::string first_server_error;
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      for (int i = c; !stop; ++i) {
        HttpAnswer a;
        switch (i % 6) {
          case 0: a = httpCall(port, "GET", "/api/v1/queues", "", ""); break;
          case 1:
            a = httpCall(port, "POST", "/api/v1/session", "",
                         loginBody("nobody-" + std::to_string(c), "wrong"));
            break;
          case 2: a = httpCall(port, "POST", "/api/v1/session", "", "{\"name\": [1, 2"); break;
          case 3: a = httpCall(port, "GET", "/api/v1/no/such/thing?x=%ZZ", "", ""); break;
          case 4:
            a = httpCall(port, "POST", "/api/v1/applications", login.cookie, oversized);
            break;
          default: a = httpCall(port, "GET", "/api/v1/queues", login.cookie, ""); break;
        }
        ++total;
        if (a.status == 0) {
          ++no_answer;
        } else if (a.status >= 500) {
          ++server_errors;
        } else if (a.status >= 400) {
          ++client_errors;
        } else {
          ++ok;
        }
        std::lock_guard<std::mutex> lock(mu);
        ++by_status[a.status];
        if (a.status >= 500 && first_server_error.empty()) {
          first_server_error = std::to_string(a.status) + " " + a.body;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(5));  // the flood's length, not a wait
  stop = true;
  for (std::thread& t : clients) t.join();
  std::ostringstream statuses;
  for (const auto& [status, n] : by_status) statuses << " " << status << "×" << n;
  std::cout << "[ e2e      ] HTTP flood: " << total << " requests in 5 s from 8 clients:"
            << statuses.str() << std::endl;
  EXPECT_GT(total.load(), 50);
  EXPECT_EQ(server_errors.load(), 0) << first_server_error;
  EXPECT_EQ(no_answer.load(), 0) << "requests without an answer (refused, reset, timed out)";
  EXPECT_GT(ok.load(), 0);
  EXPECT_GT(client_errors.load(), 0);

  // The server still serves people: a fresh login and a read.
  HttpAnswer again = httpCall(port, "POST", "/api/v1/session", "",
                              loginBody(kFloodUser, kFloodPassword));
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(httpCall(port, "GET", "/api/v1/queues", again.cookie, "").status, 200);

  finishRun(&run, "every application final after the HTTP flood");
  stopLine(&run);
}

void runDatabaseRestartScenario(const LineSettings& settings, const std::string& control_dir,
                                int applications) {
  FaultRun run;
  startLine(&run, settings, applications, standardDevices());
  if (::testing::Test::HasFatalFailure()) return;
  Store& store = run.store();
  const std::string script = sourceDir() + "/scripts/mariadb.sh";

  waitFor(
      store,
      [&](const LineSnapshot& s) { return countFinal(s) >= std::max(1, applications / 4); },
      "the line under way");
  auto stopped =
      runToCompletion({"/bin/bash", script, "stop", control_dir}, run.logPath("db-stop"));
  ASSERT_TRUE(stopped.isOk() && *stopped == 0) << "could not stop MariaDB, see "
                                               << run.logPath("db-stop");
  std::cout << "[ e2e      ] MariaDB stopped mid-run" << std::endl;
  // The line without its database for a few seconds: the MES must not exit or lose anything.
  const bool exited = pollUntil([&] { return !run.node.serve.process->running(); },
                                std::chrono::seconds(4));
  EXPECT_FALSE(exited) << "cardline serve exited without its database:\n"
                       << lastLog(*run.node.serve.process);
  auto started =
      runToCompletion({"/bin/bash", script, "start", control_dir}, run.logPath("db-start"));
  ASSERT_TRUE(started.isOk() && *started == 0) << "could not start MariaDB again, see "
                                               << run.logPath("db-start");
  std::cout << "[ e2e      ] MariaDB started again" << std::endl;

  finishRun(&run, "every application final after the database restart");
  // The MES felt the outage (its rounds failed and were retried), so the run proves something.
  EXPECT_NE(run.node.serve.process->log().find("round failed"), std::string::npos)
      << "the MES never noticed the database was gone:\n"
      << lastLog(*run.node.serve.process);
  stopLine(&run);
}

}  // namespace cardline::e2e
