// `cardline bench` on the embedded database: the real binary with four real device processes;
// checks the JSON report's content (never its speed).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/app/run_support.h"

namespace cardline::app_test {
namespace {

using ::testing::HasSubstr;

TEST(BenchSqliteTest, TwentyApplicationsAreDispatchedAndReported) {
  e2e::TempDir tmp;
  const std::string data_dir = tmp.path() + "/bench";
  const std::string json = tmp.path() + "/bench.json";
  const std::string log = tmp.path() + "/bench.log";
  auto rc = runCardline({"bench", "--applications", "20", "--artefacts", "off", "--data-dir",
                         data_dir, "--json", json},
                        log);
  ASSERT_TRUE(rc.isOk()) << rc.status().message();
  ASSERT_EQ(*rc, 0) << readFile(log);
  expectCompleteBenchReport(json, 20, "sqlite");
  EXPECT_THAT(readFile(log), HasSubstr("station jobs/s"));

  // The data directory is not fresh any more: a second run is refused without --reset.
  auto again = runCardline({"bench", "--applications", "5", "--data-dir", data_dir}, log);
  ASSERT_TRUE(again.isOk()) << again.status().message();
  EXPECT_NE(*again, 0);
  EXPECT_THAT(readFile(log), HasSubstr("is not empty; pass --reset"));
}

TEST(BenchSqliteTest, ResetRefusesAFolderTheBenchDidNotCreate) {
  e2e::TempDir tmp;
  const std::string data_dir = tmp.path() + "/precious";
  std::filesystem::create_directories(data_dir);
  std::ofstream(data_dir + "/keep.txt") << "not the bench's\n";
  const std::string log = tmp.path() + "/bench.log";
  auto rc = runCardline({"bench", "--applications", "5", "--data-dir", data_dir, "--reset"}, log);
  ASSERT_TRUE(rc.isOk()) << rc.status().message();
  EXPECT_NE(*rc, 0);
  EXPECT_THAT(readFile(log), HasSubstr("was not created by cardline bench"));
  EXPECT_TRUE(std::filesystem::exists(data_dir + "/keep.txt"));
}

TEST(BenchSqliteTest, BadDatabaseUrlIsAUsageError) {
  e2e::TempDir tmp;
  const std::string log = tmp.path() + "/bench.log";
  auto rc = runCardline({"bench", "--data-dir", tmp.path() + "/d", "--db",
                         "mysql://root:pw@127.0.0.1:3306/x"},
                        log);
  ASSERT_TRUE(rc.isOk()) << rc.status().message();
  EXPECT_EQ(*rc, 2);
  EXPECT_THAT(readFile(log), HasSubstr("must not contain the password"));
}

}  // namespace
}  // namespace cardline::app_test
