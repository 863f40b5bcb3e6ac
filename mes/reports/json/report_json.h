#pragma once
// The figures and the report model (headlines, the chart model, tables) as JSON, for the HTTP
// API and the web UI, which draws the same charts from the same model as the PDF.
//
//   {"report": "throughput", "period": {"from": "2026-03-01", "to": "2026-03-31"},
//    "generated_at": "...Z", "figures": {...}, "headlines": [{"label": {"vi","en"}, "value"}],
//    "charts": [{"id", "title": {"vi","en"}, "x": {"title","unit"}, "y": {...},
//                "y_right": {...}, "layout": "grouped"|"stacked", "categories": [...],
//                "series": [{"label", "kind": "bar"|"line", "axis": "left"|"right",
//                            "values": [...]}]}],
//    "tables": [{"id", "title", "columns": [{"vi","en"}], "rows": [[...]]}]}
// Field names of "figures" are those of the structs in figures.h; durations are seconds,
// ratios are 0..1, per-station values are objects keyed by station name.

#include <string>

#include "mes/reports/aggregate/figures.h"
#include "mes/reports/aggregate/report_model.h"

namespace cardline {

// UTF-8 JSON text (non-ASCII characters are not escaped).
std::string reportJson(const Figures& figures, const ReportModel& model);

}  // namespace cardline
