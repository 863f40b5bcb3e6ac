#include "mes/prep/pdf_card_renderer.h"

#include <hpdf.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include "mes/prep/unicode_text.h"

namespace cardline {

namespace {

constexpr double kPi = 3.14159265358979323846;

// The first error libharu reported through its handler.
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

std::string hexCode(HPDF_STATUS code) {
  std::ostringstream text;
  text << "0x" << std::hex << code;
  return text.str();
}

Result<Bytes> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return notFound("cannot read '" + path + "'");
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// One libharu document set up for UTF-8 text, with the template's fonts loaded on demand.
class HaruDocument {
 public:
  explicit HaruDocument(const CardTemplate& tmpl) : tmpl_(tmpl) {
    error_ = std::make_unique<HaruError>();
    doc_ = HPDF_New(onHaruError, error_.get());
    if (doc_ == nullptr) return;
    HPDF_UseUTFEncodings(doc_);
    HPDF_SetCurrentEncoder(doc_, "UTF-8");
    HPDF_SetCompressionMode(doc_, HPDF_COMP_ALL);
  }
  ~HaruDocument() {
    if (doc_ != nullptr) HPDF_Free(doc_);
  }
  HaruDocument(const HaruDocument&) = delete;
  HaruDocument& operator=(const HaruDocument&) = delete;

  HPDF_Doc doc() const { return doc_; }

  // kInternal describing the pending libharu error (and clears it), or OK.
  Status takeError(const std::string& what) {
    if (error_->code == HPDF_OK) return Status::ok();
    Status status = internalError(what + ": libharu error " + hexCode(error_->code) + " (detail " +
                                  std::to_string(error_->detail) + ")");
    *error_ = HaruError{};
    if (doc_ != nullptr) HPDF_ResetError(doc_);
    return status;
  }

  Status started() {
    if (doc_ == nullptr) return internalError("libharu: HPDF_New failed");
    return takeError("setting up the UTF-8 encoder");
  }

  Result<HPDF_Font> font(const std::string& name) {
    auto cached = fonts_.find(name);
    if (cached != fonts_.end()) return cached->second;
    auto spec = tmpl_.fonts.find(name);
    if (spec == tmpl_.fonts.end()) return notFound("font '" + name + "' is not in the template");
    {
      std::ifstream probe(spec->second.path, std::ios::binary);
      if (!probe) {
        return notFound("font '" + name + "': cannot read '" + spec->second.path + "'");
      }
    }
    const char* loaded = HPDF_LoadTTFontFromFile(doc_, spec->second.path.c_str(), HPDF_TRUE);
    HPDF_Font font = loaded != nullptr ? HPDF_GetFont(doc_, loaded, "UTF-8") : nullptr;
    CARDLINE_RETURN_IF_ERROR(takeError("loading font '" + spec->second.path + "'"));
    if (font == nullptr) return internalError("loading font '" + spec->second.path + "' failed");
    fonts_.emplace(name, font);
    return font;
  }

  Result<double> widthPt(const std::string& font_name, double size, std::string_view utf8) {
    CARDLINE_ASSIGN_OR_RETURN(HPDF_Font font, font(font_name));
    if (utf8.empty()) return 0.0;
    const HPDF_TextWidth width = HPDF_Font_TextWidth(
        font, reinterpret_cast<const HPDF_BYTE*>(utf8.data()), static_cast<HPDF_UINT>(utf8.size()));
    CARDLINE_RETURN_IF_ERROR(takeError("measuring text"));
    return static_cast<double>(width.width) * size / 1000.0;
  }

 private:
  const CardTemplate& tmpl_;
  std::unique_ptr<HaruError> error_;
  HPDF_Doc doc_ = nullptr;
  std::map<std::string, HPDF_Font> fonts_;
};

class DocumentMeasurer : public TextMeasurer {
 public:
  explicit DocumentMeasurer(HaruDocument& document) : document_(document) {}
  Result<double> widthPt(const std::string& font, double size_pt, std::string_view utf8) override {
    return document_.widthPt(font, size_pt, utf8);
  }

