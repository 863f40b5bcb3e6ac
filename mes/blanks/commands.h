#pragma once
// Entry points for the command line (`cardline report reconciliation`, `cardline blanks ...`):
// each runs one store transaction around the BlankStock service. std + mes/core only.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/blanks/blank_stock.h"
#include "mes/blanks/reconciliation.h"
#include "mes/core/store.h"

namespace cardline {

// Serials as typed on a command line or in a count file: items separated by commas, blanks or
// new lines; an item "FIRST..LAST" is an inclusive range (expandSerialRange). kInvalidArgument
// for a bad range or a serial listed twice. Empty text gives an empty list.
Result<std::vector<std::string>> parseSerialList(const std::string& text);

// What `cardline report reconciliation` asks for: a shift (--shift ID) or a date range
// (--from DATE --to DATE, to inclusive; optional --line).
struct ReconciliationQuery {
  std::int64_t shift_id = 0;  // non-zero: this shift (from/to/line ignored)
  std::string from;
  std::string to;
  std::string line;  // "" = every line
};

// Computes the reconciliation in one read transaction. kInvalidArgument without a shift and
// without both dates or for bad dates; kNotFound for an unknown shift; store errors.
Result<Reconciliation> runReconciliation(Store& store, BlankStock& stock,
                                         const ReconciliationQuery& query);

// Writes text to a file (replacing it). kUnavailable if it cannot be written.
Status writeTextFile(const std::string& path, const std::string& text);

}  // namespace cardline
