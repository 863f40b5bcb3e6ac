#include "mes/logistics/pdf/box_documents.h"

#include <hpdf.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "mes/base/date.h"
#include "mes/document/qr_code.h"

namespace cardline {
namespace {

struct HaruError {
  HPDF_STATUS code = HPDF_OK;
  HPDF_STATUS detail = 0;
};

void HPDF_STDCALL recordHaruError(HPDF_STATUS error_no, HPDF_STATUS detail_no, void* user_data) {
  auto* error = static_cast<HaruError*>(user_data);
  if (error->code == HPDF_OK) {
    error->code = error_no;
    error->detail = detail_no;
  }
}

// One libharu document with UTF-8 text and the two Noto fonts embedded.
class Pdf {
 public:
  Pdf() : error_(std::make_unique<HaruError>()) {
    doc_ = HPDF_New(recordHaruError, error_.get());
    if (doc_ != nullptr) {
      HPDF_UseUTFEncodings(doc_);
      HPDF_SetCurrentEncoder(doc_, "UTF-8");
      HPDF_SetCompressionMode(doc_, HPDF_COMP_ALL);
    }
  }
  ~Pdf() {
    if (doc_ != nullptr) HPDF_Free(doc_);
  }
  Pdf(const Pdf&) = delete;
  Pdf& operator=(const Pdf&) = delete;

  Status check(const std::string& what) {
    if (doc_ == nullptr) return internalError("libharu: HPDF_New failed");
    if (error_->code == HPDF_OK) return Status::ok();
    char code[64];
    std::snprintf(code, sizeof code, "0x%04x (detail %u)", static_cast<unsigned>(error_->code),
                  static_cast<unsigned>(error_->detail));
    *error_ = HaruError{};
    HPDF_ResetError(doc_);
    return internalError(what + ": libharu error " + code);
  }

  Status loadFonts(const BoxDocumentFonts& fonts) {
    CARDLINE_RETURN_IF_ERROR(check("setting up the UTF-8 encoder"));
    CARDLINE_ASSIGN_OR_RETURN(regular_, load(fonts.regular));
    CARDLINE_ASSIGN_OR_RETURN(bold_, load(fonts.bold));
    return Status::ok();
  }

  HPDF_Page addPage(double width, double height) {
    HPDF_Page page = HPDF_AddPage(doc_);
    HPDF_Page_SetWidth(page, static_cast<HPDF_REAL>(width));
    HPDF_Page_SetHeight(page, static_cast<HPDF_REAL>(height));
    return page;
  }

  enum class Weight { kRegular, kBold };
  void text(HPDF_Page page, Weight weight, double size, double x, double y,
            const std::string& utf8) {
    if (utf8.empty()) return;
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, weight == Weight::kBold ? bold_ : regular_,
                             static_cast<HPDF_REAL>(size));
    HPDF_Page_TextOut(page, static_cast<HPDF_REAL>(x), static_cast<HPDF_REAL>(y), utf8.c_str());
    HPDF_Page_EndText(page);
  }

  void line(HPDF_Page page, double x1, double y1, double x2, double y2) {
    HPDF_Page_SetLineWidth(page, 0.5f);
    HPDF_Page_MoveTo(page, static_cast<HPDF_REAL>(x1), static_cast<HPDF_REAL>(y1));
    HPDF_Page_LineTo(page, static_cast<HPDF_REAL>(x2), static_cast<HPDF_REAL>(y2));
    HPDF_Page_Stroke(page);
  }

  // Black modules of the QR symbol with a 4-module quiet zone; (x, y) is the lower-left
  // corner of the quiet zone, `module` the module size in points.
  void qr(HPDF_Page page, const QrMatrix& matrix, double x, double y, double module) {
    HPDF_Page_SetRGBFill(page, 0, 0, 0);
    const double top = y + (matrix.size + 4) * module;
    for (int row = 0; row < matrix.size; ++row) {
      for (int col = 0; col < matrix.size; ++col) {
        if (!matrix.dark(col, row)) continue;
        HPDF_Page_Rectangle(page, static_cast<HPDF_REAL>(x + (col + 4) * module),
                            static_cast<HPDF_REAL>(top - (row + 1) * module),
                            static_cast<HPDF_REAL>(module), static_cast<HPDF_REAL>(module));
      }
    }
    HPDF_Page_Fill(page);
  }

