#include "mes/blanks/blank_stock.h"

#include "mes/base/identifier.h"

#include <algorithm>
#include <set>
#include <utility>

#include "mes/blanks/json_text.h"

namespace cardline {
namespace {

using blanks_internal::JsonObject;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Index of the first character of the trailing digit run.
std::size_t digitRunStart(const std::string& s) {
  std::size_t i = s.size();
  while (i > 0 && isDigit(s[i - 1])) --i;
  return i;
}

std::string stateList(const std::vector<BlankState>& states) {
  std::string out;
  for (BlankState s : states) {
    if (!out.empty()) out += " or ";
    out += name(s);
  }
  return out;
}

Status requireSerials(const std::vector<std::string>& serials) {
  if (serials.empty()) return invalidArgument("no blank serials given");
  std::set<std::string> seen;
  for (const auto& s : serials) {
    if (s.empty()) return invalidArgument("an empty blank serial was given");
    if (!seen.insert(s).second) return invalidArgument("blank serial " + s + " is listed twice");
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<std::string>> expandSerialRange(const std::string& first,
                                                   const std::string& last) {
  if (first.empty() || last.empty()) return invalidArgument("a serial range needs both ends");
  if (first.size() != last.size()) {
    return invalidArgument("serial range " + first + ".." + last + ": ends differ in length");
  }
  std::size_t digits = std::max(digitRunStart(first), digitRunStart(last));
  if (digits == first.size()) {
    return invalidArgument("serial range " + first + ".." + last + ": ends do not end in digits");
  }
  if (first.compare(0, digits, last, 0, digits) != 0) {
    return invalidArgument("serial range " + first + ".." + last + ": prefixes differ");
  }
  std::size_t width = first.size() - digits;
  if (width > 15) return invalidArgument("serial range " + first + ".." + last + ": too long");
  std::int64_t from = std::stoll(first.substr(digits));
  std::int64_t to = std::stoll(last.substr(digits));
  if (from > to) return invalidArgument("serial range " + first + ".." + last + ": first > last");
  if (to - from + 1 > kMaxLotSize) {
    return invalidArgument("serial range " + first + ".." + last + " holds more than " +
                           std::to_string(kMaxLotSize) + " serials");
  }
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(to - from + 1));
  std::string prefix = first.substr(0, digits);
  for (std::int64_t n = from; n <= to; ++n) {
    std::string number = std::to_string(n);
    out.push_back(prefix + std::string(width - number.size(), '0') + number);
  }
  return out;
}

BlankStock::BlankStock(const Clock& clock) : clock_(clock) {}

Status BlankStock::appendEvent(StoreTransaction& tx, const std::string& subject_type,
                               const std::string& subject_id, const std::string& kind,
                               const std::string& actor, const std::string& detail) {
  Event event;
  event.at = clock_.now();
  event.subject_type = subject_type;
  event.subject_id = subject_id;
  event.kind = kind;
  event.actor = actor;
  event.detail = detail;
  return tx.events().append(event);
}

Status BlankStock::move(StoreTransaction& tx, const std::string& serial,
                        const std::vector<BlankState>& allowed, BlankState to,
                        const std::string& device_id, const std::string& reason,
                        const std::string& station, const std::string& actor) {
  CARDLINE_ASSIGN_OR_RETURN(BlankSerial current, tx.blanks().findSerial(serial));
  if (std::find(allowed.begin(), allowed.end(), current.state) == allowed.end()) {
    return failedPrecondition("blank serial " + serial + " is " + name(current.state) + ", not " +
                              stateList(allowed));
  }
  BlankSerial next = current;
  next.state = to;
  next.device_id = device_id;
  next.reason = reason;
  next.station = station;
  next.updated_at = clock_.now();
  CARDLINE_RETURN_IF_ERROR(tx.blanks().updateSerial(current.state, next));
  BlankMovement m;
  m.at = next.updated_at;
  m.serial = serial;
  m.lot_id = current.lot_id;
  m.line = current.line;
  m.from = current.state;
  m.to = to;
  m.device_id = device_id.empty() ? current.device_id : device_id;
  m.actor = actor;
  m.reason = reason;
  m.station = station;
  return tx.blanks().appendMovement(m).status();
}

Result<BlankLot> BlankStock::receive(StoreTransaction& tx, const LotReceipt& receipt,
                                     const std::string& actor) {
  CARDLINE_RETURN_IF_ERROR(validateIdentifier("the lot id", receipt.lot_id));
  if (receipt.line.empty()) return invalidArgument("lot " + receipt.lot_id + " needs a line");
  if (receipt.supplier.empty()) {
    return invalidArgument("lot " + receipt.lot_id + " needs a supplier");
  }
  if (receipt.chip_type.empty()) {
    return invalidArgument("lot " + receipt.lot_id + " needs a chip type");
  }
  std::vector<std::string> serials = receipt.serials;
  if (serials.empty()) {
    CARDLINE_ASSIGN_OR_RETURN(serials,
                              expandSerialRange(receipt.first_serial, receipt.last_serial));
  } else if (static_cast<std::int64_t>(serials.size()) > kMaxLotSize) {
    return invalidArgument("lot " + receipt.lot_id + " lists more than " +
                           std::to_string(kMaxLotSize) + " serials");
  }
  CARDLINE_RETURN_IF_ERROR(requireSerials(serials));
  BlankLot lot;
  lot.id = receipt.lot_id;
  lot.line = receipt.line;
  lot.supplier = receipt.supplier;
  lot.chip_type = receipt.chip_type;
  lot.card_model = receipt.card_model;
  lot.first_serial = *std::min_element(serials.begin(), serials.end());
  lot.last_serial = *std::max_element(serials.begin(), serials.end());
  lot.quantity = static_cast<std::int64_t>(serials.size());
  lot.received_at = clock_.now();
  lot.received_by = actor;
  CARDLINE_RETURN_IF_ERROR(tx.blanks().insertLot(lot, serials, BlankState::kInVault));
  for (const std::string& serial : serials) {
    BlankMovement m;
    m.at = lot.received_at;
    m.serial = serial;
    m.lot_id = lot.id;
    m.line = lot.line;
    m.to = BlankState::kInVault;
    m.actor = actor;
    CARDLINE_RETURN_IF_ERROR(tx.blanks().appendMovement(m).status());
  }
  CARDLINE_RETURN_IF_ERROR(appendEvent(tx, "blank_lot", lot.id, "received", actor,
                                       JsonObject()
                                           .text("line", lot.line)
                                           .text("supplier", lot.supplier)
                                           .text("chip_type", lot.chip_type)
                                           .text("first", lot.first_serial)
                                           .text("last", lot.last_serial)
                                           .number("quantity", lot.quantity)
                                           .str()));
  return lot;
}

Status BlankStock::issue(StoreTransaction& tx, const std::vector<std::string>& serials,
                         const std::string& device_id, const std::string& actor) {
  CARDLINE_RETURN_IF_ERROR(requireSerials(serials));
  CARDLINE_RETURN_IF_ERROR(validateIdentifier("the device id", device_id));
  CARDLINE_ASSIGN_OR_RETURN(Device device, tx.devices().find(device_id));
  if (device.station != StationType::kPrint) {
    return failedPrecondition("device " + device_id + " is a " + name(device.station) +
                              " device; blanks are issued to print devices only");
  }
  for (const auto& serial : serials) {
    CARDLINE_RETURN_IF_ERROR(
        move(tx, serial, {BlankState::kInVault}, BlankState::kIssued, device_id, "", "", actor));
  }
  return appendEvent(tx, "device", device_id, "blanks_issued", actor,
                     JsonObject().list("serials", serials).str());
}

Status BlankStock::returnToVault(StoreTransaction& tx, const std::vector<std::string>& serials,
                                 const std::string& actor) {
  CARDLINE_RETURN_IF_ERROR(requireSerials(serials));
  for (const auto& serial : serials) {
    CARDLINE_RETURN_IF_ERROR(
        move(tx, serial, {BlankState::kIssued}, BlankState::kInVault, "", "", "", actor));
  }
  return appendEvent(tx, "blank", serials.front(), "returned_to_vault", actor,
                     JsonObject().list("serials", serials).str());
}

Status BlankStock::returnToSupplier(StoreTransaction& tx, const std::vector<std::string>& serials,
                                    const std::string& reason, const std::string& actor) {
  if (reason.empty()) return invalidArgument("a return to the supplier needs a reason");
  CARDLINE_RETURN_IF_ERROR(requireSerials(serials));
  for (const auto& serial : serials) {
    CARDLINE_RETURN_IF_ERROR(
        move(tx, serial, {BlankState::kInVault}, BlankState::kReturned, "", reason, "", actor));
  }
  return appendEvent(tx, "blank", serials.front(), "returned_to_supplier", actor,
                     JsonObject().list("serials", serials).text("reason", reason).str());
}

Status BlankStock::markSample(StoreTransaction& tx, const std::vector<std::string>& serials,
                              const std::string& reason, const std::string& actor) {
  if (reason.empty()) return invalidArgument("a sample/test needs a reason");
  CARDLINE_RETURN_IF_ERROR(requireSerials(serials));
  for (const auto& serial : serials) {
    CARDLINE_RETURN_IF_ERROR(move(tx, serial, {BlankState::kInVault, BlankState::kIssued},
                                  BlankState::kSample, "", reason, "", actor));
  }
  return appendEvent(tx, "blank", serials.front(), "sampled", actor,
                     JsonObject().list("serials", serials).text("reason", reason).str());
}

Status BlankStock::spoil(StoreTransaction& tx, const std::string& serial, const std::string& reason,
                         const std::string& station, const std::string& actor) {
  if (reason.empty()) return invalidArgument("spoiling blank " + serial + " needs a reason");
  if (station.empty()) return invalidArgument("spoiling blank " + serial + " needs a station");
  CARDLINE_RETURN_IF_ERROR(move(
      tx, serial,
      {BlankState::kInVault, BlankState::kIssued, BlankState::kPersonalised, BlankState::kGood},
      BlankState::kSpoiled, "", reason, station, actor));
  return appendEvent(tx, "blank", serial, "spoiled", actor,
                     JsonObject().text("reason", reason).text("station", station).str());
}

Status BlankStock::markGood(StoreTransaction& tx, const std::string& serial,
                            const std::string& actor) {
  CARDLINE_ASSIGN_OR_RETURN(BlankSerial current, tx.blanks().findSerial(serial));
  return move(tx, serial, {BlankState::kPersonalised}, BlankState::kGood, current.device_id, "", "",
              actor);
}

Status BlankStock::flag(StoreTransaction& tx, const BlankFlag& f) {
  BlankFlag stored = f;
  stored.at = clock_.now();
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t id, tx.blanks().appendFlag(stored));
  return appendEvent(tx, "blank", f.serial, "blank_flagged", "system",
                     JsonObject()
                         .number("flag", id)
                         .text("kind", name(f.kind))
                         .text("device", f.device_id)
                         .text("detail", f.detail)
                         .str());
}

Status BlankStock::consumeAtPrint(StoreTransaction& tx, const std::string& serial,
                                  const std::string& device_id, const std::string& application_id) {
  std::string actor = "device:" + device_id;
  Result<BlankSerial> found = tx.blanks().findSerial(serial);
  if (!found.isOk() && found.status().code() != ErrorCode::kNotFound) return found.status();
  BlankFlag f;
  f.serial = serial;
  f.device_id = device_id;
  if (!found.isOk()) {
    f.kind = BlankFlagKind::kUnknownSerial;
    f.detail = "serial was never received";
  } else if (found->state == BlankState::kIssued && found->device_id == device_id) {
    return move(tx, serial, {BlankState::kIssued}, BlankState::kPersonalised, device_id, "", "",
                actor);
  } else {
    f.line = found->line;
    bool consumed = found->state == BlankState::kPersonalised ||
                    found->state == BlankState::kGood || found->state == BlankState::kSpoiled ||
                    found->state == BlankState::kDestroyed;
    f.kind = consumed ? BlankFlagKind::kConsumedTwice : BlankFlagKind::kNotIssuedToDevice;
    f.detail = std::string("serial is ") + name(found->state) +
               (found->device_id.empty() ? "" : " (device " + found->device_id + ")");
  }
  f.at = clock_.now();
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t id, tx.blanks().appendFlag(f));
  CARDLINE_RETURN_IF_ERROR(appendEvent(tx, "blank", serial, "blank_refused", actor,
                                       JsonObject()
                                           .number("flag", id)
                                           .text("kind", name(f.kind))
                                           .text("device", device_id)
                                           .text("application", application_id)
                                           .text("detail", f.detail)
                                           .str()));
  return permissionDenied("blank " + serial + " refused at device " + device_id + ": " +
                          name(f.kind) + " (" + f.detail + ")");
}

Status BlankStock::requireSupervisor(StoreTransaction& tx, const std::string& user,
                                     const char* what) {
  if (user.empty()) return permissionDenied(std::string(what) + " needs a supervisor");
  Result<User> account = tx.users().find(user);
  if (!account.isOk() && account.status().code() == ErrorCode::kNotFound) {
    return permissionDenied(std::string(what) + ": no account " + user);
  }
  CARDLINE_RETURN_IF_ERROR(account.status());
  bool supervisor = std::find(account->roles.begin(), account->roles.end(), Role::kSupervisor) !=
                    account->roles.end();
  if (account->disabled || !supervisor) {
    return permissionDenied(std::string(what) + ": " + user + " is not an enabled supervisor");
  }
  return Status::ok();
}

Result<std::int64_t> BlankStock::proposeDestruction(StoreTransaction& tx,
                                                    const std::vector<std::string>& serials,
                                                    const std::string& reason,
                                                    const std::string& proposer) {
  if (reason.empty()) return invalidArgument("a destruction needs a reason");
  CARDLINE_RETURN_IF_ERROR(requireSerials(serials));
  CARDLINE_RETURN_IF_ERROR(requireSupervisor(tx, proposer, "proposing a destruction"));
  for (const auto& serial : serials) {
    CARDLINE_ASSIGN_OR_RETURN(BlankSerial current, tx.blanks().findSerial(serial));
    if (current.state != BlankState::kSpoiled) {
      return failedPrecondition("blank serial " + serial + " is " + name(current.state) +
                                "; only spoiled blanks are destroyed");
    }
    CARDLINE_ASSIGN_OR_RETURN(std::vector<std::int64_t> pending,
                              tx.blanks().pendingDestructionsOf(serial));
    if (!pending.empty()) {
      return failedPrecondition("blank serial " + serial + " is already in destruction " +
                                std::to_string(pending.front()));
    }
  }
  Destruction d;
  d.serials = serials;
  d.reason = reason;
  d.proposed_by = proposer;
  d.proposed_at = clock_.now();
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t id, tx.blanks().insertDestruction(d));
  CARDLINE_RETURN_IF_ERROR(
      appendEvent(tx, "destruction", std::to_string(id), "destruction_proposed", proposer,
                  JsonObject().list("serials", serials).text("reason", reason).str()));
  return id;
}

