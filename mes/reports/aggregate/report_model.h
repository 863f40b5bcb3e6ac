#pragma once
// The report model: title, period, headline figures, charts and tables with bilingual labels,
// built from Figures. Renderers (PDF, CSV, JSON) only lay it out.

#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/reports/aggregate/chart.h"
#include "mes/reports/aggregate/figures.h"

namespace cardline {

struct Headline {
  Label label;
  std::string value;  // formatted, e.g. "12345" or "98.5%"
};

struct ReportTable {
  std::string id;  // "stations", "shifts", "days", "pareto", "wip", "cycle", "devices"
  Label title;
  std::vector<Label> columns;
  std::vector<std::vector<std::string>> rows;  // formatted cells, one per column
};

struct ReportModel {
  std::string id;  // "throughput"
  Label title;
  std::string period_text;   // "2026-03-01 – 2026-03-31"
  std::string generated_at;  // ISO 8601 UTC
  std::vector<Headline> headlines;
  std::vector<Chart> charts;
  std::vector<ReportTable> tables;
};

// The station's label: print "In / Print", encode "Mã hoá chip / Encode", qa "Kiểm tra chất
// lượng / QA", dispatch "Đóng gói, xuất xưởng / Dispatch".
Label stationLabel(StationType station);
// The cycle segment's label, e.g. "Phê duyệt – In / Approved – Printed".
Label segmentLabel(CycleSegment segment);

// Numbers as the reports print them: integers in plain digits ("12345"), ratios
// as percent with one decimal ("98.5%"), durations in hours with one decimal ("49.2 h").
std::string formatCount(std::int64_t n);
std::string formatPercent(double ratio);
std::string formatHours(std::int64_t seconds);

// Builds the throughput management report. Pure.
ReportModel buildThroughputReport(const Figures& figures, Timestamp generated_at);

}  // namespace cardline
