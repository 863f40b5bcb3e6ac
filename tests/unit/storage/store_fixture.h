#pragma once
// Fixture of the one storage contract suite (store_contract_test.cc), parameterised over the
// backends. SQLite runs on a fresh temporary file. MySQL/MariaDB runs against the server named
// by CARDLINE_MYSQL_URL / _USER / _PASSWORD / _SCHEMA (scripts/mariadb.sh prints them); its
// tables are dropped and re-migrated before each test. When those variables are missing the
// MySQL tests fail if CARDLINE_REQUIRE_MARIADB=1 (CI) and are skipped with a message otherwise.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "mes/base/clock.h"
#include "mes/core/store.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/storage/store_factory.h"

namespace cardline {

enum class TestBackend { kSqlite, kMysql };
std::string testBackendName(const ::testing::TestParamInfo<TestBackend>& info);

class StoreContractTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A fully populated application (every Person field, photo with zero bytes, fingerprints).
  Application makeApplication(const std::string& id, const std::string& personal_number,
                              const std::string& full_name) const;
  StationJob makeJob(const std::string& application_id, StationType station, Priority priority,
                     Timestamp due) const;
  // Inserts makeApplication(id, ...) in its own transaction.
  void insertApplication(const std::string& id,
                         const std::string& personal_number = "001090000001");
  // Opens a Store with another pool size on the same database.
  std::unique_ptr<Store> openAnotherStore(int max_connections);
  // Every byte of the database as stored: SQLite: the database, WAL and shm files after a
  // checkpoint; MySQL: the text of every value of every table (SELECT * through the driver).
  std::string rawDatabaseContent();

  FakeClock clock_;
  StoreOptions options_;
  std::unique_ptr<AesGcmPiiProtector> pii_;
  std::unique_ptr<Store> store_;
  std::string temp_dir_;
};

}  // namespace cardline
