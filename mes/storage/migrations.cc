#include "mes/storage/migrations.h"

#include <cstdio>
#include <utility>

namespace cardline {
namespace {

const std::pair<std::string_view, std::string_view> kSqliteTokens[] = {
    {"{key}", "TEXT"},
    {"{text}", "TEXT"},
    {"{longtext}", "TEXT"},
    {"{blob}", "BLOB"},
    {"{serial}", "INTEGER PRIMARY KEY AUTOINCREMENT"},
    {"{table}", ""},
    {"{insert_ignore}", "INSERT OR IGNORE"},
};
const std::pair<std::string_view, std::string_view> kMysqlTokens[] = {
    {"{key}", "VARCHAR(191)"},
    {"{text}", "TEXT"},
    {"{longtext}", "MEDIUMTEXT"},
    {"{blob}", "LONGBLOB"},
    {"{serial}", "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"},
    {"{table}", " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"},
    {"{insert_ignore}", "INSERT IGNORE"},
};

const char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
    "  version BIGINT NOT NULL PRIMARY KEY,\n"
    "  name {key} NOT NULL,\n"
    "  applied_at BIGINT NOT NULL\n"
    "){table}";

std::string migrationLabel(const Migration& migration) {
  char number[16];
  std::snprintf(number, sizeof number, "%04d", migration.version);
  return std::string(number) + "_" + migration.name;
}

}  // namespace

std::string renderSql(std::string_view sql, Dialect dialect) {
  std::string out(sql);
  const auto& tokens = dialect == Dialect::kSqlite ? kSqliteTokens : kMysqlTokens;
  for (const auto& [token, replacement] : tokens) {
    std::size_t at = 0;
    while ((at = out.find(token, at)) != std::string::npos) {
      out.replace(at, token.size(), replacement);
      at += replacement.size();
    }
  }
  return out;
}

std::string MigrationReport::summary() const {
  if (applied.empty()) return "schema is current at version " + std::to_string(to_version);
  std::string out;
  for (const auto& label : applied) out += "applied " + label + "\n";
  out += "schema is now at version " + std::to_string(to_version);
  return out;
}

Result<int> schemaVersion(SqlConnection& connection) {
  const char* exists_sql =
      connection.dialect() == Dialect::kSqlite
          ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
            "'schema_migrations'"
          : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
            "AND table_name = 'schema_migrations'";
  CARDLINE_ASSIGN_OR_RETURN(auto rows, connection.query(exists_sql, {}));
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t present, sqlInt(rows.at(0).at(0)));
  if (present == 0) return 0;
  CARDLINE_ASSIGN_OR_RETURN(auto versions,
                            connection.query("SELECT MAX(version) FROM schema_migrations", {}));
  if (versions.empty() || sqlIsNull(versions[0][0])) return 0;
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t version, sqlInt(versions[0][0]));
  return static_cast<int>(version);
}

Result<MigrationReport> migrate(SqlConnection& connection, const Clock& clock) {
  MigrationReport report;
  CARDLINE_RETURN_IF_ERROR(
      connection.executeDirect(renderSql(kCreateMigrationsTable, connection.dialect())));
  CARDLINE_ASSIGN_OR_RETURN(report.from_version, schemaVersion(connection));
  const auto& all = schemaMigrations();
  const int known = all.empty() ? 0 : all.back().version;
  if (report.from_version > known) {
    return failedPrecondition("database schema is at version " +
                              std::to_string(report.from_version) +
                              " but this cardline knows only up to " + std::to_string(known) +
                              "; upgrade cardline");
  }
  report.to_version = report.from_version;
  for (const Migration& migration : all) {
    if (migration.version <= report.from_version) continue;
    const std::string label = migrationLabel(migration);
    Status status = connection.begin();
    for (std::size_t i = 0; status.isOk() && i < migration.statements.size(); ++i) {
      status = connection.executeDirect(renderSql(migration.statements[i], connection.dialect()));
    }
    if (status.isOk()) {
      status = connection
                   .execute("INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES (?, ?, ?)",
                            {std::int64_t{migration.version}, migration.name,
                             clock.now().micros})
                   .status();
    }
    if (status.isOk()) status = connection.commit();
    if (!status.isOk()) {
      Status rolled_back = connection.rollback();
      (void)rolled_back;  // the migration's own failure is the one to report
      return status.withContext("migration " + label);
    }
    report.applied.push_back(label);
    report.to_version = migration.version;
  }
  return report;
}

}  // namespace cardline