 private:
  HaruDocument& document_;
};

// The text an element shows, normalised and transformed. kInvalidArgument when a bound value is
// missing or not UTF-8.
Result<std::string> elementText(const CardElement& element, const CardFaceData& data) {
  std::string raw;
  if (element.kind == ElementKind::kText) {
    raw = element.text;
  } else {
    auto it = data.texts.find(element.binding);
    if (it == data.texts.end()) {
      return invalidArgument("no value for binding '" + element.binding + "'");
    }
    raw = it->second;
  }
  Result<std::string> text =
      element.transform == TextTransform::kUpper ? upperText(raw) : nfcText(raw);
  if (!text.isOk()) {
    return invalidArgument("binding '" + element.binding + "': " + text.status().message());
  }
  return text;
}

std::string locate(const CardElement& element) {
  return "template line " + std::to_string(element.at.line);
}

// Fits one text-like element (text, field, mrz). Returns the fitted lines; a FitError goes to
// `errors` (and the result then holds the lines at min_size).
Result<FittedText> fitElement(TextMeasurer& measurer, const CardElement& element,
                              const CardFaceData& data, const std::string& face,
                              std::vector<FitError>& errors) {
  FittedText fitted;
  std::string label;
  if (element.kind == ElementKind::kMrz) {
    if (data.mrz_lines.empty()) return invalidArgument("the template has an MRZ but no MRZ data");
    CARDLINE_ASSIGN_OR_RETURN(fitted,
                              fitLines(measurer, element.font, fitBoxOf(element), data.mrz_lines));
    label = "mrz";
  } else {
    CARDLINE_ASSIGN_OR_RETURN(std::string text, elementText(element, data));
    CARDLINE_ASSIGN_OR_RETURN(fitted, fitText(measurer, element.font, fitBoxOf(element), text));
    label = element.kind == ElementKind::kField ? element.binding : "text '" + element.text + "'";
  }
  if (!fitted.fits) {
    FitError error;
    error.binding = element.kind == ElementKind::kMrz ? "mrz" : element.binding;
    error.face = face;
    error.at = element.at;
    std::ostringstream size;
    size << element.minSize();
    error.message = label + " (" + face + ", " + locate(element) + "): does not fit its box at " +
                    size.str() + " pt: " + fitted.overDescription();
    errors.push_back(std::move(error));
  }
  return fitted;
}

std::string describeErrors(const std::vector<FitError>& errors) {
  std::string text;
  for (const FitError& error : errors) {
    if (!text.empty()) text += "; ";
    text += error.message;
  }
  return text;
}

// Draws one face on one page.
class FacePainter {
 public:
  // Values that do not fit go to `fit_errors` and are not drawn.
  FacePainter(HaruDocument& document, HPDF_Page page, const CardTemplate& tmpl,
              const CardFaceData& data, std::string face, std::vector<FitError>& fit_errors)
      : document_(document),
        measurer_(document),
        page_(page),
        data_(data),
        face_(std::move(face)),
        page_height_pt_(tmpl.height_mm * kPointsPerMm),
        fit_errors_(fit_errors) {}

  // Draws every element in order. Fails on the first error other than a value that does not fit.
  Status paint(const CardFace& face) {
    for (const CardElement& element : face.elements) {
      CARDLINE_RETURN_IF_ERROR(paintElement(element));
      CARDLINE_RETURN_IF_ERROR(document_.takeError(face_ + ": drawing " +
                                                   std::string(elementKindName(element.kind)) +
                                                   " at " + locate(element)));
    }
    return Status::ok();
  }

 private:
  double x(double mm) const { return mm * kPointsPerMm; }
  // PDF y of a distance from the top edge.
  double y(double mm) const { return page_height_pt_ - mm * kPointsPerMm; }

  void setFill(const Rgb& c) {
    HPDF_Page_SetRGBFill(page_, static_cast<HPDF_REAL>(c.r / 255.0),
                         static_cast<HPDF_REAL>(c.g / 255.0), static_cast<HPDF_REAL>(c.b / 255.0));
  }
  void setStroke(const Rgb& c, double width_mm) {
    HPDF_Page_SetRGBStroke(page_, static_cast<HPDF_REAL>(c.r / 255.0),
                           static_cast<HPDF_REAL>(c.g / 255.0),
                           static_cast<HPDF_REAL>(c.b / 255.0));
    HPDF_Page_SetLineWidth(page_, static_cast<HPDF_REAL>(width_mm * kPointsPerMm));
  }
  // Sets the element's fill and stroke colours; must come before the path is started.
  void setPaint(const CardElement& e) {
    if (e.fill) setFill(*e.fill);
    if (e.stroke) setStroke(*e.stroke, e.stroke_width);
  }
  // Paints the current path with the element's fill and/or stroke.
  void finishPath(const CardElement& e) {
    if (e.fill && e.stroke) {
      HPDF_Page_FillStroke(page_);
    } else if (e.fill) {
      HPDF_Page_Fill(page_);
    } else {
      HPDF_Page_Stroke(page_);
    }
  }
  HPDF_REAL real(double v) const { return static_cast<HPDF_REAL>(v); }

