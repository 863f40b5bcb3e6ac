// `cardline audit verify` as an operator runs it, on a trail someone with write access to the
// database (but not the audit key) tampered with: the real binary, a real SQLite data dir.
// Exit status 0 = intact, 1 = not intact, and the output names the first bad entry.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mes/security/audit_chain.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/storage/store_factory.h"
#include "tests/integration/app/run_support.h"

namespace cardline::app_test {
namespace {

namespace fs = std::filesystem;

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "cardline-audit-cli-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    data_ = root_ + "/data";
    std::ofstream(root_ + "/password") << "correct horse battery staple\n";
    ASSERT_EQ(cardline({"migrate"}), 0) << log_;
    for (const char* user : {"an", "binh", "chi", "dung"}) {
      ASSERT_EQ(cardline({"user", "add", user, "--roles", "operator", "--password-file",
                          root_ + "/password"}),
                0)
          << log_;
    }
    ASSERT_EQ(cardline({"audit", "verify"}), 0) << log_;
    ASSERT_NE(log_.find("audit trail intact: 4 entries"), std::string::npos) << log_;
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // Runs the real binary on this test's data dir; the output is in log_.
  int cardline(std::vector<std::string> args) {
    args.push_back("--data-dir");
    args.push_back(data_);
    const std::string log_file = root_ + "/cardline-" + std::to_string(++runs_) + ".log";
    Result<int> code = runCardline(args, log_file);
    log_ = readFile(log_file);
    EXPECT_TRUE(code.isOk()) << code.status().toString();
    return code.isOk() ? *code : -1;
  }

  StoreOptions storeOptions() const {
    StoreOptions options;
    options.backend = StoreBackend::kSqlite;
    options.sqlite_path = data_ + "/cardline.db";
    return options;
  }

  void executeSql(const std::string& sql) {
    auto db = openSqlConnection(storeOptions());
    ASSERT_TRUE(db.isOk()) << db.status().toString();
    Status done = (*db)->executeDirect(sql);
    ASSERT_TRUE(done.isOk()) << done.toString() << " in " << sql;
  }

  std::vector<AuditEntry> entries() {
    auto pii = AesGcmPiiProtector::fromKeyFile(data_ + "/keys/pii.key");
    EXPECT_TRUE(pii.isOk()) << pii.status().toString();
    if (!pii.isOk()) return {};
    auto store = openStore(storeOptions(), **pii);
    EXPECT_TRUE(store.isOk()) << store.status().toString();
    if (!store.isOk()) return {};
    std::vector<AuditEntry> all;
    Status read = (*store)->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(all, tx.audit().after(0, 1000));
      return Status::ok();
    });
    EXPECT_TRUE(read.isOk()) << read.toString();
    return all;
  }

  // What the old, unkeyed chain allowed: recompute plain SHA-256 hashes from entry `from` on.
  void rehashPlainFrom(std::int64_t from) {
    auto all = entries();
    std::string prev = from == 1 ? kAuditGenesisHash : all.at(from - 2).hash;
    for (auto& entry : all) {
      if (entry.seq < from) continue;
      entry.prev_hash = prev;
      entry.hash = auditEntryHash(entry);
      executeSql("UPDATE audit_entries SET prev_hash = '" + entry.prev_hash + "', hash = '" +
                 entry.hash + "' WHERE seq = " + std::to_string(entry.seq));
      prev = entry.hash;
    }
  }

  std::string root_;
  std::string data_;
  std::string log_;
  int runs_ = 0;
};

TEST_F(AuditCliTest, AlteredEntryWithThePlainChainRecomputedFailsAndIsNamed) {
  executeSql("UPDATE audit_entries SET actor = 'someone-else' WHERE seq = 2");
  rehashPlainFrom(2);
  EXPECT_EQ(cardline({"audit", "verify"}), 1) << log_;
  EXPECT_NE(log_.find("audit entry 2 unsealed"), std::string::npos) << log_;
}

