#pragma once
// The RollupRepository (mes/core/rollups.h) over SqlConnection, for SQLite and MySQL/MariaDB
// (internal to mes/storage; held by the SQL StoreTransaction).

#include <memory>

#include "mes/core/rollups.h"
#include "mes/storage/sql_connection.h"

namespace cardline {

// A RollupRepository running its SQL on `connection` inside the caller's transaction.
// `connection` must outlive the result. Increments are single upsert statements
// (ON CONFLICT ... DO UPDATE on SQLite, ON DUPLICATE KEY UPDATE on MySQL).
std::unique_ptr<RollupRepository> makeSqlRollups(SqlConnection& connection);

}  // namespace cardline