  Status paintElement(const CardElement& e) {
    switch (e.kind) {
      case ElementKind::kText:
      case ElementKind::kField:
      case ElementKind::kMrz:
        return paintText(e);
      case ElementKind::kImage:
        return paintBoundImage(e);
      case ElementKind::kQr:
        return paintQr(e);
      case ElementKind::kPicture: {
        CARDLINE_ASSIGN_OR_RETURN(Bytes bytes, readFile(e.file));
        std::string lower = e.file;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const bool png = lower.size() >= 4 && lower.compare(lower.size() - 4, 4, ".png") == 0;
        return paintImage(e, Image{png ? "png" : "jpeg", std::move(bytes)}, "picture " + e.file);
      }
      case ElementKind::kRect:
        setPaint(e);
        HPDF_Page_Rectangle(page_, real(x(e.box.x)), real(y(e.box.y + e.box.h)),
                            real(e.box.w * kPointsPerMm), real(e.box.h * kPointsPerMm));
        finishPath(e);
        return Status::ok();
      case ElementKind::kEllipse:
        setPaint(e);
        HPDF_Page_Ellipse(page_, real(x(e.box.x + e.box.w / 2)), real(y(e.box.y + e.box.h / 2)),
                          real(e.box.w / 2 * kPointsPerMm), real(e.box.h / 2 * kPointsPerMm));
        finishPath(e);
        return Status::ok();
      case ElementKind::kLine:
        setStroke(e.stroke.value_or(Rgb{}), e.stroke_width);
        HPDF_Page_MoveTo(page_, real(x(e.from.x)), real(y(e.from.y)));
        HPDF_Page_LineTo(page_, real(x(e.to.x)), real(y(e.to.y)));
        HPDF_Page_Stroke(page_);
        return Status::ok();
      case ElementKind::kStar:
        paintStar(e);
        return Status::ok();
    }
    return internalError("unknown element kind");
  }

  void paintStar(const CardElement& e) {
    const double cx = x(e.box.x + e.box.w / 2);
    const double cy = y(e.box.y + e.box.h / 2);
    const double outer = std::min(e.box.w, e.box.h) / 2 * kPointsPerMm;
    // The inner radius of a regular star polygon {n/2}; for 5 points about 0.382 x outer.
    const double inner = outer * std::cos(2 * kPi / e.points) / std::cos(kPi / e.points);
    const int vertices = 2 * e.points;
    setPaint(e);
    for (int i = 0; i < vertices; ++i) {
      const double angle = kPi / 2 + i * kPi / e.points;  // first point straight up
      const double r = i % 2 == 0 ? outer : std::max(inner, outer * 0.2);
      const HPDF_REAL px = real(cx + r * std::cos(angle));
      const HPDF_REAL py = real(cy + r * std::sin(angle));
      if (i == 0) {
        HPDF_Page_MoveTo(page_, px, py);
      } else {
        HPDF_Page_LineTo(page_, px, py);
      }
    }
    HPDF_Page_ClosePath(page_);
    finishPath(e);
  }

