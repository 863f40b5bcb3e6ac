// The MES device link against scripted devices on real sockets (PROTOCOL.md §5-§8).
#include <gtest/gtest.h>

#include "tests/integration/devlink/harness.h"

namespace cardline::testing {
namespace {

template <typename T>
std::optional<T> expectMessage(ScriptedDevice& device) {
  auto m = device.receive();
  if (!m) {
    ADD_FAILURE() << "no message";
    return std::nullopt;
  }
  if (!std::holds_alternative<T>(*m)) {
    ADD_FAILURE() << "got " << protocol::name(protocol::commandOf(*m));
    return std::nullopt;
  }
  return std::get<T>(*m);
}

protocol::JobResult okResult(std::int64_t job, int attempt = 1) {
  protocol::JobResult r;
  r.job = job;
  r.attempt = attempt;
  r.outcome = protocol::Outcome::kOk;
  r.blank = "BLK-" + std::to_string(job);
  return r;
}

class PlainLinkTest : public ::testing::Test {
 protected:
  void start(DeviceLinkOptions options, RecordingListener::AckMode mode =
                                            RecordingListener::AckMode::kAcknowledge) {
    options.endpoint = "tcp://127.0.0.1:*";
    options.security = TransportSecurity::kPlain;
    listener_ = std::make_unique<RecordingListener>(mode);
    link_ = std::make_unique<ZmqDeviceLink>(options, clock_, *listener_);
    listener_->setLink(link_.get());
    auto endpoint = link_->start();
    ASSERT_TRUE(endpoint.isOk()) << endpoint.status().toString();
    endpoint_ = endpoint.value();
  }
  void start() { start(DeviceLinkOptions{}); }
  void TearDown() override {
    if (link_) link_->stop();
  }

  SystemClock clock_;
  zmq::context_t context_{1};
  std::unique_ptr<RecordingListener> listener_;
  std::unique_ptr<ZmqDeviceLink> link_;
  std::string endpoint_;
};

TEST_F(PlainLinkTest, ReadyJobResultAck) {
  start();
  ScriptedDevice device(context_, endpoint_);
  ASSERT_TRUE(device.ready("print-01", "s1"));
  ASSERT_TRUE(listener_->waitFor([](auto& l) { return l.readies.size() == 1; }));
  EXPECT_EQ(link_->devices().at(0).device.state, DeviceState::kIdle);

  ASSERT_TRUE(link_->sendJob("print-01", makeJob(11)).isOk());
  EXPECT_EQ(link_->sendJob("print-01", makeJob(12)).code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(link_->sendJob("nobody", makeJob(13)).code(), ErrorCode::kNotFound);
  auto job = expectMessage<protocol::Job>(device);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->job, 11);
  ASSERT_EQ(job->parts.size(), 1u);
  EXPECT_EQ(job->parts[0].data, "front-bytes");
  EXPECT_EQ(link_->devices().at(0).device.state, DeviceState::kBusy);
  EXPECT_EQ(link_->devices().at(0).device.current_job, "11");

  device.send(okResult(11));
  auto ack = expectMessage<protocol::Ack>(device);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->job, 11);
  EXPECT_EQ(ack->status, protocol::AckStatus::kRecorded);
  ASSERT_EQ(listener_->results.size(), 1u);
  EXPECT_EQ(listener_->results[0].second.blank, "BLK-11");
  EXPECT_TRUE(listener_->results_held[0]);
  DeviceInfo info = link_->devices().at(0);
  EXPECT_EQ(info.device.state, DeviceState::kIdle);
  EXPECT_EQ(info.device.jobs_done, 1);
  EXPECT_EQ(info.counters.jobs_sent, 1);
}

TEST_F(PlainLinkTest, ResultSentTwiceYieldsOneOutcome) {
  start(DeviceLinkOptions{}, RecordingListener::AckMode::kHold);
  ScriptedDevice device(context_, endpoint_);
  ASSERT_TRUE(device.ready("print-01", "s1"));
  ASSERT_TRUE(link_->sendJob("print-01", makeJob(21)).isOk());
  ASSERT_TRUE(expectMessage<protocol::Job>(device));
  device.send(okResult(21));
  device.send(okResult(21));  // before the MES has made it durable
  ASSERT_TRUE(listener_->waitFor([](auto& l) { return l.results.size() == 1; }));
  ASSERT_TRUE(
      waitUntil([&] { return link_->devices().at(0).counters.duplicate_results == 1; }));
  EXPECT_EQ(link_->acknowledge("print-01", 99, 1, protocol::AckStatus::kRecorded).code(),
            ErrorCode::kNotFound);
  ASSERT_TRUE(link_->acknowledge("print-01", 21, 1, protocol::AckStatus::kRecorded).isOk());
  auto ack = expectMessage<protocol::Ack>(device);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->status, protocol::AckStatus::kRecorded);