Status BlankStock::confirmDestruction(StoreTransaction& tx, std::int64_t destruction_id,
                                      const std::string& witness) {
  CARDLINE_ASSIGN_OR_RETURN(Destruction d, tx.blanks().findDestruction(destruction_id));
  if (d.state != DestructionState::kProposed) {
    return conflict("destruction " + std::to_string(destruction_id) + " was already confirmed");
  }
  CARDLINE_RETURN_IF_ERROR(requireSupervisor(tx, witness, "confirming a destruction"));
  if (witness == d.proposed_by) {
    return permissionDenied("dual control: destruction " + std::to_string(destruction_id) +
                            " was proposed by " + witness +
                            "; a different supervisor must confirm it");
  }
  Timestamp now = clock_.now();
  CARDLINE_RETURN_IF_ERROR(tx.blanks().confirmDestruction(destruction_id, witness, now));
  for (const auto& serial : d.serials) {
    CARDLINE_RETURN_IF_ERROR(move(tx, serial, {BlankState::kSpoiled}, BlankState::kDestroyed, "",
                                  d.reason, "", witness));
  }
  return appendEvent(tx, "destruction", std::to_string(destruction_id), "destruction_confirmed",
                     witness,
                     JsonObject()
                         .list("serials", d.serials)
                         .text("reason", d.reason)
                         .text("proposed_by", d.proposed_by)
                         .text("confirmed_by", witness)
                         .str());
}

