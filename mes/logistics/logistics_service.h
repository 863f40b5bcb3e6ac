#pragma once
// Dispatch and logistics on the Store port: packing good cards into boxes per receiving unit,
// closing and sealing boxes (by hand, at the daily cut-off, or when full), handing boxes over
// to a carrier as a shipment, the shipment's status, delivery confirmation per box with
// missing-card reports (discrepancies) and their resolution, overdue shipments, and the
// retention purge of personal data after delivery.
//
// Every method works inside the caller's transaction (like the Engine): each change and the
// events recording it commit together; any error return means the caller must roll back.
// Delivery drives the workflow's post-dispatch manual step (in_transit → delivered) through
// Engine::confirmStep. Thread-compatible: no mutable state; engine and clock must outlive it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/logistics.h"
#include "mes/core/store.h"
#include "mes/workflow/engine.h"

namespace cardline {

// Configuration keys (typed config, section "logistics"): box_capacity, cutoff ("HH:MM" local
// time), utc_offset_minutes, retention_days, delivery_service_level_hours.
struct LogisticsOptions {
  int box_capacity = 50;                 // cards per box; a full box closes itself
  int cutoff_minute_of_day = 16 * 60;    // daily cut-off (local time): open boxes close
  int utc_offset_minutes = 7 * 60;       // local time of the factory (Vietnam: UTC+7)
  int retention_days = 90;               // personal data kept this long after delivery
  std::chrono::hours delivery_service_level{72};  // hand-over → delivered
  // Whether a receiving-unit code is in the reference data (etc/reference); boxes are opened
  // only for those. Empty: every code that passes validateIdentifier (tests).
  std::function<bool(const std::string& code)> is_receiving_unit;
};

// Why a box was closed.
enum class CloseReason { kByHand, kCutoff, kFull };  // "by_hand", "cutoff", "full"
const char* name(CloseReason v);

struct HandOver {
  std::vector<std::string> box_ids;  // packed boxes, at least one
  std::string carrier;
  std::string tracking_number;  // the carrier's, unique
  std::string actor;            // who handed them over
};

struct DeliveryConfirmation {
  std::string box_id;
  std::string actor;  // user of the receiving unit (or logistics on its behalf)
  std::vector<Role> actor_roles;
  std::vector<std::string> missing_serials;  // cards of the box that did not arrive
  std::string note;
};

struct DeliveryOutcome {
  Box box;
  std::vector<std::string> delivered_serials;
  std::int64_t discrepancy_id = 0;  // 0 when nothing was missing
  bool shipment_delivered = false;  // the last box of its shipment
};

enum class DiscrepancyResolution { kFound, kLost };  // "found", "lost"
const char* name(DiscrepancyResolution v);
Result<DiscrepancyResolution> parseDiscrepancyResolution(std::string_view s);

struct OverdueShipment {
  Shipment shipment;
  std::int64_t overdue_seconds = 0;  // now - due_at
  std::vector<std::string> box_ids;
};

struct PurgeReport {
  std::vector<std::string> box_ids;
  std::vector<std::string> application_ids;
};

// Appends one entry to the audit trail inside the transaction (the wiring passes
// AuditTrail::appendIn). Arguments: tx, actor, action, subject, detail (JSON object text).
using AuditAppender =
    std::function<Status(StoreTransaction&, const std::string&, const std::string&,
                         const std::string&, const std::string&)>;

class LogisticsService {
 public:
  // `engine` and `clock` must outlive the service.
  LogisticsService(Engine& engine, const Clock& clock, LogisticsOptions options);

  const LogisticsOptions& options() const { return options_; }

  // Opens a new empty box for a receiving unit ("BOX-<code>-<number>"). kInvalidArgument
  // when the unit code breaks the identifier rule (mes/base/identifier.h) or is not a
  // receiving unit of the reference data (options().is_receiving_unit).
  Result<Box> openBox(StoreTransaction& tx, const ReceivingUnit& unit, const std::string& actor);

  // Packs a card: into `box_id` when given (a scan into a chosen box), otherwise into the open
  // box of the card's receiving unit, opening one when none is open. A box reaching capacity
  // closes itself (seal generated). Returns the box after packing.
  // Refusals: kNotFound for an unknown card or box; kFailedPrecondition if the card is not
  // good (it has not passed QA, or was spoiled, or already left) and, with a message starting
  // "wrong box", if the box belongs to another receiving unit than the card's application;
  // kAlreadyExists if the card is already in a box; kConflict if the box is not open.
  Result<Box> packCard(StoreTransaction& tx, const std::string& serial, const std::string& box_id,
                       const std::string& actor);