  Result<Bytes> save() {
    HPDF_SaveToStream(doc_);
    CARDLINE_RETURN_IF_ERROR(check("writing the PDF"));
    HPDF_ResetStream(doc_);
    Bytes pdf;
    pdf.reserve(HPDF_GetStreamSize(doc_));
    for (;;) {
      HPDF_BYTE buffer[8192];
      HPDF_UINT32 length = sizeof buffer;
      const HPDF_STATUS status = HPDF_ReadFromStream(doc_, buffer, &length);
      pdf.insert(pdf.end(), buffer, buffer + length);
      if (status == HPDF_STREAM_EOF) break;
      if (status != HPDF_OK) return check("reading the PDF back");
    }
    static_cast<void>(check("reading the PDF back"));  // clears the end-of-stream note
    return pdf;
  }

 private:
  Result<HPDF_Font> load(const std::string& path) {
    {
      std::ifstream probe(path, std::ios::binary);
      if (!probe) return notFound("cannot read font file '" + path + "'");
    }
    const char* loaded = HPDF_LoadTTFontFromFile(doc_, path.c_str(), HPDF_TRUE);
    HPDF_Font font = loaded != nullptr ? HPDF_GetFont(doc_, loaded, "UTF-8") : nullptr;
    CARDLINE_RETURN_IF_ERROR(check("loading font '" + path + "'"));
    if (font == nullptr) return internalError("loading font '" + path + "' failed");
    return font;
  }

  std::unique_ptr<HaruError> error_;
  HPDF_Doc doc_ = nullptr;
  HPDF_Font regular_ = nullptr;
  HPDF_Font bold_ = nullptr;
};

constexpr double kMm = 72.0 / 25.4;

}  // namespace

std::string maskPersonalNumberForManifest(const std::string& number) {
  if (number.empty()) return "";
  if (number.size() == 12) return number.substr(0, 3) + std::string(7, '*') + number.substr(10);
  if (number.size() <= 2) return std::string(number.size(), '*');
  return number.substr(0, 1) + std::string(number.size() - 2, '*') + number.substr(number.size() - 1);
}

Result<std::vector<ManifestLine>> manifestLines(StoreTransaction& tx, const std::string& box_id) {
  CARDLINE_RETURN_IF_ERROR(tx.logistics().findBox(box_id).status());
  CARDLINE_ASSIGN_OR_RETURN(auto cards, tx.logistics().cardsOfBox(box_id));
  std::vector<ManifestLine> lines;
  for (const BoxCard& card : cards) {
    CARDLINE_ASSIGN_OR_RETURN(Application a, tx.applications().find(card.application_id));
    ManifestLine line;
    line.serial = card.serial;
    line.application_id = a.id;
    line.personal_number_masked = maskPersonalNumberForManifest(a.personal_number);
    line.full_name = a.person.full_name;
    lines.push_back(std::move(line));
  }
  return lines;
}