Result<Shift> BlankStock::openShift(StoreTransaction& tx, const std::string& line,
                                    const std::string& actor) {
  if (line.empty()) return invalidArgument("a shift needs a line");
  if (actor.empty()) return invalidArgument("opening a shift needs an actor");
  Result<Shift> open = tx.blanks().openShift(line);
  if (open.isOk()) {
    return failedPrecondition("line " + line + " already has open shift " +
                              std::to_string(open->id));
  }
  if (open.status().code() != ErrorCode::kNotFound) return open.status();
  Shift shift;
  shift.line = line;
  shift.state = ShiftState::kOpen;
  shift.opened_at = clock_.now();
  shift.opened_by = actor;
  CARDLINE_ASSIGN_OR_RETURN(shift.opened_seq, tx.blanks().lastSeq());
  CARDLINE_ASSIGN_OR_RETURN(shift.id, tx.blanks().insertShift(shift));
  CARDLINE_RETURN_IF_ERROR(appendEvent(tx, "shift", std::to_string(shift.id), "shift_opened", actor,
                                       JsonObject().text("line", line).str()));
  return shift;
}

Result<Reconciliation> BlankStock::reconcileWindow(
    StoreTransaction& tx, const std::string& line, std::int64_t after_seq, std::int64_t upto_seq,
    Timestamp from, Timestamp to, const std::optional<std::vector<std::string>>& counted) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<BlankMovement> movements,
                            tx.blanks().movements(line, upto_seq));
  CARDLINE_ASSIGN_OR_RETURN(std::vector<BlankLot> lots, tx.blanks().lots());
  if (!line.empty()) {
    lots.erase(std::remove_if(lots.begin(), lots.end(),
                              [&](const BlankLot& lot) { return lot.line != line; }),
               lots.end());
  }
  Reconciliation rec = computeReconciliation(movements, after_seq, lots, counted);
  rec.line = line;
  rec.from = from;
  rec.to = to;
  CARDLINE_ASSIGN_OR_RETURN(std::vector<BlankFlag> flags, tx.blanks().flags("", from, to));
  for (BlankFlag& f : flags) {
    if (line.empty() || f.line.empty() || f.line == line) rec.flags.push_back(std::move(f));
  }
  return rec;
}

