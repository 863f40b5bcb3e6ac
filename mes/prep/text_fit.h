#pragma once
// The fit rule for text in a box (documented in docs/prep.md and templates/README.md):
//
//   1. At the nominal size, break the text into lines at spaces so that each line is at most the
//      box width (greedy: as many words per line as fit). Without wrap the text is one line.
//   2. The text fits when every line is at most the box width and the number of lines is at most
//      both max_lines and the number of lines the box height holds (floor(h / line height),
//      line height = kLineHeightEm x size).
//   3. Otherwise shrink by 0.25 pt and go back to 1, down to min_size.
//   4. If it does not fit at min_size either, it is a FitError naming the element and how much
//      is over (mm too wide, or lines too many). Text is never clipped.
//
// Runs of white space count as one space; leading and trailing space is dropped.

#include <string>
#include <string_view>
#include <vector>

#include "mes/base/status.h"
#include "mes/prep/card_template.h"

namespace cardline {

// Line height as a multiple of the font size, and where the baseline of a line sits below the
// top of its line (the renderer and the fit rule share these).
inline constexpr double kLineHeightEm = 1.2;
inline constexpr double kBaselineEm = 0.95;
inline constexpr double kShrinkStepPt = 0.25;

// Text width in points for a font name of the template at a size. Implementations must measure
// exactly as the renderer draws. Not thread-safe unless an implementation says so.
class TextMeasurer {
 public:
  virtual ~TextMeasurer() = default;
  // Width of `utf8` set in `font` at `size_pt`. Fails with kNotFound for an unknown font name,
  // kInvalidArgument for text the font cannot encode.
  virtual Result<double> widthPt(const std::string& font, double size_pt,
                                 std::string_view utf8) = 0;
};

// The geometry the fit rule needs, taken from a text/field/mrz element.
struct FitBox {
  double width_pt = 0;
  double height_pt = 0;
  double size = 7;
  double min_size = 7;
  WrapMode wrap = WrapMode::kNone;
  int max_lines = 1;
};

FitBox fitBoxOf(const CardElement& element);

// The outcome of the fit rule for one text.
struct FittedText {
  bool fits = false;
  double size = 0;                 // the size chosen (when fits), else min_size
  std::vector<std::string> lines;  // the lines at that size
  // When it does not fit (at min_size): how much is over.
  double over_width_mm = 0;  // widest line minus box width (0 if the width is fine)
  int over_lines = 0;        // lines beyond what the box allows (0 if the count is fine)

  // "12.3 mm too wide" / "2 lines too many" / both, at min_size.
  std::string overDescription() const;
};

// Applies the fit rule to `text` (or to `lines` given explicitly, which are never re-wrapped:
// fitLines is for the MRZ). Fails only when the measurer fails.
Result<FittedText> fitText(TextMeasurer& measurer, const std::string& font, const FitBox& box,
                           std::string_view text);
Result<FittedText> fitLines(TextMeasurer& measurer, const std::string& font, const FitBox& box,
                            const std::vector<std::string>& lines);

// Splits text into words at runs of ASCII white space.
std::vector<std::string> splitWords(std::string_view text);

}  // namespace cardline
