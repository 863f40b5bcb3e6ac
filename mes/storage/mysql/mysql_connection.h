#pragma once
// MySQL/MariaDB driver of SqlConnection over MySQL Connector/C++ 1.1 (the cppconn API).
//
// Each connection: utf8mb4, CLIENT_FOUND_ROWS (UPDATE reports matched rows, so a conditional
// update that sets equal values still counts), autocommit on between transactions, and
// transactions at READ COMMITTED: locking reads and UPDATEs see the latest committed row, which
// is what conditional updates (`WHERE revision = ?`) and SKIP LOCKED leasing need, and no gap
// locks are taken, which keeps deadlocks rare. Prepared statements are cached per connection.
//
// Error mapping (MariaDB error numbers): 1062 duplicate key → kAlreadyExists; 1451/1452
// foreign key → kFailedPrecondition; 1213 deadlock and 1205 lock wait timeout → kUnavailable
// and retryable; 2002/2003/2006/2013/2055 lost or refused connection → kUnavailable and the
// connection is marked broken. Not thread-safe; one thread at a time.

#include <memory>
#include <string>

#include "mes/storage/sql_connection.h"

namespace cardline {

struct MysqlOptions {
  std::string url;  // "tcp://127.0.0.1:3306" or "unix:///run/mysqld/mysqld.sock"
  std::string user;
  std::string password;
  std::string schema;
};

// Connects and configures the session. kUnavailable if the server cannot be reached or refuses
// the login; kInvalidArgument if url or schema is empty.
Result<std::unique_ptr<SqlConnection>> openMysqlConnection(const MysqlOptions& options);

}  // namespace cardline
