#pragma once
// Opening the configured Store and migrating its schema. The composition root (mes/app) calls
// these; nothing else in the system names a backend.

#include <memory>
#include <string>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/pii_protector.h"
#include "mes/core/store.h"
#include "mes/storage/migrations.h"
#include "mes/storage/sql_connection.h"

namespace cardline {

struct StoreOptions {
  StoreBackend backend = StoreBackend::kSqlite;

  // SQLite: the database file (its directory must exist); WAL files live beside it.
  std::string sqlite_path;
  int sqlite_busy_timeout_ms = 10000;

  // MySQL/MariaDB: "tcp://host:port" or "unix:///path/to/socket", credentials and schema.
  std::string mysql_url;
  std::string mysql_user;
  std::string mysql_password;
  std::string mysql_schema;

  int max_connections = 4;  // connection pool size
  int max_attempts = 3;     // tries per transaction on deadlock / busy
};

// One connection to the configured database (for migrations and tools). Fails like
// openSqliteConnection / openMysqlConnection.
Result<std::unique_ptr<SqlConnection>> openSqlConnection(const StoreOptions& options);

// Opens the Store. Checks that the database is reachable and its schema is exactly the version
// this binary knows: kFailedPrecondition ("run cardline migrate") if migrations are missing or
// the database is newer; kUnavailable if it cannot be reached. `pii` must outlive the store.
Result<std::unique_ptr<Store>> openStore(const StoreOptions& options, const PiiProtector& pii);

// Applies the missing migrations (see migrate() in migrations.h) on a fresh connection.
Result<MigrationReport> migrateStore(const StoreOptions& options, const Clock& clock);

}  // namespace cardline
