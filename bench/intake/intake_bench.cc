// Throughput of `cardline import`: generates N synthetic applications to a file, then imports
// them into a fresh SQLite database and, when CARDLINE_MYSQL_URL/_USER/_PASSWORD/_SCHEMA are
// set, into MariaDB/MySQL (its tables are dropped first). Each import runs in a child process
// so its peak resident memory (getrusage of the child) is the import's alone.
//
// Usage: intake_bench [--count N] [--batch B] [--format jsonl|csv] [--dir DIR]
//                     [--reference DIR] [--keep]
// Output: one line per phase with records/s (wall clock), the import's CPU time (user + system;
// robust on a shared machine) and peak RSS.

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "mes/base/clock.h"
#include "mes/base/date.h"
#include "mes/intake/generator.h"
#include "mes/intake/importer.h"
#include "mes/security/pii_aes_gcm.h"
#include "mes/storage/store_factory.h"

namespace cardline {
namespace {

struct BenchOptions {
  std::int64_t count = 100000;
  int batch = 200;
  InputFormat format = InputFormat::kJsonLines;
  std::string dir = "/tmp/cardline-intake-bench";
  std::string reference;
  bool keep = false;
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Drops every table of the configured MySQL schema.
Status emptyMysqlSchema(const StoreOptions& options) {
  CARDLINE_ASSIGN_OR_RETURN(auto db, openSqlConnection(options));
  CARDLINE_ASSIGN_OR_RETURN(
      auto tables,
      db->query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
                {}));
  CARDLINE_RETURN_IF_ERROR(db->executeDirect("SET FOREIGN_KEY_CHECKS = 0"));
  for (const auto& row : tables) {
    CARDLINE_ASSIGN_OR_RETURN(std::string table, sqlText(row.at(0)));
    CARDLINE_RETURN_IF_ERROR(db->executeDirect("DROP TABLE IF EXISTS `" + table + "`"));
  }
  return db->executeDirect("SET FOREIGN_KEY_CHECKS = 1");
}

// Runs in the child: migrate, open, import, print. Returns the exit code.
int importInto(const std::string& label, const StoreOptions& store_options,
               const std::string& input, const ReferenceData& reference, int batch) {
  SystemClock clock;
  auto pii = AesGcmPiiProtector::create(Bytes(32, 0x17));
  if (!pii.isOk()) return 2;
  auto migrated = migrateStore(store_options, clock);
  if (!migrated.isOk()) {
    std::cerr << label << ": " << migrated.status().toString() << "\n";
    return 2;
  }
  auto store = openStore(store_options, **pii);
  if (!store.isOk()) {
    std::cerr << label << ": " << store.status().toString() << "\n";
    return 2;
  }
  ImportOptions options;
  options.batch_size = batch;
  auto start = std::chrono::steady_clock::now();
  ImportSummary summary = importFiles({input}, options, **store, reference, clock, AcceptHook());
  double elapsed = seconds(start);
  std::printf(
      "import %-7s %lld accepted, %lld rejected, %lld duplicates in %.1f s = %.0f records/s",
      label.c_str(), static_cast<long long>(summary.accepted),
      static_cast<long long>(summary.rejected), static_cast<long long>(summary.duplicates), elapsed,
      static_cast<double>(summary.records) / elapsed);
  std::fflush(stdout);
  if (!summary.status.isOk()) {
    std::cerr << "\n" << label << ": " << summary.status.toString() << "\n";
    return 1;
  }
  return summary.rejected == 0 ? 0 : 1;
}

// Forks, imports in the child, prints the child's peak RSS.
int measuredImport(const std::string& label, const StoreOptions& store_options,
                   const std::string& input, const ReferenceData& reference, int batch) {
  std::fflush(stdout);
  pid_t child = ::fork();
  if (child < 0) return 2;
  if (child == 0) std::_Exit(importInto(label, store_options, input, reference, batch));
  int status = 0;
  struct rusage usage {};
  if (::wait4(child, &status, 0, &usage) != child) return 2;
  double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf(", CPU %.1f s, peak RSS %.1f MiB\n", cpu,
              static_cast<double>(usage.ru_maxrss) / 1024.0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

int run(const BenchOptions& bench) {
  ::mkdir(bench.dir.c_str(), 0700);
  auto reference = ReferenceData::loadFromDirectory(bench.reference);
  if (!reference.isOk()) {
    std::cerr << reference.status().toString() << "\n";
    return 2;
  }
  SystemClock clock;
  std::string input = bench.dir + "/applications." + name(bench.format);
  {
    GenerateOptions generate;
    generate.count = bench.count;
    generate.seed = 1;
    generate.format = bench.format;
    generate.latest_date = utcDate(clock.now()).plusDays(-1);
    std::ofstream out(input, std::ios::binary);
    auto start = std::chrono::steady_clock::now();
    auto stats = generateApplications(generate, reference.value(), out);
    out.close();
    double elapsed = seconds(start);
    if (!stats.isOk()) {
      std::cerr << stats.status().toString() << "\n";
      return 2;
    }
    struct stat st {};
    ::stat(input.c_str(), &st);
    std::printf("generate %lld records (%s, %.0f MiB) in %.1f s = %.0f records/s\n",
                static_cast<long long>(stats->written), name(bench.format),
                static_cast<double>(st.st_size) / 1048576.0, elapsed,
                static_cast<double>(stats->written) / elapsed);
  }
  int worst = 0;
  StoreOptions sqlite;
  sqlite.backend = StoreBackend::kSqlite;
  sqlite.sqlite_path = bench.dir + "/bench.db";
  for (const char* suffix : {"", "-wal", "-shm"})
    std::remove((sqlite.sqlite_path + suffix).c_str());
  worst = std::max(worst, measuredImport("sqlite", sqlite, input, reference.value(), bench.batch));
  if (!bench.keep) {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::remove((sqlite.sqlite_path + suffix).c_str());
  }

  StoreOptions mysql;
  mysql.backend = StoreBackend::kMysql;
  mysql.mysql_url = env("CARDLINE_MYSQL_URL");
  mysql.mysql_user = env("CARDLINE_MYSQL_USER");
  mysql.mysql_password = env("CARDLINE_MYSQL_PASSWORD");
  mysql.mysql_schema = env("CARDLINE_MYSQL_SCHEMA");
  if (mysql.mysql_url.empty()) {
    std::printf("import mariadb skipped: CARDLINE_MYSQL_URL is not set\n");
  } else {
    Status emptied = emptyMysqlSchema(mysql);
    if (!emptied.isOk()) {
      std::cerr << "mariadb: " << emptied.toString() << "\n";
      worst = 2;
    } else {
      worst =
          std::max(worst, measuredImport("mariadb", mysql, input, reference.value(), bench.batch));
    }
  }
  if (!bench.keep) std::remove(input.c_str());
  return worst;
}

}  // namespace
}  // namespace cardline

int main(int argc, char** argv) {
  cardline::BenchOptions bench;
  std::string source = cardline::env("CARDLINE_SOURCE_DIR");
  bench.reference = (source.empty() ? std::string(".") : source) + "/etc/reference";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--count") {
      bench.count = std::stoll(value());
    } else if (arg == "--batch") {
      bench.batch = std::stoi(value());
    } else if (arg == "--format") {
      auto format = cardline::parseInputFormat(value());
      if (!format.isOk()) {
        std::cerr << format.status().message() << "\n";
        return 2;
      }
      bench.format = format.value();
    } else if (arg == "--dir") {
      bench.dir = value();
    } else if (arg == "--reference") {
      bench.reference = value();
    } else if (arg == "--keep") {
      bench.keep = true;
    } else {
      std::cerr << "usage: intake_bench [--count N] [--batch B] [--format jsonl|csv] [--dir DIR] "
                   "[--reference DIR] [--keep]\n";
      return 2;
    }
  }
  return cardline::run(bench);
}
