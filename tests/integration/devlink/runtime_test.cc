// The device runtime (devices/runtime) against the real MES link: CURVE admission, reconnect
// with back-off, un-acknowledged results surviving an MES restart, jobs delivered twice.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "devices/runtime/device_runtime.h"
#include "mes/devlink/curve_keys.h"
#include "tests/integration/devlink/harness.h"

namespace cardline::testing {
namespace {

// A driver whose jobs finish when the test says so.
class GateDriver final : public Driver {
 public:
  protocol::Station station() const override { return protocol::Station::kEncode; }
  Result<protocol::JobResult> perform(const protocol::Job& job) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++started_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    protocol::JobResult r;
    r.outcome = protocol::Outcome::kOk;
    r.detail = "encoded " + job.application;
    return r;
  }
  void open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool waitStarted(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWait, [&] { return started_ >= n; });
  }
  int started() {
    std::lock_guard<std::mutex> lock(mu_);
    return started_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int started_ = 0;
};

class RunningDevice {
 public:
  RunningDevice(DeviceRuntimeOptions options, Driver& driver, const Clock& clock)
      : runtime_(std::move(options), driver, clock),
        thread_([this] { status_ = runtime_.run(); }) {}
  ~RunningDevice() { stop(); }
  void stop() {
    runtime_.requestStop();
    if (thread_.joinable()) thread_.join();
  }
  DeviceRuntime& runtime() { return runtime_; }
  const Status& status() const { return status_; }

 private:
  DeviceRuntime runtime_;
  Status status_;
  std::thread thread_;
};

DeviceRuntimeOptions plainDevice(const std::string& id, const std::string& endpoint) {
  DeviceRuntimeOptions o;
  o.device_id = id;
  o.endpoint = endpoint;
  o.security = LinkSecurity::kPlain;
  o.heartbeat_ms = 100;
  o.reconnect_initial_ms = 50;
  o.reconnect_max_ms = 400;
  return o;
}

DeviceLinkOptions plainLink(const std::string& endpoint) {
  DeviceLinkOptions o;
  o.endpoint = endpoint;
  o.security = TransportSecurity::kPlain;
  o.heartbeat_ms = 100;
  o.liveness = 3;
  return o;
}

TEST(RuntimeTest, RuntimeTakesAJobAndReportsOneResultEvenWhenTheJobComesTwice) {
  SystemClock clock;
  RecordingListener listener;
  ZmqDeviceLink link(plainLink("tcp://127.0.0.1:*"), clock, listener);
  listener.setLink(&link);
  auto endpoint = link.start();
  ASSERT_TRUE(endpoint.isOk());
  GateDriver driver;
  RunningDevice device(plainDevice("enc-1", endpoint.value()), driver, clock);
  ASSERT_TRUE(listener.waitFor([](auto& l) { return !l.readies.empty(); }));
  ASSERT_TRUE(link.sendJob("enc-1", makeJob(7)).isOk());
  ASSERT_TRUE(driver.waitStarted(1));
  // The connection drops while the job runs; after the reconnect the MES sends it again.
  device.runtime().requestReconnect();
  ASSERT_TRUE(listener.waitFor([](auto& l) { return l.readies.size() >= 2; }));
  EXPECT_FALSE(listener.readies[1].second);  // same session
  waitUntil([&] { return device.runtime().counters().duplicate_jobs > 0; });
  EXPECT_EQ(device.runtime().counters().duplicate_jobs, 1);
  driver.open();
  ASSERT_TRUE(listener.waitFor([](auto& l) { return l.results.size() == 1; }));
  waitUntil([&] { return device.runtime().counters().results_acked > 0; });
  EXPECT_EQ(device.runtime().counters().results_acked, 1);
  EXPECT_EQ(driver.started(), 1);
  EXPECT_EQ(listener.results[0].second.detail, "encoded APP-7");
  EXPECT_EQ(listener.results.size(), 1u);
  device.stop();
  EXPECT_TRUE(device.status().isOk());
}

// A driver whose first job jams; clearing the fault fails while `stuck` is set.
class JammingDriver final : public Driver {
 public:
  protocol::Station station() const override { return protocol::Station::kPrint; }
  Result<protocol::JobResult> perform(const protocol::Job& job) override {
    if (++jobs_ == 1) return unavailable("jam: card stuck");
    protocol::JobResult r;
    r.outcome = protocol::Outcome::kOk;
    r.blank = "BLK-" + std::to_string(job.job);
    return r;
  }
  Status clearFault() override {
    if (stuck) return failedPrecondition("the card is still in the transport");
    return Status::ok();
  }
  std::atomic<bool> stuck{true};

