#include "mes/reports/pdf/pdf_report.h"

#include <hpdf.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

namespace cardline {
namespace {

constexpr double kPageWidth = 595.276;   // A4 in points
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 42;
constexpr double kContentWidth = kPageWidth - 2 * kMargin;
constexpr double kFooterSpace = 40;  // below this y only the footer is drawn
constexpr double kChartHeight = 235;
constexpr double kPi = 3.14159265358979323846;

struct Rgb {
  double r, g, b;
};
const Rgb kPalette[] = {{0.16, 0.38, 0.67}, {0.89, 0.47, 0.13}, {0.20, 0.60, 0.30},
                        {0.75, 0.20, 0.25}, {0.50, 0.35, 0.70}, {0.45, 0.45, 0.45}};
const Rgb kInk{0.10, 0.10, 0.12};
const Rgb kGrey{0.45, 0.45, 0.50};
const Rgb kRule{0.82, 0.82, 0.85};

Rgb paletteColour(std::size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

HPDF_REAL real(double v) { return static_cast<HPDF_REAL>(v); }

struct HaruError {
  HPDF_STATUS code = HPDF_OK;
  HPDF_STATUS detail = 0;
};

void HPDF_STDCALL onHaruError(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
  auto* error = static_cast<HaruError*>(user_data);
  if (error->code == HPDF_OK) {
    error->code = error_no;
    error->detail = detail_no;
  }
}

// A number for an axis: integers without decimals, otherwise up to 2 significant decimals.
std::string axisNumber(double v) {
  char buf[32];
  if (std::fabs(v - std::round(v)) < 1e-9) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  }
  return buf;
}

// The smallest 1, 2 or 5 times a power of ten that is >= v (1 for v <= 0).
double niceCeiling(double v) {
  if (v <= 0) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(v)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * power >= v - 1e-9) return step * power;
  }
  return 10 * power;
}

// One libharu document with the two fonts, a list of pages and a cursor on the current page.
class ReportWriter {
 public:
  explicit ReportWriter(const PdfReportOptions& options) : options_(options) {}
  ReportWriter(const ReportWriter&) = delete;
  ReportWriter& operator=(const ReportWriter&) = delete;
  ~ReportWriter() {
    if (doc_ != nullptr) HPDF_Free(doc_);
  }

  Status open() {
    for (const std::string& path : {options_.regular_font, options_.bold_font}) {
      std::ifstream probe(path, std::ios::binary);
      if (!probe) return notFound("report font '" + path + "' cannot be read");
    }
    doc_ = HPDF_New(onHaruError, &error_);
    if (doc_ == nullptr) return internalError("libharu: HPDF_New failed");
    HPDF_UseUTFEncodings(doc_);
    HPDF_SetCurrentEncoder(doc_, "UTF-8");
    HPDF_SetCompressionMode(doc_, HPDF_COMP_ALL);
    const char* regular = HPDF_LoadTTFontFromFile(doc_, options_.regular_font.c_str(), HPDF_TRUE);
    if (regular != nullptr) regular_ = HPDF_GetFont(doc_, regular, "UTF-8");
    const char* bold = HPDF_LoadTTFontFromFile(doc_, options_.bold_font.c_str(), HPDF_TRUE);
    if (bold != nullptr) bold_ = HPDF_GetFont(doc_, bold, "UTF-8");
    CARDLINE_RETURN_IF_ERROR(takeError("loading the report fonts"));
    if (regular_ == nullptr || bold_ == nullptr) return internalError("loading fonts failed");
    return Status::ok();
  }

  Status takeError(const std::string& what) {
    if (error_.code == HPDF_OK) return Status::ok();
    char buf[64];
    std::snprintf(buf, sizeof buf, " (libharu error 0x%04X, detail %u)",
                  static_cast<unsigned>(error_.code), static_cast<unsigned>(error_.detail));
    error_ = HaruError{};
    if (doc_ != nullptr) HPDF_ResetError(doc_);
    return internalError("libharu failed " + what + buf);
  }

  void setInfo(const std::string& title) {
    HPDF_SetInfoAttr(doc_, HPDF_INFO_TITLE, title.c_str());
    HPDF_SetInfoAttr(doc_, HPDF_INFO_CREATOR, "cardline");
  }

