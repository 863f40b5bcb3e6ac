#pragma once
// The repositories of the Store port, written once over SqlConnection (internal to
// mes/storage; used by SqlStore).

#include <memory>

#include "mes/core/pii_protector.h"
#include "mes/core/store.h"
#include "mes/storage/sql_connection.h"

namespace cardline {

// A StoreTransaction whose repositories run their SQL on `connection` (inside a transaction
// the caller opened) and seal personal data with `pii`. Both must outlive the result.
std::unique_ptr<StoreTransaction> makeSqlTransaction(SqlConnection& connection,
                                                     const PiiProtector& pii);
// Writes what the repositories of a transaction made by makeSqlTransaction staged for its end
// (events, rollup increments); call once before COMMIT. Errors as the statements return them.
Status finishSqlTransaction(StoreTransaction& transaction);

}  // namespace cardline
