#include "mes/logistics/logistics_service.h"

#include "mes/base/identifier.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "mes/base/json_text.h"

namespace cardline {
namespace {

constexpr std::int64_t kMicrosPerMinute = 60LL * 1000000LL;
constexpr std::int64_t kMicrosPerDay = 24LL * 60LL * kMicrosPerMinute;

std::string numbered(const std::string& prefix, std::int64_t n) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%06lld", static_cast<long long>(n));
  return prefix + digits;
}

// The first daily cut-off strictly after `t`.
Timestamp nextCutoff(Timestamp t, const LogisticsOptions& o) {
  const std::int64_t offset = o.utc_offset_minutes * kMicrosPerMinute;
  const std::int64_t local = t.micros + offset;
  std::int64_t day = local / kMicrosPerDay;
  if (local < 0 && local % kMicrosPerDay != 0) --day;
  std::int64_t cut = day * kMicrosPerDay + o.cutoff_minute_of_day * kMicrosPerMinute - offset;
  if (cut <= t.micros) cut += kMicrosPerDay;
  return Timestamp{cut};
}

std::string jsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : ",") + jsonQuote(items[i]);
  }
  return out + "]";
}

}  // namespace

const char* name(CloseReason v) {
  switch (v) {
    case CloseReason::kByHand: return "by_hand";
    case CloseReason::kCutoff: return "cutoff";
    case CloseReason::kFull: return "full";
  }
  return "?";
}

namespace {
constexpr const char* kResolutionNames[] = {"found", "lost"};
}  // namespace

const char* name(DiscrepancyResolution v) {
  return kResolutionNames[static_cast<std::size_t>(v)];
}

Result<DiscrepancyResolution> parseDiscrepancyResolution(std::string_view s) {
  return logistics_names::parse<DiscrepancyResolution>(s, kResolutionNames,
                                                       "discrepancy resolution");
}

LogisticsService::LogisticsService(Engine& engine, const Clock& clock, LogisticsOptions options)
    : engine_(engine), clock_(clock), options_(options) {}

Status LogisticsService::event(StoreTransaction& tx, const std::string& subject_type,
                               const std::string& subject_id, const std::string& kind,
                               const std::string& actor, const std::string& detail) {
  Event e;
  e.at = clock_.now();
  e.subject_type = subject_type;
  e.subject_id = subject_id;
  e.kind = kind;
  e.actor = actor.empty() ? "system" : actor;
  e.detail = detail.empty() ? "{}" : detail;
  return tx.events().append(e);
}

Result<Box> LogisticsService::openBox(StoreTransaction& tx, const ReceivingUnit& unit,
                                      const std::string& actor) {
  CARDLINE_RETURN_IF_ERROR(validateIdentifier("the receiving unit code", unit.code));
  if (options_.is_receiving_unit && !options_.is_receiving_unit(unit.code)) {
    return invalidArgument("receiving unit " + unit.code +
                           " is not in the reference data (receiving_units.csv)");
  }
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t count, tx.logistics().countBoxes());
  Box box;
  box.id = numbered("BOX-" + unit.code + "-", count + 1);
  box.receiving_unit_code = unit.code;
  box.receiving_unit_name = unit.name;
  box.state = BoxState::kOpen;
  box.capacity = options_.box_capacity;
  box.created_at = clock_.now();
  CARDLINE_RETURN_IF_ERROR(tx.logistics().insertBox(box));
  CARDLINE_RETURN_IF_ERROR(event(tx, "box", box.id, "opened", actor,
                                 "{\"receiving_unit\":" + jsonQuote(unit.code) +
                                     ",\"capacity\":" + std::to_string(box.capacity) + "}"));
  return box;
}

