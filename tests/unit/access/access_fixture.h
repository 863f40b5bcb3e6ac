#pragma once
// A fresh migrated SQLite store in a temporary directory, a FakeClock, the audit trail and the
// account service with a low hashing cost (the default cost is tested separately).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "mes/base/clock.h"
#include "mes/core/store.h"
#include "mes/security/accounts.h"
#include "mes/security/audit_chain.h"
#include "mes/security/audit_key_hmac.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/storage/store_factory.h"

namespace cardline {

class AccessStoreTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Runs one SQL statement directly on the database file (to tamper with it).
  void executeSql(const std::string& sql);
  // Every audit entry, in seq order.
  std::vector<AuditEntry> auditEntries();

  static AccountOptions fastAccountOptions();

  FakeClock clock_;
  StoreOptions options_;
  std::unique_ptr<AesGcmPiiProtector> pii_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<HmacAuditKey> audit_key_;  // a fixed test key
  std::unique_ptr<AuditTrail> audit_;
  std::unique_ptr<AccountService> accounts_;
  std::string temp_dir_;
};

}  // namespace cardline
