// Enforces the dependency rules of docs/architecture.md by reading the sources:
//  - the domain core (mes/base, mes/core, mes/workflow, mes/scheduler, mes/reports aggregation)
//    includes no POCO, ZeroMQ, yaml-cpp, MySQL or libharu header;
//  - devices/ includes only mes/base, mes/document and devices/ from the project.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace cardline {
namespace {

namespace fs = std::filesystem;

fs::path sourceDir() {
  const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
  return dir ? fs::path(dir) : fs::current_path();
}

struct Include {
  std::string file;
  int line;
  std::string target;
};

std::vector<Include> includesUnder(const fs::path& root) {
  std::vector<Include> out;
  if (!fs::exists(root)) return out;
  static const std::regex kInclude(R"(^\s*#\s*include\s*[<"]([^>"]+)[>"])");
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const auto ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cc" && ext != ".cpp" && ext != ".hpp") continue;
    std::ifstream in(entry.path());
    std::string text;
    int line_no = 0;
    while (std::getline(in, text)) {
      ++line_no;
      std::smatch m;
      if (std::regex_search(text, m, kInclude)) {
        out.push_back({entry.path().string(), line_no, m[1].str()});
      }
    }
  }
  return out;
}

bool isThirdPartyInfrastructure(const std::string& header) {
  static const std::regex kForbidden(
      R"(^(Poco/|zmq|cppzmq|yaml-cpp/|cppconn/|mysql|mysqlx/|mariadb|hpdf))");
  return std::regex_search(header, kForbidden);
}

TEST(DependencyRuleTest, DomainCoreIncludesNoInfrastructureHeader) {
  const fs::path src = sourceDir();
  ASSERT_TRUE(fs::exists(src / "mes/core/store.h")) << "CARDLINE_SOURCE_DIR is wrong: " << src;
  std::vector<std::string> violations;
  int scanned = 0;
  for (const char* dir : {"mes/base", "mes/core", "mes/workflow", "mes/scheduler",
                          "mes/reports/aggregate"}) {
    for (const auto& inc : includesUnder(src / dir)) {
      ++scanned;
      if (isThirdPartyInfrastructure(inc.target)) {
        violations.push_back(inc.file + ":" + std::to_string(inc.line) + ": " + inc.target);
      }
    }
  }
  EXPECT_GT(scanned, 0);
  EXPECT_TRUE(violations.empty()) << "third-party headers in the domain core:\n"
                                  << [&] {
                                       std::string s;
                                       for (const auto& v : violations) s += v + "\n";
                                       return s;
                                     }();
}

TEST(DependencyRuleTest, DevicesUseOnlyBaseDocumentAndDevices) {
  const fs::path src = sourceDir();
  std::vector<std::string> violations;
  for (const auto& inc : includesUnder(src / "devices")) {
    if (inc.target.rfind("mes/", 0) == 0 && inc.target.rfind("mes/base/", 0) != 0 &&
        inc.target.rfind("mes/document/", 0) != 0) {
      violations.push_back(inc.file + ":" + std::to_string(inc.line) + ": " + inc.target);
    }
  }
  EXPECT_TRUE(violations.empty()) << "devices/ reaches into the MES:\n" << [&] {
    std::string s;
    for (const auto& v : violations) s += v + "\n";
    return s;
  }();
}

// The rule itself must catch what it is meant to catch.
TEST(DependencyRuleTest, RecognisesForbiddenHeaders) {
  EXPECT_TRUE(isThirdPartyInfrastructure("Poco/JSON/Object.h"));
  EXPECT_TRUE(isThirdPartyInfrastructure("zmq.hpp"));
  EXPECT_TRUE(isThirdPartyInfrastructure("yaml-cpp/yaml.h"));
  EXPECT_TRUE(isThirdPartyInfrastructure("cppconn/driver.h"));
  EXPECT_TRUE(isThirdPartyInfrastructure("mysql_connection.h"));
  EXPECT_TRUE(isThirdPartyInfrastructure("hpdf.h"));
  EXPECT_FALSE(isThirdPartyInfrastructure("mes/base/status.h"));
  EXPECT_FALSE(isThirdPartyInfrastructure("vector"));
}

}  // namespace
}  // namespace cardline
