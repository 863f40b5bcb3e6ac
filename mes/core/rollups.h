#pragma once
// Rollups for the management reports: counters the workflow maintains as transitions happen
// (mes/reports/aggregate/rollup_observer.h), so report figures never scan the history.
//
//   station hours  per UTC hour, station type and device: jobs, ok, first-pass jobs/ok
//   defect hours   per UTC hour, station type, device and defect code: count
//   cycle buckets  per factory-local day, cycle segment and log-spaced bucket: count
//   device time    per UTC hour, device, station type and device state: seconds
//   milestones     per application: approved, printed, dispatched, delivered times
//
// Hours are keyed by their start in seconds since the Unix epoch (a multiple of 3600). All
// add* methods add to the stored value (creating the row at zero first), so concurrent writers
// on other connections never lose an increment.
//
// Errors: like every repository of the Store port (store.h): kUnavailable when the database
// cannot be reached, kInternal for unexpected database errors, plus the codes listed below.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/date.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"

namespace cardline {

// The legs of a card's way through the factory whose duration the reports show.
enum class CycleSegment {
  kApprovedToPrinted,      // "approved_to_printed"
  kPrintedToDispatched,    // "printed_to_dispatched"
  kDispatchedToDelivered,  // "dispatched_to_delivered"
  kApprovedToDispatched,   // "approved_to_dispatched"
  kApprovedToDelivered,    // "approved_to_delivered"
};

inline constexpr std::array<CycleSegment, 5> kAllCycleSegments = {
    CycleSegment::kApprovedToPrinted, CycleSegment::kPrintedToDispatched,
    CycleSegment::kDispatchedToDelivered, CycleSegment::kApprovedToDispatched,
    CycleSegment::kApprovedToDelivered};

namespace cycle_segment_detail {
inline constexpr std::array<const char*, 5> kNames = {
    "approved_to_printed", "printed_to_dispatched", "dispatched_to_delivered",
    "approved_to_dispatched", "approved_to_delivered"};
}  // namespace cycle_segment_detail

inline const char* name(CycleSegment v) {
  const auto i = static_cast<std::size_t>(v);
  return i < cycle_segment_detail::kNames.size() ? cycle_segment_detail::kNames[i] : "unknown";
}

// Parses the names above; kInvalidArgument listing the accepted names otherwise.
inline Result<CycleSegment> parseCycleSegment(std::string_view s) {
  std::string accepted;
  for (CycleSegment v : kAllCycleSegments) {
    if (s == name(v)) return v;
    accepted += accepted.empty() ? "" : ", ";
    accepted += name(v);
  }
  return invalidArgument("unknown cycle segment '" + std::string(s) + "' (accepted: " +
                         accepted + ")");
}

// Station results of one device in one hour. For add*, the counts are deltas.
struct StationHour {
  std::int64_t hour = 0;  // start of the UTC hour, seconds since the epoch
  StationType station = StationType::kPrint;
  std::string device_id;
  std::int64_t jobs = 0;             // accepted results
  std::int64_t ok = 0;               // of which "ok"
  std::int64_t first_pass_jobs = 0;  // first results of an application at this station
  std::int64_t first_pass_ok = 0;    // of which "ok"
};

// Defect results (outcome other than "ok") of one device in one hour, by defect code.
struct DefectHour {
  std::int64_t hour = 0;
  StationType station = StationType::kPrint;
  std::string device_id;
  std::string code;  // the outcome, e.g. "print_smudge"
  std::int64_t count = 0;
};

// Cycle-time samples of one segment completed on one factory-local day that fell in one
// bucket of the log-spaced histogram (mes/reports/aggregate/cycle_histogram.h).
struct CycleBucket {
  Date day;
  CycleSegment segment = CycleSegment::kApprovedToPrinted;
  int bucket = 0;
  std::int64_t count = 0;
};

// Seconds one device spent in one state within one hour.
struct DeviceTimeHour {
  std::int64_t hour = 0;
  std::string device_id;
  StationType station = StationType::kPrint;
  DeviceState state = DeviceState::kIdle;
  std::int64_t seconds = 0;
};

// When an application reached each milestone; a zero Timestamp means not yet.
struct Milestones {
  std::string application_id;
  Timestamp approved;
  Timestamp printed;     // the newest print (a remake replaces it)
  Timestamp dispatched;
  Timestamp delivered;
  // Bit (1 << static_cast<int>(StationType)) is set once a result of this application at that
  // station was counted: later results there (retries, remakes) are not first-pass.
  std::int64_t stations_seen = 0;
};

class RollupRepository {
 public:
  virtual ~RollupRepository() = default;

  // Adds the counts of `delta` to the row (hour, station, device_id). kInvalidArgument if
  // the hour is not a multiple of 3600.
  virtual Status addStationHour(const StationHour& delta) = 0;
  // Adds delta.count to the row (hour, station, device_id, code). kInvalidArgument if the hour
  // is not a multiple of 3600 or the code is empty.
  virtual Status addDefectHour(const DefectHour& delta) = 0;
  // Adds delta.count to the row (day, segment, bucket). kInvalidArgument for a negative bucket.
  virtual Status addCycleBucket(const CycleBucket& delta) = 0;
  // Adds delta.seconds to the row (hour, device_id, station, state). kInvalidArgument if the
  // hour is not a multiple of 3600.
  virtual Status addDeviceTime(const DeviceTimeHour& delta) = 0;

  // The milestones of one application; kNotFound if none were recorded.
  virtual Result<Milestones> milestones(const std::string& application_id) = 0;
  // Inserts or replaces the milestones of milestones.application_id.
  virtual Status putMilestones(const Milestones& milestones) = 0;

  // Rows with from_hour <= hour < to_hour, ordered by hour, station, device (and code).
  virtual Result<std::vector<StationHour>> stationHours(std::int64_t from_hour,
                                                        std::int64_t to_hour) = 0;
  virtual Result<std::vector<DefectHour>> defectHours(std::int64_t from_hour,
                                                      std::int64_t to_hour) = 0;
  virtual Result<std::vector<DeviceTimeHour>> deviceTime(std::int64_t from_hour,
                                                         std::int64_t to_hour) = 0;
  // Rows with from <= day <= to, ordered by day, segment, bucket.
  virtual Result<std::vector<CycleBucket>> cycleBuckets(const Date& from, const Date& to) = 0;

  // Sums over from_hour <= hour < to_hour, computed by the database so reports read few rows:
  // station hours summed over devices (device_id ""), ordered by hour, station;
  virtual Result<std::vector<StationHour>> stationHourTotals(std::int64_t from_hour,
                                                             std::int64_t to_hour) = 0;
  // defects summed per station and code (hour = from_hour, device_id ""), ordered by station,
  // code;
  virtual Result<std::vector<DefectHour>> defectTotals(std::int64_t from_hour,
                                                       std::int64_t to_hour) = 0;
  // device time summed per device, station and state (hour = from_hour), ordered by device,
  // station, state.
  virtual Result<std::vector<DeviceTimeHour>> deviceTimeTotals(std::int64_t from_hour,
                                                               std::int64_t to_hour) = 0;
};

}  // namespace cardline