  void newPage() {
    page_ = HPDF_AddPage(doc_);
    HPDF_Page_SetWidth(page_, real(kPageWidth));
    HPDF_Page_SetHeight(page_, real(kPageHeight));
    pages_.push_back(page_);
    y_ = kPageHeight - kMargin;
  }

  // Starts a new page unless `height` fits above the footer.
  void need(double height) {
    if (page_ == nullptr || y_ - height < kFooterSpace + 8) newPage();
  }

  double y() const { return y_; }
  void down(double dy) { y_ -= dy; }
  HPDF_Page page() const { return page_; }
  HPDF_Font regular() const { return regular_; }
  HPDF_Font bold() const { return bold_; }
  const std::vector<HPDF_Page>& pages() const { return pages_; }

  double width(HPDF_Font font, double size, const std::string& text) const {
    HPDF_TextWidth w = HPDF_Font_TextWidth(font, reinterpret_cast<const HPDF_BYTE*>(text.data()),
                                           static_cast<HPDF_UINT>(text.size()));
    return static_cast<double>(w.width) * size / 1000.0;
  }

  // Draws text with its baseline at (x, y) on `page`, rotated by `degrees`.
  void text(HPDF_Page page, HPDF_Font font, double size, Rgb colour, double x, double y,
            const std::string& s, double degrees = 0) {
    if (s.empty()) return;
    HPDF_Page_SetRGBFill(page, real(colour.r), real(colour.g), real(colour.b));
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, font, real(size));
    const double rad = degrees * kPi / 180.0;
    HPDF_Page_SetTextMatrix(page, real(std::cos(rad)), real(std::sin(rad)),
                            real(-std::sin(rad)), real(std::cos(rad)), real(x), real(y));
    HPDF_Page_ShowText(page, s.c_str());
    HPDF_Page_EndText(page);
  }
  void text(HPDF_Font font, double size, Rgb colour, double x, double y, const std::string& s,
            double degrees = 0) {
    text(page_, font, size, colour, x, y, s, degrees);
  }

  // `s` cut (with "…") so it is at most max_width wide.
  std::string fit(HPDF_Font font, double size, const std::string& s, double max_width) const {
    if (width(font, size, s) <= max_width) return s;
    std::string cut = s;
    while (!cut.empty()) {
      // Drop one UTF-8 character.
      std::size_t end = cut.size() - 1;
      while (end > 0 && (static_cast<unsigned char>(cut[end]) & 0xC0) == 0x80) --end;
      cut.erase(end);
      if (width(font, size, cut + "…") <= max_width) return cut + "…";
    }
    return {};
  }

  void fillRect(double x, double y, double w, double h, Rgb colour) {
    HPDF_Page_SetRGBFill(page_, real(colour.r), real(colour.g), real(colour.b));
    HPDF_Page_Rectangle(page_, real(x), real(y), real(w), real(h));
    HPDF_Page_Fill(page_);
  }
  void strokeLine(double x1, double y1, double x2, double y2, Rgb colour, double line_width) {
    HPDF_Page_SetRGBStroke(page_, real(colour.r), real(colour.g), real(colour.b));
    HPDF_Page_SetLineWidth(page_, real(line_width));
    HPDF_Page_MoveTo(page_, real(x1), real(y1));
    HPDF_Page_LineTo(page_, real(x2), real(y2));
    HPDF_Page_Stroke(page_);
  }

  Result<Bytes> save() {
    HPDF_SaveToStream(doc_);
    CARDLINE_RETURN_IF_ERROR(takeError("writing the PDF"));
    HPDF_ResetStream(doc_);
    Bytes pdf;
    pdf.reserve(HPDF_GetStreamSize(doc_));
    for (;;) {
      HPDF_BYTE buffer[8192];
      HPDF_UINT32 length = sizeof buffer;
      const HPDF_STATUS status = HPDF_ReadFromStream(doc_, buffer, &length);
      pdf.insert(pdf.end(), buffer, buffer + length);
      if (status == HPDF_STREAM_EOF) break;
      if (status != HPDF_OK) return takeError("reading the PDF back");
    }
    return pdf;
  }

 private:
  const PdfReportOptions& options_;
  HaruError error_;
  HPDF_Doc doc_ = nullptr;
  HPDF_Font regular_ = nullptr;
  HPDF_Font bold_ = nullptr;
  HPDF_Page page_ = nullptr;
  std::vector<HPDF_Page> pages_;
  double y_ = 0;
};

