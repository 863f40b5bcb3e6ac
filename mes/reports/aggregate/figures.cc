#include "mes/reports/aggregate/figures.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "mes/reports/aggregate/rollup_observer.h"

namespace cardline {
namespace {

std::size_t indexOf(StationType s) { return static_cast<std::size_t>(s); }

double ratio(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

int localHourOf(std::int64_t hour, std::int64_t offset) {
  std::int64_t local = (hour + offset) % 86400;
  if (local < 0) local += 86400;
  return static_cast<int>(local / 3600);
}

}  // namespace

std::int64_t periodStartHour(const DateRange& period, const ReportOptions& options) {
  return period.from.toDays() * 86400 - options.utc_offset_seconds;
}

std::int64_t periodEndHour(const DateRange& period, const ReportOptions& options) {
  return (period.to.toDays() + 1) * 86400 - options.utc_offset_seconds;
}

std::string shiftOfHour(int hour, const std::vector<ShiftPattern>& shifts) {
  if (shifts.empty()) return {};
  // The shift with the latest start <= hour; before the first start, the last shift (it runs
  // over midnight).
  const ShiftPattern* best = nullptr;
  for (const ShiftPattern& s : shifts) {
    if (s.start_hour <= hour && (best == nullptr || s.start_hour > best->start_hour)) best = &s;
  }
  if (best == nullptr) {
    best = &*std::max_element(shifts.begin(), shifts.end(), [](const ShiftPattern& a, const ShiftPattern& b) {
      return a.start_hour < b.start_hour;
    });
  }
  return best->name;
}

Figures computeFigures(const RollupData& data, const ReportOptions& options) {
  Figures f;
  f.period = data.period;
  f.wip = data.wip;
  const std::int64_t from_hour = periodStartHour(data.period, options);
  const std::int64_t to_hour = periodEndHour(data.period, options);
  const std::int64_t first_day = data.period.from.toDays();
  const std::int64_t day_count = std::max<std::int64_t>(0, data.period.to.toDays() - first_day + 1);

  for (StationType s : kReportStations) {
    StationFigures sf;
    sf.station = s;
    f.stations.push_back(sf);
  }
  for (std::int64_t d = 0; d < day_count; ++d) {
    DayThroughput day;
    day.day = Date::fromDays(first_day + d);
    f.days.push_back(day);
  }
  std::map<std::string, std::size_t> shift_index;
  for (const ShiftPattern& s : options.shifts) {
    shift_index.emplace(s.name, f.shifts.size());
    f.shifts.push_back(ShiftThroughput{s.name, {}});
  }

  // Per station and hour (devices summed) for active hours and the peak.
  std::map<std::pair<std::size_t, std::int64_t>, std::int64_t> station_hour_jobs;
  for (const StationHour& h : data.station_hours) {
    if (h.hour < from_hour || h.hour >= to_hour) continue;
    const std::size_t si = indexOf(h.station);
    StationFigures& sf = f.stations[si];
    sf.jobs += h.jobs;
    sf.ok += h.ok;
    sf.first_pass_jobs += h.first_pass_jobs;
    sf.first_pass_ok += h.first_pass_ok;
    station_hour_jobs[{si, h.hour}] += h.jobs;
    const std::int64_t local_day = (h.hour + options.utc_offset_seconds) / 86400 - first_day;
    if (local_day >= 0 && local_day < day_count) {
      f.days[static_cast<std::size_t>(local_day)].jobs[si] += h.jobs;
    }
    const int local_hour = localHourOf(h.hour, options.utc_offset_seconds);
    f.hour_of_day[static_cast<std::size_t>(local_hour)][si] += h.jobs;
    auto shift = shift_index.find(shiftOfHour(local_hour, options.shifts));
    if (shift != shift_index.end()) f.shifts[shift->second].jobs[si] += h.jobs;
  }
  for (const auto& [key, jobs] : station_hour_jobs) {
    StationFigures& sf = f.stations[key.first];
    if (jobs > 0) ++sf.active_hours;
    sf.peak_hour_jobs = std::max(sf.peak_hour_jobs, jobs);
  }
  for (StationFigures& sf : f.stations) {
    sf.rejects = sf.jobs - sf.ok;
    sf.first_pass_yield = ratio(sf.first_pass_ok, sf.first_pass_jobs);
    sf.jobs_per_active_hour = ratio(sf.jobs, sf.active_hours);
    f.total_jobs += sf.jobs;
    f.total_rejects += sf.rejects;
  }
  f.cards_printed_ok = f.stations[indexOf(StationType::kPrint)].ok;
  f.cards_dispatched = f.stations[indexOf(StationType::kDispatch)].ok;

  // Reject Pareto by station and defect code.
  std::map<std::pair<StationType, std::string>, std::int64_t> defects;
  std::int64_t defect_total = 0;
  for (const DefectHour& d : data.defect_hours) {
    if (d.hour < from_hour || d.hour >= to_hour) continue;
    defects[{d.station, d.code}] += d.count;
    defect_total += d.count;
  }
  for (const auto& [key, count] : defects) {
    ParetoRow row;
    row.station = key.first;
    row.code = key.second;
    row.count = count;
    row.share = ratio(count, defect_total);
    f.pareto.push_back(row);
  }
  std::stable_sort(f.pareto.begin(), f.pareto.end(), [](const ParetoRow& a, const ParetoRow& b) {
    return a.count > b.count;
  });
  std::int64_t running = 0;
  for (ParetoRow& row : f.pareto) {
    running += row.count;
    row.cumulative_share = ratio(running, defect_total);
  }

  // Cycle time.
  for (CycleSegment segment : kAllCycleSegments) {
    CycleFigures c;
    c.segment = segment;
    if (segment == CycleSegment::kApprovedToPrinted) {
      c.service_level_seconds =
          std::chrono::duration_cast<std::chrono::seconds>(options.approved_to_printed).count();
    } else if (segment == CycleSegment::kPrintedToDispatched) {
      c.service_level_seconds =
          std::chrono::duration_cast<std::chrono::seconds>(options.printed_to_dispatched).count();
    }
    f.cycle.push_back(std::move(c));
  }
  for (const CycleBucket& b : data.cycle_buckets) {
    if (b.day < data.period.from || b.day > data.period.to) continue;
    if (b.bucket < 0 || b.bucket >= kCycleBucketCount) continue;
    f.cycle[static_cast<std::size_t>(b.segment)]
        .distribution.counts[static_cast<std::size_t>(b.bucket)] += b.count;
  }
  for (CycleFigures& c : f.cycle) {
    c.samples = c.distribution.total();
    c.p50_seconds = c.distribution.percentileSeconds(0.50);
    c.p90_seconds = c.distribution.percentileSeconds(0.90);
    c.p95_seconds = c.distribution.percentileSeconds(0.95);
    if (c.service_level_seconds > 0) {
      c.within_service_level = c.distribution.countWithin(c.service_level_seconds);
    }
  }

  // Devices.
  std::map<std::pair<std::string, StationType>, DeviceFigures> devices;
  for (const DeviceTimeHour& t : data.device_time) {
    if (t.hour < from_hour || t.hour >= to_hour) continue;
    DeviceFigures& d = devices[{t.device_id, t.station}];
    d.device_id = t.device_id;
    d.station = t.station;
    switch (t.state) {
      case DeviceState::kBusy:
        d.busy_seconds += t.seconds;
        break;
      case DeviceState::kIdle:
        d.idle_seconds += t.seconds;
        break;
      case DeviceState::kFault:
        d.fault_seconds += t.seconds;
        break;
      case DeviceState::kOffline:
        d.offline_seconds += t.seconds;
        break;
    }
  }
  for (auto& [key, d] : devices) {
    const std::int64_t scheduled = d.busy_seconds + d.idle_seconds + d.fault_seconds;
    d.availability = ratio(d.busy_seconds + d.idle_seconds, scheduled);
    d.utilisation = ratio(d.busy_seconds, scheduled);
    f.devices.push_back(d);
  }
  return f;
}

}  // namespace cardline
