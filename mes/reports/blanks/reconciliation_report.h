#pragma once
// The blank-stock reconciliation (mes/blanks/reconciliation.h) as a report: its own PDF, and a
// summary section that the throughput report can carry.

#include "mes/base/bytes.h"
#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/blanks/reconciliation.h"
#include "mes/reports/aggregate/report_model.h"
#include "mes/reports/pdf/pdf_report.h"

namespace cardline {

// The reconciliation report model: title, window, headlines (balanced or the difference,
// opening, received, good, spoiled, on hand), a chart of where the blanks went, the totals and
// per-lot tables, the missing/unexpected serials and the flags. Pure.
ReportModel buildReconciliationReport(const Reconciliation& reconciliation,
                                      Timestamp generated_at);

// buildReconciliationReport rendered by renderReportPdf. Fails like renderReportPdf.
Result<Bytes> renderReconciliationPdf(const Reconciliation& reconciliation,
                                      Timestamp generated_at, const PdfReportOptions& options);

// Adds the reconciliation summary to another report (e.g. the throughput report of the same
// period): one headline (balanced / difference) and the totals table "blanks".
void appendBlankSummary(ReportModel& model, const Reconciliation& reconciliation);

}  // namespace cardline
