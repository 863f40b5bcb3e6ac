#pragma once
// Shared helpers of the reports tests: a fresh SQLite store in a temporary directory.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "mes/base/clock.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/storage/store_factory.h"

namespace cardline::reports_test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs a shell command (the real qpdf, pdftotext, pdftoppm) and collects its output.
inline CommandResult runCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A migrated SQLite store in its own temporary directory, removed on destruction.
class TempSqliteStore {
 public:
  explicit TempSqliteStore(const Clock& clock) {
    auto pii = AesGcmPiiProtector::create(Bytes(32, 0x42));
    EXPECT_TRUE(pii.isOk()) << pii.status().toString();
    if (!pii.isOk()) return;
    pii_ = std::move(pii).value();
    std::string pattern = ::testing::TempDir() + "cardline-reports-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    dir_ = pattern;
    StoreOptions options;
    options.backend = StoreBackend::kSqlite;
    options.sqlite_path = dir_ + "/cardline.db";
    auto migrated = migrateStore(options, clock);
    EXPECT_TRUE(migrated.isOk()) << migrated.status().toString();
    auto store = openStore(options, *pii_);
    EXPECT_TRUE(store.isOk()) << store.status().toString();
    if (store.isOk()) store_ = std::move(store).value();
  }
  ~TempSqliteStore() {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  TempSqliteStore(const TempSqliteStore&) = delete;
  TempSqliteStore& operator=(const TempSqliteStore&) = delete;

  Store& store() { return *store_; }
  bool ready() const { return store_ != nullptr; }
  const std::string& dir() const { return dir_; }

 private:
  std::unique_ptr<AesGcmPiiProtector> pii_;
  std::unique_ptr<Store> store_;
  std::string dir_;
};

}  // namespace cardline::reports_test
