#include "mes/logistics/trace.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <ostream>
#include <set>
#include <utility>

#include "mes/base/date.h"
#include "mes/base/json_text.h"

namespace cardline {
namespace {

bool isPersonalNumber(const std::string& q) {
  return q.size() == 12 &&
         std::all_of(q.begin(), q.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Treats kNotFound as "absent"; other failures pass through.
template <typename T>
Result<bool> present(const Result<T>& r) {
  if (r.isOk()) return true;
  if (r.status().code() == ErrorCode::kNotFound) return false;
  return r.status();
}

class Collector {
 public:
  Collector(StoreTransaction& tx, Timestamp now) : tx_(tx), now_(now) {}

  Status addApplication(const std::string& id) {
    if (!application_ids_.insert(id).second) return Status::ok();
    CARDLINE_ASSIGN_OR_RETURN(Application a, tx_.applications().find(id));
    applications_.push_back(std::move(a));
    CARDLINE_ASSIGN_OR_RETURN(auto cards, tx_.cards().forApplication(id));
    for (const Card& card : cards) CARDLINE_RETURN_IF_ERROR(addCard(card));
    return Status::ok();
  }

  Status addCard(const Card& card) {
    if (!serials_.insert(card.serial).second) return Status::ok();
    cards_.push_back(card);
    CARDLINE_RETURN_IF_ERROR(addApplication(card.application_id));
    Result<BoxCard> in_box = tx_.logistics().boxOfCard(card.serial);
    CARDLINE_ASSIGN_OR_RETURN(bool boxed, present(in_box));
    if (boxed) CARDLINE_RETURN_IF_ERROR(addBox(in_box->box_id, BoxCards::kSkip));
    return Status::ok();
  }

  enum class BoxCards { kFollow, kSkip };
  Status addBox(const std::string& id, BoxCards follow) {
    if (box_ids_.insert(id).second) {
      CARDLINE_ASSIGN_OR_RETURN(Box box, tx_.logistics().findBox(id));
      if (!box.shipment_id.empty()) {
        CARDLINE_RETURN_IF_ERROR(addShipment(box.shipment_id, ShipmentBoxes::kSkip));
      }
      boxes_.push_back(std::move(box));
    }
    if (follow == BoxCards::kFollow) {
      CARDLINE_ASSIGN_OR_RETURN(auto entries, tx_.logistics().cardsOfBox(id));
      for (const auto& entry : entries) {
        CARDLINE_ASSIGN_OR_RETURN(Card card, tx_.cards().find(entry.serial));
        CARDLINE_RETURN_IF_ERROR(addCard(card));
      }
    }
    return Status::ok();
  }

  enum class ShipmentBoxes { kFollow, kSkip };
  Status addShipment(const std::string& id, ShipmentBoxes follow) {
    if (shipment_ids_.insert(id).second) {
      CARDLINE_ASSIGN_OR_RETURN(Shipment s, tx_.logistics().findShipment(id));
      shipments_.push_back(std::move(s));
    }
    if (follow == ShipmentBoxes::kFollow) {
      CARDLINE_ASSIGN_OR_RETURN(auto boxes, tx_.logistics().boxesOfShipment(id));
      for (const Box& box : boxes) CARDLINE_RETURN_IF_ERROR(addBox(box.id, BoxCards::kFollow));
    }
    return Status::ok();
  }

  std::string shipmentLocation(const Shipment& s) const {
    switch (s.state) {
      case ShipmentState::kHandedOver:
      case ShipmentState::kInTransit: {
        std::string text = std::string(s.state == ShipmentState::kInTransit
                                           ? "in transit with "
                                           : "handed over to ") +
                           s.carrier + " (tracking " + s.tracking_number + ", shipment " + s.id +
                           "), due " + formatIsoTimestamp(s.due_at);
        if (s.due_at.micros != 0 && now_ > s.due_at) text += ", OVERDUE";
        return text;
      }
      case ShipmentState::kDelivered:
        return "delivered (shipment " + s.id + ", " + s.carrier + " " + s.tracking_number +
               ") at " + formatIsoTimestamp(s.delivered_at);
      case ShipmentState::kReturned:
        return "returned by " + s.carrier + " (shipment " + s.id + ")";
      case ShipmentState::kLost:
        return "lost by " + s.carrier + " (shipment " + s.id + ")";
    }
    return "";
  }

  std::string boxLocation(const Box& b) const {
    const std::string unit = b.receiving_unit_code + " " + b.receiving_unit_name;
    switch (b.state) {
      case BoxState::kOpen:
        return "at dispatch, being packed in box " + b.id + " for " + unit + " (" +
               std::to_string(b.card_count) + " cards)";
      case BoxState::kPacked:
        return "at dispatch in box " + b.id + " (seal " + b.seal_number + ") for " + unit +
               ", awaiting hand-over";
      case BoxState::kHandedOver:
      case BoxState::kInTransit:
      case BoxState::kReturned:
      case BoxState::kLost:
        for (const Shipment& s : shipments_) {
          if (s.id == b.shipment_id) return "box " + b.id + " for " + unit + ": " + shipmentLocation(s);
        }
        return "box " + b.id + " " + name(b.state);
      case BoxState::kDelivered:
        return "delivered to " + unit + " in box " + b.id + " at " +
               formatIsoTimestamp(b.delivered_at) + ", confirmed by " + b.delivered_by;
    }
    return "";
  }

  std::string cardLocation(const Card& card) {
    if (card.state == CardState::kSpoiled) {
      return "card " + card.serial + " spoiled (" + card.spoil_reason + ")";
    }
    Result<BoxCard> in_box = tx_.logistics().boxOfCard(card.serial);
    if (in_box.isOk()) {
      for (const Box& b : boxes_) {
        if (b.id == in_box->box_id) return boxLocation(b);
      }
    }
    return std::string("card ") + card.serial + " " + name(card.state) + " in the line";
  }

  std::string applicationLocation(const Application& a) {
    const Card* live = nullptr;
    for (const Card& card : cards_) {
      if (card.application_id != a.id) continue;
      if (live == nullptr || card.state != CardState::kSpoiled) live = &card;
    }
    if (a.state == ApplicationState::kCancelled) return "cancelled at step " + a.step;
    if (a.state == ApplicationState::kHeld) return "held at step " + a.step;
    if (live != nullptr && live->state != CardState::kSpoiled) {
      return cardLocation(*live);
    }
    return "in production at step " + a.step + " (" + name(a.state) + ")";
  }

  StoreTransaction& tx_;
  Timestamp now_;
  std::set<std::string> application_ids_, serials_, box_ids_, shipment_ids_;
  std::vector<Application> applications_;
  std::vector<Card> cards_;
  std::vector<Box> boxes_;
  std::vector<Shipment> shipments_;
};

Status appendHistory(StoreTransaction& tx, const std::string& type, const std::string& id,
                     std::map<std::int64_t, Event>& by_seq) {
  CARDLINE_ASSIGN_OR_RETURN(auto events, tx.events().forSubject(type, id));
  for (Event& e : events) by_seq.emplace(e.seq, std::move(e));
  return Status::ok();
}

}  // namespace

const char* name(TraceKey v) {
  switch (v) {
    case TraceKey::kPersonalNumber: return "personal_number";
    case TraceKey::kApplicationId: return "application_id";
    case TraceKey::kCardSerial: return "card_serial";
    case TraceKey::kBoxId: return "box_id";
    case TraceKey::kTrackingNumber: return "tracking_number";
    case TraceKey::kShipmentId: return "shipment_id";
  }
  return "?";
}

Result<TraceReport> trace(StoreTransaction& tx, const std::string& query, Timestamp now) {
  if (query.empty()) return invalidArgument("trace needs a query");
  TraceReport report;
  report.query = query;
  Collector c(tx, now);
  bool found = false;
  if (isPersonalNumber(query)) {
    CARDLINE_ASSIGN_OR_RETURN(auto ids, tx.applications().idsForPersonalNumber(query));
    for (const auto& id : ids) CARDLINE_RETURN_IF_ERROR(c.addApplication(id));
    found = !ids.empty();
    report.key = TraceKey::kPersonalNumber;
  }
  if (!found) {
    Result<Application> a = tx.applications().find(query);
    CARDLINE_ASSIGN_OR_RETURN(found, present(a));
    if (found) {
      report.key = TraceKey::kApplicationId;
      CARDLINE_RETURN_IF_ERROR(c.addApplication(query));
    }
  }
  if (!found) {
    Result<Card> card = tx.cards().find(query);
    CARDLINE_ASSIGN_OR_RETURN(found, present(card));
    if (found) {
      report.key = TraceKey::kCardSerial;
      CARDLINE_RETURN_IF_ERROR(c.addCard(*card));
    }
  }
  if (!found) {
    Result<Box> box = tx.logistics().findBox(query);
    CARDLINE_ASSIGN_OR_RETURN(found, present(box));
    if (found) {
      report.key = TraceKey::kBoxId;
      CARDLINE_RETURN_IF_ERROR(c.addBox(query, Collector::BoxCards::kFollow));
    }
  }
  if (!found) {
    Result<Shipment> s = tx.logistics().shipmentByTracking(query);
    CARDLINE_ASSIGN_OR_RETURN(found, present(s));
    if (found) {
      report.key = TraceKey::kTrackingNumber;
      CARDLINE_RETURN_IF_ERROR(c.addShipment(s->id, Collector::ShipmentBoxes::kFollow));
    }
  }
  if (!found) {
    Result<Shipment> s = tx.logistics().findShipment(query);
    CARDLINE_ASSIGN_OR_RETURN(found, present(s));
    if (found) {
      report.key = TraceKey::kShipmentId;
      CARDLINE_RETURN_IF_ERROR(c.addShipment(query, Collector::ShipmentBoxes::kFollow));
    }
  }
  if (!found) {
    return notFound("nothing matches '" + query +
                    "' (personal number, application id, card serial, box id, tracking number "
                    "or shipment id)");
  }

  std::map<std::int64_t, Event> by_seq;
  for (const Application& a : c.applications_) {
    CARDLINE_RETURN_IF_ERROR(appendHistory(tx, "application", a.id, by_seq));
    TracedApplication t;
    t.id = a.id;
    t.personal_number = a.personal_number;
    t.full_name = a.person.full_name;
    t.receiving_unit = a.receiving_unit;
    t.step = a.step;
    t.state = a.state;
    t.location = c.applicationLocation(a);
    report.applications.push_back(std::move(t));
  }
  for (const Card& card : c.cards_) {
    CARDLINE_RETURN_IF_ERROR(appendHistory(tx, "card", card.serial, by_seq));
  }
  for (const Box& box : c.boxes_) {
    CARDLINE_RETURN_IF_ERROR(appendHistory(tx, "box", box.id, by_seq));
  }
  for (const Shipment& s : c.shipments_) {
    CARDLINE_RETURN_IF_ERROR(appendHistory(tx, "shipment", s.id, by_seq));
  }
  for (auto& [seq, e] : by_seq) report.history.push_back(std::move(e));

  switch (report.key) {
    case TraceKey::kPersonalNumber:
    case TraceKey::kApplicationId:
      report.location = report.applications.back().location;
      break;
    case TraceKey::kCardSerial:
      for (const Card& card : c.cards_) {
        if (card.serial == query) report.location = c.cardLocation(card);
      }
      break;
    case TraceKey::kBoxId:
      for (const Box& box : c.boxes_) {
        if (box.id == query) report.location = c.boxLocation(box);
      }
      break;
    case TraceKey::kTrackingNumber:
    case TraceKey::kShipmentId:
      report.location = c.shipmentLocation(c.shipments_.front());
      break;
  }
  report.cards = std::move(c.cards_);
  report.boxes = std::move(c.boxes_);
  report.shipments = std::move(c.shipments_);
  return report;
}

std::string formatTrace(const TraceReport& report, const TraceFormat& format) {
  std::string out = "query: " + report.query + " (" + name(report.key) + ")\n";
  out += "now: " + report.location + "\n";
  for (const TracedApplication& a : report.applications) {
    const std::string number = format.mask_personal_number
                                   ? format.mask_personal_number(a.personal_number)
                                   : a.personal_number;
    const std::string full_name = format.mask_name ? format.mask_name(a.full_name) : a.full_name;
    out += "application " + a.id + "  " + (number.empty() ? "(personal data purged)" : number) +
           "  " + full_name + "  -> " + a.receiving_unit.code + " " + a.receiving_unit.name +
           "\n  step " + a.step + " (" + name(a.state) + "): " + a.location + "\n";
  }
  for (const Card& card : report.cards) {
    out += "card " + card.serial + "  " + name(card.state) + "\n";
  }
  for (const Box& box : report.boxes) {
    out += "box " + box.id + "  " + name(box.state) + "  seal " +
           (box.seal_number.empty() ? "-" : box.seal_number) + "  " +
           std::to_string(box.card_count) + " cards\n";
  }
  for (const Shipment& s : report.shipments) {
    out += "shipment " + s.id + "  " + name(s.state) + "  " + s.carrier + " " +
           s.tracking_number + "  handed over by " + s.handed_over_by + " at " +
           formatIsoTimestamp(s.handed_over_at) + "\n";
  }
  out += "history:\n";
  for (const Event& e : report.history) {
    out += "  " + formatIsoTimestamp(e.at) + "  " + e.subject_type + " " + e.subject_id + "  " +
           e.kind + "  " + e.actor + "  " + e.detail + "\n";
  }
  return out;
}

std::string lookupAuditDetail(const std::string& query, const TraceReport* report,
                              bool full_view, const std::string& reason) {
  std::string out = "{";
  if (report == nullptr) {
    const bool personal_number =
        query.size() == 12 && query.find_first_not_of("0123456789") == std::string::npos;
    out += "\"query\":" + jsonQuote(personal_number ? query.substr(0, 3) + "*******" + query.substr(10) : query) +
           ",\"found\":false";
  } else {
    out += "\"matched_by\":\"" + std::string(name(report->key)) + "\"";
    if (report->key != TraceKey::kPersonalNumber) out += ",\"query\":" + jsonQuote(query);
    out += ",\"applications\":[";
    for (std::size_t i = 0; i < report->applications.size(); ++i) {
      out += (i == 0 ? "" : ",") + jsonQuote(report->applications[i].id);
    }
    out += "]";
  }
  out += std::string(",\"view\":\"") + (full_view ? "full" : "masked") + "\"";
  if (!reason.empty()) out += ",\"reason\":" + jsonQuote(reason);
  return out + "}";
}

Status runTrack(Store& store, const Clock& clock, const std::string& query,
                const TraceFormat& format, std::ostream& out, const LookupAuditor& audit) {
  TraceReport report;
  CARDLINE_RETURN_IF_ERROR(store.transact([&](StoreTransaction& tx) -> Status {
    CARDLINE_ASSIGN_OR_RETURN(report, trace(tx, query, clock.now()));
    if (audit) CARDLINE_RETURN_IF_ERROR(audit(tx, report));
    return Status::ok();
  }));
  out << formatTrace(report, format);
  return Status::ok();
}

}  // namespace cardline