Result<Bytes> renderBoxLabel(const Box& box, const BoxDocumentFonts& fonts) {
  CARDLINE_ASSIGN_OR_RETURN(QrMatrix matrix, encodeQr(box.id));
  Pdf pdf;
  CARDLINE_RETURN_IF_ERROR(pdf.loadFonts(fonts));
  const double width = 148 * kMm;  // A6 landscape
  const double height = 105 * kMm;
  HPDF_Page page = pdf.addPage(width, height);
  const double margin = 8 * kMm;
  using W = Pdf::Weight;
  pdf.text(page, W::kRegular, 9, margin, height - margin - 9, "Nơi nhận / Destination");
  pdf.text(page, W::kBold, 16, margin, height - margin - 28, box.receiving_unit_name);
  pdf.text(page, W::kBold, 13, margin, height - margin - 46, box.receiving_unit_code);
  pdf.text(page, W::kRegular, 10, margin, height - margin - 72, "Mã hộp / Box: " + box.id);
  pdf.text(page, W::kRegular, 10, margin, height - margin - 88,
           "Số thẻ / Cards: " + std::to_string(box.card_count));
  pdf.text(page, W::kRegular, 10, margin, height - margin - 104,
           "Số niêm phong / Seal: " + (box.seal_number.empty() ? "-" : box.seal_number));
  const double module = 40 * kMm / (matrix.size + 8);
  pdf.qr(page, matrix, width - margin - (matrix.size + 8) * module, margin, module);
  pdf.text(page, W::kRegular, 8, margin, margin, "cardline");
  CARDLINE_RETURN_IF_ERROR(pdf.check("drawing the label"));
  return pdf.save();
}

Result<Bytes> renderBoxManifest(const Box& box, const std::vector<ManifestLine>& lines,
                                Timestamp printed_at, const BoxDocumentFonts& fonts) {
  Pdf pdf;
  CARDLINE_RETURN_IF_ERROR(pdf.loadFonts(fonts));
  const double width = 210 * kMm;
  const double height = 297 * kMm;
  const double margin = 15 * kMm;
  constexpr std::size_t kPerPage = 40;
  const std::size_t pages = lines.empty() ? 1 : (lines.size() + kPerPage - 1) / kPerPage;
  using W = Pdf::Weight;
  const double columns[] = {margin, margin + 12 * kMm, margin + 50 * kMm, margin + 85 * kMm};
  for (std::size_t p = 0; p < pages; ++p) {
    HPDF_Page page = pdf.addPage(width, height);
    double y = height - margin - 14;
    pdf.text(page, W::kBold, 14, margin, y, "Bảng kê thẻ / Manifest — " + box.id);
    y -= 18;
    pdf.text(page, W::kRegular, 10, margin, y,
             "Nơi nhận: " + box.receiving_unit_code + " " + box.receiving_unit_name);
    y -= 14;
    pdf.text(page, W::kRegular, 10, margin, y,
             "Niêm phong: " + (box.seal_number.empty() ? "-" : box.seal_number) +
                 "    Số thẻ: " + std::to_string(lines.size()) +
                 "    In lúc: " + formatIsoTimestamp(printed_at));
    y -= 20;
    pdf.text(page, W::kBold, 10, columns[0], y, "#");
    pdf.text(page, W::kBold, 10, columns[1], y, "Số sê-ri thẻ");
    pdf.text(page, W::kBold, 10, columns[2], y, "Số định danh");
    pdf.text(page, W::kBold, 10, columns[3], y, "Họ và tên");
    y -= 4;
    pdf.line(page, margin, y, width - margin, y);
    y -= 13;
    for (std::size_t i = p * kPerPage; i < lines.size() && i < (p + 1) * kPerPage; ++i) {
      const ManifestLine& l = lines[i];
      pdf.text(page, W::kRegular, 10, columns[0], y, std::to_string(i + 1));
      pdf.text(page, W::kRegular, 10, columns[1], y, l.serial);
      pdf.text(page, W::kRegular, 10, columns[2], y,
               l.personal_number_masked.empty() ? "(đã xoá)" : l.personal_number_masked);
      pdf.text(page, W::kRegular, 10, columns[3], y, l.full_name);
      y -= 14;
    }
    pdf.text(page, W::kRegular, 8, margin, margin,
             "Trang " + std::to_string(p + 1) + " / " + std::to_string(pages));
  }
  CARDLINE_RETURN_IF_ERROR(pdf.check("drawing the manifest"));
  return pdf.save();
}

}  // namespace cardline