TEST_F(AuditCliTest, AlteredEntryFailsAndIsNamed) {
  executeSql("UPDATE audit_entries SET subject = 'user:zed' WHERE seq = 3");
  EXPECT_EQ(cardline({"audit", "verify"}), 1) << log_;
  EXPECT_NE(log_.find("audit entry 3 altered"), std::string::npos) << log_;
}

TEST_F(AuditCliTest, RemovedEntryFailsAndIsNamed) {
  executeSql("DELETE FROM audit_entries WHERE seq = 2");
  EXPECT_EQ(cardline({"audit", "verify"}), 1) << log_;
  EXPECT_NE(log_.find("audit entry 2 removed"), std::string::npos) << log_;
  // Closing the gap and recomputing the plain chain does not help.
  executeSql("UPDATE audit_entries SET seq = seq - 1 WHERE seq > 2");
  rehashPlainFrom(2);
  EXPECT_EQ(cardline({"audit", "verify"}), 1) << log_;
  EXPECT_NE(log_.find("audit entry 2 unsealed"), std::string::npos) << log_;
}

TEST_F(AuditCliTest, TrailRebuiltWithoutTheKeyFailsAndIsNamed) {
  rehashPlainFrom(1);
  EXPECT_EQ(cardline({"audit", "verify"}), 1) << log_;
  EXPECT_NE(log_.find("audit entry 1 unsealed"), std::string::npos) << log_;
  // Nothing more is appended onto it: the next audited change is refused.
  EXPECT_NE(cardline({"user", "disable", "an"}), 0) << log_;
  EXPECT_NE(log_.find("not sealed with the audit key"), std::string::npos) << log_;
}

TEST_F(AuditCliTest, AnotherKeyDoesNotVerify) {
  fs::remove(data_ + "/keys/audit.key");
  std::ofstream(data_ + "/keys/audit.key") << std::string(64, 'a') << "\n";
  fs::permissions(data_ + "/keys/audit.key", fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(cardline({"audit", "verify"}), 1) << log_;
  EXPECT_NE(log_.find("audit entry 1 altered"), std::string::npos) << log_;
  EXPECT_NE(log_.find("another audit key"), std::string::npos) << log_;
}

TEST_F(AuditCliTest, UpgradeSealsATrailFromBeforeTheKey) {
  // A data dir from before the audit key: a plain SHA-256 trail and no audit.key file.
  rehashPlainFrom(1);
  fs::remove(data_ + "/keys/audit.key");
  const std::string old_head = entries().back().hash;
  ASSERT_EQ(cardline({"migrate"}), 0) << log_;
  EXPECT_NE(log_.find("generated the audit key"), std::string::npos) << log_;
  EXPECT_NE(log_.find("sealed audit entries 1..4 (head " + old_head + ") with keyed "
                      "checkpoint entry 5"),
            std::string::npos)
      << log_;
  EXPECT_EQ(cardline({"audit", "verify"}), 0) << log_;
  EXPECT_NE(log_.find("5 entries (4 from before the key, sealed)"), std::string::npos) << log_;
  ASSERT_EQ(cardline({"user", "disable", "an"}), 0) << log_;
  EXPECT_EQ(cardline({"audit", "verify"}), 0) << log_;
  // A second seal is refused; migrate with the key in place seals nothing.
  EXPECT_NE(cardline({"audit", "seal"}), 0) << log_;
  EXPECT_NE(log_.find("already sealed"), std::string::npos) << log_;
  ASSERT_EQ(cardline({"migrate"}), 0) << log_;
  EXPECT_EQ(log_.find("sealed audit entries"), std::string::npos) << log_;
}

TEST_F(AuditCliTest, ProvisionedKeySealsAnOldTrailOnCommand) {
  rehashPlainFrom(1);  // the old trail; the key file was provisioned (present) already
  EXPECT_EQ(cardline({"audit", "verify"}), 1) << log_;
  ASSERT_EQ(cardline({"audit", "seal"}), 0) << log_;
  EXPECT_NE(log_.find("with keyed checkpoint entry 5"), std::string::npos) << log_;
  EXPECT_EQ(cardline({"audit", "verify"}), 0) << log_;
}

}  // namespace
}  // namespace cardline::app_test
