#include "mes/storage/sql_store.h"

#include <algorithm>

#include "mes/base/log.h"
#include "mes/storage/sql_repositories.h"

namespace cardline {

SqlStore::SqlStore(StoreBackend backend, SqlConnectionFactory open_connection,
                   const PiiProtector& pii, SqlStoreOptions options)
    : backend_(backend),
      open_connection_(std::move(open_connection)),
      pii_(pii),
      options_{std::max(1, options.max_connections), std::max(1, options.max_attempts)} {}

Result<std::unique_ptr<SqlConnection>> SqlStore::acquire() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    returned_.wait(lock,
                   [&] { return !idle_.empty() || open_count_ < options_.max_connections; });
    if (!idle_.empty()) {
      std::unique_ptr<SqlConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    ++open_count_;  // reserve the slot, open outside the lock
  }
  Result<std::unique_ptr<SqlConnection>> opened = open_connection_();
  if (!opened.isOk()) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_count_;
    returned_.notify_one();
  }
  return opened;
}

void SqlStore::release(std::unique_ptr<SqlConnection> connection) {
  std::lock_guard<std::mutex> lock(mu_);
  if (connection->broken()) {
    --open_count_;
    connection.reset();
  } else {
    idle_.push_back(std::move(connection));
  }
  returned_.notify_one();
}

Status SqlStore::attempt(SqlConnection& connection,
                         const std::function<Status(StoreTransaction&)>& work, Mode mode) {
  const SqlConnectionCounters before = connection.counters();
  Status status = mode == Mode::kWrite ? connection.begin() : connection.beginRead();
  if (status.isOk()) {
    std::unique_ptr<StoreTransaction> transaction = makeSqlTransaction(connection, pii_);
    status = work(*transaction);
    if (status.isOk()) status = finishSqlTransaction(*transaction);
    if (status.isOk()) status = connection.commit();
    if (!status.isOk()) {
      Status rolled_back = connection.rollback();
      if (!rolled_back.isOk()) {
        logWarning("storage", "rollback failed: " + rolled_back.toString());
      }
    }
  }
  const SqlConnectionCounters after = connection.counters();
  std::lock_guard<std::mutex> lock(counters_mu_);
  if (mode == Mode::kWrite) {
    ++counters_.transactions;
    if (status.isOk()) ++counters_.commits;
    counters_.statements += after.statements - before.statements;
  } else {
    ++counters_.reads;
    counters_.read_statements += after.statements - before.statements;
  }
  counters_.round_trips += after.round_trips - before.round_trips;
  return status;
}

Status SqlStore::run(const std::function<Status(StoreTransaction&)>& work, Mode mode) {
  Status status;
  for (int attempt_number = 1; attempt_number <= options_.max_attempts; ++attempt_number) {
    CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<SqlConnection> connection, acquire());
    status = attempt(*connection, work, mode);
    const bool retry = !status.isOk() && connection->sawRetryableFailure() &&
                       !connection->broken() && attempt_number < options_.max_attempts;
    release(std::move(connection));
    if (!retry) return status;
    logInfo("storage", "transaction conflict, retrying (attempt " +
                           std::to_string(attempt_number + 1) + "): " + status.message());
  }
  return status;
}

Status SqlStore::transact(const std::function<Status(StoreTransaction&)>& work) {
  return run(work, Mode::kWrite);
}

Status SqlStore::read(const std::function<Status(StoreTransaction&)>& work) {
  return run(work, Mode::kRead);
}

StoreCounters SqlStore::counters() const {
  std::lock_guard<std::mutex> lock(counters_mu_);
  return counters_;
}

}  // namespace cardline