  // Closes an open box and seals it with `seal_number` ("SEAL-<box id>" when empty).
  // kNotFound if absent; kFailedPrecondition if it is not open or is empty.
  Result<Box> closeBox(StoreTransaction& tx, const std::string& box_id,
                       const std::string& seal_number, const std::string& actor);

  // Closes every non-empty open box whose daily cut-off passed since it was opened. Returns
  // the boxes closed.
  Result<std::vector<Box>> closeAtCutoff(StoreTransaction& tx);

  // Hands packed boxes over to a carrier as a new shipment (due = now + service level) and
  // records who, when and the seal numbers. kInvalidArgument without boxes, carrier, tracking
  // number or actor; kNotFound for an unknown box; kFailedPrecondition if a box is not packed;
  // kAlreadyExists if the tracking number is taken.
  Result<Shipment> handOver(StoreTransaction& tx, const HandOver& hand_over);

  // Moves a shipment (and its boxes not yet delivered) to in_transit, returned or lost:
  // handed_over → in_transit; handed_over/in_transit → returned/lost. kInvalidArgument for
  // another target state; kNotFound if absent; kFailedPrecondition for a move the state
  // machine does not allow.
  Result<Shipment> setShipmentState(StoreTransaction& tx, const std::string& shipment_id,
                                    ShipmentState to, const std::string& actor);

  // The receiving unit confirms a box: the box is delivered, its cards (but the missing ones)
  // become delivered and their applications' manual step is confirmed "ok" through the engine;
  // missing cards open a discrepancy; the shipment is delivered with its last box.
  // kInvalidArgument without actor or for a missing serial that is not in the box; kNotFound
  // if absent; kFailedPrecondition unless the box is handed over or in transit;
  // kPermissionDenied if the actor lacks the workflow step's role.
  Result<DeliveryOutcome> confirmDelivery(StoreTransaction& tx,
                                          const DeliveryConfirmation& confirmation);

  // Resolves an open discrepancy: found → the missing cards are delivered as above; lost →
  // they are spoiled ("lost_in_transit") and their applications held for a supervisor to
  // remake. kInvalidArgument without actor; kNotFound if absent; kFailedPrecondition if
  // already resolved.
  Result<Discrepancy> resolveDiscrepancy(StoreTransaction& tx, std::int64_t discrepancy_id,
                                         DiscrepancyResolution resolution,
                                         const std::string& note, const std::string& actor,
                                         const std::vector<Role>& actor_roles);

  // Shipments handed over or in transit whose due time has passed, most overdue first.
  Result<std::vector<OverdueShipment>> overdue(StoreTransaction& tx);

  // Purges the personal data of the applications in boxes delivered at least retention_days
  // ago (boxes with an open discrepancy wait): ApplicationRepository::purgePersonalData, an
  // event "personal_data_purged" per application, one audit entry per application through
  // `audit` (action "application.purge"), the box marked purged. Counts, serials and events
  // stay. Store and audit errors as returned.
  Result<PurgeReport> purgeExpired(StoreTransaction& tx, const std::string& actor,
                                   const AuditAppender& audit);

 private:
  Result<Box> closeIn(StoreTransaction& tx, Box box, const std::string& seal_number,
                      CloseReason reason, const std::string& actor);
  Status deliverCard(StoreTransaction& tx, const std::string& serial, const std::string& actor,
                     const std::vector<Role>& actor_roles, const std::string& box_id);
  Status event(StoreTransaction& tx, const std::string& subject_type,
               const std::string& subject_id, const std::string& kind, const std::string& actor,
               const std::string& detail);

  Engine& engine_;
  const Clock& clock_;
  LogisticsOptions options_;
};

// The engine hook: on a dispatch station's "ok" result, packs the application's good card into
// the open box of its receiving unit (opening one when needed). When the station reports the
// box it scanned the card into ({"box":"BOX-..."} in its measurements), the card goes into
// that box and a wrong box refuses the result (the whole transaction rolls back). A card the
// operator already scanned into a box is accepted as packed.
class DispatchPacker final : public TransitionObserver {
 public:
  explicit DispatchPacker(LogisticsService& service) : service_(service) {}
  Status onEvent(StoreTransaction& tx, const Event& event) override;
  Status onStationResult(StoreTransaction& tx, const StationJob& job,
                         const StationResult& result) override;

 private:
  LogisticsService& service_;
};


}  // namespace cardline
