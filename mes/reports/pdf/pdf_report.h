#pragma once
// Renders a ReportModel (mes/reports/aggregate/report_model.h) as a management report PDF with
// libharu: title and period, headline figures, the charts drawn as vector bars and lines, the
// tables (header repeated on each page), and "Trang N / M — Page N of M" on every page.
// Text is UTF-8 in embedded Noto Sans (Vietnamese needs the full Latin Extended Additional
// range; DejaVu is not used, see templates/README.md).

#include <string>

#include "mes/base/bytes.h"
#include "mes/base/status.h"
#include "mes/reports/aggregate/report_model.h"

namespace cardline {

struct PdfReportOptions {
  // TrueType fonts from fonts-noto-core, embedded in the PDF.
  std::string regular_font = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf";
  std::string bold_font = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf";
};

// The PDF bytes of `model`. kNotFound if a font file cannot be read; kInternal when libharu
// fails (the message names the libharu error code).
Result<Bytes> renderReportPdf(const ReportModel& model, const PdfReportOptions& options);

// renderReportPdf written to `path` (replaced). kUnavailable if the file cannot be written.
Status writeReportPdf(const ReportModel& model, const PdfReportOptions& options,
                      const std::string& path);

}  // namespace cardline
