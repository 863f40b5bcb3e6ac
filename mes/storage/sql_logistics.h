#pragma once
// The LogisticsRepository of the Store port over SqlConnection (internal to mes/storage; held
// by SqlTransaction). Tables: boxes, box_cards, shipments (0001, extended by 0004) and
// discrepancies (0004).

#include <memory>

#include "mes/core/logistics.h"
#include "mes/storage/sql_connection.h"

namespace cardline {

// A repository running its SQL on `connection`, which must outlive it.
std::unique_ptr<LogisticsRepository> makeSqlLogistics(SqlConnection& connection);

}  // namespace cardline