Result<Box> LogisticsService::packCard(StoreTransaction& tx, const std::string& serial,
                                       const std::string& box_id, const std::string& actor) {
  CARDLINE_ASSIGN_OR_RETURN(Card card, tx.cards().find(serial));
  if (card.state != CardState::kGood) {
    return failedPrecondition("card " + serial + " is " + name(card.state) +
                              "; only good cards (passed QA) are packed");
  }
  Result<BoxCard> existing = tx.logistics().boxOfCard(serial);
  if (existing.isOk()) {
    return alreadyExists("card " + serial + " is already in box " + existing->box_id);
  }
  if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
  CARDLINE_ASSIGN_OR_RETURN(Application application,
                            tx.applications().find(card.application_id));
  Box box;
  if (!box_id.empty()) {
    CARDLINE_ASSIGN_OR_RETURN(box, tx.logistics().findBox(box_id));
    if (box.receiving_unit_code != application.receiving_unit.code) {
      return failedPrecondition("wrong box: card " + serial + " goes to receiving unit " +
                                application.receiving_unit.code + ", box " + box.id + " to " +
                                box.receiving_unit_code);
    }
    if (box.state != BoxState::kOpen) {
      return conflict("box " + box.id + " is " + name(box.state) + ", not open");
    }
  } else {
    CARDLINE_ASSIGN_OR_RETURN(
        auto open, tx.logistics().boxesInState(BoxState::kOpen, application.receiving_unit.code));
    if (open.empty()) {
      CARDLINE_ASSIGN_OR_RETURN(box, openBox(tx, application.receiving_unit, actor));
    } else {
      box = open.front();
    }
  }
  BoxCard entry;
  entry.box_id = box.id;
  entry.serial = serial;
  entry.application_id = application.id;
  entry.packed_at = clock_.now();
  CARDLINE_RETURN_IF_ERROR(tx.logistics().addCard(entry));
  const std::string detail = "{\"box\":" + jsonQuote(box.id) +
                             ",\"serial\":" + jsonQuote(serial) + "}";
  CARDLINE_RETURN_IF_ERROR(event(tx, "card", serial, "packed", actor, detail));
  CARDLINE_RETURN_IF_ERROR(event(tx, "box", box.id, "card_packed", actor, detail));
  CARDLINE_ASSIGN_OR_RETURN(box, tx.logistics().findBox(box.id));
  if (box.capacity > 0 && box.card_count >= box.capacity) {
    return closeIn(tx, box, "", CloseReason::kFull, actor);
  }
  return box;
}

Result<Box> LogisticsService::closeIn(StoreTransaction& tx, Box box,
                                      const std::string& seal_number, CloseReason reason,
                                      const std::string& actor) {
  if (box.state != BoxState::kOpen) {
    return failedPrecondition("box " + box.id + " is " + name(box.state) + ", not open");
  }
  if (box.card_count == 0) return failedPrecondition("box " + box.id + " is empty");
  box.state = BoxState::kPacked;
  box.seal_number = seal_number.empty() ? "SEAL-" + box.id : seal_number;
  box.sealed_at = clock_.now();
  CARDLINE_RETURN_IF_ERROR(tx.logistics().updateBox(box, BoxState::kOpen));
  CARDLINE_RETURN_IF_ERROR(event(tx, "box", box.id, "packed", actor,
                                 "{\"seal\":" + jsonQuote(box.seal_number) +
                                     ",\"cards\":" + std::to_string(box.card_count) +
                                     ",\"reason\":\"" + name(reason) + "\"}"));
  return box;
}

Result<Box> LogisticsService::closeBox(StoreTransaction& tx, const std::string& box_id,
                                       const std::string& seal_number,
                                       const std::string& actor) {
  if (!seal_number.empty()) {
    CARDLINE_RETURN_IF_ERROR(validateIdentifier("the seal number", seal_number));
  }
  CARDLINE_ASSIGN_OR_RETURN(Box box, tx.logistics().findBox(box_id));
  return closeIn(tx, std::move(box), seal_number, CloseReason::kByHand, actor);
}

Result<std::vector<Box>> LogisticsService::closeAtCutoff(StoreTransaction& tx) {
  const Timestamp now = clock_.now();
  CARDLINE_ASSIGN_OR_RETURN(auto open, tx.logistics().boxesInState(BoxState::kOpen, ""));
  std::vector<Box> closed;
  for (Box& box : open) {
    if (box.card_count == 0 || nextCutoff(box.created_at, options_) > now) continue;
    CARDLINE_ASSIGN_OR_RETURN(Box done,
                              closeIn(tx, std::move(box), "", CloseReason::kCutoff, "system"));
    closed.push_back(std::move(done));
  }
  return closed;
}