  // The ACK was "lost": the device reconnects (new connection, same session) and re-sends.
  ScriptedDevice again(context_, endpoint_);
  ASSERT_TRUE(again.ready("print-01", "s1"));
  again.send(okResult(21));
  auto dup = expectMessage<protocol::Ack>(again);
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->status, protocol::AckStatus::kDuplicate);
  EXPECT_EQ(listener_->results.size(), 1u);
  EXPECT_EQ(link_->devices().at(0).counters.duplicate_results, 2);
  EXPECT_EQ(link_->devices().at(0).device.jobs_done, 1);
}

TEST_F(PlainLinkTest, JobInFlightIsSentAgainAfterAReconnect) {
  start();
  ScriptedDevice device(context_, endpoint_);
  ASSERT_TRUE(device.ready("print-01", "s1"));
  ASSERT_TRUE(link_->sendJob("print-01", makeJob(31)).isOk());
  ASSERT_TRUE(expectMessage<protocol::Job>(device));
  ScriptedDevice again(context_, endpoint_);
  ASSERT_TRUE(again.ready("print-01", "s1"));
  auto job = expectMessage<protocol::Job>(again);  // delivered twice: the device dedupes
  ASSERT_TRUE(job);
  EXPECT_EQ(job->job, 31);
  again.send(okResult(31));
  ASSERT_TRUE(expectMessage<protocol::Ack>(again));
  EXPECT_EQ(listener_->results.size(), 1u);
  EXPECT_TRUE(listener_->lost.empty());
}

TEST_F(PlainLinkTest, SilentDeviceIsLostAndItsJobReleased) {
  DeviceLinkOptions options;
  options.heartbeat_ms = 100;
  options.liveness = 3;
  start(options);
  ScriptedDevice device(context_, endpoint_);
  ASSERT_TRUE(device.ready("print-01", "s1"));
  ASSERT_TRUE(link_->sendJob("print-01", makeJob(41)).isOk());
  ASSERT_TRUE(expectMessage<protocol::Job>(device));
  // The device says nothing from now on.
  ASSERT_TRUE(listener_->waitFor([](auto& l) { return !l.lost.empty(); }));
  EXPECT_EQ(listener_->lost[0].device_id, "print-01");
  EXPECT_EQ(listener_->lost[0].reason, LossReason::kSilent);
  EXPECT_EQ(listener_->lost[0].jobs, std::vector<std::int64_t>{41});
  EXPECT_EQ(link_->devices().at(0).device.state, DeviceState::kOffline);
  EXPECT_EQ(link_->sendJob("print-01", makeJob(42)).code(), ErrorCode::kUnavailable);
  // It speaks again without READY: told to announce itself.
  device.send(protocol::Heartbeat{});
  auto error = expectMessage<protocol::ErrorReply>(device);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, protocol::ErrorCode::kNotReady);
}

