#pragma once
// The fault campaign (issue 12 part 3): faults injected into a running line of real processes,
// each run to the end and then checked like every end-to-end run (line_steps.h):
//  - every application in exactly one final state, no blank serial on two cards, every station
//    result applied once, nothing left leased (checkInvariants, expectNothingLeased);
//  - the audit chain verifies and the blank reconciliation balances against the cards
//    (expectLedgersHold).
// The kill -9 of the MES itself is runCrashScenario (line_scenarios.h); the scenarios here are
// the other faults. Each reports failures through GoogleTest assertions.

#include "tests/e2e/e2e_support.h"

namespace cardline::e2e {

// A device killed with SIGKILL while it holds a job and started again under the same id: the
// MES notices, hands the job out again, and the restarted device works on.
void runDeviceKillScenario(const LineSettings& line, int applications);

// A device that hangs (SIGSTOP in the middle of a job, `--hang-after`) while a second device of
// its station type is up: the MES declares it lost after its heartbeats stop, the other device
// finishes its job under a new attempt and the rest of the line; when the hung device wakes up
// (SIGCONT) and reports its old result, nothing is applied twice.
void runDeviceHangScenario(const LineSettings& line, int applications);

// A faulty encoder that sends a bad message every heartbeat interval (`--garbage-every 1`: random
// bytes, another protocol version, bad JSON, unknown command, ill-typed RESULT, a RESULT for a
// job it was never sent) while it does real work: the MES refuses each, never applies a forged
// result, and the line finishes.
void runGarbageDeviceScenario(const LineSettings& line, int applications);

// A flood of HTTP requests (8 clients for 5 s: unauthenticated API calls, failed logins,
// malformed JSON, unknown paths, oversized bodies, and a supervisor's real queue reads) while
// the line runs: no request gets a 5xx, the server answers afterwards, and the line finishes.
void runHttpFloodScenario(const LineSettings& line, int applications);

// The database server stopped (cleanly, mid-run) and started again a few seconds later on the
// same port. `control_dir` is the scripts/mariadb.sh directory of a server the test owns (the
// line's MysqlTarget points at it). The MES and the devices ride it out; nothing acknowledged
// is lost.
void runDatabaseRestartScenario(const LineSettings& line, const std::string& control_dir,
                                int applications);

}  // namespace cardline::e2e
