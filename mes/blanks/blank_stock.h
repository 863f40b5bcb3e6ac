#pragma once
// The blank stock service: accountability of security blanks (ISO 14298) on the Store port.
//
// Every operation works inside the caller's StoreTransaction (like the workflow engine): it
// changes blank_serials conditionally, appends one ledger movement per serial that changes
// state, and appends an event (subject "blank_lot", "blank", "device", "shift" or
// "destruction") recording who did it. Any error return means the caller must roll the
// transaction back, with one documented exception: consumeAtPrint's kPermissionDenied, after
// which the flag it wrote is meant to be committed (the engine records a refused result).
//
// Roles: the HTTP layer checks the access policy for every call. Destruction additionally
// enforces dual control here, against the stored accounts: proposer and witness must be two
// different enabled users with the supervisor role.
//
// Thread-compatible: no mutable state; the clock must outlive it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/blanks/reconciliation.h"
#include "mes/core/blank_stock.h"
#include "mes/core/store.h"

namespace cardline {

// A delivery to receive: either an inclusive serial range (first_serial..last_serial) or an
// explicit list of serials (then first/last are ignored).
struct LotReceipt {
  std::string lot_id;
  std::string line;
  std::string supplier;
  std::string chip_type;
  CardModel card_model = CardModel::kCccd2021;
  std::string first_serial;
  std::string last_serial;
  std::vector<std::string> serials;
};

// The largest range or list one receipt may hold.
inline constexpr std::int64_t kMaxLotSize = 1000000;

// Expands an inclusive serial range: both ends are the same length, share the same prefix and
// end in a run of digits of the same width ("VN24A000001".."VN24A000100"). kInvalidArgument if
// they do not, if first > last, or if the range holds more than kMaxLotSize serials.
Result<std::vector<std::string>> expandSerialRange(const std::string& first,
                                                   const std::string& last);

class BlankStock {
 public:
  explicit BlankStock(const Clock& clock);

  // Receives a lot into the vault of receipt.line (every serial in_vault). kInvalidArgument
  // without lot id, line, supplier or chip type, for a bad range, an empty or oversized list,
  // or a serial listed twice; kAlreadyExists if the lot or a serial was received before.
  Result<BlankLot> receive(StoreTransaction& tx, const LotReceipt& receipt,
                           const std::string& actor);

  // Issues vault serials to the hopper of a print device. kNotFound for an unknown device or
  // serial; kFailedPrecondition if the device is not a print device or a serial is not
  // in_vault (the message names the serial and its state); kInvalidArgument for no serials.
  Status issue(StoreTransaction& tx, const std::vector<std::string>& serials,
               const std::string& device_id, const std::string& actor);
  // Returns issued serials from their hopper to the vault. kNotFound / kFailedPrecondition
  // (not issued) as for issue().
  Status returnToVault(StoreTransaction& tx, const std::vector<std::string>& serials,
                       const std::string& actor);
  // Returns vault serials to the supplier (state returned). kInvalidArgument without a reason;
  // kNotFound; kFailedPrecondition unless in_vault.
  Status returnToSupplier(StoreTransaction& tx, const std::vector<std::string>& serials,
                          const std::string& reason, const std::string& actor);
  // Takes on-hand serials (vault or hopper) as samples/tests. kInvalidArgument without a
  // reason; kNotFound; kFailedPrecondition unless on hand.
  Status markSample(StoreTransaction& tx, const std::vector<std::string>& serials,
                    const std::string& reason, const std::string& actor);
  // Spoils one serial that is on hand or in the line (in_vault, issued, personalised, good)
  // with a reason and the station where it happened. kInvalidArgument without reason or
  // station; kNotFound; kFailedPrecondition in any other state.
  Status spoil(StoreTransaction& tx, const std::string& serial, const std::string& reason,
               const std::string& station, const std::string& actor);
  // A personalised card passed QA: personalised -> good. kNotFound; kFailedPrecondition
  // unless personalised.
  Status markGood(StoreTransaction& tx, const std::string& serial, const std::string& actor);

