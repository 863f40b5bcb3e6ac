#pragma once
// The reconciliation of blank card stock over one ledger window (a shift, or a date range),
// as a plain struct that the reports (PDF, mes/reports) and the CSV writer render.
//
// Population of a window: every serial of the line that was not yet settled when the window
// opened (state in_vault, issued, personalised or spoiled-awaiting-destruction: "opening") plus
// every serial received in the window ("received"). Each is counted once by its state when the
// window closes:
//
//   opening + received = good + spoiled + samples + returned + destroyed + in_process + on_hand
//
// where in_process are cards personalised but not yet through QA and on_hand the serials in the
// vault or a hopper. The ledger makes this identity hold by construction; what can fail is the
// physical count: the serials counted on hand at close must be exactly the expected on-hand
// serials. `missing` (expected, not counted) and `unexpected` (counted, not expected on hand in
// this line) are the serials involved in a difference.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mes/base/clock.h"
#include "mes/core/blank_stock.h"

namespace cardline {

struct ReconciliationCounts {
  std::int64_t opening = 0;
  std::int64_t received = 0;
  std::int64_t good = 0;
  std::int64_t spoiled = 0;
  std::int64_t samples = 0;
  std::int64_t returned = 0;
  std::int64_t destroyed = 0;
  std::int64_t in_process = 0;
  std::int64_t on_hand = 0;     // expected on hand (vault + hoppers) by the ledger
  std::int64_t counted = 0;     // serials physically counted (0 when no count was given)
  std::int64_t difference = 0;  // counted - on_hand (0 when no count was given)

  // opening + received - (good + spoiled + samples + returned + destroyed + in_process +
  // on_hand); 0 for a consistent ledger.
  std::int64_t ledgerGap() const {
    return opening + received -
           (good + spoiled + samples + returned + destroyed + in_process + on_hand);
  }
};

struct LotReconciliation {
  std::string lot_id;  // "" for counted serials the stock does not know
  std::string supplier;
  std::string chip_type;
  ReconciliationCounts counts;
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
};

struct Reconciliation {
  std::string line;           // "" when it covers every line
  std::int64_t shift_id = 0;  // 0 for a date-range reconciliation
  Timestamp from;             // window start (shift opened_at, or the range start)
  Timestamp to;               // window end (shift closed_at / now, or the range end)
  bool count_given = false;   // whether a physical count was part of it
  ReconciliationCounts total;
  std::vector<LotReconciliation> lots;  // by lot id
  std::vector<std::string> missing;     // expected on hand, not counted (all lots)
  std::vector<std::string> unexpected;  // counted, not expected on hand (all lots)
  std::vector<BlankFlag> flags;         // exceptions recorded in the window

  // True when the ledger identity holds and, if a count was given, nothing is missing or
  // unexpected. Flags are shown but do not block.
  bool balanced() const;
  // One line: "balanced" or "difference -2 (missing: A, B; unexpected: C)".
  std::string summary() const;
};

// Computes the reconciliation from the ledger. `movements` are all movements of the line with
// seq <= the window's end, in seq order; those with seq <= after_seq are before the window.
// `lots` gives supplier and chip type per lot; `counted` the physical count if any.
// Pure function.
Reconciliation computeReconciliation(const std::vector<BlankMovement>& movements,
                                     std::int64_t after_seq, const std::vector<BlankLot>& lots,
                                     const std::optional<std::vector<std::string>>& counted);

// The window of a date-range report: `from` and `to` are ISO 8601 dates ("2026-11-01",
// UTC days; `to` inclusive) or timestamps ("2026-11-01T06:00:00Z"; `to` exclusive). Returns
// [start, end). kInvalidArgument for unparsable text or an empty or reversed range.
Result<std::pair<Timestamp, Timestamp>> reportWindow(const std::string& from,
                                                     const std::string& to);

// The reconciliation as CSV (RFC 4180, UTF-8, header row, CRLF line ends). One table:
//   record,line,shift,from,to,lot,supplier,chip_type,opening,received,good,spoiled,samples,
//   returned,destroyed,in_process,on_hand,counted,difference,serial,detail
// record is "lot" (one per lot), "total", "missing"/"unexpected" (one per serial, lot and
// serial filled) or "flag" (one per exception, serial and detail filled).
std::string reconciliationCsv(const Reconciliation& reconciliation);

}  // namespace cardline
