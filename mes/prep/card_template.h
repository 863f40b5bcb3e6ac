#pragma once
// The card face layout as plain structs: a CardTemplate is what templates/cards/*.yaml holds
// (mes/config/template_loader reads it; templates/README.md documents the schema). Everything is
// in millimetres from the top-left corner of the card; sizes of text are in points. Value types,
// thread-compatible. No library headers here.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/status.h"
#include "mes/core/domain.h"

namespace cardline {

// ID-1 (ISO/IEC 7810) card size.
inline constexpr double kId1WidthMm = 85.60;
inline constexpr double kId1HeightMm = 53.98;
// Points per millimetre (1 pt = 1/72 inch).
inline constexpr double kPointsPerMm = 72.0 / 25.4;

// A 1-based position in the template's source file; 0/0 when unknown (built in code).
struct SourcePos {
  int line = 0;
  int col = 0;
};

struct BoxMm {
  double x = 0;  // left edge, from the card's left edge
  double y = 0;  // top edge, from the card's top edge
  double w = 0;
  double h = 0;
};

struct PointMm {
  double x = 0;
  double y = 0;
};

// An sRGB colour, 0..255 per channel.
struct Rgb {
  int r = 0;
  int g = 0;
  int b = 0;
  friend bool operator==(const Rgb& lhs, const Rgb& rhs) {
    return lhs.r == rhs.r && lhs.g == rhs.g && lhs.b == rhs.b;
  }
};

// What an element draws. One name table (elementKindName/parseElementKind):
//   "text" fixed text, "field" a bound text value, "image" a bound image (photo, fingerprints),
//   "qr" the QR symbol, "mrz" the three MRZ lines, and static artwork: "rect", "line",
//   "ellipse", "star", "picture" (an image file under templates/cards/artwork/).
enum class ElementKind {
  kText,
  kField,
  kImage,
  kQr,
  kMrz,
  kRect,
  kLine,
  kEllipse,
  kStar,
  kPicture
};

enum class TextAlign { kLeft, kCenter, kRight };  // "left", "center", "right"
enum class WrapMode { kNone, kWords };            // YAML wrap: false / true
enum class TextTransform { kNone, kUpper };       // "none", "upper" (Vietnamese-aware)

const char* elementKindName(ElementKind kind);
Result<ElementKind> parseElementKind(std::string_view s);
const char* textAlignName(TextAlign align);
Result<TextAlign> parseTextAlign(std::string_view s);
const char* textTransformName(TextTransform transform);
Result<TextTransform> parseTextTransform(std::string_view s);

// True for the kinds that carry information (text, field, image, qr, mrz): their boxes must not
// overlap each other on one face. Artwork may lie under or over anything.
bool isContentKind(ElementKind kind);

// One drawable element. Which members matter depends on kind; the rest keep their defaults.
struct CardElement {
  ElementKind kind = ElementKind::kText;
  SourcePos at;                             // where the element starts in the file
  std::map<std::string, SourcePos> key_at;  // where each key's value is ("box", "font"...)

  BoxMm box;         // every kind except line
  PointMm from, to;  // line only

  // text / field / mrz
  std::string text;     // text: the fixed text (UTF-8, NFC)
  std::string binding;  // field and image: the data name (see textBindingNames/imageBindingNames)
  std::string font;     // a key of CardTemplate::fonts
  double size = 7;      // nominal size in pt
  double min_size = 0;  // smallest size the fit rule may shrink to; 0 means "same as size"
  TextAlign align = TextAlign::kLeft;
  WrapMode wrap = WrapMode::kNone;
  int max_lines = 1;
  TextTransform transform = TextTransform::kNone;
  Rgb color;  // text colour, also the QR's dark modules

  // image
  bool optional = false;  // image: an empty image is left out instead of being an error

  // qr
  int quiet_zone = 2;  // modules of light border inside the box

  // artwork
  std::optional<Rgb> fill;
  std::optional<Rgb> stroke;
  double stroke_width = 0.2;  // mm
  int points = 5;             // star
  std::string file;           // picture: absolute path (the loader resolves relative paths)

  // Position of key `key`, or of the element when the key was not given.
  SourcePos posOf(const std::string& key) const;
  // The effective smallest size (min_size, or size when min_size is 0).
  double minSize() const { return min_size > 0 ? min_size : size; }
};

struct CardFace {
  SourcePos at;
  std::vector<CardElement> elements;  // drawn in order: later elements on top
};

struct FontSpec {
  std::string path;  // absolute path of a TrueType file
  SourcePos at;
};

struct CardTemplate {
  std::string name;
  int version = 1;
  CardModel card_model = CardModel::kCccd2021;
  double width_mm = kId1WidthMm;
  double height_mm = kId1HeightMm;
  std::map<std::string, FontSpec> fonts;  // font name -> TrueType file
  CardFace front;
  CardFace back;
  std::string source;                       // the file it was loaded from ("" when built in code)
  std::map<std::string, SourcePos> key_at;  // top-level keys, and "page.width_mm"/"page.height_mm"
};

// The names a "field" element may bind to, and the names an "image" element may bind to. One
// list each, used by validation, by CardFaceData and by templates/README.md.
const std::vector<std::string>& textBindingNames();
const std::vector<std::string>& imageBindingNames();

struct TemplateProblem {
  SourcePos at;
  std::string message;
};

// Measures text for validation and for the fit rule (see text_fit.h).
class TextMeasurer;

// Semantic checks of a template: page size (ID-1), fonts (file exists and is readable; every
// element's font is declared), each element's geometry (positive size, inside the card), known
// bindings, sizes (size > 0, min_size <= size, max_lines >= 1), no two content boxes overlapping
// on one face (isContentKind), an existing picture file, and, when `measurer` is given, that
// every fixed text fits its box by the fit rule. Returns every problem, in face and element
// order; empty when the template is valid.
std::vector<TemplateProblem> validateCardTemplate(const CardTemplate& tmpl, TextMeasurer* measurer);

}  // namespace cardline
