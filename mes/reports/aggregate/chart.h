#pragma once
// The one chart model: what a chart shows (categories, series, axes, bilingual labels), not how.
// The PDF renderer (mes/reports/pdf) draws it as vector bars and lines; the HTTP API serialises
// it as JSON for the web UI, which draws the same model.

#include <string>
#include <vector>

namespace cardline {

// A label in Vietnamese and English; both are shown ("vi / en").
struct Label {
  std::string vi;
  std::string en;
  std::string both() const { return vi == en ? vi : vi + " / " + en; }
};

enum class SeriesKind { kBar, kLine };     // "bar", "line"
enum class AxisSide { kLeft, kRight };     // "left", "right"
enum class BarLayout { kGrouped, kStacked };  // "grouped", "stacked"
const char* name(SeriesKind v);
const char* name(AxisSide v);
const char* name(BarLayout v);

struct ChartAxis {
  Label title;
  std::string unit;  // "cards", "%", "h", ...
};

struct ChartSeries {
  Label label;
  SeriesKind kind = SeriesKind::kBar;
  AxisSide axis = AxisSide::kLeft;
  std::vector<double> values;  // one per category
};

struct Chart {
  std::string id;  // stable identifier: "throughput_by_hour", "reject_pareto", ...
  Label title;
  ChartAxis x;
  std::vector<std::string> categories;
  // The machine codes of the categories when they are codes a screen translates ("print",
  // "print:print_smudge"); empty when the categories are plain text (hours, days, durations).
  std::vector<std::string> category_codes;
  ChartAxis y;        // left axis
  ChartAxis y_right;  // used only by series on AxisSide::kRight
  BarLayout layout = BarLayout::kGrouped;
  std::vector<ChartSeries> series;
};

}  // namespace cardline
