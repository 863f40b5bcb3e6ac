// Whole device processes against the real MES link on real sockets: the Python device written
// from PROTOCOL.md alone, and the cardline-device executable (simulate, keygen) with CURVE,
// fault injection and restarts. `cardline serve` hosts the same link later; until then this
// test is the harness that hosts it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "devices/runtime/curve_keys.h"
#include "tests/integration/devlink/harness.h"

namespace cardline::testing {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// A child process; killed (SIGKILL) and reaped on destruction if still running.
class Child {
 public:
  explicit Child(std::vector<std::string> argv) {
    std::string log = std::filesystem::temp_directory_path() /
                      ("cardline-devlink-child-" + std::to_string(::getpid()) + ".log");
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
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
  void signal(int sig) { ::kill(pid_, sig); }
  // The exit status (or 128 + signal), waiting at most kWait; -1 on time-out.
  int wait() {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling the child
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

class ProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = env("CARDLINE_SOURCE_DIR");
    binary_ = env("CARDLINE_BINARY_DIR");
    ASSERT_FALSE(source_.empty()) << "run through ctest (CARDLINE_SOURCE_DIR is not set)";
    dir_ = std::filesystem::temp_directory_path() /
           ("cardline-devlink-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (link_) link_->stop();
    std::filesystem::remove_all(dir_);
  }
  void startLink(TransportSecurity security, int liveness = 3) {
    DeviceLinkOptions o;
    o.endpoint = "tcp://127.0.0.1:*";
    o.security = security;
    o.heartbeat_ms = 100;
    o.liveness = liveness;
    if (security == TransportSecurity::kCurve) {
      server_ = generateCurveKeyPair().value();
      o.server_key = server_;
      allow_ = std::make_shared<DeviceAllowList>();
      o.allow_list = allow_;
    }
    link_ = std::make_unique<ZmqDeviceLink>(o, clock_, listener_);
    listener_.setLink(link_.get());
    auto endpoint = link_->start();
    ASSERT_TRUE(endpoint.isOk()) << endpoint.status().toString();
    endpoint_ = endpoint.value();
  }
  std::string python() const { return "/usr/bin/python3"; }
  std::string pythonDevice() const {
    return source_ + "/tests/integration/devlink/python_device.py";
  }
  std::string cardlineDevice() const { return binary_ + "/devices/app/cardline-device"; }
  // Sends job and waits for its result (count results seen so far = before).
  void runJob(const std::string& device, protocol::Job job) {
    std::size_t before = 0;
    listener_.waitFor([&](auto& l) {
      before = l.results.size();
      return true;
    });
    ASSERT_TRUE(link_->sendJob(device, job).isOk());
    ASSERT_TRUE(listener_.waitFor([&](auto& l) { return l.results.size() > before; }))
        << "no result for job " << job.job;
  }
  std::size_t resultsFor(std::int64_t job) {
    std::size_t n = 0;
    listener_.waitFor([&](auto& l) {
      for (auto& r : l.results) n += r.second.job == job ? 1 : 0;
      return true;
    });
    return n;
  }

  std::string source_, binary_;
  std::filesystem::path dir_;
  SystemClock clock_;
  RecordingListener listener_;
  CurveKeyPair server_;
  std::shared_ptr<DeviceAllowList> allow_;
  std::unique_ptr<ZmqDeviceLink> link_;
  std::string endpoint_;
};

TEST_F(ProcessTest, PythonDeviceFromTheSpecTakesJobsAndReturnsResults) {
  ASSERT_TRUE(std::filesystem::exists(python())) << "python3-zmq needs Debian's /usr/bin/python3";
  startLink(TransportSecurity::kPlain);
  Child device({python(), pythonDevice(), "--connect", endpoint_, "--id", "qa-py", "--station",
                "qa", "--jobs", "3"});
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.readies.empty(); }));
  EXPECT_EQ(listener_.readies[0].first, "qa-py");
  EXPECT_EQ(link_->devices().at(0).device.station, StationType::kQa);
  for (int i = 1; i <= 3; ++i) {
    protocol::Job job = makeJob(100 + i);
    job.station = protocol::Station::kQa;
    job.parts = {protocol::Part{"front.png", std::string(1000, 'f')},
                 protocol::Part{"chip.bin", std::string("\0\1\2", 3)}};
    runJob("qa-py", job);
  }
  // After three acknowledged results the Python device says DISCONNECT and exits 0.
  EXPECT_EQ(device.wait(), 0);
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.lost.empty(); }));
  EXPECT_EQ(listener_.lost[0].reason, LossReason::kDisconnect);
  ASSERT_EQ(listener_.results.size(), 3u);
  EXPECT_EQ(listener_.results[0].second.detail, "python device, 1003 payload bytes");
  ASSERT_EQ(listener_.results[0].second.measurements.size(), 1u);
  EXPECT_EQ(link_->devices().at(0).device.jobs_done, 3);
  EXPECT_EQ(link_->counters().bad_messages, 0);
}

