#include "mes/base/csv_text.h"

namespace cardline {
namespace {

bool isPlainNumber(const std::string& value) {
  std::size_t i = (value[0] == '-' || value[0] == '+') ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < value.size(); ++i) {
    const char c = value[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

}  // namespace

std::string csvCell(const std::string& value) {
  std::string cell = value;
  if (!cell.empty()) {
    const char first = cell[0];
    const bool formula_start = first == '=' || first == '+' || first == '-' || first == '@' ||
                               first == '\t' || first == '\r';
    if (formula_start && !isPlainNumber(cell)) cell.insert(0, 1, '\'');
  }
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace cardline
