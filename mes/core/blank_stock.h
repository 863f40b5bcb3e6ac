#pragma once
// Blank card stock: security blanks are accountable items (ISO 14298). Every blank serial is
// received in a lot, lives in exactly one BlankState, and every change of state is one row of
// an append-only movement ledger, from which the reconciliation of a shift or a date range is
// computed (mes/blanks). This header holds the value types and the BlankStockRepository port
// (std + mes/base only); the rules live in mes/blanks/blank_stock.h.
//
// The name table of BlankState and BlankFlagKind is defined inline here (mes/core has no
// source file for it): one table each, used both to print and to parse.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"

namespace cardline {

// Where one blank serial is. kInVault and kIssued are "on hand"; kPersonalised is "in process"
// (printed, not yet through QA); the other states are final except kSpoiled, which waits for
// a dual-controlled destruction.
enum class BlankState {
  kInVault,       // "in_vault": received, in the vault
  kIssued,        // "issued": in the hopper of one print device
  kPersonalised,  // "personalised": consumed by a print, card in the line
  kGood,          // "good": the personalised card passed QA
  kSpoiled,       // "spoiled": voided (reason, station); awaits destruction
  kSample,        // "sample": taken for a sample or a test
  kReturned,      // "returned": returned to the supplier
  kDestroyed,     // "destroyed": destruction confirmed under dual control
};

// Exceptions recorded against a serial (they never change its state by themselves).
enum class BlankFlagKind {
  kNotIssuedToDevice,  // "not_issued_to_device": a print consumed a serial not in its hopper
  kConsumedTwice,      // "consumed_twice": a print reported a serial already consumed
  kUnknownSerial,      // "unknown_serial": a print reported a serial never received
  kUntrackedCard,      // "untracked_card": a card event for a serial the stock does not know
};

namespace blank_names {
struct StateName {
  BlankState state;
  const char* name;
};
inline constexpr StateName kStates[] = {
    {BlankState::kInVault, "in_vault"},          {BlankState::kIssued, "issued"},
    {BlankState::kPersonalised, "personalised"}, {BlankState::kGood, "good"},
    {BlankState::kSpoiled, "spoiled"},           {BlankState::kSample, "sample"},
    {BlankState::kReturned, "returned"},         {BlankState::kDestroyed, "destroyed"},
};
struct FlagName {
  BlankFlagKind kind;
  const char* name;
};
inline constexpr FlagName kFlags[] = {
    {BlankFlagKind::kNotIssuedToDevice, "not_issued_to_device"},
    {BlankFlagKind::kConsumedTwice, "consumed_twice"},
    {BlankFlagKind::kUnknownSerial, "unknown_serial"},
    {BlankFlagKind::kUntrackedCard, "untracked_card"},
};
}  // namespace blank_names

// The name of a state/flag kind ("in_vault", ...), "?" for a value outside the table.
inline const char* name(BlankState v) {
  for (const auto& entry : blank_names::kStates) {
    if (entry.state == v) return entry.name;
  }
  return "?";
}
inline const char* name(BlankFlagKind v) {
  for (const auto& entry : blank_names::kFlags) {
    if (entry.kind == v) return entry.name;
  }
  return "?";
}
// Parse the names above; kInvalidArgument listing the accepted names.
inline Result<BlankState> parseBlankState(std::string_view s) {
  std::string accepted;
  for (const auto& entry : blank_names::kStates) {
    if (s == entry.name) return entry.state;
    accepted += accepted.empty() ? "" : ", ";
    accepted += entry.name;
  }
  return invalidArgument("unknown blank state '" + std::string(s) + "' (accepted: " + accepted +
                         ")");
}
inline Result<BlankFlagKind> parseBlankFlagKind(std::string_view s) {
  std::string accepted;
  for (const auto& entry : blank_names::kFlags) {
    if (s == entry.name) return entry.kind;
    accepted += accepted.empty() ? "" : ", ";
    accepted += entry.name;
  }
  return invalidArgument("unknown blank flag '" + std::string(s) + "' (accepted: " + accepted +
                         ")");
}
// True for kInVault and kIssued.
inline bool isOnHand(BlankState v) { return v == BlankState::kInVault || v == BlankState::kIssued; }

// One delivery of blanks from a supplier into the vault of one production line.
struct BlankLot {
  std::string id;    // the lot number, unique
  std::string line;  // production line whose vault received it
  std::string supplier;
  std::string chip_type;  // e.g. "NXP P71"
  CardModel card_model = CardModel::kCccd2021;
  std::string first_serial;  // lowest serial of the lot
  std::string last_serial;   // highest serial of the lot
  std::int64_t quantity = 0;
  Timestamp received_at;
  std::string received_by;  // user name
};

// The current record of one blank.
struct BlankSerial {
  std::string serial;
  std::string lot_id;
  std::string line;  // the lot's line (read only; joined from the lot)
  BlankState state = BlankState::kInVault;
  std::string device_id;  // the hopper while issued; the consuming device once personalised
  std::string reason;     // spoil/sample/return reason
  std::string station;    // where it was spoiled ("print", "qa", ...)
  Timestamp updated_at;
};

// One row of the append-only ledger: a serial entered `to` (from `from`; absent on receipt).
struct BlankMovement {
  std::int64_t seq = 0;  // assigned by the store, increasing
  Timestamp at;
  std::string serial;
  std::string lot_id;
  std::string line;
  std::optional<BlankState> from;
  BlankState to = BlankState::kInVault;
  std::string device_id;
  std::string actor;  // user name, "device:ID" or "system"
  std::string reason;
  std::string station;
};

enum class ShiftState { kOpen, kClosed };  // "open", "closed"
inline const char* name(ShiftState v) { return v == ShiftState::kOpen ? "open" : "closed"; }

// A shift of one line. The ledger window of the shift is the movements with
// opened_seq < seq <= closed_seq (seq watermarks taken at open and close).
struct Shift {
  std::int64_t id = 0;  // assigned by the store
  std::string line;
  ShiftState state = ShiftState::kOpen;
  Timestamp opened_at;
  std::string opened_by;
  std::int64_t opened_seq = 0;
  Timestamp closed_at;
  std::string closed_by;
  std::int64_t closed_seq = 0;
  std::vector<std::string> counted;  // the serials physically counted on hand at close
};

enum class DestructionState { kProposed, kConfirmed };  // "proposed", "confirmed"
inline const char* name(DestructionState v) {
  return v == DestructionState::kProposed ? "proposed" : "confirmed";
}

// Destruction of spoiled blanks under dual control: one supervisor proposes, a different
// supervisor confirms (witnesses); both are recorded.
struct Destruction {
  std::int64_t id = 0;  // assigned by the store
  DestructionState state = DestructionState::kProposed;
  std::vector<std::string> serials;
  std::string reason;
  std::string proposed_by;
  Timestamp proposed_at;
  std::string confirmed_by;
  Timestamp confirmed_at;
};

// An exception against a serial (see BlankFlagKind).
struct BlankFlag {
  std::int64_t id = 0;  // assigned by the store
  Timestamp at;
  std::string serial;
  std::string line;  // line of the device or the serial's lot; may be empty
  BlankFlagKind kind = BlankFlagKind::kNotIssuedToDevice;
  std::string device_id;
  std::string detail;  // free text
};

// Port: blank stock records. Errors as in store.h (kUnavailable, kInternal) plus the ones named.
class BlankStockRepository {
 public:
  virtual ~BlankStockRepository() = default;

