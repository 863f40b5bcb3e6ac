// mes/reports/aggregate is std + mes/base + mes/core (+ the engine's observer interface) only:
// no POCO, ZeroMQ, yaml-cpp, MySQL, libharu or storage header may be included by its files, so
// the figures and the chart model can be reused by any renderer.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

TEST(ReportsAggregateIncludes, OnlyStdBaseCoreAndTheEngine) {
  const char* root = std::getenv("CARDLINE_SOURCE_DIR");
  ASSERT_NE(root, nullptr) << "CARDLINE_SOURCE_DIR is not set";
  const std::filesystem::path dir =
      std::filesystem::path(root) / "mes" / "reports" / "aggregate";
  const char* forbidden[] = {"Poco/", "zmq",     "yaml",         "mysql",
                             "cppconn", "hpdf", "mes/storage/", "mes/http/",
                             "mes/config/", "mes/reports/pdf", "mes/reports/csv"};
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc") continue;
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.rfind("#include", 0) != 0) continue;
      for (const char* bad : forbidden) {
        EXPECT_EQ(line.find(bad), std::string::npos)
            << entry.path().string() << ":" << number << ": " << line;
      }
      if (line.find("\"mes/") != std::string::npos) {
        const bool allowed = line.find("\"mes/base/") != std::string::npos ||
                             line.find("\"mes/core/") != std::string::npos ||
                             line.find("\"mes/reports/aggregate/") != std::string::npos ||
                             line.find("\"mes/workflow/engine.h\"") != std::string::npos;
        EXPECT_TRUE(allowed) << entry.path().string() << ":" << number << ": " << line;
      }
    }
  }
  EXPECT_GE(files, 10);
}

}  // namespace
