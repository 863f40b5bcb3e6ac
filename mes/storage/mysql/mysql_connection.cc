#include "mes/storage/mysql/mysql_connection.h"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <mutex>
#include <sstream>
#include <unordered_map>

namespace cardline {
namespace {

constexpr int kDuplicateKey = 1062;
constexpr int kRowIsReferenced = 1451;
constexpr int kNoReferencedRow = 1452;
constexpr int kLockWaitTimeout = 1205;
constexpr int kDeadlock = 1213;
constexpr int kBadNull = 1048;

bool isConnectionLoss(int code) {
  return code == 2002 || code == 2003 || code == 2006 || code == 2013 || code == 2055 ||
         code == 1927;  // 1927: connection killed
}

// Connector/C++ keeps a process-wide driver whose first use initialises the client library;
// connecting is serialised so concurrent first connections are safe.
std::mutex& connectMutex() {
  static std::mutex mutex;
  return mutex;
}

class MysqlConnection final : public SqlConnection {
 public:
  explicit MysqlConnection(std::unique_ptr<sql::Connection> connection)
      : connection_(std::move(connection)) {}
  ~MysqlConnection() override {
    statements_.clear();
    try {
      connection_->close();
    } catch (const sql::SQLException& e) {
      // Closing a lost connection fails; nothing is left to release.
      (void)e;
    }
  }

  Dialect dialect() const override { return Dialect::kMysql; }

  Result<std::int64_t> execute(const std::string& sql, const SqlParams& params) override {
    ++counters_.statements;
    ++counters_.round_trips;
    try {
      CARDLINE_ASSIGN_OR_RETURN(sql::PreparedStatement * stmt, prepare(sql));
      std::vector<std::unique_ptr<std::istringstream>> blobs;
      CARDLINE_RETURN_IF_ERROR(bind(stmt, params, blobs));
      return static_cast<std::int64_t>(stmt->executeUpdate());
    } catch (const sql::SQLException& e) {
      return fail(e, "executing " + sql);
    }
  }

  Result<std::vector<SqlRow>> query(const std::string& sql, const SqlParams& params) override {
    ++counters_.statements;
    ++counters_.round_trips;
    try {
      CARDLINE_ASSIGN_OR_RETURN(sql::PreparedStatement * stmt, prepare(sql));
      std::vector<std::unique_ptr<std::istringstream>> blobs;
      CARDLINE_RETURN_IF_ERROR(bind(stmt, params, blobs));
      std::unique_ptr<sql::ResultSet> result(stmt->executeQuery());
      sql::ResultSetMetaData* meta = result->getMetaData();
      const unsigned int columns = meta->getColumnCount();
      std::vector<int> types;
      for (unsigned int i = 1; i <= columns; ++i) types.push_back(meta->getColumnType(i));
      std::vector<SqlRow> rows;
      while (result->next()) {
        SqlRow row;
        row.reserve(columns);
        for (unsigned int i = 1; i <= columns; ++i) row.push_back(column(*result, i, types[i - 1]));
        rows.push_back(std::move(row));
      }
      return rows;
    } catch (const sql::SQLException& e) {
      return fail(e, "querying " + sql);
    }
  }

  Result<std::int64_t> lastInsertId() override {
    CARDLINE_ASSIGN_OR_RETURN(auto rows, query("SELECT LAST_INSERT_ID()", {}));
    if (rows.empty() || rows[0].empty()) return internalError("LAST_INSERT_ID() returned nothing");
    return sqlInt(rows[0][0]);
  }

  Status executeDirect(const std::string& sql) override {
    ++counters_.statements;
    ++counters_.round_trips;
    try {
      std::unique_ptr<sql::Statement> stmt(connection_->createStatement());
      stmt->execute(sql);
      return Status::ok();
    } catch (const sql::SQLException& e) {
      return fail(e, "executing " + sql);
    }
  }

  Status begin() override {
    retryable_ = false;
    return executeDirect("START TRANSACTION");
  }
  Status beginRead() override {
    retryable_ = false;
    return executeDirect("START TRANSACTION READ ONLY");
  }
  Status commit() override { return executeDirect("COMMIT"); }
  Status rollback() override {
    if (broken_) return Status::ok();  // the server rolled back when the connection dropped
    return executeDirect("ROLLBACK");
  }

  bool sawRetryableFailure() const override { return retryable_; }
  bool broken() const override { return broken_; }
  SqlConnectionCounters counters() const override { return counters_; }

 private:
  SqlConnectionCounters counters_;

