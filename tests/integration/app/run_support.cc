#include "tests/integration/app/run_support.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>

namespace cardline::app_test {

Result<int> runCardline(const std::vector<std::string>& args, const std::string& log_file) {
  ::setenv("CARDLINE_DEVICE_BIN", e2e::deviceBinary().c_str(), 1);
  std::vector<std::string> argv = {e2e::cardlineBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return e2e::runToCompletion(argv, log_file);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void expectCompleteBenchReport(const std::string& json_file, int applications,
                               const std::string& backend) {
  const std::string text = readFile(json_file);
  ASSERT_FALSE(text.empty()) << "no report in " << json_file;
  Poco::JSON::Object::Ptr report;
  try {
    report = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    FAIL() << "the report is not JSON: " << e.displayText() << "\n" << text;
  }
  ASSERT_TRUE(report) << text;
  EXPECT_EQ(report->getValue<std::string>("outcome"), "done") << text;
  EXPECT_EQ(report->getValue<std::string>("backend"), backend) << text;
  EXPECT_EQ(report->getValue<std::string>("artefacts"), "off") << text;
  EXPECT_EQ(report->getValue<int>("applications"), applications) << text;
  EXPECT_EQ(report->getValue<int>("dispatched"), applications) << text;
  const int jobs = report->getValue<int>("jobs_done");
  EXPECT_GE(jobs, 4 * applications) << text;
  auto stations = report->getObject("jobs_by_station");
  ASSERT_TRUE(stations) << text;
  for (const char* station : {"print", "encode", "qa", "dispatch"}) {
    EXPECT_GE(stations->getValue<int>(station), applications) << station << "\n" << text;
  }
  EXPECT_GT(report->getValue<double>("wall_seconds"), 0.0) << text;
  EXPECT_GT(report->getValue<double>("cards_per_second"), 0.0) << text;
  EXPECT_GT(report->getValue<double>("jobs_per_second"), 0.0) << text;

  auto latency = report->getObject("job_latency_ms");
  ASSERT_TRUE(latency) << text;
  EXPECT_EQ(latency->getValue<int>("samples"), jobs) << text;
  const double p50 = latency->getValue<double>("p50");
  const double p99 = latency->getValue<double>("p99");
  EXPECT_GE(p50, 0.0) << text;
  EXPECT_LE(p50, p99) << text;
  EXPECT_LE(p99, latency->getValue<double>("max")) << text;

  auto memory = report->getObject("peak_rss_kib");
  ASSERT_TRUE(memory) << text;
  EXPECT_GT(memory->getValue<std::int64_t>("mes"), 0) << text;
  auto devices = memory->getObject("devices");
  ASSERT_TRUE(devices) << text;
  EXPECT_EQ(devices->size(), 4u) << text;
  for (const char* device : {"print-1", "encode-1", "qa-1", "dispatch-1"}) {
    ASSERT_TRUE(devices->has(device)) << device << "\n" << text;
    EXPECT_GT(devices->getValue<std::int64_t>(device), 0) << device << "\n" << text;
  }
}

std::string benchDbUrl(const e2e::MysqlTarget& target) {
  const std::string tcp = "tcp://";
  if (target.url.compare(0, tcp.size(), tcp) != 0) return "";
  return "mysql://" + target.user + "@" + target.url.substr(tcp.size()) + "/" + target.schema;
}

}  // namespace cardline::app_test