Result<Reconciliation> BlankStock::reconcileShift(
    StoreTransaction& tx, std::int64_t shift_id,
    const std::optional<std::vector<std::string>>& counted) {
  CARDLINE_ASSIGN_OR_RETURN(Shift shift, tx.blanks().findShift(shift_id));
  Reconciliation rec;
  if (shift.state == ShiftState::kClosed) {
    CARDLINE_ASSIGN_OR_RETURN(
        rec, reconcileWindow(tx, shift.line, shift.opened_seq, shift.closed_seq, shift.opened_at,
                             shift.closed_at.plusMillis(1), shift.counted));
    rec.to = shift.closed_at;
  } else {
    Timestamp now = clock_.now();
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t upto, tx.blanks().lastSeq());
    CARDLINE_ASSIGN_OR_RETURN(rec, reconcileWindow(tx, shift.line, shift.opened_seq, upto,
                                                   shift.opened_at, now.plusMillis(1), counted));
    rec.to = now;
  }
  rec.shift_id = shift.id;
  return rec;
}

Result<Reconciliation> BlankStock::closeShift(StoreTransaction& tx, std::int64_t shift_id,
                                              const std::vector<std::string>& counted,
                                              const std::string& actor) {
  if (actor.empty()) return invalidArgument("closing a shift needs an actor");
  CARDLINE_ASSIGN_OR_RETURN(Shift shift, tx.blanks().findShift(shift_id));
  if (shift.state != ShiftState::kOpen) {
    return conflict("shift " + std::to_string(shift_id) + " is already closed");
  }
  CARDLINE_ASSIGN_OR_RETURN(Reconciliation rec, reconcileShift(tx, shift_id, counted));
  if (!rec.balanced()) {
    return failedPrecondition("shift " + std::to_string(shift_id) + " on line " + shift.line +
                              " does not balance: " + rec.summary());
  }
  shift.state = ShiftState::kClosed;
  shift.closed_at = rec.to;
  shift.closed_by = actor;
  CARDLINE_ASSIGN_OR_RETURN(shift.closed_seq, tx.blanks().lastSeq());
  shift.counted = counted;
  std::sort(shift.counted.begin(), shift.counted.end());
  CARDLINE_RETURN_IF_ERROR(tx.blanks().closeShift(shift));
  CARDLINE_RETURN_IF_ERROR(appendEvent(tx, "shift", std::to_string(shift_id), "shift_closed", actor,
                                       JsonObject()
                                           .text("line", shift.line)
                                           .number("received", rec.total.received)
                                           .number("opening", rec.total.opening)
                                           .number("good", rec.total.good)
                                           .number("spoiled", rec.total.spoiled)
                                           .number("samples", rec.total.samples)
                                           .number("returned", rec.total.returned)
                                           .number("destroyed", rec.total.destroyed)
                                           .number("in_process", rec.total.in_process)
                                           .number("on_hand", rec.total.on_hand)
                                           .str()));
  return rec;
}

Result<Reconciliation> BlankStock::reconcileRange(StoreTransaction& tx, const std::string& line,
                                                  Timestamp from, Timestamp to) {
  if (to < from) return invalidArgument("reconciliation range ends before it starts");
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t after, tx.blanks().lastSeqBefore(from));
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t upto, tx.blanks().lastSeqBefore(to));
  return reconcileWindow(tx, line, after, upto, from, to, std::nullopt);
}

}  // namespace cardline
