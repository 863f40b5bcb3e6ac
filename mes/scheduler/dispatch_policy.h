#pragma once
// The order in which ready station jobs go to devices. Pure: no I/O, no clock of its own.
//
// Rule (documented in docs/scheduler.md), applied to a window of ready jobs of one station type
// that the store returns ordered by (priority, due, id):
//   1. Urgent jobs before normal ones.
//   2. Within a priority class, jobs whose service-level deadline is breached or falls within
//      `horizon` of now go first, earliest deadline first ("due soon").
//   3. The remaining jobs are shared fairly between provinces: provinces take turns (round
//      robin, starting after the province served last), so one province's backlog cannot starve
//      the others.
//   4. Within a province's turn, jobs for the receiving unit served last are preferred, and a
//      turn takes up to `unit_run` jobs of one receiving unit, so cards for the same police unit
//      leave the line together and dispatch fills boxes.
// Ties keep the store's order (due, then id). The policy remembers where the round robin and the
// current receiving-unit run stand between calls; it is not thread-safe (the line controller
// owns it).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/core/domain.h"

namespace cardline {

struct DispatchPolicyOptions {
  // Jobs due within this many seconds of now count as "due soon" (rule 2). Default 4 hours.
  std::int64_t horizon_seconds = 4 * 3600;
  // How many jobs of one receiving unit a province's turn may take (rule 4). Default 50, about
  // one box.
  int unit_run = 50;
};

class DispatchPolicy {
 public:
  explicit DispatchPolicy(DispatchPolicyOptions options = {}) : options_(options) {}

  // Picks up to `count` jobs from `ready` (one station type) in dispatch order and returns
  // their indexes into `ready`. `now` is the time deadlines are judged against.
  std::vector<std::size_t> choose(const std::vector<StationJob>& ready, int count, Timestamp now);

 private:
  DispatchPolicyOptions options_;
  std::string last_province_;
  std::string current_unit_;
  int current_unit_taken_ = 0;
};

// Work-in-progress bound between consecutive stations (backpressure): print may not run far
// ahead of a stopped QA. Pure arithmetic so it is easy to test and to explain.
struct WipLimits {
  // Maximum jobs waiting or in progress at the stations after print (encode + qa) before print
  // stops taking new work. Default 200.
  int after_print = 200;
  // Maximum waiting or in progress at qa before encode stops. Default 100.
  int after_encode = 100;
};

// How many jobs the station may start now, given the counts of jobs ready or leased downstream.
// Returns 0 when the downstream buffer is full. Dispatch and qa are never throttled here (their
// downstream is logistics, bounded by boxes).
int admissibleJobs(StationType station, const WipLimits& limits, std::int64_t downstream_of_print,
                   std::int64_t downstream_of_encode, int wanted);

}  // namespace cardline
