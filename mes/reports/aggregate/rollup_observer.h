#pragma once
// Keeps the report rollups (mes/core/rollups.h) up to date as the workflow engine changes
// things: attach one instance with Engine::addObserver(&observer). Every write happens inside
// the engine's transaction, so rollups commit together with the transition they count.
//
//   onStationResult (an accepted result):  station hour +1 job (+1 ok; +1 first-pass job and
//       +1 first-pass ok when it is the application's first result at this station type);
//       a defect outcome also adds 1 to its defect hour row. The hour is the clock's now()
//       (when the result is applied). First pass is tracked per application and station
//       (Milestones::stations_seen), not by StationJob::attempt: a retry or a remake is a new
//       job whose attempt starts at 1 again, so "attempt 1" alone would count it as first pass.
//   onEvent "started" (application):   milestones.approved = Application::approved_at (or
//       received_at, or the event time when neither is set).
//   onEvent "printed" (card):          milestones.printed = event time (a remake replaces it).
//   onEvent "dispatched" (card):       milestones.dispatched = event time, and cycle samples
//       approved→printed, printed→dispatched, approved→dispatched.
//   onEvent "delivered" (card):        milestones.delivered = event time, and cycle samples
//       dispatched→delivered, approved→delivered.
// Cycle samples are counted on the factory-local day of the event that completes them, so a
// card counts once per segment, when it leaves the factory (cards spoiled before dispatch do
// not count). A segment whose start milestone is missing is not sampled.
//
// Thread-compatible: no mutable state; the clock must outlive it.

#include <cstdint>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/workflow/engine.h"

namespace cardline {

struct RollupOptions {
  // Offset of the factory's local time from UTC (Vietnam: UTC+7), used for the day of cycle
  // samples. Reports must use the same offset (ReportOptions::utc_offset_seconds).
  std::int64_t utc_offset_seconds = 7 * 3600;
};

class RollupObserver final : public TransitionObserver {
 public:
  RollupObserver(const Clock& clock, RollupOptions options);

  // Fails only with the store errors of RollupRepository / ApplicationRepository::find (which
  // roll the engine's transaction back).
  Status onEvent(StoreTransaction& tx, const Event& event) override;
  Status onStationResult(StoreTransaction& tx, const StationJob& job,
                         const StationResult& result) override;

 private:
  Status addSample(StoreTransaction& tx, Timestamp at, CycleSegment segment, Timestamp from,
                   Timestamp to);

  const Clock& clock_;
  RollupOptions options_;
};

// The start of the UTC hour holding t, in seconds since the epoch.
std::int64_t hourStart(Timestamp t);
// The factory-local calendar day of t.
Date localDate(Timestamp t, std::int64_t utc_offset_seconds);


}  // namespace cardline