 private:
  std::atomic<int> jobs_{0};
};

TEST(RuntimeTest, AJammedDeviceTakesNoJobsUntilAnOperatorClearsItsFault) {
  SystemClock clock;
  RecordingListener listener;
  ZmqDeviceLink link(plainLink("tcp://127.0.0.1:*"), clock, listener);
  listener.setLink(&link);
  auto endpoint = link.start();
  ASSERT_TRUE(endpoint.isOk());
  EXPECT_EQ(link.clearFault("print-1", "lan", "").code(), ErrorCode::kNotFound);
  JammingDriver driver;
  RunningDevice device(plainDevice("print-1", endpoint.value()), driver, clock);
  ASSERT_TRUE(listener.waitFor([](auto& l) { return !l.readies.empty(); }));

  // The first job jams: aborted, and the device reports fault.
  ASSERT_TRUE(link.sendJob("print-1", makeJob(1)).isOk());
  ASSERT_TRUE(listener.waitFor([](auto& l) { return l.results.size() == 1; }));
  EXPECT_EQ(listener.results[0].second.outcome, protocol::Outcome::kAborted);
  waitUntil([&] { return link.devices().at(0).device.state == DeviceState::kFault; });
  ASSERT_EQ(link.devices().at(0).device.state, DeviceState::kFault);
  EXPECT_EQ(link.sendJob("print-1", makeJob(2)).code(), ErrorCode::kUnavailable);

  // Cleared while the card is still stuck: the device says it is still in fault.
  std::size_t before = 0;
  listener.waitFor([&](const RecordingListener& l) {
    before = l.statuses.size();
    return true;
  });
  ASSERT_TRUE(link.clearFault("print-1", "lan", "tried").isOk());
  ASSERT_TRUE(listener.waitFor([&](auto& l) { return l.statuses.size() > before; }));
  EXPECT_EQ(link.devices().at(0).device.state, DeviceState::kFault);
  EXPECT_EQ(link.devices().at(0).fault, "driver_fault");

  // The operator removes the card and clears again: idle, and it works.
  driver.stuck = false;
  ASSERT_TRUE(link.clearFault("print-1", "lan", "jammed card removed").isOk());
  waitUntil([&] { return link.devices().at(0).device.state == DeviceState::kIdle; });
  ASSERT_EQ(link.devices().at(0).device.state, DeviceState::kIdle);
  ASSERT_TRUE(link.sendJob("print-1", makeJob(3)).isOk());
  ASSERT_TRUE(listener.waitFor([](auto& l) { return l.results.size() == 2; }));
  EXPECT_EQ(listener.results[1].second.outcome, protocol::Outcome::kOk);
  EXPECT_EQ(listener.results[1].second.blank, "BLK-3");

  device.stop();
  waitUntil([&] { return link.devices().at(0).device.state == DeviceState::kOffline; });
  EXPECT_EQ(link.clearFault("print-1", "lan", "").code(), ErrorCode::kUnavailable);
}

TEST(RuntimeTest, ReconnectsAfterTheMesRestartsAndResendsTheUnackedResult) {
  SystemClock clock;
  RecordingListener first_listener;
  auto first = std::make_unique<ZmqDeviceLink>(plainLink("tcp://127.0.0.1:*"), clock,
                                               first_listener);
  first_listener.setLink(first.get());
  auto endpoint = first->start();
  ASSERT_TRUE(endpoint.isOk());
  GateDriver driver;
  RunningDevice device(plainDevice("enc-1", endpoint.value()), driver, clock);
  ASSERT_TRUE(first_listener.waitFor([](auto& l) { return !l.readies.empty(); }));
  ASSERT_TRUE(first->sendJob("enc-1", makeJob(8)).isOk());
  ASSERT_TRUE(driver.waitStarted(1));
  first->stop();  // the MES goes away mid-job
  first.reset();
  driver.open();  // the job finishes while nobody listens: the result waits for an ACK

  RecordingListener second_listener;
  ZmqDeviceLink second(plainLink(endpoint.value()), clock, second_listener);  // same port
  second_listener.setLink(&second);
  ASSERT_TRUE(second.start().isOk());
  ASSERT_TRUE(second_listener.waitFor([](auto& l) { return l.results.size() == 1; }));
  EXPECT_EQ(second_listener.results[0].second.job, 8);
  EXPECT_FALSE(second_listener.results_held[0]);  // this MES never sent it: it decides
  EXPECT_GE(device.runtime().counters().connections, 2);
  waitUntil([&] { return device.runtime().counters().results_acked > 0; });
  EXPECT_EQ(device.runtime().counters().results_acked, 1);
}

class CurveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = generateCurveKeyPair().value();
    enrolled_ = generateCurveKeyPair().value();
    stranger_ = generateCurveKeyPair().value();
    allow_ = std::make_shared<DeviceAllowList>();
    ASSERT_TRUE(allow_->allow("qa-1", enrolled_.public_key).isOk());
    DeviceLinkOptions o = plainLink("tcp://127.0.0.1:*");
    o.security = TransportSecurity::kCurve;
    o.server_key = server_;
    o.allow_list = allow_;
    link_ = std::make_unique<ZmqDeviceLink>(o, clock_, listener_);
    listener_.setLink(link_.get());
    auto endpoint = link_->start();
    ASSERT_TRUE(endpoint.isOk()) << endpoint.status().toString();
    endpoint_ = endpoint.value();
  }
  DeviceRuntimeOptions curveDevice(const std::string& id, const CurveKeyPair& key) {
    DeviceRuntimeOptions o = plainDevice(id, endpoint_);
    o.security = LinkSecurity::kCurve;
    o.server_public_key = server_.public_key;
    o.device_public_key = key.public_key;
    o.device_secret_key = key.secret_key;
    return o;
  }

  SystemClock clock_;
  CurveKeyPair server_, enrolled_, stranger_;
  std::shared_ptr<DeviceAllowList> allow_;
  RecordingListener listener_;
  std::unique_ptr<ZmqDeviceLink> link_;
  std::string endpoint_;
};