void drawHeader(ReportWriter& w, const ReportModel& m) {
  w.newPage();
  w.down(18);
  w.text(w.bold(), 18, kInk, kMargin, w.y(), m.title.vi);
  w.down(20);
  w.text(w.bold(), 14, kGrey, kMargin, w.y(), m.title.en);
  w.down(18);
  w.text(w.regular(), 10, kInk, kMargin, w.y(), "Kỳ báo cáo / Period: " + m.period_text);
  w.down(13);
  w.text(w.regular(), 8, kGrey, kMargin, w.y(), "Lập lúc / Generated: " + m.generated_at);
  w.down(8);
  w.strokeLine(kMargin, w.y(), kMargin + kContentWidth, w.y(), kRule, 0.8);
  w.down(10);
}

void drawHeadlines(ReportWriter& w, const std::vector<Headline>& headlines) {
  constexpr int kPerRow = 3;
  constexpr double kBoxHeight = 52;
  constexpr double kGap = 8;
  const double box_width = (kContentWidth - (kPerRow - 1) * kGap) / kPerRow;
  for (std::size_t i = 0; i < headlines.size(); i += kPerRow) {
    w.need(kBoxHeight + kGap);
    const double top = w.y();
    for (std::size_t j = i; j < std::min(headlines.size(), i + kPerRow); ++j) {
      const double x = kMargin + static_cast<double>(j - i) * (box_width + kGap);
      w.fillRect(x, top - kBoxHeight, box_width, kBoxHeight, Rgb{0.94, 0.95, 0.97});
      w.fillRect(x, top - kBoxHeight, 3, kBoxHeight, paletteColour(0));
      const Headline& h = headlines[j];
      w.text(w.regular(), 7.5, kInk, x + 8, top - 11, w.fit(w.regular(), 7.5, h.label.vi,
                                                              box_width - 12));
      w.text(w.regular(), 7.5, kGrey, x + 8, top - 20, w.fit(w.regular(), 7.5, h.label.en,
                                                               box_width - 12));
      w.text(w.bold(), 16, kInk, x + 8, top - 42, h.value);
    }
    w.down(kBoxHeight + kGap);
  }
  w.down(4);
}

// Max of the left-axis values: the largest stack (stacked bars) or single value.
double leftMaximum(const Chart& c) {
  double max = 0;
  for (std::size_t i = 0; i < c.categories.size(); ++i) {
    double stack = 0;
    for (const ChartSeries& s : c.series) {
      if (s.axis != AxisSide::kLeft || i >= s.values.size()) continue;
      const double v = s.values[i];
      if (c.layout == BarLayout::kStacked && s.kind == SeriesKind::kBar) {
        stack += v;
      } else {
        max = std::max(max, v);
      }
    }
    max = std::max(max, stack);
  }
  return max;
}

