#include "mes/storage/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <unordered_map>

namespace cardline {
namespace {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbHandle = std::unique_ptr<sqlite3, DbClose>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

bool isRetryable(int code) {
  const int primary = code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

Status statusFor(int code, sqlite3* db, const std::string& what) {
  const std::string message =
      what + ": " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  switch (code) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return alreadyExists(message);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return failedPrecondition(message);
    default:
      break;
  }
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      return invalidArgument(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return unavailable(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return dataLoss(message);
    default:
      return internalError(message);
  }
}

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(DbHandle db) : db_(std::move(db)) {}
  ~SqliteConnection() override {
    statements_.clear();  // finalize before the handle closes
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::int64_t> execute(const std::string& sql, const SqlParams& params) override {
    ++counters_.statements;
    CARDLINE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, prepare(sql, params));
    StatementReset reset{stmt};
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return static_cast<std::int64_t>(sqlite3_changes(db_.get()));
      if (rc != SQLITE_ROW) return fail(rc, "executing " + sql);
    }
  }

  Result<std::vector<SqlRow>> query(const std::string& sql, const SqlParams& params) override {
    ++counters_.statements;
    CARDLINE_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, prepare(sql, params));
    StatementReset reset{stmt};
    std::vector<SqlRow> rows;
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return rows;
      if (rc != SQLITE_ROW) return fail(rc, "querying " + sql);
      const int columns = sqlite3_column_count(stmt);
      SqlRow row;
      row.reserve(static_cast<std::size_t>(columns));
      for (int i = 0; i < columns; ++i) row.push_back(column(stmt, i));
      rows.push_back(std::move(row));
    }
  }

  Result<std::int64_t> lastInsertId() override {
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_.get()));
  }

  Status executeDirect(const std::string& sql) override {
    ++counters_.statements;
    char* error = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error);
    if (error != nullptr) sqlite3_free(error);
    if (rc != SQLITE_OK) return fail(rc, "executing " + sql);
    return Status::ok();
  }

  Status begin() override {
    retryable_ = false;
    return executeDirect("BEGIN IMMEDIATE");
  }
  Status beginRead() override {
    retryable_ = false;
    return executeDirect("BEGIN DEFERRED");
  }
  Status commit() override { return executeDirect("COMMIT"); }
  Status rollback() override {
    if (sqlite3_get_autocommit(db_.get()) != 0) return Status::ok();  // nothing open
    return executeDirect("ROLLBACK");
  }

  bool sawRetryableFailure() const override { return retryable_; }
  bool broken() const override { return false; }
  SqlConnectionCounters counters() const override { return counters_; }

 private:
  struct StatementReset {
    sqlite3_stmt* stmt;
    ~StatementReset() {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
    }
  };

  SqlConnectionCounters counters_;  // round_trips stay 0: SQLite runs in this process

  Status fail(int rc, const std::string& what) {
    const int code = sqlite3_extended_errcode(db_.get());
    if (isRetryable(rc) || isRetryable(code)) retryable_ = true;
    return statusFor(code != SQLITE_OK ? code : rc, db_.get(), what);
  }

  Result<sqlite3_stmt*> prepare(const std::string& sql, const SqlParams& params) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      sqlite3_stmt* raw = nullptr;
      const int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size() + 1),
                                        SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
      StmtHandle stmt(raw);
      if (rc != SQLITE_OK) return fail(rc, "preparing " + sql);
      it = statements_.emplace(sql, std::move(stmt)).first;
    }
    sqlite3_stmt* stmt = it->second.get();
    if (sqlite3_bind_parameter_count(stmt) != static_cast<int>(params.size())) {
      return internalError("statement expects " +
                           std::to_string(sqlite3_bind_parameter_count(stmt)) +
                           " parameters, got " + std::to_string(params.size()) + ": " + sql);
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      const SqlValue& value = params[i];
      int rc = SQLITE_OK;
      if (sqlIsNull(value)) {
        rc = sqlite3_bind_null(stmt, index);
      } else if (const auto* n = std::get_if<std::int64_t>(&value)) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* d = std::get_if<double>(&value)) {
        rc = sqlite3_bind_double(stmt, index, *d);
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8);
      } else if (const auto* b = std::get_if<Bytes>(&value)) {
        rc = sqlite3_bind_blob64(stmt, index, b->data(), b->size(), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) {
        sqlite3_clear_bindings(stmt);
        return fail(rc, "binding parameter " + std::to_string(index) + " of " + sql);
      }
    }
    return stmt;
  }

  static SqlValue column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER:
        return static_cast<std::int64_t>(sqlite3_column_int64(stmt, i));
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, i);
      case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
      }
      case SQLITE_BLOB: {
        const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, i));
        const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
        return data == nullptr ? Bytes{} : Bytes(data, data + size);
      }
      default:
        return std::monostate{};
    }
  }

  DbHandle db_;
  std::unordered_map<std::string, StmtHandle> statements_;
  bool retryable_ = false;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> openSqliteConnection(const SqliteOptions& options) {
  if (options.path.empty()) return invalidArgument("SQLite database path is empty");
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(options.path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                     SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
                                 nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return statusFor(rc, db.get(), "opening SQLite database " + options.path);
  }
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  auto connection = std::make_unique<SqliteConnection>(std::move(db));
  // mmap_size: the database file is read through a memory map of up to 256 MiB (address
  // space; resident only as pages are touched, shared with the OS page cache) instead of a
  // pread copy per page. An application row with its sealed photo spans several overflow
  // pages, and the line re-reads rows per transition: the copies were a third of the MES's
  // CPU in `cardline bench` (docs/PERFORMANCE.md). Writes still go through the WAL.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                             "PRAGMA foreign_keys=ON", "PRAGMA mmap_size=268435456"}) {
    Status status = connection->executeDirect(pragma);
    if (!status.isOk()) return status.withContext("opening " + options.path);
  }
  return std::unique_ptr<SqlConnection>(std::move(connection));
}

}  // namespace cardline
