#pragma once
// The raw durable commit rate of a database with the product's own connection settings: the
// baseline that `cardline bench` and bench/storage/raw_commits put beside the line's figures
// (docs/PERFORMANCE.md). One connection runs single-row transactions — BEGIN (SQLite: BEGIN
// IMMEDIATE, WAL, synchronous=FULL; MariaDB: START TRANSACTION, InnoDB with
// innodb_flush_log_at_trx_commit=1), one INSERT, COMMIT — for a while.

#include <chrono>
#include <cstdint>

#include "mes/base/status.h"
#include "mes/storage/store_factory.h"

namespace cardline {

struct RawCommitRate {
  std::int64_t commits = 0;
  double seconds = 0;
  double perSecond() const { return seconds > 0 ? static_cast<double>(commits) / seconds : 0; }
};

// Measures for about `duration` on `options`' database: SQLite in a scratch file beside the
// configured one (PATH + ".baseline", removed afterwards), MariaDB in a scratch table
// (`bench_raw_commits`, dropped afterwards). Fails with the driver's error.
Result<RawCommitRate> measureRawCommitRate(const StoreOptions& options,
                                           std::chrono::milliseconds duration);

}  // namespace cardline