void drawChart(ReportWriter& w, const Chart& c) {
  w.need(kChartHeight + 10);
  const double top = w.y();
  const double bottom = top - kChartHeight;
  const bool has_right = std::any_of(c.series.begin(), c.series.end(), [](const ChartSeries& s) {
    return s.axis == AxisSide::kRight;
  });
  w.text(w.bold(), 10, kInk, kMargin, top - 10, c.title.both());

  // Legend rows at the bottom, first row on top.
  struct LegendItem {
    double x;
    int row;
    std::size_t series;
  };
  std::vector<LegendItem> legend;
  {
    double x = kMargin;
    int row = 0;
    for (std::size_t i = 0; i < c.series.size(); ++i) {
      const double item = 12 + w.width(w.regular(), 7.5, c.series[i].label.both()) + 14;
      if (x + item > kMargin + kContentWidth && x > kMargin) {
        x = kMargin;
        ++row;
      }
      legend.push_back(LegendItem{x, row, i});
      x += item;
    }
  }
  const int legend_rows = legend.empty() ? 1 : legend.back().row + 1;
  const double legend_y = bottom + 4 + 11.0 * (legend_rows - 1);
  for (const LegendItem& item : legend) {
    const double row_y = legend_y - 11.0 * item.row;
    const Rgb colour = paletteColour(item.series);
    if (c.series[item.series].kind == SeriesKind::kBar) {
      w.fillRect(item.x, row_y - 1, 8, 7, colour);
    } else {
      w.strokeLine(item.x, row_y + 2.5, item.x + 8, row_y + 2.5, colour, 1.6);
    }
    w.text(w.regular(), 7.5, kInk, item.x + 11, row_y, c.series[item.series].label.both());
  }

  const std::size_t n = c.categories.size();
  double label_width = 0;
  for (const std::string& cat : c.categories) {
    label_width = std::max(label_width, w.width(w.regular(), 6.5, cat));
  }
  const double plot_left = kMargin + 46;
  const double plot_right = kMargin + kContentWidth - (has_right ? 38 : 6);
  const double plot_width = plot_right - plot_left;
  const double slot = n == 0 ? plot_width : plot_width / static_cast<double>(n);
  const bool rotate = label_width > slot * 0.92;
  const double label_band = rotate ? std::min(70.0, label_width * 0.72 + 8) : 12;
  const double x_title_y = legend_y + 14;
  const double plot_bottom = x_title_y + 10 + label_band;
  const double plot_top = top - 20;
  const double plot_height = plot_top - plot_bottom;

  // Axis titles.
  const std::string y_title = c.y.title.both() + (c.y.unit.empty() ? "" : " (" + c.y.unit + ")");
  w.text(w.regular(), 7, kGrey, kMargin + 8, plot_bottom + 2,
         w.fit(w.regular(), 7, y_title, plot_height), 90);
  w.text(w.regular(), 7, kGrey, plot_left, x_title_y,
         c.x.title.both() + (c.x.unit.empty() ? "" : " (" + c.x.unit + ")"));

  if (n == 0) {
    w.text(w.regular(), 9, kGrey, plot_left + 10, plot_bottom + plot_height / 2,
           "Không có dữ liệu / No data");
    w.strokeLine(plot_left, plot_bottom, plot_right, plot_bottom, kInk, 0.8);
    w.down(kChartHeight + 10);
    return;
  }

  const double y_max = niceCeiling(leftMaximum(c));
  constexpr int kGridLines = 5;
  for (int g = 0; g <= kGridLines; ++g) {
    const double value = y_max * g / kGridLines;
    const double gy = plot_bottom + plot_height * g / kGridLines;
    w.strokeLine(plot_left, gy, plot_right, gy, kRule, 0.4);
    const std::string label = axisNumber(value);
    w.text(w.regular(), 6.5, kGrey, plot_left - 4 - w.width(w.regular(), 6.5, label), gy - 2,
           label);
  }
  double right_max = 100;
  if (has_right) {
    for (const ChartSeries& s : c.series) {
      if (s.axis != AxisSide::kRight) continue;
      for (double v : s.values) right_max = std::max(right_max, v);
    }
    right_max = niceCeiling(right_max);
    for (int g = 0; g <= kGridLines; ++g) {
      const double gy = plot_bottom + plot_height * g / kGridLines;
      w.text(w.regular(), 6.5, kGrey, plot_right + 4, gy - 2,
             axisNumber(right_max * g / kGridLines) + c.y_right.unit);
    }
  }

  // Bars.
  std::vector<std::size_t> bars;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    if (c.series[i].kind == SeriesKind::kBar) bars.push_back(i);
  }
  const bool stacked = c.layout == BarLayout::kStacked;
  const double group_width = slot * 0.8;
  const double bar_width =
      stacked || bars.empty() ? slot * 0.7 : group_width / static_cast<double>(bars.size());
  for (std::size_t k = 0; k < n; ++k) {
    const double slot_left = plot_left + slot * static_cast<double>(k);
    double stack = 0;
    for (std::size_t b = 0; b < bars.size(); ++b) {
      const ChartSeries& s = c.series[bars[b]];
      if (k >= s.values.size() || s.values[k] <= 0) continue;
      const double h = plot_height * s.values[k] / y_max;
      const double x = stacked ? slot_left + slot * 0.15
                               : slot_left + slot * 0.1 + bar_width * static_cast<double>(b);
      const double y0 = plot_bottom + (stacked ? plot_height * stack / y_max : 0);
      w.fillRect(x, y0, bar_width, h, paletteColour(bars[b]));
      if (stacked) stack += s.values[k];
    }
  }
  // Lines.
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const ChartSeries& s = c.series[i];
    if (s.kind != SeriesKind::kLine || s.values.empty()) continue;
    const double scale = s.axis == AxisSide::kRight ? right_max : y_max;
    const Rgb colour = paletteColour(i);
    HPDF_Page_SetRGBStroke(w.page(), real(colour.r), real(colour.g), real(colour.b));
    HPDF_Page_SetLineWidth(w.page(), 1.4f);
    for (std::size_t k = 0; k < std::min(n, s.values.size()); ++k) {
      const double x = plot_left + slot * (static_cast<double>(k) + 0.5);
      const double y = plot_bottom + plot_height * s.values[k] / scale;
      if (k == 0) {
        HPDF_Page_MoveTo(w.page(), real(x), real(y));
      } else {
        HPDF_Page_LineTo(w.page(), real(x), real(y));
      }
    }
    HPDF_Page_Stroke(w.page());
    if (n <= 40) {
      for (std::size_t k = 0; k < std::min(n, s.values.size()); ++k) {
        const double x = plot_left + slot * (static_cast<double>(k) + 0.5);
        const double y = plot_bottom + plot_height * s.values[k] / scale;
        w.fillRect(x - 1.6, y - 1.6, 3.2, 3.2, colour);
      }
    }
  }
  // Axes and category labels.
  w.strokeLine(plot_left, plot_bottom, plot_right, plot_bottom, kInk, 0.8);
  w.strokeLine(plot_left, plot_bottom, plot_left, plot_top, kInk, 0.8);
  const std::size_t every =
      rotate ? std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(9.0 / slot))) : 1;
  for (std::size_t k = 0; k < n; k += every) {
    const double centre = plot_left + slot * (static_cast<double>(k) + 0.5);
    if (rotate) {
      const std::string label = w.fit(w.regular(), 6.5, c.categories[k], 95);
      const double lw = w.width(w.regular(), 6.5, label);
      // 45° down-left from the tick, ending at the axis.
      const double dx = lw * std::cos(kPi / 4);
      w.text(w.regular(), 6.5, kInk, centre - dx + 2, plot_bottom - 6 - dx, label, 45);
    } else {
      const double lw = w.width(w.regular(), 6.5, c.categories[k]);
      w.text(w.regular(), 6.5, kInk, centre - lw / 2, plot_bottom - 9, c.categories[k]);
    }
  }
  w.down(kChartHeight + 10);
}

