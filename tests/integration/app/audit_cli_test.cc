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

TEST_F(AuditCliTest, CustodyCommandsAndLookupsAreInTheChainedTrail) {
  const std::string backlog = root_ + "/applications.jsonl";
  auto generated = runCardline({"generate", "--count", "3", "--seed", "7", "--out", backlog},
                               root_ + "/generate.log");
  ASSERT_TRUE(generated.isOk() && *generated == 0) << readFile(root_ + "/generate.log");
  ASSERT_EQ(cardline({"import", backlog, "--actor", "intake-clerk"}), 0) << log_;
  const std::string first_id = [&] {
    std::ifstream in(backlog);
    std::string line;
    std::getline(in, line);
    const auto at = line.find("\"application_id\":\"");
    return at == std::string::npos ? std::string()
                                   : line.substr(at + 18, line.find('"', at + 18) - at - 18);
  }();
  ASSERT_FALSE(first_id.empty());
  ASSERT_EQ(cardline({"track", first_id, "--unmasked", "--actor", "sup1", "--reason",
                      "citizen called"}),
            0)
      << log_;
  EXPECT_EQ(cardline({"track", "NO-SUCH-THING", "--actor", "sup1"}), 1) << log_;
  ASSERT_EQ(cardline({"blanks", "receive", "--lot", "LOT-1", "--line", "L1", "--supplier", "S",
                      "--chip-type", "C", "--model", "cccd-2021", "--serials",
                      "B0001,B0002,B0003", "--actor", "vault"}),
            0)
      << log_;
  // The public key of the ZeroMQ CURVE test vector (RFC 32 / zmq_curve).
  ASSERT_EQ(cardline({"device", "add", "print-1", "--station", "print", "--key",
                      "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "--actor", "engineer"}),
            0)
      << log_;
  // One identifier rule for the command line and the API: markup is refused.
  EXPECT_NE(cardline({"device", "add", "<b>print-2</b>", "--station", "print", "--key",
                      "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"}),
            0)
      << log_;
  EXPECT_NE(log_.find("the device id may contain only"), std::string::npos) << log_;
  EXPECT_NE(cardline({"blanks", "receive", "--lot", "../LOT", "--line", "L1", "--supplier", "S",
                      "--chip-type", "C", "--model", "cccd-2021", "--serials", "B0009"}),
            0)
      << log_;
  EXPECT_NE(log_.find("the lot id"), std::string::npos) << log_;
  ASSERT_EQ(cardline({"blanks", "issue", "--device", "print-1", "--serials", "B0001,B0002",
                      "--actor", "vault"}),
            0)
      << log_;
  ASSERT_EQ(cardline({"blanks", "return", "--serials", "B0002", "--actor", "vault"}), 0) << log_;

  int imports = 0;
  bool batch = false, lookup = false, missed_lookup = false, received = false, issued = false,
       returned = false, device = false;
  for (const AuditEntry& e : entries()) {
    if (e.action == "application.import" && e.actor == "intake-clerk") ++imports;
    if (e.action == "import.batch" && e.detail.find("\"accepted\":3") != std::string::npos) {
      batch = true;
    }
    if (e.action == "pii.lookup" && e.actor == "sup1" &&
        e.detail.find(first_id) != std::string::npos &&
        e.detail.find("\"view\":\"full\"") != std::string::npos &&
        e.detail.find("citizen called") != std::string::npos) {
      lookup = true;
    }
    if (e.action == "pii.lookup" && e.detail.find("\"found\":false") != std::string::npos) {
      missed_lookup = true;
    }
    received |= e.action == "blanks.receive" && e.actor == "vault";
    issued |= e.action == "blanks.issue";
    returned |= e.action == "blanks.return";
    device |= e.action == "device.add" && e.actor == "engineer";
  }
  EXPECT_EQ(imports, 3);
  EXPECT_TRUE(batch);
  EXPECT_TRUE(lookup);
  EXPECT_TRUE(missed_lookup);
  EXPECT_TRUE(received && issued && returned);
  EXPECT_TRUE(device);
  EXPECT_EQ(cardline({"audit", "verify"}), 0) << log_;
}

}  // namespace
}  // namespace cardline::app_test
