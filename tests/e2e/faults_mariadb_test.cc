// The fault campaign on MariaDB: the database server stopped and started again in the middle of
// a run (tests/e2e/fault_scenarios.h). The test starts a MariaDB server of its own with
// scripts/mariadb.sh, so it can stop it without disturbing the other tests' server. Without
// mariadbd on the PATH it is skipped, unless CARDLINE_REQUIRE_MARIADB=1 (CI), where it fails.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tests/e2e/fault_scenarios.h"

namespace cardline::e2e {
namespace {

bool mariadbInstalled() {
  return ::system("command -v mariadbd >/dev/null 2>&1 || test -x /usr/sbin/mariadbd") == 0;
}

TEST(FaultCampaignMariadb, DatabaseStoppedAndStartedMidRun) {
  if (!mariadbInstalled()) {
    if (mariadbRequired()) FAIL() << "CARDLINE_REQUIRE_MARIADB=1 but mariadbd is not installed";
    GTEST_SKIP() << "mariadbd is not installed (scripts/install-deps.sh --test installs it)";
  }
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string control = dir.path() + "/mariadb";
  const std::string script = sourceDir() + "/scripts/mariadb.sh";
  const std::string log = dir.path() + "/mariadb-start.log";
  auto started = runToCompletion({"/bin/bash", script, "start", control}, log);
  ASSERT_TRUE(started.isOk() && *started == 0) << "scripts/mariadb.sh start failed, see " << log;
  // Its export lines name the server.
  std::map<std::string, std::string> exports;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("export ", 0) != 0) continue;
    const std::size_t eq = line.find('=');
    if (eq != std::string::npos) exports[line.substr(7, eq - 7)] = line.substr(eq + 1);
  }
  LineSettings line;
  line.backend = Backend::kMysql;
  line.mysql = MysqlTarget{exports["CARDLINE_MYSQL_URL"], exports["CARDLINE_MYSQL_USER"],
                           exports["CARDLINE_MYSQL_PASSWORD"], exports["CARDLINE_MYSQL_SCHEMA"]};
  ASSERT_FALSE(line.mysql->url.empty()) << "no CARDLINE_MYSQL_URL in " << log;
  // The nodes read the password from this variable (writeNodeConfig).
  ::setenv("CARDLINE_MYSQL_PASSWORD", line.mysql->password.c_str(), 1);

  runDatabaseRestartScenario(line, control, 40);

  auto stopped = runToCompletion({"/bin/bash", script, "stop", control}, dir.path() + "/stop.log");
  EXPECT_TRUE(stopped.isOk() && *stopped == 0);
}

}  // namespace
}  // namespace cardline::e2e