void drawTable(ReportWriter& w, const ReportTable& t) {
  constexpr double kSize = 7.5;
  constexpr double kRowHeight = 12;
  constexpr double kHeaderHeight = 22;
  constexpr double kPad = 4;
  const std::size_t columns = t.columns.size();
  if (columns == 0) return;
  std::vector<double> widths(columns, 0);
  for (std::size_t c = 0; c < columns; ++c) {
    widths[c] = std::max(w.width(w.bold(), kSize, t.columns[c].vi),
                         w.width(w.regular(), kSize, t.columns[c].en));
    for (const auto& row : t.rows) {
      if (c < row.size()) widths[c] = std::max(widths[c], w.width(w.regular(), kSize, row[c]));
    }
    widths[c] += 2 * kPad;
  }
  // A column is numeric (right-aligned, header too) when every cell starts with a digit or '-'.
  std::vector<bool> numeric(columns, !t.rows.empty());
  for (const auto& row : t.rows) {
    for (std::size_t c = 0; c < columns && c < row.size(); ++c) {
      const bool looks_numeric =
          !row[c].empty() && ((row[c][0] >= '0' && row[c][0] <= '9') || row[c][0] == '-');
      if (!looks_numeric) numeric[c] = false;
    }
  }
  double total = 0;
  for (double v : widths) total += v;
  const double scale = kContentWidth / total;
  for (double& v : widths) v *= scale;

  auto header = [&]() {
    const double top = w.y();
    w.fillRect(kMargin, top - kHeaderHeight, kContentWidth, kHeaderHeight, Rgb{0.90, 0.92, 0.96});
    double x = kMargin;
    for (std::size_t c = 0; c < columns; ++c) {
      const double inner = widths[c] - 2 * kPad;
      const std::string vi = w.fit(w.bold(), kSize, t.columns[c].vi, inner);
      const std::string en = w.fit(w.regular(), kSize, t.columns[c].en, inner);
      const double vi_x = numeric[c] ? x + widths[c] - kPad - w.width(w.bold(), kSize, vi)
                                     : x + kPad;
      const double en_x = numeric[c] ? x + widths[c] - kPad - w.width(w.regular(), kSize, en)
                                     : x + kPad;
      w.text(w.bold(), kSize, kInk, vi_x, top - 9, vi);
      w.text(w.regular(), kSize, kGrey, en_x, top - 18, en);
      x += widths[c];
    }
    w.down(kHeaderHeight);
  };

  w.need(16 + kHeaderHeight + kRowHeight * std::min<std::size_t>(3, t.rows.size() + 1));
  w.text(w.bold(), 10, kInk, kMargin, w.y() - 11, t.title.both());
  w.down(16);
  header();
  if (t.rows.empty()) {
    w.text(w.regular(), kSize, kGrey, kMargin + kPad, w.y() - 9, "Không có dữ liệu / No data");
    w.down(kRowHeight);
  }
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    if (w.y() - kRowHeight < kFooterSpace + 8) {
      w.newPage();
      header();
    }
    const double top = w.y();
    if (r % 2 == 1) w.fillRect(kMargin, top - kRowHeight, kContentWidth, kRowHeight,
                               Rgb{0.97, 0.97, 0.98});
    double x = kMargin;
    for (std::size_t c = 0; c < columns && c < t.rows[r].size(); ++c) {
      const double inner = widths[c] - 2 * kPad;
      const std::string cell = w.fit(w.regular(), kSize, t.rows[r][c], inner);
      const double cx = numeric[c] ? x + widths[c] - kPad - w.width(w.regular(), kSize, cell)
                                   : x + kPad;
      w.text(w.regular(), kSize, kInk, cx, top - 9, cell);
      x += widths[c];
    }
    w.down(kRowHeight);
  }
  w.strokeLine(kMargin, w.y(), kMargin + kContentWidth, w.y(), kRule, 0.6);
  w.down(14);
}

