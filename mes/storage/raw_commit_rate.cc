#include "mes/storage/raw_commit_rate.h"

#include <cstdio>
#include <memory>
#include <string>

#include "mes/storage/sql_connection.h"

namespace cardline {

Result<RawCommitRate> measureRawCommitRate(const StoreOptions& options,
                                           std::chrono::milliseconds duration) {
  StoreOptions scratch = options;
  const bool sqlite = options.backend == StoreBackend::kSqlite;
  if (sqlite) scratch.sqlite_path = options.sqlite_path + ".baseline";
  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<SqlConnection> db, openSqlConnection(scratch));
  const std::string table = "bench_raw_commits";
  CARDLINE_RETURN_IF_ERROR(db->executeDirect("DROP TABLE IF EXISTS " + table));
  CARDLINE_RETURN_IF_ERROR(db->executeDirect(
      sqlite ? "CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, at INTEGER, note TEXT)"
             : "CREATE TABLE " + table +
                   " (id BIGINT AUTO_INCREMENT PRIMARY KEY, at BIGINT, note VARCHAR(64)) "
                   "ENGINE=InnoDB"));
  const std::string insert = "INSERT INTO " + table + " (at, note) VALUES (?, ?)";
  RawCommitRate rate;
  const auto started = std::chrono::steady_clock::now();
  const auto until = started + duration;
  while (std::chrono::steady_clock::now() < until) {
    CARDLINE_RETURN_IF_ERROR(db->begin());
    CARDLINE_RETURN_IF_ERROR(
        db->execute(insert, {rate.commits, std::string("raw durable commit")}).status());
    CARDLINE_RETURN_IF_ERROR(db->commit());
    ++rate.commits;
  }
  rate.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CARDLINE_RETURN_IF_ERROR(db->executeDirect("DROP TABLE IF EXISTS " + table));
  db.reset();
  if (sqlite) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove((scratch.sqlite_path + suffix).c_str());
    }
  }
  return rate;
}

}  // namespace cardline