  Status paintText(const CardElement& e) {
    CARDLINE_ASSIGN_OR_RETURN(FittedText fitted,
                              fitElement(measurer_, e, data_, face_, fit_errors_));
    if (!fitted.fits) return Status::ok();  // reported after the face; never drawn clipped
    CARDLINE_ASSIGN_OR_RETURN(HPDF_Font font, document_.font(e.font));
    const double box_left = x(e.box.x);
    const double box_width = e.box.w * kPointsPerMm;
    const double top = y(e.box.y);
    setFill(e.color);
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, font, real(fitted.size));
    for (std::size_t i = 0; i < fitted.lines.size(); ++i) {
      const std::string& line = fitted.lines[i];
      CARDLINE_ASSIGN_OR_RETURN(double width, document_.widthPt(e.font, fitted.size, line));
      double left = box_left;
      if (e.align == TextAlign::kCenter) left += (box_width - width) / 2;
      if (e.align == TextAlign::kRight) left += box_width - width;
      const double baseline =
          top - (static_cast<double>(i) * kLineHeightEm + kBaselineEm) * fitted.size;
      HPDF_Page_TextOut(page_, real(left), real(baseline), line.c_str());
    }
    HPDF_Page_EndText(page_);
    return Status::ok();
  }

  Status paintBoundImage(const CardElement& e) {
    auto it = data_.images.find(e.binding);
    if (it == data_.images.end() || it->second.data.empty()) {
      if (e.optional) return Status::ok();
      return invalidArgument(face_ + ": no image for '" + e.binding + "' (" + locate(e) + ")");
    }
    return paintImage(e, it->second, e.binding);
  }

  // Draws an image scaled to fit the box (aspect ratio kept, centred).
  Status paintImage(const CardElement& e, const Image& image, const std::string& what) {
    HPDF_Image loaded = nullptr;
    const auto* bytes = image.data.data();
    const auto size = static_cast<HPDF_UINT>(image.data.size());
    if (image.format == "jpeg" || image.format == "jpg") {
      loaded = HPDF_LoadJpegImageFromMem(document_.doc(), bytes, size);
    } else if (image.format == "png") {
      loaded = HPDF_LoadPngImageFromMem(document_.doc(), bytes, size);
    } else {
      return invalidArgument(what + ": image format '" + image.format +
                             "' cannot be printed (jpeg or png expected)");
    }
    Status error = document_.takeError(what);
    if (!error.isOk() || loaded == nullptr) {
      return invalidArgument(
          what + ": the " + image.format +
          " image cannot be embedded (corrupt, or an interlaced PNG): " + error.message());
    }
    const double iw = HPDF_Image_GetWidth(loaded);
    const double ih = HPDF_Image_GetHeight(loaded);
    if (!(iw > 0 && ih > 0)) return invalidArgument(what + ": the image is empty");
    const double bw = e.box.w * kPointsPerMm;
    const double bh = e.box.h * kPointsPerMm;
    const double scale = std::min(bw / iw, bh / ih);
    const double dw = iw * scale;
    const double dh = ih * scale;
    const double left = x(e.box.x) + (bw - dw) / 2;
    const double bottom = y(e.box.y + e.box.h) + (bh - dh) / 2;
    HPDF_Page_DrawImage(page_, loaded, real(left), real(bottom), real(dw), real(dh));
    return Status::ok();
  }

  // The QR as vector modules: a light square over the box, dark runs of each row as rectangles.
  Status paintQr(const CardElement& e) {
    const QrMatrix& qr = data_.qr;
    if (qr.size <= 0) return invalidArgument(face_ + ": the template has a QR but no QR data");
    const double side = std::min(e.box.w, e.box.h) * kPointsPerMm;
    const double module = side / (qr.size + 2 * e.quiet_zone);
    const double left = x(e.box.x) + (e.box.w * kPointsPerMm - side) / 2;
    const double top = y(e.box.y) - (e.box.h * kPointsPerMm - side) / 2;
    setFill(Rgb{255, 255, 255});
    HPDF_Page_Rectangle(page_, real(left), real(top - side), real(side), real(side));
    HPDF_Page_Fill(page_);
    setFill(e.color);
    for (int row = 0; row < qr.size; ++row) {
      int col = 0;
      while (col < qr.size) {
        if (!qr.dark(col, row)) {
          ++col;
          continue;
        }
        const int start = col;
        while (col < qr.size && qr.dark(col, row)) ++col;
        const double mx = left + (start + e.quiet_zone) * module;
        const double my = top - (row + e.quiet_zone + 1) * module;
        HPDF_Page_Rectangle(page_, real(mx), real(my), real((col - start) * module), real(module));
      }
    }
    HPDF_Page_Fill(page_);
    return Status::ok();
  }

