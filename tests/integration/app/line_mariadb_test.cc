// `cardline bench` and `cardline demo` with --db mysql://... against the MariaDB named by
// CARDLINE_MYSQL_* (scripts/mariadb.sh start). Fails instead of skipping when
// CARDLINE_REQUIRE_MARIADB=1. Drops the schema's tables, so ctest runs it serially.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "tests/integration/app/run_support.h"

namespace cardline::app_test {
namespace {

using ::testing::HasSubstr;

class LineMariaDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mysql_ = e2e::mysqlFromEnvironment();
    if (!mysql_) {
      const char* why =
          "CARDLINE_MYSQL_URL/_SCHEMA are not set; start a server with "
          "eval \"$(bash scripts/mariadb.sh start /tmp/cl-mariadb)\"";
      if (e2e::mariadbRequired()) {
        FAIL() << "MariaDB is required (CARDLINE_REQUIRE_MARIADB=1) but " << why;
      }
      GTEST_SKIP() << why;
    }
    url_ = benchDbUrl(*mysql_);
    ASSERT_FALSE(url_.empty()) << "CARDLINE_MYSQL_URL must be tcp://HOST:PORT, not "
                               << mysql_->url;
  }

  std::optional<e2e::MysqlTarget> mysql_;
  std::string url_;
};

TEST_F(LineMariaDbTest, BenchDispatchesTwentyApplicationsWithThePasswordFromTheEnvironment) {
  e2e::TempDir tmp;
  const std::string json = tmp.path() + "/bench.json";
  const std::string log = tmp.path() + "/bench.log";
  ::setenv("CARDLINE_DB_PASSWORD", mysql_->password.c_str(), 1);
  // --reset: the schema may hold the tables of another test.
  auto rc = runCardline({"bench", "--applications", "20", "--artefacts", "off", "--db", url_,
                         "--data-dir", tmp.path() + "/bench", "--json", json, "--reset"},
                        log);
  ::unsetenv("CARDLINE_DB_PASSWORD");
  ASSERT_TRUE(rc.isOk()) << rc.status().message();
  ASSERT_EQ(*rc, 0) << readFile(log);
  expectCompleteBenchReport(json, 20, "mysql");

  // The schema is not empty now: without --reset the bench refuses it.
  ::setenv("CARDLINE_DB_PASSWORD", mysql_->password.c_str(), 1);
  auto again = runCardline({"bench", "--applications", "5", "--db", url_, "--data-dir",
                            tmp.path() + "/bench-2"},
                           log);
  ::unsetenv("CARDLINE_DB_PASSWORD");
  ASSERT_TRUE(again.isOk()) << again.status().message();
  EXPECT_NE(*again, 0);
  EXPECT_THAT(readFile(log), HasSubstr("pass --reset to drop them"));
}

TEST_F(LineMariaDbTest, BenchWithoutAPasswordSaysWhereItLooked) {
  e2e::TempDir tmp;
  const std::string log = tmp.path() + "/bench.log";
  ::unsetenv("CARDLINE_DB_PASSWORD");
  auto rc = runCardline({"bench", "--db", url_, "--data-dir", tmp.path() + "/bench"}, log);
  ASSERT_TRUE(rc.isOk()) << rc.status().message();
  EXPECT_NE(*rc, 0);
  EXPECT_THAT(readFile(log), HasSubstr("CARDLINE_DB_PASSWORD"));
}

TEST_F(LineMariaDbTest, DemoRunsTwiceOnTheSameSchemaWithAPasswordFile) {
  ASSERT_TRUE(e2e::dropAllTables(*mysql_).isOk());
  e2e::TempDir tmp;
  const std::string password_file = tmp.path() + "/db-password";
  std::ofstream(password_file) << mysql_->password << "\n";
  const std::string data_dir = tmp.path() + "/demo";
  // Fixed seeds whose ten applications all carry a photo: the line cannot yet build the chip
  // of a 2024-model card without one (holders under 6), and this test is about --db.
  const char* const seeds[] = {"2", "4"};
  for (int run = 1; run <= 2; ++run) {
    const std::string log = tmp.path() + "/demo-" + std::to_string(run) + ".log";
    auto rc = runCardline({"demo", "--applications", "10", "--seed", seeds[run - 1],
                           "--exit-when-done", "--port", "0", "--data-dir", data_dir, "--db",
                           url_, "--db-password-file", password_file},
                          log);
    ASSERT_TRUE(rc.isOk()) << rc.status().message();
    ASSERT_EQ(*rc, 0) << "run " << run << ":\n" << readFile(log);
    const std::string out = readFile(log);
    EXPECT_THAT(out, HasSubstr("cardline demo: done")) << out;
    EXPECT_THAT(out, HasSubstr("database " + url_)) << out;
    EXPECT_THAT(out, HasSubstr("still in the line 0")) << out;
  }
}

}  // namespace
}  // namespace cardline::app_test
