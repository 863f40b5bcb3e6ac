#pragma once
// Support for the tests of `cardline demo` and `cardline bench`: running the real binary and
// checking the report `cardline bench --json FILE` writes.

#include <string>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace cardline::app_test {

// Runs CARDLINE_BINARY_DIR/mes/app/cardline with `args` (stdout and stderr into `log_file`),
// with CARDLINE_DEVICE_BIN pointing at this build's cardline-device. Returns the exit code.
Result<int> runCardline(const std::vector<std::string>& args, const std::string& log_file);

// The whole content of a file ("" when it cannot be read).
std::string readFile(const std::string& path);

// Checks (with gtest assertions) the JSON report of a bench run of `applications`
// applications: outcome done, every application dispatched, at least 4 station jobs per
// application, one latency sample per job with 0 <= p50 <= p99 <= max, and a positive peak
// memory for the MES and each of the four devices (print-1, encode-1, qa-1, dispatch-1).
void expectCompleteBenchReport(const std::string& json_file, int applications,
                               const std::string& backend);

// "mysql://USER@HOST:PORT/SCHEMA" for the target (its url must be tcp://HOST:PORT); "" when
// it is not a TCP URL.
std::string benchDbUrl(const e2e::MysqlTarget& target);

}  // namespace cardline::app_test