Result<Shipment> LogisticsService::handOver(StoreTransaction& tx, const HandOver& h) {
  if (h.box_ids.empty() || h.carrier.empty() || h.tracking_number.empty() || h.actor.empty()) {
    return invalidArgument("a hand-over needs boxes, a carrier, a tracking number and who");
  }
  CARDLINE_RETURN_IF_ERROR(validateIdentifier("the tracking number", h.tracking_number));
  std::vector<Box> boxes;
  std::vector<std::string> seals;
  for (const std::string& id : h.box_ids) {
    CARDLINE_ASSIGN_OR_RETURN(Box box, tx.logistics().findBox(id));
    if (box.state != BoxState::kPacked) {
      return failedPrecondition("box " + id + " is " + name(box.state) +
                                "; only packed (sealed) boxes are handed over");
    }
    seals.push_back(box.seal_number);
    boxes.push_back(std::move(box));
  }
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t count, tx.logistics().countShipments());
  const Timestamp now = clock_.now();
  Shipment s;
  s.id = numbered("SHP-", count + 1);
  s.carrier = h.carrier;
  s.tracking_number = h.tracking_number;
  s.state = ShipmentState::kHandedOver;
  s.handed_over_by = h.actor;
  s.created_at = now;
  s.handed_over_at = now;
  s.due_at = now.plusSeconds(
      std::chrono::duration_cast<std::chrono::seconds>(options_.delivery_service_level).count());
  CARDLINE_RETURN_IF_ERROR(tx.logistics().insertShipment(s));
  for (Box& box : boxes) {
    box.state = BoxState::kHandedOver;
    box.shipment_id = s.id;
    CARDLINE_RETURN_IF_ERROR(tx.logistics().updateBox(box, BoxState::kPacked));
    CARDLINE_RETURN_IF_ERROR(event(tx, "box", box.id, "handed_over", h.actor,
                                   "{\"shipment\":" + jsonQuote(s.id) + ",\"seal\":" +
                                       jsonQuote(box.seal_number) + "}"));
  }
  CARDLINE_RETURN_IF_ERROR(event(
      tx, "shipment", s.id, "handed_over", h.actor,
      "{\"carrier\":" + jsonQuote(s.carrier) + ",\"tracking_number\":" +
          jsonQuote(s.tracking_number) + ",\"by\":" + jsonQuote(h.actor) +
          ",\"boxes\":" + jsonList(h.box_ids) + ",\"seals\":" + jsonList(seals) + "}"));
  return s;
}

Result<Shipment> LogisticsService::setShipmentState(StoreTransaction& tx,
                                                    const std::string& shipment_id,
                                                    ShipmentState to, const std::string& actor) {
  if (to != ShipmentState::kInTransit && to != ShipmentState::kReturned &&
      to != ShipmentState::kLost) {
    return invalidArgument(std::string("a shipment cannot be set to ") + name(to) +
                           " (delivered follows the boxes' delivery confirmations)");
  }
  CARDLINE_ASSIGN_OR_RETURN(Shipment s, tx.logistics().findShipment(shipment_id));
  const ShipmentState from = s.state;
  const bool allowed =
      (to == ShipmentState::kInTransit && from == ShipmentState::kHandedOver) ||
      (to != ShipmentState::kInTransit &&
       (from == ShipmentState::kHandedOver || from == ShipmentState::kInTransit));
  if (!allowed) {
    return failedPrecondition("shipment " + s.id + " cannot move from " + name(from) + " to " +
                              name(to));
  }
  s.state = to;
  CARDLINE_RETURN_IF_ERROR(tx.logistics().updateShipment(s, from));
  const BoxState box_state = to == ShipmentState::kInTransit ? BoxState::kInTransit
                             : to == ShipmentState::kReturned ? BoxState::kReturned
                                                              : BoxState::kLost;
  CARDLINE_ASSIGN_OR_RETURN(auto boxes, tx.logistics().boxesOfShipment(s.id));
  for (Box& box : boxes) {
    if (box.state != BoxState::kHandedOver && box.state != BoxState::kInTransit) continue;
    const BoxState box_from = box.state;
    box.state = box_state;
    CARDLINE_RETURN_IF_ERROR(tx.logistics().updateBox(box, box_from));
    CARDLINE_RETURN_IF_ERROR(event(tx, "box", box.id, name(box_state), actor,
                                   "{\"shipment\":" + jsonQuote(s.id) + "}"));
  }
  CARDLINE_RETURN_IF_ERROR(event(tx, "shipment", s.id, name(to), actor, "{}"));
  return s;
}