TEST_F(PlainLinkTest, DeviceRestartingMidJobReleasesTheOldJob) {
  start();
  ScriptedDevice before(context_, endpoint_);
  ASSERT_TRUE(before.ready("print-01", "s1"));
  ASSERT_TRUE(link_->sendJob("print-01", makeJob(51)).isOk());
  ASSERT_TRUE(expectMessage<protocol::Job>(before));
  ScriptedDevice after(context_, endpoint_);
  ASSERT_TRUE(after.ready("print-01", "s2"));
  ASSERT_TRUE(listener_->waitFor([](auto& l) { return !l.lost.empty(); }));
  EXPECT_EQ(listener_->lost[0].reason, LossReason::kRestarted);
  EXPECT_EQ(listener_->lost[0].jobs, std::vector<std::int64_t>{51});
  EXPECT_EQ(link_->devices().at(0).device.state, DeviceState::kIdle);
  // The scheduler re-queues job 51 as attempt 2; this device may get it again.
  ASSERT_TRUE(link_->sendJob("print-01", makeJob(51, 2)).isOk());
  auto job = expectMessage<protocol::Job>(after);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->attempt, 2);
}

TEST_F(PlainLinkTest, MalformedAndForeignMessagesGetErrors) {
  start();
  ScriptedDevice device(context_, endpoint_);
  device.sendFrames({"CARDLINE/2", R"({"cmd":"READY"})"});
  auto e1 = expectMessage<protocol::ErrorReply>(device);
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->code, protocol::ErrorCode::kUnsupportedVersion);
  device.sendFrames({"CARDLINE/1", R"({"cmd":"READY","device":"x"})"});
  auto e2 = expectMessage<protocol::ErrorReply>(device);
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->code, protocol::ErrorCode::kBadMessage);
  EXPECT_EQ(e2->message, "missing member \"station\"");
  device.sendFrames({"CARDLINE/1", R"({"cmd":"REBOOT"})"});
  auto e3 = expectMessage<protocol::ErrorReply>(device);
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->code, protocol::ErrorCode::kUnknownCommand);
  EXPECT_EQ(link_->counters().bad_messages, 3);
}

TEST_F(PlainLinkTest, HighWaterMarkBlocksSendsWithoutDroppingJobs) {
  DeviceLinkOptions options;
  options.send_hwm = 2;
  options.retry_ms = 10;
  options.heartbeat_ms = 500;
  options.liveness = 20;  // the stalled device sends nothing while it does not read
  start(options);
  ScriptedDevice device(context_, endpoint_, ScriptedDevice::Options{1});
  ASSERT_TRUE(device.ready("print-01", "s1", 64));
  const int kJobs = 48;
  std::string payload(1 << 20, 'x');  // 48 MiB in total: more than the socket buffers hold
  for (int i = 1; i <= kJobs; ++i) {
    protocol::Job job = makeJob(i);
    job.parts[0].data = payload;
    ASSERT_TRUE(link_->sendJob("print-01", job).isOk());
  }
  // The device does not read: the link must hit the high-water mark and keep the rest.
  ASSERT_TRUE(waitUntil([&] { return link_->counters().send_blocked > 0; }));
  EXPECT_LT(link_->devices().at(0).counters.jobs_sent, kJobs);
  // Now it reads: every job arrives exactly once, in order.
  std::vector<std::int64_t> got;
  while (static_cast<int>(got.size()) < kJobs) {
    auto m = device.receive();
    ASSERT_TRUE(m) << "after " << got.size() << " jobs";
    if (auto* job = std::get_if<protocol::Job>(&*m)) got.push_back(job->job);
  }
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], i + 1);
  // The link counts a send after it returned, which can be just after the device read it.
  EXPECT_TRUE(waitUntil([&] { return link_->devices().at(0).counters.jobs_sent == kJobs; }));
  EXPECT_EQ(link_->devices().at(0).counters.jobs_sent, kJobs);
  EXPECT_GT(link_->devices().at(0).counters.send_blocked, 0);
}

}  // namespace
}  // namespace cardline::testing