  // The check at print: `serial` must be issued to `device_id`; it becomes personalised.
  // Otherwise a flag (not_issued_to_device, consumed_twice or unknown_serial) and a
  // "blank_refused" event are written and kPermissionDenied is returned: the caller records
  // the refusal and commits (the engine's ResultDisposition::kRefused).
  Status consumeAtPrint(StoreTransaction& tx, const std::string& serial,
                        const std::string& device_id, const std::string& application_id);

  // Records an exception without refusing anything (e.g. a card event for an unknown serial).
  Status flag(StoreTransaction& tx, const BlankFlag& flag);

  // Dual control, step 1: a supervisor proposes destroying spoiled serials. kInvalidArgument
  // without serials or reason; kPermissionDenied unless `proposer` is an enabled supervisor
  // account; kNotFound for an unknown serial; kFailedPrecondition if a serial is not spoiled or
  // is already in another proposed destruction. Returns the destruction id.
  Result<std::int64_t> proposeDestruction(StoreTransaction& tx,
                                          const std::vector<std::string>& serials,
                                          const std::string& reason, const std::string& proposer);
  // Dual control, step 2: a different supervisor confirms (witnesses); every serial becomes
  // destroyed. kPermissionDenied unless `witness` is an enabled supervisor account other than
  // the proposer; kNotFound for an unknown destruction; kConflict if already confirmed;
  // kFailedPrecondition if a serial is no longer spoiled.
  Status confirmDestruction(StoreTransaction& tx, std::int64_t destruction_id,
                            const std::string& witness);

  // Opens a shift on a line. kInvalidArgument without line or actor; kFailedPrecondition if
  // the line already has an open shift.
  Result<Shift> openShift(StoreTransaction& tx, const std::string& line, const std::string& actor);
  // The reconciliation of a shift: an open shift up to now with `counted` if given; a closed
  // shift as closed (with its stored count; `counted` is ignored). kNotFound if absent.
  Result<Reconciliation> reconcileShift(StoreTransaction& tx, std::int64_t shift_id,
                                        const std::optional<std::vector<std::string>>& counted);
  // Closes an open shift with the serials physically counted on hand (vault and hoppers of
  // the line). kFailedPrecondition if it does not balance: the message gives the difference
  // and the missing and unexpected serials (reconcileShift shows the same in full);
  // kConflict if it is already closed; kNotFound if absent. Returns the reconciliation.
  Result<Reconciliation> closeShift(StoreTransaction& tx, std::int64_t shift_id,
                                    const std::vector<std::string>& counted,
                                    const std::string& actor);
  // The reconciliation of the movements with from <= at < to on a line ("" = every line),
  // without a count. kInvalidArgument if to < from.
  Result<Reconciliation> reconcileRange(StoreTransaction& tx, const std::string& line,
                                        Timestamp from, Timestamp to);

 private:
  // Moves one serial from one of `allowed` states to `to` and appends the movement.
  Status move(StoreTransaction& tx, const std::string& serial,
              const std::vector<BlankState>& allowed, BlankState to, const std::string& device_id,
              const std::string& reason, const std::string& station, const std::string& actor);
  Status appendEvent(StoreTransaction& tx, const std::string& subject_type,
                     const std::string& subject_id, const std::string& kind,
                     const std::string& actor, const std::string& detail);
  Status requireSupervisor(StoreTransaction& tx, const std::string& user, const char* what);
  Result<Reconciliation> reconcileWindow(StoreTransaction& tx, const std::string& line,
                                         std::int64_t after_seq, std::int64_t upto_seq,
                                         Timestamp from, Timestamp to,
                                         const std::optional<std::vector<std::string>>& counted);

  const Clock& clock_;
};

}  // namespace cardline