TEST_F(CurveTest, UnknownKeyIsRefusedAndReported) {
  GateDriver driver;
  RunningDevice stranger(curveDevice("qa-9", stranger_), driver, clock_);
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.refused.empty(); }));
  stranger.stop();
  EXPECT_EQ(listener_.refused[0].public_key, stranger_.public_key);
  EXPECT_EQ(listener_.refused[0].address, "127.0.0.1");
  EXPECT_TRUE(link_->devices().empty());
  EXPECT_EQ(stranger.runtime().counters().welcomes, 0);
  EXPECT_GE(link_->counters().refused_peers, 1);
}

TEST_F(CurveTest, EnrolledKeyMustClaimItsOwnDeviceId) {
  GateDriver driver;
  RunningDevice impostor(curveDevice("qa-2", enrolled_), driver, clock_);
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.refused.empty(); }));
  impostor.stop();
  EXPECT_EQ(listener_.refused[0].device_id, "qa-2");
  EXPECT_EQ(listener_.refused[0].reason, "key enrolled as qa-1, READY claims qa-2");
  EXPECT_TRUE(link_->devices().empty());
}

TEST_F(CurveTest, EnrolledDeviceWorksEncrypted) {
  GateDriver driver;
  driver.open();
  RunningDevice device(curveDevice("qa-1", enrolled_), driver, clock_);
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return !l.readies.empty(); }));
  EXPECT_EQ(link_->devices().at(0).device.public_key, enrolled_.public_key);
  ASSERT_TRUE(link_->sendJob("qa-1", makeJob(3)).isOk());
  ASSERT_TRUE(listener_.waitFor([](auto& l) { return l.results.size() == 1; }));
  EXPECT_TRUE(listener_.refused.empty());
}

}  // namespace
}  // namespace cardline::testing