Status LogisticsService::deliverCard(StoreTransaction& tx, const std::string& serial,
                                     const std::string& actor,
                                     const std::vector<Role>& actor_roles,
                                     const std::string& box_id) {
  CARDLINE_ASSIGN_OR_RETURN(Card card, tx.cards().find(serial));
  if (card.state != CardState::kDispatched) {
    return failedPrecondition("card " + serial + " is " + name(card.state) + ", not dispatched");
  }
  Card to = card;
  to.state = CardState::kDelivered;
  to.updated_at = clock_.now();
  CARDLINE_RETURN_IF_ERROR(tx.cards().updateState(serial, CardState::kDispatched, to));
  CARDLINE_RETURN_IF_ERROR(event(tx, "card", serial, "delivered", actor,
                                 "{\"box\":" + jsonQuote(box_id) + "}"));
  CARDLINE_ASSIGN_OR_RETURN(Application application,
                            tx.applications().find(card.application_id));
  StepConfirmation confirmation;
  confirmation.application_id = application.id;
  confirmation.step = application.step;
  confirmation.outcome = "ok";
  confirmation.actor = actor;
  confirmation.actor_roles = actor_roles;
  confirmation.note = "delivered in box " + box_id;
  Result<ResultEffect> confirmed = engine_.confirmStep(tx, confirmation);
  if (confirmed.isOk()) return Status::ok();
  if (confirmed.status().code() != ErrorCode::kFailedPrecondition) return confirmed.status();
  // The application is not waiting at a manual step (held meanwhile, for example): the card is
  // delivered all the same; a supervisor sees why in its history.
  return event(tx, "application", application.id, "delivery_not_confirmed", actor,
               "{\"serial\":" + jsonQuote(serial) + ",\"reason\":" +
                   jsonQuote(confirmed.status().message()) + "}");
}

Result<DeliveryOutcome> LogisticsService::confirmDelivery(StoreTransaction& tx,
                                                          const DeliveryConfirmation& c) {
  if (c.actor.empty()) return invalidArgument("a delivery confirmation needs who confirms");
  CARDLINE_ASSIGN_OR_RETURN(Box box, tx.logistics().findBox(c.box_id));
  if (box.state != BoxState::kHandedOver && box.state != BoxState::kInTransit) {
    return failedPrecondition("box " + box.id + " is " + name(box.state) +
                              "; only boxes handed over or in transit are delivered");
  }
  CARDLINE_ASSIGN_OR_RETURN(auto cards, tx.logistics().cardsOfBox(box.id));
  std::set<std::string> in_box;
  for (const auto& card : cards) in_box.insert(card.serial);
  const std::set<std::string> missing(c.missing_serials.begin(), c.missing_serials.end());
  for (const auto& serial : missing) {
    if (in_box.count(serial) == 0) {
      return invalidArgument("card " + serial + " reported missing is not in box " + box.id);
    }
  }
  DeliveryOutcome outcome;
  const BoxState from = box.state;
  box.state = BoxState::kDelivered;
  box.delivered_at = clock_.now();
  box.delivered_by = c.actor;
  CARDLINE_RETURN_IF_ERROR(tx.logistics().updateBox(box, from));
  CARDLINE_RETURN_IF_ERROR(event(tx, "box", box.id, "delivered", c.actor,
                                 "{\"missing\":" + jsonList(c.missing_serials) + ",\"note\":" +
                                     jsonQuote(c.note) + "}"));
  for (const auto& card : cards) {
    if (missing.count(card.serial) != 0) continue;
    CARDLINE_RETURN_IF_ERROR(deliverCard(tx, card.serial, c.actor, c.actor_roles, box.id));
    outcome.delivered_serials.push_back(card.serial);
  }
  if (!missing.empty()) {
    Discrepancy d;
    d.box_id = box.id;
    d.missing_serials.assign(missing.begin(), missing.end());
    d.note = c.note;
    d.reported_by = c.actor;
    d.reported_at = clock_.now();
    CARDLINE_ASSIGN_OR_RETURN(outcome.discrepancy_id, tx.logistics().insertDiscrepancy(d));
    const std::string detail = "{\"discrepancy\":" + std::to_string(outcome.discrepancy_id) +
                               ",\"box\":" + jsonQuote(box.id) +
                               ",\"missing\":" + jsonList(d.missing_serials) + "}";
    CARDLINE_RETURN_IF_ERROR(event(tx, "box", box.id, "missing_reported", c.actor, detail));
    for (const auto& serial : d.missing_serials) {
      CARDLINE_RETURN_IF_ERROR(event(tx, "card", serial, "reported_missing", c.actor, detail));
    }
  }
  if (!box.shipment_id.empty()) {
    CARDLINE_ASSIGN_OR_RETURN(auto siblings, tx.logistics().boxesOfShipment(box.shipment_id));
    const bool all_delivered =
        std::all_of(siblings.begin(), siblings.end(),
                    [](const Box& b) { return b.state == BoxState::kDelivered; });
    if (all_delivered) {
      CARDLINE_ASSIGN_OR_RETURN(Shipment s, tx.logistics().findShipment(box.shipment_id));
      const ShipmentState s_from = s.state;
      if (s_from == ShipmentState::kHandedOver || s_from == ShipmentState::kInTransit) {
        s.state = ShipmentState::kDelivered;
        s.delivered_at = clock_.now();
        CARDLINE_RETURN_IF_ERROR(tx.logistics().updateShipment(s, s_from));
        CARDLINE_RETURN_IF_ERROR(event(tx, "shipment", s.id, "delivered", c.actor, "{}"));
        outcome.shipment_delivered = true;
      }
    }
  }
  outcome.box = std::move(box);
  return outcome;
}