TEST_F(ProcessTest, PythonDeviceWithCurveKeys) {
  startLink(TransportSecurity::kCurve);
  CurveKeyPair key = generateCurveKeyPair().value();
  ASSERT_TRUE(allow_->allow("enc-py", key.public_key).isOk());
  Child device({python(), pythonDevice(), "--connect", endpoint_, "--id", "enc-py", "--station",
                "encode", "--jobs", "1",
                // "=" keeps argparse from reading a key that starts with '-' as an option.
                "--server-key=" + server_.public_key, "--public-key=" + key.public_key,
                "--secret-key=" + key.secret_key});
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.readies.empty(); }));
  protocol::Job job = makeJob(200);
  job.station = protocol::Station::kEncode;
  runJob("enc-py", job);
  EXPECT_EQ(device.wait(), 0);
  EXPECT_TRUE(listener_.refused.empty());
}

TEST_F(ProcessTest, SimulatorWithCurveReconnectsAndReportsEachResultOnce) {
  // Liveness (3 s) longer than the device's first back-off (1 s): the reconnect is seen as a
  // reconnect, not as a lost device.
  startLink(TransportSecurity::kCurve, 30);
  std::string keys = (dir_ / "keys").string();
  Child keygen({cardlineDevice(), "keygen", "--id", "print-7", "--key-dir", keys});
  ASSERT_EQ(keygen.wait(), 0);
  auto key = readKeyFile(keys + "/print-7.key");
  ASSERT_TRUE(key.isOk()) << key.status().toString();
  ASSERT_TRUE(allow_->allow("print-7", key->public_key).isOk());
  {
    std::ofstream out(dir_ / "mes.key");
    out << "public-key = " << server_.public_key << "\n";
  }
  Child device({cardlineDevice(), "simulate", "--station", "print", "--id", "print-7",
                "--connect", endpoint_, "--server-key", (dir_ / "mes.key").string(),
                "--key-dir", keys, "--disconnect-after", "1"});
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.readies.empty(); }));
  runJob("print-7", makeJob(301));
  // The simulator drops its connection right after the first result and comes back with the
  // same session; the result it re-sends is answered "duplicate", not recorded again.
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return l.readies.size() >= 2; }));
  EXPECT_FALSE(listener_.readies[1].second);
  ASSERT_TRUE(
      waitUntil([&] { return link_->devices().at(0).device.state == DeviceState::kIdle; }));
  runJob("print-7", makeJob(302));
  EXPECT_EQ(resultsFor(301), 1u);
  EXPECT_EQ(resultsFor(302), 1u);
  EXPECT_EQ(listener_.results[0].second.blank, "SIM-print-7-1");
  device.signal(SIGTERM);
  EXPECT_EQ(device.wait(), 0);
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.lost.empty(); }));
  EXPECT_EQ(listener_.lost[0].reason, LossReason::kDisconnect);
  EXPECT_TRUE(listener_.lost[0].jobs.empty());
  EXPECT_TRUE(listener_.refused.empty());
}

TEST_F(ProcessTest, SimulatorCrashingMidJobLosesTheJobOnceAndTheRetryHasOneOutcome) {
  startLink(TransportSecurity::kPlain);
  std::vector<std::string> crashing = {cardlineDevice(), "simulate", "--plain", "--station",
                                       "encode", "--id", "enc-3", "--connect", endpoint_,
                                       "--crash-after", "0"};
  Child first(crashing);
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.readies.empty(); }));
  ASSERT_TRUE(link_->sendJob("enc-3", makeJob(401)).isOk());
  EXPECT_EQ(first.wait(), 70);  // crashed in the middle of the job
  // Restarted (new session) or gone silent first: either way the job is released once.
  Child second({cardlineDevice(), "simulate", "--plain", "--station", "encode", "--id", "enc-3",
                "--connect", endpoint_});
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.lost.empty(); }));
  EXPECT_EQ(listener_.lost[0].jobs, std::vector<std::int64_t>{401});
  ASSERT_TRUE(waitUntil([&] {
    auto d = link_->devices();
    return !d.empty() && d[0].device.state == DeviceState::kIdle;
  }));
  runJob("enc-3", makeJob(401, 2));  // the scheduler's re-queue: attempt 2
  EXPECT_EQ(resultsFor(401), 1u);
  EXPECT_EQ(listener_.results[0].second.attempt, 2);
  std::size_t releases = 0;
  listener_.waitFor([&](auto& l) {
    for (auto& lost : l.lost) releases += lost.jobs.size();
    return true;
  });
  EXPECT_EQ(releases, 1u);
}

TEST_F(ProcessTest, DeviceCliExplainsItsUsage) {
  Child bad({cardlineDevice(), "simulate", "--station", "laser", "--plain"});
  EXPECT_EQ(bad.wait(), 2);
  Child unknown({cardlineDevice(), "fly"});
  EXPECT_EQ(unknown.wait(), 2);
  Child help({cardlineDevice(), "help"});
  EXPECT_EQ(help.wait(), 0);
  {
    std::ofstream out(dir_ / "device.yaml");
    out << "device: print-01\nstation: print\nconnect: tcp://127.0.0.1:1\n";
  }
  Child missing_keys({cardlineDevice(), "run", "--config", (dir_ / "device.yaml").string()});
  EXPECT_EQ(missing_keys.wait(), 1);  // curve is the default: server_key and key_dir missing
}

}  // namespace
}  // namespace cardline::testing
