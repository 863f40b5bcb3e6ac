#include "mes/reports/aggregate/report_model.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "mes/base/date.h"

namespace cardline {

const char* name(SeriesKind v) { return v == SeriesKind::kBar ? "bar" : "line"; }
const char* name(AxisSide v) { return v == AxisSide::kLeft ? "left" : "right"; }
const char* name(BarLayout v) { return v == BarLayout::kGrouped ? "grouped" : "stacked"; }

namespace {

std::size_t indexOf(StationType s) { return static_cast<std::size_t>(s); }

std::string fixed1(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

const Label kCards{"Số thẻ", "Cards"};

std::vector<Label> stationColumns(Label first) {
  std::vector<Label> columns{std::move(first)};
  for (StationType s : kReportStations) columns.push_back(stationLabel(s));
  return columns;
}

Chart throughputByHour(const Figures& f) {
  Chart c;
  c.id = "throughput_by_hour";
  c.title = {"Sản lượng theo giờ trong ngày", "Throughput by hour of day"};
  c.x = {{"Giờ", "Hour"}, "h"};
  c.y = {kCards, "cards"};
  c.layout = BarLayout::kStacked;
  for (int h = 0; h < 24; ++h) c.categories.push_back(two(h));
  for (StationType s : kReportStations) {
    ChartSeries series;
    series.label = stationLabel(s);
    for (int h = 0; h < 24; ++h) {
      series.values.push_back(
          static_cast<double>(f.hour_of_day[static_cast<std::size_t>(h)][indexOf(s)]));
    }
    c.series.push_back(std::move(series));
  }
  return c;
}

Chart throughputByStation(const Figures& f) {
  Chart c;
  c.id = "throughput_by_station";
  c.title = {"Sản lượng theo công đoạn", "Throughput by station"};
  c.x = {{"Công đoạn", "Station"}, ""};
  c.y = {kCards, "cards"};
  c.layout = BarLayout::kStacked;
  ChartSeries ok{{"Đạt", "OK"}, SeriesKind::kBar, AxisSide::kLeft, {}};
  ChartSeries rejects{{"Lỗi", "Rejected"}, SeriesKind::kBar, AxisSide::kLeft, {}};
  for (const StationFigures& s : f.stations) {
    c.categories.push_back(stationLabel(s.station).en);
    c.category_codes.push_back(name(s.station));
    ok.values.push_back(static_cast<double>(s.ok));
    rejects.values.push_back(static_cast<double>(s.rejects));
  }
  c.series.push_back(std::move(ok));
  c.series.push_back(std::move(rejects));
  return c;
}

Chart throughputByDay(const Figures& f) {
  Chart c;
  c.id = "throughput_by_day";
  c.title = {"Sản lượng theo ngày", "Throughput by day"};
  c.x = {{"Ngày", "Day"}, ""};
  c.y = {kCards, "cards"};
  for (const DayThroughput& d : f.days) c.categories.push_back(d.day.toString().substr(5));
  for (StationType s : kReportStations) {
    ChartSeries series;
    series.label = stationLabel(s);
    series.kind = SeriesKind::kLine;
    for (const DayThroughput& d : f.days) {
      series.values.push_back(static_cast<double>(d.jobs[indexOf(s)]));
    }
    c.series.push_back(std::move(series));
  }
  return c;
}

Chart rejectPareto(const Figures& f) {
  Chart c;
  c.id = "reject_pareto";
  c.title = {"Biểu đồ Pareto lỗi", "Reject Pareto"};
  c.x = {{"Lỗi theo công đoạn", "Defect by station"}, ""};
  c.y = {{"Số lỗi", "Rejects"}, "cards"};
  c.y_right = {{"Tích luỹ", "Cumulative"}, "%"};
  ChartSeries counts{{"Số lỗi", "Rejects"}, SeriesKind::kBar, AxisSide::kLeft, {}};
  ChartSeries cumulative{{"Tích luỹ", "Cumulative"}, SeriesKind::kLine, AxisSide::kRight, {}};
  for (const ParetoRow& row : f.pareto) {
    c.categories.push_back(std::string(name(row.station)) + ": " + row.code);
    c.category_codes.push_back(std::string(name(row.station)) + ":" + row.code);
    counts.values.push_back(static_cast<double>(row.count));
    cumulative.values.push_back(row.cumulative_share * 100.0);
  }
  c.series.push_back(std::move(counts));
  c.series.push_back(std::move(cumulative));
  return c;
}

// Bins a person can read (minutes, hours, days: SI symbols, the same in both languages). Each
// fine histogram bucket (cycle_histogram.h, 8 per doubling) is counted in the bin holding its
// lower bound, so a bin's edges are exact to within one fine bucket (under 9 %).
struct CycleBin {
  std::int64_t from_seconds;
  const char* label;
};
constexpr CycleBin kCycleBins[] = {
    {0, "< 1 min"},         {60, "1–5 min"},         {300, "5–15 min"},
    {900, "15–30 min"},     {1800, "30–60 min"},     {3600, "1–2 h"},
    {7200, "2–4 h"},        {14400, "4–8 h"},        {28800, "8–12 h"},
    {43200, "12–24 h"},     {86400, "24–48 h"},      {172800, "48–72 h"},
    {259200, "3–5 d"},      {432000, "5–7 d"},       {604800, "7–14 d"},
    {1209600, "14–30 d"},   {2592000, "30+ d"},
};
constexpr int kCycleBinCount = static_cast<int>(sizeof kCycleBins / sizeof kCycleBins[0]);

int cycleBinOf(int bucket) {
  const std::int64_t lower = cycleBucketLowerSeconds(bucket);
  int bin = 0;
  while (bin + 1 < kCycleBinCount && kCycleBins[bin + 1].from_seconds <= lower) ++bin;
  return bin;
}

Chart cycleDistribution(const Figures& f) {
  Chart c;
  c.id = "cycle_time_distribution";
  c.title = {"Phân bố thời gian chu trình", "Cycle-time distribution"};
  c.x = {{"Thời gian chu trình", "Cycle time"}, ""};
  c.y = {kCards, "cards"};
  const CycleSegment shown[] = {CycleSegment::kApprovedToPrinted,
                                CycleSegment::kPrintedToDispatched,
                                CycleSegment::kDispatchedToDelivered};
  std::vector<std::vector<std::int64_t>> counts;
  int lo = kCycleBinCount;
  int hi = -1;
  for (CycleSegment s : shown) {
    const CycleDistribution& d = f.cycle[static_cast<std::size_t>(s)].distribution;
    std::vector<std::int64_t> bins(static_cast<std::size_t>(kCycleBinCount), 0);
    for (int i = 0; i < kCycleBucketCount; ++i) {
      const std::int64_t n = d.counts[static_cast<std::size_t>(i)];
      if (n == 0) continue;
      const int bin = cycleBinOf(i);
      bins[static_cast<std::size_t>(bin)] += n;
      lo = std::min(lo, bin);
      hi = std::max(hi, bin);
    }
    counts.push_back(std::move(bins));
  }
  for (int b = lo; b <= hi; ++b) c.categories.push_back(kCycleBins[b].label);
  for (std::size_t k = 0; k < counts.size(); ++k) {
    ChartSeries series;
    series.label = segmentLabel(shown[k]);
    for (int b = lo; b <= hi; ++b) {
      series.values.push_back(static_cast<double>(counts[k][static_cast<std::size_t>(b)]));
    }
    c.series.push_back(std::move(series));
  }
  return c;
}

}  // namespace

Label stationLabel(StationType station) {
  switch (station) {
    case StationType::kPrint:
      return {"In", "Print"};
    case StationType::kEncode:
      return {"Mã hoá chip", "Encode"};
    case StationType::kQa:
      return {"Kiểm tra chất lượng", "QA"};
    case StationType::kDispatch:
      return {"Đóng gói, xuất xưởng", "Dispatch"};
  }
  return {name(station), name(station)};
}

Label segmentLabel(CycleSegment segment) {
  switch (segment) {
    case CycleSegment::kApprovedToPrinted:
      return {"Phê duyệt – In", "Approved – Printed"};
    case CycleSegment::kPrintedToDispatched:
      return {"In – Xuất xưởng", "Printed – Dispatched"};
    case CycleSegment::kDispatchedToDelivered:
      return {"Xuất xưởng – Giao", "Dispatched – Delivered"};
    case CycleSegment::kApprovedToDispatched:
      return {"Phê duyệt – Xuất xưởng", "Approved – Dispatched"};
    case CycleSegment::kApprovedToDelivered:
      return {"Phê duyệt – Giao", "Approved – Delivered"};
  }
  return {name(segment), name(segment)};
}

std::string formatCount(std::int64_t n) { return std::to_string(n); }
std::string formatPercent(double ratio) { return fixed1(ratio * 100.0) + "%"; }
std::string formatHours(std::int64_t seconds) {
  return fixed1(static_cast<double>(seconds) / 3600.0) + " h";
}

ReportModel buildThroughputReport(const Figures& f, Timestamp generated_at) {
  ReportModel m;
  m.id = "throughput";
  m.title = {"Báo cáo sản xuất thẻ căn cước", "Card production report"};
  m.period_text = f.period.from.toString() + " – " + f.period.to.toString();
  m.generated_at = formatIsoTimestamp(generated_at);

  const StationFigures& print = f.stations[indexOf(StationType::kPrint)];
  std::int64_t fp_jobs = 0;
  std::int64_t fp_ok = 0;
  for (const StationFigures& s : f.stations) {
    fp_jobs += s.first_pass_jobs;
    fp_ok += s.first_pass_ok;
  }
  const CycleFigures& a2p = f.cycle[static_cast<std::size_t>(CycleSegment::kApprovedToPrinted)];
  m.headlines = {
      {{"Thẻ in đạt", "Cards printed OK"}, formatCount(print.ok)},
      {{"Thẻ xuất xưởng", "Cards dispatched"}, formatCount(f.cards_dispatched)},
      {{"Tổng số lỗi", "Total rejects"}, formatCount(f.total_rejects)},
      {{"Tỷ lệ đạt lần đầu", "First-pass yield"},
       formatPercent(fp_jobs == 0 ? 0.0 : static_cast<double>(fp_ok) /
                                              static_cast<double>(fp_jobs))},
      {{"Phê duyệt – In, P90", "Approved – Printed, P90"}, formatHours(a2p.p90_seconds)},
  };

  m.charts = {throughputByHour(f), throughputByStation(f), rejectPareto(f),
              cycleDistribution(f), throughputByDay(f)};

  ReportTable stations;
  stations.id = "stations";
  stations.title = {"Sản lượng và tỷ lệ đạt theo công đoạn", "Throughput and yield by station"};
  stations.columns = {{"Công đoạn", "Station"},     {"Số lượt", "Jobs"},
                      {"Đạt", "OK"},                {"Lỗi", "Rejected"},
                      {"Đạt lần đầu", "FPY"},       {"Thẻ/giờ", "Cards/hour"},
                      {"Giờ cao điểm", "Peak hour"}};
  for (const StationFigures& s : f.stations) {
    stations.rows.push_back({stationLabel(s.station).both(), formatCount(s.jobs),
                             formatCount(s.ok), formatCount(s.rejects),
                             formatPercent(s.first_pass_yield), fixed1(s.jobs_per_active_hour),
                             formatCount(s.peak_hour_jobs)});
  }

  ReportTable shifts;
  shifts.id = "shifts";
  shifts.title = {"Sản lượng theo ca", "Throughput by shift"};
  shifts.columns = stationColumns({"Ca", "Shift"});
  for (const ShiftThroughput& s : f.shifts) {
    std::vector<std::string> row{s.shift};
    for (std::int64_t j : s.jobs) row.push_back(formatCount(j));
    shifts.rows.push_back(std::move(row));
  }

  ReportTable days;
  days.id = "days";
  days.title = {"Sản lượng theo ngày", "Throughput by day"};
  days.columns = stationColumns({"Ngày", "Day"});
  for (const DayThroughput& d : f.days) {
    std::vector<std::string> row{d.day.toString()};
    for (std::int64_t j : d.jobs) row.push_back(formatCount(j));
    days.rows.push_back(std::move(row));
  }

  ReportTable pareto;
  pareto.id = "pareto";
  pareto.title = {"Lỗi theo loại và công đoạn", "Rejects by defect and station"};
  pareto.columns = {{"Công đoạn", "Station"},
                    {"Mã lỗi", "Defect"},
                    {"Số lượng", "Count"},
                    {"Tỷ lệ", "Share"},
                    {"Tích luỹ", "Cumulative"}};
  for (const ParetoRow& r : f.pareto) {
    pareto.rows.push_back({stationLabel(r.station).both(), r.code, formatCount(r.count),
                           formatPercent(r.share), formatPercent(r.cumulative_share)});
  }

  ReportTable wip;
  wip.id = "wip";
  wip.title = {"Bán thành phẩm theo công đoạn", "Work in progress by stage"};
  wip.columns = {{"Công đoạn", "Stage"}, {"Chờ", "Waiting"}, {"Đang xử lý", "In process"}};
  for (StationType s : kReportStations) {
    wip.rows.push_back({stationLabel(s).both(), formatCount(f.wip.ready[indexOf(s)]),
                        formatCount(f.wip.leased[indexOf(s)])});
  }
  wip.rows.push_back({Label{"Tạm dừng", "Held"}.both(), formatCount(f.wip.held), "0"});

  ReportTable cycle;
  cycle.id = "cycle";
  cycle.title = {"Thời gian chu trình so với chỉ tiêu", "Cycle time against service levels"};
  cycle.columns = {{"Giai đoạn", "Segment"}, {"Số thẻ", "Cards"}, {"P50", "P50"},
                   {"P90", "P90"},           {"P95", "P95"},        {"Chỉ tiêu", "Target"},
                   {"Đạt chỉ tiêu", "Within target"}};
  for (const CycleFigures& c : f.cycle) {
    const bool has_target = c.service_level_seconds > 0;
    cycle.rows.push_back(
        {segmentLabel(c.segment).both(), formatCount(c.samples), formatHours(c.p50_seconds),
         formatHours(c.p90_seconds), formatHours(c.p95_seconds),
         has_target ? formatHours(c.service_level_seconds) : "-",
         has_target && c.samples > 0
             ? formatPercent(static_cast<double>(c.within_service_level) /
                             static_cast<double>(c.samples))
             : "-"});
  }

  ReportTable devices;
  devices.id = "devices";
  devices.title = {"Thiết bị: sẵn sàng và sử dụng", "Devices: availability and utilisation"};
  devices.columns = {{"Thiết bị", "Device"},     {"Công đoạn", "Station"},
                     {"Bận", "Busy"},            {"Rảnh", "Idle"},
                     {"Lỗi", "Fault"},           {"Sẵn sàng", "Availability"},
                     {"Sử dụng", "Utilisation"}};
  for (const DeviceFigures& d : f.devices) {
    devices.rows.push_back({d.device_id, stationLabel(d.station).en, formatHours(d.busy_seconds),
                            formatHours(d.idle_seconds), formatHours(d.fault_seconds),
                            formatPercent(d.availability), formatPercent(d.utilisation)});
  }

  m.tables = {std::move(stations), std::move(shifts), std::move(pareto), std::move(wip),
              std::move(cycle),    std::move(devices), std::move(days)};
  return m;
}

}  // namespace cardline
