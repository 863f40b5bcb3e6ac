#pragma once
// Numbered schema migrations, embedded in the binary (schema/migrations_list.cc).
//
// One logical schema for both backends. Statements are written once with a few tokens that
// each dialect renders differently:
//   {key}      an indexable string: TEXT (SQLite) / VARCHAR(191) (MySQL, utf8mb4_bin)
//   {text}     free text: TEXT / TEXT
//   {longtext} large text (JSON detail): TEXT / MEDIUMTEXT
//   {blob}     binary: BLOB / LONGBLOB
//   {serial}   auto-increment primary key: INTEGER PRIMARY KEY AUTOINCREMENT /
//              BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY
//   {table}    table options: "" / ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
//   {insert_ignore}  INSERT OR IGNORE / INSERT IGNORE
// A migration is never edited once released; later changes are new numbers.

#include <string>
#include <string_view>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/storage/sql_connection.h"

namespace cardline {

struct Migration {
  int version = 0;         // 1, 2, 3 ... without gaps
  std::string name;        // "initial", ...
  std::vector<std::string> statements;  // with the tokens above
};

// All migrations in version order.
const std::vector<Migration>& schemaMigrations();

// Replaces the tokens for `dialect`.
std::string renderSql(std::string_view sql, Dialect dialect);

struct MigrationReport {
  int from_version = 0;  // schema version found before migrating (0: empty database)
  int to_version = 0;    // schema version after
  std::vector<std::string> applied;  // "0001_initial", ... in the order applied
  // One line per applied migration, or "schema is current at version N".
  std::string summary() const;
};

// The highest applied migration version (0 when the schema_migrations table is absent).
// Fails like SqlConnection::query.
Result<int> schemaVersion(SqlConnection& connection);

// Applies the missing migrations in order, each in its own transaction with its
// schema_migrations row (on MySQL, DDL commits implicitly, so a migration that fails half-way
// is retried from its start: statements use IF NOT EXISTS). Running it again applies nothing.
// kFailedPrecondition if the database has a version newer than this binary knows; otherwise
// fails like SqlConnection::execute, naming the migration.
Result<MigrationReport> migrate(SqlConnection& connection, const Clock& clock);

}  // namespace cardline
