#include "mes/prep/text_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cardline {

namespace {

constexpr double kEpsilonPt = 1e-6;

int linesThatFit(const FitBox& box, double size) {
  const int by_height =
      static_cast<int>(std::floor(box.height_pt / (kLineHeightEm * size) + kEpsilonPt));
  return std::min(box.max_lines, by_height);
}

// Greedy word wrap at `size`. Words wider than the box stay on their own line (the caller sees
// the width overflow).
Result<std::vector<std::string>> wrapWords(TextMeasurer& measurer, const std::string& font,
                                           double size, double width_pt,
                                           const std::vector<std::string>& words) {
  std::vector<std::string> lines;
  std::string current;
  for (const std::string& word : words) {
    if (current.empty()) {
      current = word;
      continue;
    }
    const std::string candidate = current + " " + word;
    CARDLINE_ASSIGN_OR_RETURN(double width, measurer.widthPt(font, size, candidate));
    if (width <= width_pt + kEpsilonPt) {
      current = candidate;
    } else {
      lines.push_back(current);
      current = word;
    }
  }
  if (!current.empty()) lines.push_back(current);
  return lines;
}

// Measures lines at `size` and fills the result's overflow fields.
Result<FittedText> judge(TextMeasurer& measurer, const std::string& font, const FitBox& box,
                         double size, std::vector<std::string> lines) {
  FittedText fitted;
  fitted.size = size;
  double widest = 0;
  for (const std::string& line : lines) {
    CARDLINE_ASSIGN_OR_RETURN(double width, measurer.widthPt(font, size, line));
    widest = std::max(widest, width);
  }
  const int allowed = linesThatFit(box, size);
  const int count = static_cast<int>(lines.size());
  fitted.over_width_mm =
      widest > box.width_pt + kEpsilonPt ? (widest - box.width_pt) / kPointsPerMm : 0.0;
  fitted.over_lines = count > allowed ? count - allowed : 0;
  fitted.fits = fitted.over_width_mm == 0.0 && fitted.over_lines == 0;
  fitted.lines = std::move(lines);
  return fitted;
}

// Sizes from the nominal size down to min_size in kShrinkStepPt steps (min_size always last).
std::vector<double> candidateSizes(const FitBox& box) {
  std::vector<double> sizes;
  for (int step = 0;; ++step) {
    const double size = box.size - step * kShrinkStepPt;
    if (size < box.min_size - kEpsilonPt) break;
    sizes.push_back(size);
  }
  if (sizes.empty() || std::fabs(sizes.back() - box.min_size) > kEpsilonPt) {
    sizes.push_back(std::min(box.min_size, box.size));
  }
  return sizes;
}

}  // namespace

std::string FittedText::overDescription() const {
  std::string text;
  char buffer[64];
  if (over_width_mm > 0) {
    std::snprintf(buffer, sizeof buffer, "%.2f mm too wide", over_width_mm);
    text = buffer;
  }
  if (over_lines > 0) {
    if (!text.empty()) text += " and ";
    text += std::to_string(over_lines) + (over_lines == 1 ? " line" : " lines") + " too many";
  }
  return text;
}

FitBox fitBoxOf(const CardElement& element) {
  FitBox box;
  box.width_pt = element.box.w * kPointsPerMm;
  box.height_pt = element.box.h * kPointsPerMm;
  box.size = element.size;
  box.min_size = element.minSize();
  box.wrap = element.wrap;
  box.max_lines = element.kind == ElementKind::kMrz ? 3 : element.max_lines;
  return box;
}

std::vector<std::string> splitWords(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

Result<FittedText> fitText(TextMeasurer& measurer, const std::string& font, const FitBox& box,
                           std::string_view text) {
  const std::vector<std::string> words = splitWords(text);
  std::string one_line;
  for (const std::string& word : words) {
    if (!one_line.empty()) one_line += ' ';
    one_line += word;
  }
  FittedText last;
  for (double size : candidateSizes(box)) {
    std::vector<std::string> lines;
    if (box.wrap == WrapMode::kWords) {
      CARDLINE_ASSIGN_OR_RETURN(lines, wrapWords(measurer, font, size, box.width_pt, words));
    } else if (!one_line.empty()) {
      lines.push_back(one_line);
    }
    CARDLINE_ASSIGN_OR_RETURN(last, judge(measurer, font, box, size, std::move(lines)));
    if (last.fits) return last;
  }
  return last;
}

Result<FittedText> fitLines(TextMeasurer& measurer, const std::string& font, const FitBox& box,
                            const std::vector<std::string>& lines) {
  FittedText last;
  for (double size : candidateSizes(box)) {
    CARDLINE_ASSIGN_OR_RETURN(last, judge(measurer, font, box, size, lines));
    if (last.fits) return last;
  }
  return last;
}

}  // namespace cardline
