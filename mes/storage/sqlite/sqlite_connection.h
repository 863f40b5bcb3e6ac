#pragma once
// SQLite driver of SqlConnection, written directly against the sqlite3 C API.
//
// Why not POCO Data/SQLite: the Store needs per-connection prepared-statement caching, the
// extended result codes (to tell a unique violation from a foreign-key violation from
// SQLITE_BUSY) and explicit BEGIN IMMEDIATE; the raw API gives all three with no extra layer,
// and the library is the same libsqlite3 POCO links.
//
// Every connection sets journal_mode=WAL, synchronous=FULL, foreign_keys=ON and busy_timeout.
// Not thread-safe; one thread at a time.

#include <memory>
#include <string>

#include "mes/storage/sql_connection.h"

namespace cardline {

struct SqliteOptions {
  std::string path;             // database file; created if absent (its directory must exist)
  int busy_timeout_ms = 10000;  // how long a writer waits for another writer's lock
};

// Opens (creating if needed) the database file and applies the pragmas. kUnavailable if the
// file cannot be opened or is locked; kDataLoss if it is not an SQLite database.
Result<std::unique_ptr<SqlConnection>> openSqliteConnection(const SqliteOptions& options);

}  // namespace cardline
