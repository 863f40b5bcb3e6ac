#include "tests/unit/access/access_fixture.h"

#include <stdlib.h>

#include <cstdlib>

namespace cardline {

AccountOptions AccessStoreTest::fastAccountOptions() {
  AccountOptions options;
  options.hashing.iterations = kMinPasswordIterations;
  return options;
}

void AccessStoreTest::SetUp() {
  auto pii = AesGcmPiiProtector::create(Bytes(32, 0x42));
  ASSERT_TRUE(pii.isOk()) << pii.status().toString();
  pii_ = std::move(pii).value();
  std::string pattern = ::testing::TempDir() + "cardline-access-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  temp_dir_ = pattern;
  options_.backend = StoreBackend::kSqlite;
  options_.sqlite_path = temp_dir_ + "/cardline.db";
  auto report = migrateStore(options_, clock_);
  ASSERT_TRUE(report.isOk()) << report.status().toString();
  auto store = openStore(options_, *pii_);
  ASSERT_TRUE(store.isOk()) << store.status().toString();
  store_ = std::move(store).value();
  auto audit_key = HmacAuditKey::create(Bytes(32, 0x5a));
  ASSERT_TRUE(audit_key.isOk()) << audit_key.status().toString();
  audit_key_ = std::move(audit_key).value();
  audit_ = std::make_unique<AuditTrail>(*store_, clock_, *audit_key_);
  accounts_ = std::make_unique<AccountService>(*store_, *audit_, clock_, fastAccountOptions());
}

void AccessStoreTest::TearDown() {
  accounts_.reset();
  audit_.reset();
  store_.reset();
  if (!temp_dir_.empty()) {
    const std::string command = "rm -rf '" + temp_dir_ + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }
}

void AccessStoreTest::executeSql(const std::string& sql) {
  auto db = openSqlConnection(options_);
  ASSERT_TRUE(db.isOk()) << db.status().toString();
  Status done = (*db)->executeDirect(sql);
  ASSERT_TRUE(done.isOk()) << done.toString() << " in " << sql;
}

std::vector<AuditEntry> AccessStoreTest::auditEntries() {
  auto entries = audit_->list(0, 1000);
  EXPECT_TRUE(entries.isOk()) << entries.status().toString();
  return entries.isOk() ? *entries : std::vector<AuditEntry>{};
}

}  // namespace cardline
