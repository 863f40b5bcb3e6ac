// End to end on MariaDB: crash safety of one node, two nodes sharing one backlog with one of
// them killed (tests/e2e/line_scenarios.h), and the device faults of the fault campaign
// (tests/e2e/fault_scenarios.h). Needs CARDLINE_MYSQL_* (scripts/mariadb.sh
// start); fails instead of skipping when CARDLINE_REQUIRE_MARIADB=1. Drops the schema's
// tables, so ctest runs it serially.
#include <gtest/gtest.h>

#include "tests/e2e/fault_scenarios.h"
#include "tests/e2e/line_scenarios.h"

namespace cardline::e2e {
namespace {

class LineMariaDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mysql_ = mysqlFromEnvironment();
    if (mysql_) return;
    const char* why =
        "CARDLINE_MYSQL_URL/_SCHEMA are not set; start a server with "
        "eval \"$(scripts/mariadb.sh start /tmp/cl-mariadb)\"";
    if (mariadbRequired()) {
      FAIL() << "MariaDB is required (CARDLINE_REQUIRE_MARIADB=1) but " << why;
    }
    GTEST_SKIP() << why;
  }

  LineSettings settings() const {
    LineSettings line;
    line.backend = Backend::kMysql;
    line.mysql = mysql_;
    return line;
  }

  std::optional<MysqlTarget> mysql_;
};

TEST_F(LineMariaDbTest, KillNineMidRunThenRestartFinishesEveryApplicationOnce) {
  runCrashScenario(settings(), 60);
}

TEST_F(LineMariaDbTest, TwoNodesShareTheBacklogAndTheSurvivorFinishesAfterAKill) {
  runTwoNodeScenario(settings(), 80);
}

TEST_F(LineMariaDbTest, DeviceKilledAndRestartedMidJob) {
  runDeviceKillScenario(settings(), 40);
}

TEST_F(LineMariaDbTest, DeviceHangsAndWakesUpLate) {
  runDeviceHangScenario(settings(), 40);
}

}  // namespace
}  // namespace cardline::e2e
