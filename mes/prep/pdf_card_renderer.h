#pragma once
// Renders a card (front and back) as a two-page PDF print job with libharu: pages of the template's
// size (ID-1: 242.6457 x 153.0142 pt), TrueType fonts embedded (UTF-8 encoder, so Vietnamese text
// is both drawn and extractable), the QR as vector modules, images embedded (JPEG or
// non-interlaced PNG). The renderer takes already-computed values (CardFaceData), not an
// Application: how the MRZ, QR and expiry are computed is not its concern.
//
// libharu keeps no global state; each call uses its own document, so calls on different threads
// are safe. A PdfTextMeasurer is not thread-safe.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/document/qr_code.h"
#include "mes/prep/card_template.h"
#include "mes/prep/text_fit.h"

namespace cardline {

// Everything the faces show that is not in the template.
struct CardFaceData {
  std::map<std::string, std::string> texts;  // text binding -> UTF-8 value ("" is drawn as nothing)
  std::map<std::string, Image> images;       // image binding -> "jpeg"/"png" bytes
  QrMatrix qr;                               // size 0: no QR data
  std::vector<std::string> mrz_lines;        // empty: no MRZ data
};

// A bound value that does not fit its box by the fit rule (text_fit.h).
struct FitError {
  std::string binding;  // "place_of_residence", or "mrz"
  std::string face;     // "front" / "back"
  SourcePos at;         // the element in the template file
  std::string message;  // "place_of_residence (front): does not fit ... : 3.20 mm too wide"
};

// Measures text with libharu exactly as renderCardPdf draws it (same font files, UTF-8 encoder).
// Fails with kNotFound / kInvalidArgument as TextMeasurer says, kInternal on a libharu failure.
class PdfTextMeasurer : public TextMeasurer {
 public:
  // Loads the template's fonts lazily on first use. Fails with kInternal if libharu cannot
  // start.
  static Result<std::unique_ptr<PdfTextMeasurer>> create(const CardTemplate& tmpl);
  ~PdfTextMeasurer() override;
  PdfTextMeasurer(const PdfTextMeasurer&) = delete;
  PdfTextMeasurer& operator=(const PdfTextMeasurer&) = delete;

  Result<double> widthPt(const std::string& font, double size_pt, std::string_view utf8) override;

 private:
  struct State;
  explicit PdfTextMeasurer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Applies the fit rule to every field and the MRZ of both faces with the data's values (after the
// element's transform). Returns one FitError per value that does not fit; empty when all fit.
// Fails when a value is missing from `data`, is not valid UTF-8, or a font cannot be loaded.
Result<std::vector<FitError>> checkFaceFit(const CardTemplate& tmpl, const CardFaceData& data);
// The same with a measurer the caller keeps (fonts loaded once for many checks), e.g. a
// PdfTextMeasurer created for tmpl.
Result<std::vector<FitError>> checkFaceFit(const CardTemplate& tmpl, const CardFaceData& data,
                                           TextMeasurer& measurer);

// The PDF: page 1 the front, page 2 the back. Fails with kInvalidArgument when a bound value is
// missing or does not fit (the message lists every FitError), an image cannot be embedded
// (unsupported format, interlaced PNG, corrupt data), a required image is empty, or the template
// has a QR/MRZ element but the data has none; kNotFound when a font or picture file is missing;
// kInternal on any other libharu failure.
Result<Bytes> renderCardPdf(const CardTemplate& tmpl, const CardFaceData& data);

}  // namespace cardline