Result<Discrepancy> LogisticsService::resolveDiscrepancy(StoreTransaction& tx,
                                                         std::int64_t discrepancy_id,
                                                         DiscrepancyResolution resolution,
                                                         const std::string& note,
                                                         const std::string& actor,
                                                         const std::vector<Role>& actor_roles) {
  if (actor.empty()) return invalidArgument("resolving a discrepancy needs who resolves it");
  CARDLINE_ASSIGN_OR_RETURN(Discrepancy d, tx.logistics().findDiscrepancy(discrepancy_id));
  if (d.state != DiscrepancyState::kOpen) {
    return failedPrecondition("discrepancy " + std::to_string(d.id) + " is already resolved");
  }
  for (const auto& serial : d.missing_serials) {
    if (resolution == DiscrepancyResolution::kFound) {
      CARDLINE_RETURN_IF_ERROR(deliverCard(tx, serial, actor, actor_roles, d.box_id));
      continue;
    }
    CARDLINE_ASSIGN_OR_RETURN(Card card, tx.cards().find(serial));
    Card to = card;
    to.state = CardState::kSpoiled;
    to.spoil_reason = "lost_in_transit";
    to.spoil_station = "logistics";
    to.updated_at = clock_.now();
    CARDLINE_RETURN_IF_ERROR(tx.cards().updateState(serial, card.state, to));
    CARDLINE_RETURN_IF_ERROR(event(tx, "card", serial, "lost", actor,
                                   "{\"discrepancy\":" + std::to_string(d.id) + "}"));
    SupervisorAction hold;
    hold.application_id = card.application_id;
    hold.actor = actor;
    hold.reason = "card " + serial + " lost in transit (discrepancy " + std::to_string(d.id) +
                  "); remake needed";
    Status held = engine_.hold(tx, hold);
    if (!held.isOk() && held.code() != ErrorCode::kFailedPrecondition) return held;
  }
  d.state = DiscrepancyState::kResolved;
  d.resolution = name(resolution);
  d.resolution_note = note;
  d.resolved_by = actor;
  d.resolved_at = clock_.now();
  CARDLINE_RETURN_IF_ERROR(tx.logistics().updateDiscrepancy(d, DiscrepancyState::kOpen));
  CARDLINE_RETURN_IF_ERROR(event(tx, "discrepancy", std::to_string(d.id), "resolved", actor,
                                 "{\"box\":" + jsonQuote(d.box_id) +
                                     ",\"resolution\":\"" + d.resolution + "\",\"note\":" +
                                     jsonQuote(note) + "}"));
  CARDLINE_RETURN_IF_ERROR(event(tx, "box", d.box_id, "discrepancy_resolved", actor,
                                 "{\"discrepancy\":" + std::to_string(d.id) +
                                     ",\"resolution\":\"" + d.resolution + "\"}"));
  return d;
}

