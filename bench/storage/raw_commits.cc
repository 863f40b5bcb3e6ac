// The raw durable commit rate of the database with the product's own settings — the baseline
// every whole-line figure in docs/PERFORMANCE.md is put beside (cardline bench measures it in
// the same run too). One connection runs single-row transactions for a while:
//
//   raw_commits sqlite DIR [SECONDS]                        (WAL, synchronous=FULL, BEGIN IMMEDIATE)
//   raw_commits mysql URL USER SCHEMA [SECONDS]             (password from CARDLINE_DB_PASSWORD;
//                                                            InnoDB, START TRANSACTION ... COMMIT)
//
// Prints one line: backend, commits, seconds, commits per second.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "mes/storage/raw_commit_rate.h"

int main(int argc, char** argv) {
  using cardline::StoreBackend;
  cardline::StoreOptions options;
  int seconds = 5;
  const std::string backend = argc > 1 ? argv[1] : "";
  if (backend == "sqlite" && argc >= 3) {
    options.backend = StoreBackend::kSqlite;
    options.sqlite_path = std::string(argv[2]) + "/raw-commits.db";
    if (argc >= 4) seconds = std::atoi(argv[3]);
  } else if (backend == "mysql" && argc >= 5) {
    options.backend = StoreBackend::kMysql;
    options.mysql_url = argv[2];
    options.mysql_user = argv[3];
    options.mysql_schema = argv[4];
    const char* password = std::getenv("CARDLINE_DB_PASSWORD");
    options.mysql_password = password != nullptr ? password : "";
    if (argc >= 6) seconds = std::atoi(argv[5]);
  } else {
    std::cerr << "usage: raw_commits sqlite DIR [SECONDS] | mysql URL USER SCHEMA [SECONDS]\n";
    return 2;
  }
  if (seconds < 1 || seconds > 600) {
    std::cerr << "raw_commits: SECONDS must be between 1 and 600\n";
    return 2;
  }
  auto rate = cardline::measureRawCommitRate(options, std::chrono::seconds(seconds));
  if (!rate.isOk()) {
    std::cerr << "raw_commits: " << rate.status().toString() << "\n";
    return 1;
  }
  std::printf("%s: %lld durable single-row transactions in %.2f s = %.0f/s\n", backend.c_str(),
              static_cast<long long>(rate->commits), rate->seconds, rate->perSecond());
  return 0;
}