  // Stores a lot and its serials, each in `initial` state (movements are appended separately).
  // kAlreadyExists if the lot id or any serial is already stored.
  virtual Status insertLot(const BlankLot& lot, const std::vector<std::string>& serials,
                           BlankState initial) = 0;
  // kNotFound if absent.
  virtual Result<BlankLot> findLot(const std::string& id) = 0;
  // Every lot, by id.
  virtual Result<std::vector<BlankLot>> lots() = 0;

  // kNotFound if absent.
  virtual Result<BlankSerial> findSerial(const std::string& serial) = 0;
  // Serials of a line (empty: every line) in a state, by serial.
  virtual Result<std::vector<BlankSerial>> serialsInState(const std::string& line,
                                                          BlankState state) = 0;
  // Sets state, device_id, reason, station and updated_at of `to.serial` if its state is still
  // `from`. kConflict if it is not; kNotFound if absent.
  virtual Status updateSerial(BlankState from, const BlankSerial& to) = 0;

  // Appends to the ledger; returns the assigned seq.
  virtual Result<std::int64_t> appendMovement(const BlankMovement& movement) = 0;
  // Movements of a line (empty: every line) with seq <= upto_seq, in seq order.
  virtual Result<std::vector<BlankMovement>> movements(const std::string& line,
                                                       std::int64_t upto_seq) = 0;
  // The highest seq of the ledger (0 when empty) among movements with at < before.
  virtual Result<std::int64_t> lastSeqBefore(Timestamp before) = 0;
  // The highest seq of the ledger (0 when empty).
  virtual Result<std::int64_t> lastSeq() = 0;

  // Stores a new open shift; returns its id.
  virtual Result<std::int64_t> insertShift(const Shift& shift) = 0;
  // kNotFound if absent.
  virtual Result<Shift> findShift(std::int64_t id) = 0;
  // The open shift of a line; kNotFound if none.
  virtual Result<Shift> openShift(const std::string& line) = 0;
  // Records the close (closed_at, closed_by, closed_seq, counted) if the shift is still open.
  // kConflict if it is closed already; kNotFound if absent.
  virtual Status closeShift(const Shift& closed) = 0;

  // Stores a proposed destruction with its serials; returns its id.
  virtual Result<std::int64_t> insertDestruction(const Destruction& destruction) = 0;
  // kNotFound if absent.
  virtual Result<Destruction> findDestruction(std::int64_t id) = 0;
  // Records the confirmation if the destruction is still proposed. kConflict if it is not;
  // kNotFound if absent.
  virtual Status confirmDestruction(std::int64_t id, const std::string& confirmed_by,
                                    Timestamp confirmed_at) = 0;
  // Ids of the proposed (unconfirmed) destructions that list `serial`.
  virtual Result<std::vector<std::int64_t>> pendingDestructionsOf(const std::string& serial) = 0;

  // Appends an exception; returns its id.
  virtual Result<std::int64_t> appendFlag(const BlankFlag& flag) = 0;
  // Flags of a line (empty: every line) with from <= at < to, oldest first.
  virtual Result<std::vector<BlankFlag>> flags(const std::string& line, Timestamp from,
                                               Timestamp to) = 0;
};

}  // namespace cardline
