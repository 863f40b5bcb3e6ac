// mes/workflow is std + mes/core only (ARCHITECTURE.md): no POCO, ZeroMQ, yaml-cpp, MySQL or
// libharu header may be included by any of its files.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

TEST(WorkflowIncludes, OnlyStdAndCardlineCore) {
  const char* root = std::getenv("CARDLINE_SOURCE_DIR");
  ASSERT_NE(root, nullptr) << "CARDLINE_SOURCE_DIR is not set";
  std::filesystem::path dir = std::filesystem::path(root) / "mes" / "workflow";
  const char* forbidden[] = {"Poco/",   "zmq",  "yaml-cpp",    "yaml.h",       "mysql",
                             "cppconn", "hpdf", "mes/config/", "mes/storage/", "mes/http/"};
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string ext = entry.path().extension().string();
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
    }
  }
  EXPECT_GE(files, 10);
}

}  // namespace
