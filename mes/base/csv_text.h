#pragma once
// One CSV field as every CSV export writes it (RFC 4180 quoting), safe to open in a
// spreadsheet: a cell that starts with '=', '+', '-', '@', a tab or a carriage return would be
// read as a formula (CSV injection), so it gets a leading apostrophe — unless the whole cell is
// a plain number such as "-3" or "+1.5", which no spreadsheet runs.

#include <string>

namespace cardline {

// The field: neutralised as above, then quoted (with doubled quotes) when it holds a comma,
// quote, CR or LF.
std::string csvCell(const std::string& value);

}  // namespace cardline
