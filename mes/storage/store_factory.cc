#include "mes/storage/store_factory.h"

#include "mes/storage/mysql/mysql_connection.h"
#include "mes/storage/sql_store.h"
#include "mes/storage/sqlite/sqlite_connection.h"

namespace cardline {

Result<std::unique_ptr<SqlConnection>> openSqlConnection(const StoreOptions& options) {
  switch (options.backend) {
    case StoreBackend::kSqlite:
      return openSqliteConnection(SqliteOptions{options.sqlite_path,
                                                options.sqlite_busy_timeout_ms});
    case StoreBackend::kMysql:
      return openMysqlConnection(MysqlOptions{options.mysql_url, options.mysql_user,
                                              options.mysql_password, options.mysql_schema});
  }
  return invalidArgument("unknown store backend");
}

Result<std::unique_ptr<Store>> openStore(const StoreOptions& options, const PiiProtector& pii) {
  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<SqlConnection> probe, openSqlConnection(options));
  CARDLINE_ASSIGN_OR_RETURN(int version, schemaVersion(*probe));
  const int known = schemaMigrations().back().version;
  if (version < known) {
    return failedPrecondition("database schema is at version " + std::to_string(version) +
                              ", this cardline needs " + std::to_string(known) +
                              "; run cardline migrate");
  }
  if (version > known) {
    return failedPrecondition("database schema is at version " + std::to_string(version) +
                              ", newer than this cardline (" + std::to_string(known) + ")");
  }
  probe.reset();
  StoreOptions copy = options;
  auto open_connection = [copy]() { return openSqlConnection(copy); };
  return std::unique_ptr<Store>(std::make_unique<SqlStore>(
      options.backend, open_connection, pii,
      SqlStoreOptions{options.max_connections, options.max_attempts}));
}

Result<MigrationReport> migrateStore(const StoreOptions& options, const Clock& clock) {
  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<SqlConnection> connection,
                            openSqlConnection(options));
  return migrate(*connection, clock);
}

}  // namespace cardline