Result<std::vector<OverdueShipment>> LogisticsService::overdue(StoreTransaction& tx) {
  const Timestamp now = clock_.now();
  std::vector<OverdueShipment> out;
  for (ShipmentState state : {ShipmentState::kHandedOver, ShipmentState::kInTransit}) {
    CARDLINE_ASSIGN_OR_RETURN(auto shipments, tx.logistics().shipmentsInState(state));
    for (Shipment& s : shipments) {
      if (s.due_at.micros == 0 || now <= s.due_at) continue;
      OverdueShipment o;
      o.overdue_seconds = now.seconds() - s.due_at.seconds();
      CARDLINE_ASSIGN_OR_RETURN(auto boxes, tx.logistics().boxesOfShipment(s.id));
      for (const Box& b : boxes) o.box_ids.push_back(b.id);
      o.shipment = std::move(s);
      out.push_back(std::move(o));
    }
  }
  std::sort(out.begin(), out.end(), [](const OverdueShipment& a, const OverdueShipment& b) {
    return a.overdue_seconds > b.overdue_seconds;
  });
  return out;
}

Result<PurgeReport> LogisticsService::purgeExpired(StoreTransaction& tx, const std::string& actor,
                                                   const AuditAppender& audit) {
  if (!audit) return invalidArgument("the purge needs an audit appender");
  const Timestamp now = clock_.now();
  const std::int64_t retention_seconds = std::int64_t{options_.retention_days} * 24 * 3600;
  PurgeReport report;
  CARDLINE_ASSIGN_OR_RETURN(auto delivered,
                            tx.logistics().boxesInState(BoxState::kDelivered, ""));
  for (Box& box : delivered) {
    if (box.purged_at.micros != 0) continue;
    if (box.delivered_at.plusSeconds(retention_seconds) > now) continue;
    CARDLINE_ASSIGN_OR_RETURN(auto open_issues,
                              tx.logistics().discrepancies(DiscrepancyState::kOpen, box.id));
    if (!open_issues.empty()) continue;
    CARDLINE_ASSIGN_OR_RETURN(auto cards, tx.logistics().cardsOfBox(box.id));
    std::set<std::string> applications;
    for (const auto& card : cards) applications.insert(card.application_id);
    for (const auto& id : applications) {
      CARDLINE_RETURN_IF_ERROR(tx.applications().purgePersonalData(id));
      const std::string detail = "{\"box\":" + jsonQuote(box.id) +
                                 ",\"retention_days\":" +
                                 std::to_string(options_.retention_days) + "}";
      CARDLINE_RETURN_IF_ERROR(event(tx, "application", id, "personal_data_purged", actor,
                                     detail));
      CARDLINE_RETURN_IF_ERROR(audit(tx, actor.empty() ? "system" : actor, "application.purge",
                                     "application/" + id, detail));
      report.application_ids.push_back(id);
    }
    box.purged_at = now;
    CARDLINE_RETURN_IF_ERROR(tx.logistics().updateBox(box, BoxState::kDelivered));
    report.box_ids.push_back(box.id);
  }
  return report;
}

Status DispatchPacker::onEvent(StoreTransaction& tx, const Event& event) {
  (void)tx;
  (void)event;
  return Status::ok();
}

Status DispatchPacker::onStationResult(StoreTransaction& tx, const StationJob& job,
                                       const StationResult& result) {
  if (job.station != StationType::kDispatch || result.outcome != "ok") return Status::ok();
  CARDLINE_ASSIGN_OR_RETURN(auto cards, tx.cards().forApplication(job.application_id));
  const Card* good = nullptr;
  for (const Card& card : cards) {
    if (card.state == CardState::kGood) good = &card;
  }
  if (good == nullptr) {
    return failedPrecondition("application " + job.application_id +
                              " has no good card to pack");
  }
  const std::string scanned_box = jsonStringField(result.measurements, "box");
  const std::string actor = "device:" + result.device_id;
  Result<BoxCard> packed = tx.logistics().boxOfCard(good->serial);
  if (packed.isOk()) {
    if (!scanned_box.empty() && scanned_box != packed->box_id) {
      return failedPrecondition("wrong box: card " + good->serial + " is packed in " +
                              packed->box_id + ", not " + scanned_box);
    }
    return Status::ok();  // the operator scanned it into its box already
  }
  if (packed.status().code() != ErrorCode::kNotFound) return packed.status();
  return service_.packCard(tx, good->serial, scanned_box, actor).status();
}

}  // namespace cardline
