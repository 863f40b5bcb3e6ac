#pragma once
// SqlStore: the Store port over SqlConnection, with a connection pool.
//
// transact() takes an idle connection from the pool (opening a new one while fewer than
// max_connections exist, otherwise waiting for one to be returned), begins a transaction, runs
// the work, commits or rolls back, and returns the connection. Broken connections are
// discarded. Thread-safe. A transact() must not call transact() on the same Store from inside
// its work (with a pool of one it would wait for itself).
//
// Retries: when the work or the commit fails because of a transient conflict (MySQL deadlock
// or lock wait timeout, SQLite busy — SqlConnection::sawRetryableFailure()), the transaction
// is rolled back and the whole work function runs again, up to max_attempts times in total.
// The work function must therefore have no effects outside the transaction. Other failures,
// including a lost connection during commit (outcome unknown), are returned as they are.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "mes/core/pii_protector.h"
#include "mes/core/store.h"
#include "mes/storage/sql_connection.h"

namespace cardline {

using SqlConnectionFactory = std::function<Result<std::unique_ptr<SqlConnection>>()>;

struct SqlStoreOptions {
  int max_connections = 4;  // pool size; at least 1
  int max_attempts = 3;     // tries per transact() on deadlock/busy; at least 1
};

class SqlStore final : public Store {
 public:
  // `pii` must outlive the store. `open_connection` is called on demand from transact().
  SqlStore(StoreBackend backend, SqlConnectionFactory open_connection, const PiiProtector& pii,
           SqlStoreOptions options);

  // Fails with the status of the work, of opening a connection (kUnavailable), of BEGIN or of
  // COMMIT.
  Status transact(const std::function<Status(StoreTransaction&)>& work) override;
  // A read-only transaction (SqlConnection::beginRead), retried like transact().
  Status read(const std::function<Status(StoreTransaction&)>& work) override;
  StoreBackend backend() const override { return backend_; }
  StoreCounters counters() const override;

 private:
  enum class Mode { kWrite, kRead };
  Result<std::unique_ptr<SqlConnection>> acquire();
  void release(std::unique_ptr<SqlConnection> connection);
  Status run(const std::function<Status(StoreTransaction&)>& work, Mode mode);
  Status attempt(SqlConnection& connection,
                 const std::function<Status(StoreTransaction&)>& work, Mode mode);

  const StoreBackend backend_;
  const SqlConnectionFactory open_connection_;
  const PiiProtector& pii_;
  const SqlStoreOptions options_;

  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;  // guarded by mu_
  int open_count_ = 0;                                // guarded by mu_
  mutable std::mutex counters_mu_;
  StoreCounters counters_;  // guarded by counters_mu_
};

}  // namespace cardline
