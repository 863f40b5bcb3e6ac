#pragma once
// The end-to-end scenarios of the line node, shared by the SQLite and the MariaDB test
// executables. Each runs real processes and reports failures through GoogleTest assertions.

#include "tests/e2e/e2e_support.h"

namespace cardline::e2e {

// Crash safety (issue 4 part 6): one node with one simulated device per station works
// `applications` applications; the node is killed with SIGKILL in the middle of the run and
// started again on the same device endpoint; the devices (still running) reconnect. Afterwards
// every application is in exactly one final state, cards = 1 + recorded remakes, no serial
// twice, every job's result applied once, nothing left leased.
void runCrashScenario(const LineSettings& line, int applications);

// Two nodes on one database (issue 4 part 5): nodes A and B, each with its own four devices,
// work one backlog; both nodes' devices complete jobs, no job is applied twice; node A is
// killed with SIGKILL mid-run and node B finishes everything after A's leases expire.
void runTwoNodeScenario(const LineSettings& line, int applications);

}  // namespace cardline::e2e