  HaruDocument& document_;
  DocumentMeasurer measurer_;
  HPDF_Page page_;
  const CardFaceData& data_;
  std::string face_;
  double page_height_pt_;
  std::vector<FitError>& fit_errors_;
};

Result<Bytes> saveToMemory(HaruDocument& document) {
  HPDF_SaveToStream(document.doc());
  CARDLINE_RETURN_IF_ERROR(document.takeError("writing the PDF"));
  HPDF_ResetStream(document.doc());
  Bytes pdf;
  pdf.reserve(HPDF_GetStreamSize(document.doc()));
  for (;;) {
    HPDF_BYTE buffer[8192];
    HPDF_UINT32 length = sizeof buffer;
    const HPDF_STATUS status = HPDF_ReadFromStream(document.doc(), buffer, &length);
    pdf.insert(pdf.end(), buffer, buffer + length);
    if (status == HPDF_STREAM_EOF) break;
    if (status != HPDF_OK) return document.takeError("reading the PDF back");
  }
  // Clears an end-of-stream error the handler may have recorded; the bytes are complete.
  static_cast<void>(document.takeError("reading the PDF back"));
  return pdf;
}

}  // namespace

struct PdfTextMeasurer::State {
  explicit State(const CardTemplate& t) : tmpl(t), document(tmpl) {}
  CardTemplate tmpl;
  HaruDocument document;
};

PdfTextMeasurer::PdfTextMeasurer(std::unique_ptr<State> state) : state_(std::move(state)) {}
PdfTextMeasurer::~PdfTextMeasurer() = default;

Result<std::unique_ptr<PdfTextMeasurer>> PdfTextMeasurer::create(const CardTemplate& tmpl) {
  auto state = std::make_unique<State>(tmpl);
  CARDLINE_RETURN_IF_ERROR(state->document.started());
  return std::unique_ptr<PdfTextMeasurer>(new PdfTextMeasurer(std::move(state)));
}

Result<double> PdfTextMeasurer::widthPt(const std::string& font, double size_pt,
                                        std::string_view utf8) {
  return state_->document.widthPt(font, size_pt, utf8);
}

Result<std::vector<FitError>> checkFaceFit(const CardTemplate& tmpl, const CardFaceData& data) {
  HaruDocument document(tmpl);
  CARDLINE_RETURN_IF_ERROR(document.started());
  DocumentMeasurer measurer(document);
  return checkFaceFit(tmpl, data, measurer);
}

Result<std::vector<FitError>> checkFaceFit(const CardTemplate& tmpl, const CardFaceData& data,
                                           TextMeasurer& measurer) {
  std::vector<FitError> errors;
  const std::pair<const char*, const CardFace*> faces[] = {{"front", &tmpl.front},
                                                           {"back", &tmpl.back}};
  for (const auto& [face_name, face] : faces) {
    for (const CardElement& element : face->elements) {
      if (element.kind != ElementKind::kField && element.kind != ElementKind::kMrz) continue;
      if (element.kind == ElementKind::kMrz && data.mrz_lines.empty()) continue;
      CARDLINE_RETURN_IF_ERROR(fitElement(measurer, element, data, face_name, errors).status());
    }
  }
  return errors;
}

Result<Bytes> renderCardPdf(const CardTemplate& tmpl, const CardFaceData& data) {
  HaruDocument document(tmpl);
  CARDLINE_RETURN_IF_ERROR(document.started());
  const std::pair<const char*, const CardFace*> faces[] = {{"front", &tmpl.front},
                                                           {"back", &tmpl.back}};
  std::vector<FitError> fit_errors;
  for (const auto& [face_name, face] : faces) {
    HPDF_Page page = HPDF_AddPage(document.doc());
    CARDLINE_RETURN_IF_ERROR(document.takeError("adding a page"));
    HPDF_Page_SetWidth(page, static_cast<HPDF_REAL>(tmpl.width_mm * kPointsPerMm));
    HPDF_Page_SetHeight(page, static_cast<HPDF_REAL>(tmpl.height_mm * kPointsPerMm));
    CARDLINE_RETURN_IF_ERROR(
        FacePainter(document, page, tmpl, data, face_name, fit_errors).paint(*face));
  }
  if (!fit_errors.empty()) return invalidArgument(describeErrors(fit_errors));
  return saveToMemory(document);
}

}  // namespace cardline
