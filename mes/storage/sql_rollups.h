#pragma once
// The RollupRepository (mes/core/rollups.h) over SqlConnection, for SQLite and MySQL/MariaDB
// (internal to mes/storage; held by the SQL StoreTransaction).

#include <memory>

#include "mes/core/rollups.h"
#include "mes/storage/sql_connection.h"

namespace cardline {

// A RollupRepository running its SQL on `connection` inside the caller's transaction.
// `connection` must outlive the result. Increments are summed per key and milestones kept in
// memory until flushSqlRollups writes them as multi-row upserts (ON CONFLICT ... DO UPDATE on
// SQLite, ON DUPLICATE KEY UPDATE on MySQL); reads of the rollup tables flush first.
std::unique_ptr<RollupRepository> makeSqlRollups(SqlConnection& connection);
// Writes what `rollups` (made by makeSqlRollups) staged. Call before COMMIT.
Status flushSqlRollups(RollupRepository& rollups);

}  // namespace cardline
