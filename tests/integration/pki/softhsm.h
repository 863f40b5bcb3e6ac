#pragma once
// A throwaway SoftHSM2 token for tests: its own token directory and configuration file
// (SOFTHSM2_CONF), a token initialised with softhsm2-util, all removed afterwards. softhsm2 is
// required (scripts/install-deps.sh --test): a missing module or tool makes the test fail.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/unit/document/test_support.h"

namespace cardline::testing {

inline std::string softHsmModule() {
  for (const char* path :
       {"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"}) {
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

class SoftHsm {
 public:
  static constexpr const char* kLabel = "cardline-test";
  static constexpr const char* kPin = "271828";
  static constexpr const char* kSoPin = "314159";

  SoftHsm() {
    const auto tokens = dir_.path() / "tokens";
    std::filesystem::create_directories(tokens);
    conf_ = (dir_.path() / "softhsm2.conf").string();
    std::ofstream(conf_) << "directories.tokendir = " << tokens.string()
                         << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    ::setenv("SOFTHSM2_CONF", conf_.c_str(), 1);
    const CommandResult init =
        runCommand("softhsm2-util --init-token --free --label " + std::string(kLabel) +
                   " --so-pin " + kSoPin + " --pin " + kPin + " 2>&1");
    EXPECT_EQ(init.exit_code, 0) << init.output;
    EXPECT_FALSE(softHsmModule().empty()) << "libsofthsm2.so not found (apt-get install softhsm2)";
  }
  ~SoftHsm() { ::unsetenv("SOFTHSM2_CONF"); }
  SoftHsm(const SoftHsm&) = delete;
  SoftHsm& operator=(const SoftHsm&) = delete;

  std::string module() const { return softHsmModule(); }
  std::filesystem::path tokenDir() const { return dir_.path() / "tokens"; }
  std::filesystem::path dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  std::string conf_;
};

}  // namespace cardline::testing
