#include "mes/prep/card_template.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <utility>

#include "mes/prep/text_fit.h"

namespace cardline {

namespace {

template <typename E>
struct NameEntry {
  E value;
  const char* name;
};

constexpr NameEntry<ElementKind> kElementKinds[] = {
    {ElementKind::kText, "text"},   {ElementKind::kField, "field"},
    {ElementKind::kImage, "image"}, {ElementKind::kQr, "qr"},
    {ElementKind::kMrz, "mrz"},     {ElementKind::kRect, "rect"},
    {ElementKind::kLine, "line"},   {ElementKind::kEllipse, "ellipse"},
    {ElementKind::kStar, "star"},   {ElementKind::kPicture, "picture"},
};
constexpr NameEntry<TextAlign> kAligns[] = {
    {TextAlign::kLeft, "left"}, {TextAlign::kCenter, "center"}, {TextAlign::kRight, "right"}};
constexpr NameEntry<TextTransform> kTransforms[] = {{TextTransform::kNone, "none"},
                                                    {TextTransform::kUpper, "upper"}};

template <typename E, std::size_t N>
const char* nameIn(const NameEntry<E> (&table)[N], E value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

template <typename E, std::size_t N>
Result<E> parseIn(const NameEntry<E> (&table)[N], std::string_view s, const char* what) {
  std::string accepted;
  for (const auto& entry : table) {
    if (s == entry.name) return entry.value;
    if (!accepted.empty()) accepted += ", ";
    accepted += entry.name;
  }
  return invalidArgument("unknown " + std::string(what) + " '" + std::string(s) +
                         "' (expected one of: " + accepted + ")");
}

constexpr double kToleranceMm = 1e-6;

std::string mm(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

// The element's bounding box (a line's box spans its end points).
BoxMm boundsOf(const CardElement& element) {
  if (element.kind != ElementKind::kLine) return element.box;
  const double x0 = std::min(element.from.x, element.to.x);
  const double y0 = std::min(element.from.y, element.to.y);
  return BoxMm{x0, y0, std::fabs(element.to.x - element.from.x),
               std::fabs(element.to.y - element.from.y)};
}

bool overlaps(const BoxMm& a, const BoxMm& b) {
  return a.x < b.x + b.w - kToleranceMm && b.x < a.x + a.w - kToleranceMm &&
         a.y < b.y + b.h - kToleranceMm && b.y < a.y + a.h - kToleranceMm;
}

std::string describe(const CardElement& element) {
  std::string text = elementKindName(element.kind);
  if (!element.binding.empty()) text += " '" + element.binding + "'";
  if (element.kind == ElementKind::kText) text += " '" + element.text + "'";
  return text + " at line " + std::to_string(element.at.line);
}

bool usesFont(ElementKind kind) {
  return kind == ElementKind::kText || kind == ElementKind::kField || kind == ElementKind::kMrz;
}

class FaceValidator {
 public:
  FaceValidator(const CardTemplate& tmpl, const std::string& face_name, TextMeasurer* measurer,
                std::vector<TemplateProblem>& problems)
      : tmpl_(tmpl), face_name_(face_name), measurer_(measurer), problems_(problems) {}

  void check(const CardFace& face) {
    for (const CardElement& element : face.elements) checkElement(element);
    for (std::size_t i = 0; i < face.elements.size(); ++i) {
      const CardElement& a = face.elements[i];
      if (!isContentKind(a.kind)) continue;
      for (std::size_t j = 0; j < i; ++j) {
        const CardElement& b = face.elements[j];
        if (!isContentKind(b.kind)) continue;
        if (overlaps(a.box, b.box)) {
          add(a.posOf("box"), face_name_ + ": " + describe(a) + " overlaps " + describe(b));
        }
      }
    }
  }

 private:
  void add(SourcePos at, std::string message) {
    problems_.push_back(TemplateProblem{at, std::move(message)});
  }

  void checkElement(const CardElement& e) {
    const BoxMm box = boundsOf(e);
    const bool has_area = e.kind == ElementKind::kLine || (e.box.w > 0 && e.box.h > 0);
    const SourcePos box_at = e.kind == ElementKind::kLine ? e.posOf("to") : e.posOf("box");
    if (!has_area) {
      add(box_at, "box must have a positive width and height");
    } else if (box.x < -kToleranceMm || box.y < -kToleranceMm ||
               box.x + box.w > tmpl_.width_mm + kToleranceMm ||
               box.y + box.h > tmpl_.height_mm + kToleranceMm) {
      add(box_at, "box [" + mm(box.x) + ", " + mm(box.y) + ", " + mm(box.w) + ", " + mm(box.h) +
                      "] is off the card (" + mm(tmpl_.width_mm) + " x " + mm(tmpl_.height_mm) +
                      " mm)");
    }
    if (e.kind == ElementKind::kField && !contains(textBindingNames(), e.binding)) {
      add(e.posOf("binding"), "unknown binding '" + e.binding + "' for a field (expected one of: " +
                                  joined(textBindingNames()) + ")");
    }
    if (e.kind == ElementKind::kImage && !contains(imageBindingNames(), e.binding)) {
      add(e.posOf("binding"),
          "unknown binding '" + e.binding +
              "' for an image (expected one of: " + joined(imageBindingNames()) + ")");
    }
    if (e.kind == ElementKind::kText && e.text.empty()) {
      add(e.posOf("text"), "text must not be empty");
    }
    if (usesFont(e.kind)) checkText(e);
    if (e.kind == ElementKind::kQr && e.quiet_zone < 0) {
      add(e.posOf("quiet_zone"), "quiet_zone must be 0 or more");
    }
    if (e.kind == ElementKind::kStar && e.points < 3) {
      add(e.posOf("points"), "a star needs at least 3 points");
    }
    if ((e.kind == ElementKind::kRect || e.kind == ElementKind::kEllipse ||
         e.kind == ElementKind::kStar) &&
        !e.fill && !e.stroke) {
      add(e.at, elementKindName(e.kind) + std::string(" needs a fill or a stroke colour"));
    }
    if (e.kind == ElementKind::kPicture) {
      std::ifstream in(e.file, std::ios::binary);
      if (!in) add(e.posOf("file"), "picture file '" + e.file + "' cannot be read");
    }
  }

  void checkText(const CardElement& e) {
    bool sizes_ok = true;
    if (!(e.size > 0)) {
      add(e.posOf("size"), "size must be more than 0 pt");
      sizes_ok = false;
    }
    if (e.min_size < 0 || e.min_size > e.size) {
      add(e.posOf("min_size"), "min_size must be between 0 and size (" + mm(e.size) + ")");
      sizes_ok = false;
    }
    if (e.max_lines < 1) {
      add(e.posOf("max_lines"), "max_lines must be 1 or more");
      sizes_ok = false;
    }
    if (tmpl_.fonts.count(e.font) == 0) {
      add(e.posOf("font"), "unknown font '" + e.font + "' (not declared under fonts)");
      return;
    }
    if (e.kind != ElementKind::kText || measurer_ == nullptr || !sizes_ok) return;
    Result<FittedText> fitted = fitText(*measurer_, e.font, fitBoxOf(e), e.text);
    if (!fitted.isOk()) {
      add(e.posOf("text"), fitted.status().message());
    } else if (!fitted->fits) {
      add(e.posOf("text"), "text '" + e.text + "' does not fit its box at min_size " +
                               mm(e.minSize()) + " pt: " + fitted->overDescription());
    }
  }

  const CardTemplate& tmpl_;
  std::string face_name_;
  TextMeasurer* measurer_;
  std::vector<TemplateProblem>& problems_;
};

}  // namespace

const char* elementKindName(ElementKind kind) { return nameIn(kElementKinds, kind); }
Result<ElementKind> parseElementKind(std::string_view s) {
  return parseIn(kElementKinds, s, "element type");
}
const char* textAlignName(TextAlign align) { return nameIn(kAligns, align); }
Result<TextAlign> parseTextAlign(std::string_view s) { return parseIn(kAligns, s, "align"); }
const char* textTransformName(TextTransform transform) { return nameIn(kTransforms, transform); }
Result<TextTransform> parseTextTransform(std::string_view s) {
  return parseIn(kTransforms, s, "transform");
}

bool isContentKind(ElementKind kind) {
  switch (kind) {
    case ElementKind::kText:
    case ElementKind::kField:
    case ElementKind::kImage:
    case ElementKind::kQr:
    case ElementKind::kMrz:
      return true;
    case ElementKind::kRect:
    case ElementKind::kLine:
    case ElementKind::kEllipse:
    case ElementKind::kStar:
    case ElementKind::kPicture:
      return false;
  }
  return false;
}

SourcePos CardElement::posOf(const std::string& key) const {
  auto it = key_at.find(key);
  return it != key_at.end() ? it->second : at;
}

const std::vector<std::string>& textBindingNames() {
  static const std::vector<std::string> kNames = {
      "personal_number",    "full_name",
      "date_of_birth",      "sex",
      "nationality",        "ethnicity",
      "religion",           "place_of_origin",
      "place_of_residence", "place_of_birth_registration",
      "identifying_marks",  "father_name",
      "mother_name",        "old_id_number",
      "issue_date",         "expiry",
  };
  return kNames;
}

const std::vector<std::string>& imageBindingNames() {
  static const std::vector<std::string> kNames = {"photo", "fingerprint_left", "fingerprint_right"};
  return kNames;
}

std::vector<TemplateProblem> validateCardTemplate(const CardTemplate& tmpl,
                                                  TextMeasurer* measurer) {
  std::vector<TemplateProblem> problems;
  auto pos = [&tmpl](const std::string& key) {
    auto it = tmpl.key_at.find(key);
    return it != tmpl.key_at.end() ? it->second : SourcePos{};
  };
  if (std::fabs(tmpl.width_mm - kId1WidthMm) > 0.005 ||
      std::fabs(tmpl.height_mm - kId1HeightMm) > 0.005) {
    const bool width_wrong = std::fabs(tmpl.width_mm - kId1WidthMm) > 0.005;
    const SourcePos at = pos(width_wrong ? "page.width_mm" : "page.height_mm");
    problems.push_back({at.line > 0 ? at : pos("page"), "page must be ID-1, 85.60 x 53.98 mm (is " +
                                                            mm(tmpl.width_mm) + " x " +
                                                            mm(tmpl.height_mm) + ")"});
  }
  if (tmpl.fonts.empty()) problems.push_back({pos("fonts"), "no fonts declared"});
  // Font problems come first, in file order.
  std::vector<std::pair<std::string, FontSpec>> fonts(tmpl.fonts.begin(), tmpl.fonts.end());
  std::sort(fonts.begin(), fonts.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.second.at.line, a.second.at.col) <
           std::make_pair(b.second.at.line, b.second.at.col);
  });
  bool fonts_ok = true;
  for (const auto& [font_name, spec] : fonts) {
    std::ifstream in(spec.path, std::ios::binary);
    if (!in) {
      problems.push_back(
          {spec.at, "font '" + font_name + "': file '" + spec.path + "' is missing or unreadable"});
      fonts_ok = false;
    }
  }
  TextMeasurer* usable = fonts_ok ? measurer : nullptr;
  FaceValidator(tmpl, "front", usable, problems).check(tmpl.front);
  FaceValidator(tmpl, "back", usable, problems).check(tmpl.back);
  return problems;
}

}  // namespace cardline
