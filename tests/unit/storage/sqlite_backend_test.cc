// The storage contract on SQLite (a fresh file per test), plus SQLite-only checks.

#include "mes/storage/sqlite/sqlite_connection.h"
#include "tests/unit/storage/store_fixture.h"

namespace cardline {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(TestBackend::kSqlite),
                         testBackendName);

class SqliteSettingsTest : public StoreContractTest {};

TEST_P(SqliteSettingsTest, ConnectionsUseWalFullSyncAndForeignKeys) {
  auto db = openSqlConnection(options_);
  ASSERT_TRUE(db.isOk()) << db.status().toString();
  auto mode = (*db)->query("PRAGMA journal_mode", {});
  auto sync = (*db)->query("PRAGMA synchronous", {});
  auto keys = (*db)->query("PRAGMA foreign_keys", {});
  ASSERT_TRUE(mode.isOk() && sync.isOk() && keys.isOk());
  EXPECT_EQ(*sqlText(mode->at(0).at(0)), "wal");
  EXPECT_EQ(*sqlInt(sync->at(0).at(0)), 2);  // FULL
  EXPECT_EQ(*sqlInt(keys->at(0).at(0)), 1);
}

TEST_P(SqliteSettingsTest, OpenStoreRefusesAnUnmigratedDatabase) {
  StoreOptions fresh = options_;
  fresh.sqlite_path = temp_dir_ + "/empty.db";
  auto store = openStore(fresh, *pii_);
  EXPECT_EQ(store.status().code(), ErrorCode::kFailedPrecondition);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteSettingsTest, ::testing::Values(TestBackend::kSqlite),
                         testBackendName);

}  // namespace
}  // namespace cardline