  Status fail(const sql::SQLException& e, const std::string& what) {
    const int code = e.getErrorCode();
    const std::string message =
        what + ": " + e.what() + " (error " + std::to_string(code) + ", " + e.getSQLState() + ")";
    if (code == kDuplicateKey) return alreadyExists(message);
    if (code == kRowIsReferenced || code == kNoReferencedRow) return failedPrecondition(message);
    if (code == kBadNull) return invalidArgument(message);
    if (code == kDeadlock || code == kLockWaitTimeout) {
      retryable_ = true;
      return unavailable(message);
    }
    if (isConnectionLoss(code)) {
      broken_ = true;
      return unavailable(message);
    }
    return internalError(message);
  }

  Result<sql::PreparedStatement*> prepare(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      ++counters_.round_trips;  // the server prepares it once per connection
      std::unique_ptr<sql::PreparedStatement> stmt(connection_->prepareStatement(sql));
      it = statements_.emplace(sql, std::move(stmt)).first;
    }
    return it->second.get();
  }

  static Status bind(sql::PreparedStatement* stmt, const SqlParams& params,
                     std::vector<std::unique_ptr<std::istringstream>>& blobs) {
    stmt->clearParameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto index = static_cast<unsigned int>(i + 1);
      const SqlValue& value = params[i];
      if (sqlIsNull(value)) {
        stmt->setNull(index, sql::DataType::SQLNULL);
      } else if (const auto* n = std::get_if<std::int64_t>(&value)) {
        stmt->setInt64(index, *n);
      } else if (const auto* d = std::get_if<double>(&value)) {
        stmt->setDouble(index, *d);
      } else if (const auto* s = std::get_if<std::string>(&value)) {
        stmt->setString(index, sql::SQLString(*s));
      } else if (const auto* b = std::get_if<Bytes>(&value)) {
        // Binary goes through a stream so it is sent as a blob, never as text to convert.
        blobs.push_back(std::make_unique<std::istringstream>(toString(*b)));
        stmt->setBlob(index, blobs.back().get());
      }
    }
    return Status::ok();
  }

  static SqlValue column(sql::ResultSet& result, unsigned int i, int type) {
    if (result.isNull(i)) return std::monostate{};
    switch (type) {
      case sql::DataType::BIT:
      case sql::DataType::TINYINT:
      case sql::DataType::SMALLINT:
      case sql::DataType::MEDIUMINT:
      case sql::DataType::INTEGER:
      case sql::DataType::BIGINT:
        return static_cast<std::int64_t>(result.getInt64(i));
      case sql::DataType::REAL:
      case sql::DataType::DOUBLE:
        return static_cast<double>(result.getDouble(i));
      case sql::DataType::BINARY:
      case sql::DataType::VARBINARY:
      case sql::DataType::LONGVARBINARY: {
        const sql::SQLString text = result.getString(i);
        return toBytes(text.asStdString());
      }
      default:
        return std::string(result.getString(i).asStdString());
    }
  }

  std::unique_ptr<sql::Connection> connection_;
  std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
  bool retryable_ = false;
  bool broken_ = false;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> openMysqlConnection(const MysqlOptions& options) {
  if (options.url.empty()) return invalidArgument("MySQL url is empty");
  if (options.schema.empty()) return invalidArgument("MySQL schema is empty");
  try {
    std::unique_ptr<sql::Connection> connection;
    {
      std::lock_guard<std::mutex> lock(connectMutex());
      sql::mysql::MySQL_Driver* driver = sql::mysql::get_mysql_driver_instance();
      sql::ConnectOptionsMap properties;
      properties["hostName"] = sql::SQLString(options.url);
      properties["userName"] = sql::SQLString(options.user);
      properties["password"] = sql::SQLString(options.password);
      properties["schema"] = sql::SQLString(options.schema);
      properties["CLIENT_FOUND_ROWS"] = true;
      properties["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
      properties["OPT_RECONNECT"] = false;
      connection.reset(driver->connect(properties));
    }
    connection->setAutoCommit(true);
    std::unique_ptr<sql::Statement> stmt(connection->createStatement());
    stmt->execute("SET NAMES utf8mb4 COLLATE utf8mb4_bin");
    stmt->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    stmt->execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'");
    stmt.reset();
    return std::unique_ptr<SqlConnection>(std::make_unique<MysqlConnection>(std::move(connection)));
  } catch (const sql::SQLException& e) {
    return unavailable("connecting to MySQL " + options.url + " as " + options.user + ": " +
                       e.what() + " (error " + std::to_string(e.getErrorCode()) + ")");
  }
}

}  // namespace cardline
