#pragma once
// The BlankStockRepository (mes/core/blank_stock.h) over SqlConnection, for SQLite and
// MySQL/MariaDB (internal to mes/storage; held by the SQL StoreTransaction).

#include <memory>

#include "mes/core/blank_stock.h"
#include "mes/storage/sql_connection.h"

namespace cardline {

// A BlankStockRepository running its SQL on `connection` inside the caller's transaction.
// `connection` must outlive the result.
std::unique_ptr<BlankStockRepository> makeSqlBlankStock(SqlConnection& connection);

}  // namespace cardline
