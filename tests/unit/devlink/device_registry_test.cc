#include "mes/devlink/device_registry.h"

#include <gtest/gtest.h>

namespace cardline {
namespace {

protocol::Ready readyOf(const std::string& id, const std::string& session, int capacity = 1) {
  return protocol::Ready{id, protocol::Station::kEncode, capacity, session, ""};
}

class RegistryTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  DeviceRegistry registry_{clock_, std::chrono::milliseconds(1000), 3};
};

TEST_F(RegistryTest, ReadyMakesADeviceIdleAndBindsItsRoute) {
  ReadyOutcome r = registry_.ready(readyOf("enc-1", "s1"), "route-a", "KEY");
  EXPECT_TRUE(r.new_session);
  EXPECT_FALSE(r.released.has_value());
  auto info = registry_.find("enc-1");
  ASSERT_TRUE(info.isOk());
  EXPECT_EQ(info->device.state, DeviceState::kIdle);
  EXPECT_EQ(info->device.station, StationType::kEncode);
  EXPECT_EQ(info->device.public_key, "KEY");
  EXPECT_EQ(info->device.last_heartbeat, clock_.now());
  EXPECT_EQ(registry_.routingId("enc-1").value(), "route-a");
  EXPECT_EQ(registry_.touch("route-a").value(), "enc-1");
  EXPECT_EQ(registry_.touch("route-b").status().code(), ErrorCode::kNotFound);
}

TEST_F(RegistryTest, ReserveRespectsCapacityStateAndDuplicates) {
  EXPECT_EQ(registry_.reserve("nobody", 1).code(), ErrorCode::kNotFound);
  registry_.ready(readyOf("enc-1", "s1"), "r", "");
  EXPECT_TRUE(registry_.reserve("enc-1", 7).isOk());
  EXPECT_EQ(registry_.find("enc-1")->device.state, DeviceState::kBusy);
  EXPECT_EQ(registry_.find("enc-1")->device.current_job, "7");
  EXPECT_EQ(registry_.reserve("enc-1", 7).code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(registry_.reserve("enc-1", 8).code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(registry_.finish("enc-1", 7, protocol::Outcome::kOk));
  EXPECT_FALSE(registry_.finish("enc-1", 7, protocol::Outcome::kOk));
  auto info = registry_.find("enc-1").value();
  EXPECT_EQ(info.device.state, DeviceState::kIdle);
  EXPECT_EQ(info.device.jobs_done, 1);

  protocol::StatusReport fault;
  fault.state = protocol::DeviceStatus::kFault;
  fault.fault = "ribbon_out";
  registry_.status("enc-1", fault);
  EXPECT_EQ(registry_.reserve("enc-1", 9).code(), ErrorCode::kUnavailable);
  registry_.status("enc-1", protocol::StatusReport{});
  EXPECT_TRUE(registry_.reserve("enc-1", 9).isOk());
}

TEST_F(RegistryTest, SilentDevicesExpireAfterHeartbeatTimesLiveness) {
  registry_.ready(readyOf("enc-1", "s1"), "r1", "");
  registry_.ready(readyOf("enc-2", "s2"), "r2", "");
  ASSERT_TRUE(registry_.reserve("enc-1", 41).isOk());
  clock_.advanceMillis(2000);
  ASSERT_TRUE(registry_.touch("r2").isOk());
  clock_.advanceMillis(1000);  // enc-1 silent for exactly 3 s: not yet lost
  EXPECT_TRUE(registry_.expire().empty());
  clock_.advanceMillis(1);
  auto lost = registry_.expire();
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].device_id, "enc-1");
  EXPECT_EQ(lost[0].jobs, std::vector<std::int64_t>{41});
  EXPECT_EQ(lost[0].reason, LossReason::kSilent);
  EXPECT_EQ(registry_.find("enc-1")->device.state, DeviceState::kOffline);
  EXPECT_EQ(registry_.reserve("enc-1", 42).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(registry_.touch("r1").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(registry_.expire().empty());  // reported once
  EXPECT_EQ(registry_.liveDevices(), std::vector<std::string>{"enc-2"});
}

TEST_F(RegistryTest, NewSessionReleasesJobsSameSessionResendsThem) {
  registry_.ready(readyOf("enc-1", "s1", 2), "r1", "");
  ASSERT_TRUE(registry_.reserve("enc-1", 1).isOk());
  ASSERT_TRUE(registry_.reserve("enc-1", 2).isOk());
  ReadyOutcome again = registry_.ready(readyOf("enc-1", "s1", 2), "r2", "");
  EXPECT_FALSE(again.new_session);
  EXPECT_EQ(again.resend, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(registry_.find("enc-1")->device.state, DeviceState::kBusy);
  EXPECT_EQ(registry_.touch("r1").status().code(), ErrorCode::kNotFound);
  ReadyOutcome restarted = registry_.ready(readyOf("enc-1", "s9", 2), "r3", "");
  EXPECT_TRUE(restarted.new_session);
  ASSERT_TRUE(restarted.released.has_value());
  EXPECT_EQ(restarted.released->reason, LossReason::kRestarted);
  EXPECT_EQ(restarted.released->jobs, (std::vector<std::int64_t>{1, 2}));
  EXPECT_TRUE(registry_.find("enc-1")->jobs.empty());
}

TEST_F(RegistryTest, DisconnectReleasesJobs) {
  registry_.ready(readyOf("enc-1", "s1"), "r1", "");
  ASSERT_TRUE(registry_.reserve("enc-1", 5).isOk());
  LostDevice lost = registry_.disconnect("enc-1");
  EXPECT_EQ(lost.jobs, std::vector<std::int64_t>{5});
  EXPECT_EQ(lost.reason, LossReason::kDisconnect);
  EXPECT_EQ(registry_.find("enc-1")->device.state, DeviceState::kOffline);
}

TEST(ResultLedger, SeesEachResultOnceAndRemembersTheAck) {
  ResultLedger ledger(2);
  EXPECT_EQ(ledger.see("enc-1", 1, 1), ResultLedger::Seen::kNew);
  EXPECT_EQ(ledger.see("enc-1", 1, 1), ResultLedger::Seen::kPending);
  // Another attempt is another result.
  EXPECT_EQ(ledger.see("enc-1", 1, 2), ResultLedger::Seen::kNew);
  EXPECT_FALSE(ledger.acknowledge("enc-1", 3, 1, protocol::AckStatus::kRecorded));
  EXPECT_TRUE(ledger.acknowledge("enc-1", 1, 1, protocol::AckStatus::kRecorded));
  EXPECT_EQ(ledger.see("enc-1", 1, 1), ResultLedger::Seen::kAcknowledged);
  EXPECT_EQ(ledger.status("enc-1", 1, 1), protocol::AckStatus::kRecorded);
  EXPECT_EQ(ledger.see("enc-1", 2, 1), ResultLedger::Seen::kNew);  // evicts (1, 1), the oldest
  EXPECT_FALSE(ledger.status("enc-1", 1, 1).has_value());
  EXPECT_EQ(ledger.see("enc-1", 1, 2), ResultLedger::Seen::kPending);
}

TEST(ResultLedger, AnotherDevicesResultForTheSameJobDoesNotShadowIt) {
  ResultLedger ledger(8);
  // A device that garbles or forges a result for a job leased to enc-1 ...
  EXPECT_EQ(ledger.see("enc-2", 7, 1), ResultLedger::Seen::kNew);
  EXPECT_TRUE(ledger.acknowledge("enc-2", 7, 1, protocol::AckStatus::kStale));
  // ... leaves enc-1's own result new, and its answer is enc-1's own.
  EXPECT_EQ(ledger.see("enc-1", 7, 1), ResultLedger::Seen::kNew);
  EXPECT_FALSE(ledger.status("enc-1", 7, 1).has_value());
  EXPECT_TRUE(ledger.acknowledge("enc-1", 7, 1, protocol::AckStatus::kRecorded));
  EXPECT_EQ(ledger.status("enc-1", 7, 1), protocol::AckStatus::kRecorded);
  EXPECT_EQ(ledger.status("enc-2", 7, 1), protocol::AckStatus::kStale);
}

TEST_F(RegistryTest, DeviceTimeIsEveryStateSpanOnceWithoutGaps) {
  const Timestamp t0 = clock_.now();
  registry_.ready(readyOf("enc-1", "s1"), "r", "");  // idle from t0
  clock_.advanceMillis(2000);
  ASSERT_TRUE(registry_.reserve("enc-1", 7).isOk());  // busy from t0+2s
  clock_.advanceMillis(3000);
  ASSERT_TRUE(registry_.finish("enc-1", 7, protocol::Outcome::kOk));  // idle from t0+5s
  clock_.advanceMillis(1000);
  protocol::StatusReport fault;
  fault.state = protocol::DeviceStatus::kFault;
  fault.fault = "ribbon_out";
  registry_.status("enc-1", fault);  // fault from t0+6s
  clock_.advanceMillis(4000);

  std::vector<DeviceTimeSpan> spans = registry_.takeDeviceTime();  // at t0+10s
  ASSERT_EQ(spans.size(), 4u);
  const DeviceState want[] = {DeviceState::kIdle, DeviceState::kBusy, DeviceState::kIdle,
                              DeviceState::kFault};
  const std::int64_t bounds[] = {0, 2, 5, 6, 10};
  for (std::size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(spans[i].device_id, "enc-1");
    EXPECT_EQ(spans[i].station, StationType::kEncode);
    EXPECT_EQ(spans[i].state, want[i]) << i;
    EXPECT_EQ(spans[i].from, t0.plusSeconds(bounds[i])) << i;
    EXPECT_EQ(spans[i].to, t0.plusSeconds(bounds[i + 1])) << i;
  }

  // The open fault span restarted at the cut: the next call reports only the time since.
  clock_.advanceMillis(1500);
  registry_.disconnect("enc-1");  // offline from t0+11.5s
  clock_.advanceMillis(500);
  spans = registry_.takeDeviceTime();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].state, DeviceState::kFault);
  EXPECT_EQ(spans[0].from, t0.plusSeconds(10));
  EXPECT_EQ(spans[0].to.micros, t0.micros + 11'500'000);
  EXPECT_EQ(spans[1].state, DeviceState::kOffline);
  EXPECT_EQ(spans[1].to, t0.plusSeconds(12));

  // Nothing elapsed: nothing to report.
  EXPECT_TRUE(registry_.takeDeviceTime().empty());
}

}  // namespace
}  // namespace cardline
