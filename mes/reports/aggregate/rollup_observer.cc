#include "mes/reports/aggregate/rollup_observer.h"

#include <string>

#include "mes/base/json_text.h"
#include "mes/core/rollups.h"
#include "mes/reports/aggregate/cycle_histogram.h"

namespace cardline {
namespace {

constexpr const char* kOk = "ok";

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// The stored milestones of an application, or fresh ones when none were recorded.
Result<Milestones> milestonesOf(StoreTransaction& tx, const std::string& application_id) {
  Result<Milestones> m = tx.rollups().milestones(application_id);
  if (m.isOk()) return m;
  if (m.status().code() != ErrorCode::kNotFound) return m.status();
  Milestones fresh;
  fresh.application_id = application_id;
  return fresh;
}

}  // namespace

std::int64_t hourStart(Timestamp t) { return floorDiv(t.seconds(), 3600) * 3600; }

Date localDate(Timestamp t, std::int64_t utc_offset_seconds) {
  return Date::fromDays(floorDiv(t.seconds() + utc_offset_seconds, 86400));
}

RollupObserver::RollupObserver(const Clock& clock, RollupOptions options)
    : clock_(clock), options_(options) {}

Status RollupObserver::onStationResult(StoreTransaction& tx, const StationJob& job,
                                       const StationResult& result) {
  const std::int64_t hour = hourStart(clock_.now());
  const bool ok = result.outcome == kOk;
  CARDLINE_ASSIGN_OR_RETURN(Milestones m, milestonesOf(tx, job.application_id));
  const std::int64_t bit = std::int64_t{1} << static_cast<int>(job.station);
  const bool first_pass = (m.stations_seen & bit) == 0;
  if (first_pass) {
    m.stations_seen |= bit;
    CARDLINE_RETURN_IF_ERROR(tx.rollups().putMilestones(m));
  }
  StationHour delta;
  delta.hour = hour;
  delta.station = job.station;
  delta.device_id = result.device_id;
  delta.jobs = 1;
  delta.ok = ok ? 1 : 0;
  delta.first_pass_jobs = first_pass ? 1 : 0;
  delta.first_pass_ok = first_pass && ok ? 1 : 0;
  CARDLINE_RETURN_IF_ERROR(tx.rollups().addStationHour(delta));
  if (ok) return Status::ok();
  return tx.rollups().addDefectHour(
      DefectHour{hour, job.station, result.device_id, result.outcome, 1});
}

Status RollupObserver::addSample(StoreTransaction& tx, Timestamp at, CycleSegment segment,
                                 Timestamp from, Timestamp to) {
  if (from.micros == 0 || to.micros == 0) return Status::ok();
  const std::int64_t seconds = (to.micros - from.micros) / 1000000;
  CycleBucket delta;
  delta.day = localDate(at, options_.utc_offset_seconds);
  delta.segment = segment;
  delta.bucket = cycleBucketFor(seconds);
  delta.count = 1;
  return tx.rollups().addCycleBucket(delta);
}

Status RollupObserver::onEvent(StoreTransaction& tx, const Event& event) {
  if (event.subject_type == "application" && event.kind == "started") {
    CARDLINE_ASSIGN_OR_RETURN(Application app,
                              tx.applications().findWithoutPersonalData(event.subject_id));
    CARDLINE_ASSIGN_OR_RETURN(Milestones m, milestonesOf(tx, app.id));
    m.approved = app.approved_at.micros != 0   ? app.approved_at
                 : app.received_at.micros != 0 ? app.received_at
                                               : event.at;
    return tx.rollups().putMilestones(m);
  }
  if (event.subject_type != "card") return Status::ok();
  const bool printed = event.kind == "printed";
  const bool dispatched = event.kind == "dispatched";
  const bool delivered = event.kind == "delivered";
  if (!printed && !dispatched && !delivered) return Status::ok();
  const std::string application_id = jsonStringField(event.detail, "application");
  if (application_id.empty()) return Status::ok();
  CARDLINE_ASSIGN_OR_RETURN(Milestones m, milestonesOf(tx, application_id));
  if (printed) {
    m.printed = event.at;
  } else if (dispatched) {
    m.dispatched = event.at;
    CARDLINE_RETURN_IF_ERROR(
        addSample(tx, event.at, CycleSegment::kApprovedToPrinted, m.approved, m.printed));
    CARDLINE_RETURN_IF_ERROR(
        addSample(tx, event.at, CycleSegment::kPrintedToDispatched, m.printed, m.dispatched));
    CARDLINE_RETURN_IF_ERROR(
        addSample(tx, event.at, CycleSegment::kApprovedToDispatched, m.approved, m.dispatched));
  } else {
    m.delivered = event.at;
    CARDLINE_RETURN_IF_ERROR(addSample(tx, event.at, CycleSegment::kDispatchedToDelivered,
                                       m.dispatched, m.delivered));
    CARDLINE_RETURN_IF_ERROR(
        addSample(tx, event.at, CycleSegment::kApprovedToDelivered, m.approved, m.delivered));
  }
  return tx.rollups().putMilestones(m);
}

}  // namespace cardline