void drawFooters(ReportWriter& w, const ReportModel& m) {
  const std::size_t total = w.pages().size();
  for (std::size_t i = 0; i < total; ++i) {
    HPDF_Page page = w.pages()[i];
    const std::string n = std::to_string(i + 1);
    const std::string of = std::to_string(total);
    const std::string label = "Trang " + n + " / " + of + " — Page " + n + " of " + of;
    const double lw = w.width(w.regular(), 8, label);
    w.text(page, w.regular(), 8, kGrey, kPageWidth - kMargin - lw, 24, label);
    w.text(page, w.regular(), 8, kGrey, kMargin, 24,
           w.fit(w.regular(), 8, m.title.en + " · " + m.period_text, kContentWidth - lw - 20));
  }
}

}  // namespace

Result<Bytes> renderReportPdf(const ReportModel& model, const PdfReportOptions& options) {
  ReportWriter w(options);
  CARDLINE_RETURN_IF_ERROR(w.open());
  w.setInfo(model.title.both() + " " + model.period_text);
  drawHeader(w, model);
  drawHeadlines(w, model.headlines);
  for (const Chart& chart : model.charts) drawChart(w, chart);
  for (const ReportTable& table : model.tables) drawTable(w, table);
  drawFooters(w, model);
  CARDLINE_RETURN_IF_ERROR(w.takeError("drawing the report"));
  return w.save();
}

Status writeReportPdf(const ReportModel& model, const PdfReportOptions& options,
                      const std::string& path) {
  CARDLINE_ASSIGN_OR_RETURN(Bytes pdf, renderReportPdf(model, options));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return unavailable("cannot write report '" + path + "'");
  out.write(reinterpret_cast<const char*>(pdf.data()), static_cast<std::streamsize>(pdf.size()));
  out.close();
  if (!out) return unavailable("writing report '" + path + "' failed");
  return Status::ok();
}

}  // namespace cardline
