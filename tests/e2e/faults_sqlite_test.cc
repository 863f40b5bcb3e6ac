// The fault campaign on the embedded default (SQLite): a device killed and restarted, a device
// that hangs, a device that sends garbage, a flood of HTTP requests, each during a run of real
// processes and checked at the end (tests/e2e/fault_scenarios.h). The kill -9 of the MES is
// crash_sqlite_test.cc.
#include <gtest/gtest.h>

#include "tests/e2e/fault_scenarios.h"

namespace cardline::e2e {
namespace {

LineSettings sqliteLine() {
  LineSettings line;
  line.backend = Backend::kSqlite;
  return line;
}

TEST(FaultCampaignSqlite, DeviceKilledAndRestartedMidJob) {
  runDeviceKillScenario(sqliteLine(), 40);
}

TEST(FaultCampaignSqlite, DeviceHangsAndWakesUpLate) {
  runDeviceHangScenario(sqliteLine(), 40);
}

TEST(FaultCampaignSqlite, DeviceSendsGarbageFrames) {
  runGarbageDeviceScenario(sqliteLine(), 40);
}

TEST(FaultCampaignSqlite, FloodOfHttpRequests) {
  runHttpFloodScenario(sqliteLine(), 40);
}

}  // namespace
}  // namespace cardline::e2e
