#pragma once
// Dispatch and logistics: boxes of good cards per receiving unit, shipments handed over to a
// carrier, and discrepancies reported by the receiving unit. Plain value types and the
// LogisticsRepository port (std only); the rules live in mes/logistics.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"

namespace cardline {

// A box's life: open (cards are packed into it) → packed (closed and sealed) → handed_over
// (to a carrier, in a shipment) → in_transit → delivered, or returned / lost.
enum class BoxState {
  kOpen,        // "open"
  kPacked,      // "packed": closed by hand, at the cut-off or when full; has a seal number
  kHandedOver,  // "handed_over"
  kInTransit,   // "in_transit"
  kDelivered,   // "delivered": the receiving unit confirmed it
  kReturned,    // "returned"
  kLost,        // "lost"
};

// A shipment's life: handed_over → in_transit → delivered (all its boxes confirmed), or
// returned / lost.
enum class ShipmentState {
  kHandedOver,  // "handed_over"
  kInTransit,   // "in_transit"
  kDelivered,   // "delivered"
  kReturned,    // "returned"
  kLost,        // "lost"
};

enum class DiscrepancyState { kOpen, kResolved };  // "open", "resolved"

// The one name table per enum (header-only so that mes/core needs no new source file).
namespace logistics_names {
inline constexpr const char* kBoxStates[] = {"open",      "packed",   "handed_over", "in_transit",
                                             "delivered", "returned", "lost"};
inline constexpr const char* kShipmentStates[] = {"handed_over", "in_transit", "delivered",
                                                  "returned", "lost"};
inline constexpr const char* kDiscrepancyStates[] = {"open", "resolved"};

template <typename E, std::size_t N>
Result<E> parse(std::string_view s, const char* const (&table)[N], const char* what) {
  std::string accepted;
  for (std::size_t i = 0; i < N; ++i) {
    if (s == table[i]) return static_cast<E>(i);
    accepted += (i == 0 ? "" : ", ") + std::string(table[i]);
  }
  return invalidArgument("unknown " + std::string(what) + " '" + std::string(s) +
                         "' (accepted: " + accepted + ")");
}
}  // namespace logistics_names

inline const char* name(BoxState v) {
  return logistics_names::kBoxStates[static_cast<std::size_t>(v)];
}
inline const char* name(ShipmentState v) {
  return logistics_names::kShipmentStates[static_cast<std::size_t>(v)];
}
inline const char* name(DiscrepancyState v) {
  return logistics_names::kDiscrepancyStates[static_cast<std::size_t>(v)];
}
// Parse the names above; kInvalidArgument listing the accepted names.
inline Result<BoxState> parseBoxState(std::string_view s) {
  return logistics_names::parse<BoxState>(s, logistics_names::kBoxStates, "box state");
}
inline Result<ShipmentState> parseShipmentState(std::string_view s) {
  return logistics_names::parse<ShipmentState>(s, logistics_names::kShipmentStates,
                                               "shipment state");
}
inline Result<DiscrepancyState> parseDiscrepancyState(std::string_view s) {
  return logistics_names::parse<DiscrepancyState>(s, logistics_names::kDiscrepancyStates,
                                                  "discrepancy state");
}

struct Box {
  std::string id;  // "BOX-<unit code>-<number>"
  std::string receiving_unit_code;
  std::string receiving_unit_name;
  BoxState state = BoxState::kOpen;
  int capacity = 0;
  std::int64_t card_count = 0;
  std::string seal_number;  // set when packed
  std::string shipment_id;  // set at hand-over
  Timestamp created_at;
  Timestamp sealed_at;     // when packed
  Timestamp delivered_at;  // when the receiving unit confirmed it
  std::string delivered_by;
  Timestamp purged_at;  // when the personal data of its applications was purged (retention)
};

// One card in a box.
struct BoxCard {
  std::string box_id;
  std::string serial;
  std::string application_id;
  Timestamp packed_at;
};

// Boxes handed over to a carrier together.
struct Shipment {
  std::string id;  // "SHP-<number>"
  std::string carrier;
  std::string tracking_number;  // the carrier's, unique
  ShipmentState state = ShipmentState::kHandedOver;
  std::string handed_over_by;  // who handed the boxes over (user name)
  Timestamp created_at;
  Timestamp handed_over_at;
  Timestamp due_at;  // handed_over_at + the delivery service level
  Timestamp delivered_at;
};

// Cards that a receiving unit reported missing from a delivered box.
struct Discrepancy {
  std::int64_t id = 0;  // assigned by the store
  std::string box_id;
  std::vector<std::string> missing_serials;
  std::string note;
  DiscrepancyState state = DiscrepancyState::kOpen;
  std::string reported_by;
  Timestamp reported_at;
  std::string resolution;  // "found" or "lost" once resolved
  std::string resolution_note;
  std::string resolved_by;
  Timestamp resolved_at;
};

// Errors: like every repository of the Store port (kUnavailable, kInternal) plus those named.
class LogisticsRepository {
 public:
  virtual ~LogisticsRepository() = default;

  // Number of boxes ever stored (for numbering new ones).
  virtual Result<std::int64_t> countBoxes() = 0;
  // Stores a new box. kAlreadyExists if the id is taken.
  virtual Status insertBox(const Box& box) = 0;
  // kNotFound if absent.
  virtual Result<Box> findBox(const std::string& id) = 0;
  // Writes every field of `box` if its stored state is still `from`. kConflict if the state
  // moved on; kNotFound if absent.
  virtual Status updateBox(const Box& box, BoxState from) = 0;
  // The boxes in one state, oldest first; with a non-empty unit code only that unit's.
  virtual Result<std::vector<Box>> boxesInState(BoxState state,
                                                const std::string& receiving_unit_code) = 0;
  // The boxes of a shipment, by id.
  virtual Result<std::vector<Box>> boxesOfShipment(const std::string& shipment_id) = 0;

  // Puts a card into an open box and increments the box's card_count. kAlreadyExists if the
  // serial is already in a box; kConflict if the box is not open; kNotFound if the box is
  // absent; kFailedPrecondition if the card is not stored.
  virtual Status addCard(const BoxCard& card) = 0;
  // The cards of a box in packing order.
  virtual Result<std::vector<BoxCard>> cardsOfBox(const std::string& box_id) = 0;
  // The box entry of a card serial. kNotFound if the card is in no box.
  virtual Result<BoxCard> boxOfCard(const std::string& serial) = 0;

  // Number of shipments ever stored.
  virtual Result<std::int64_t> countShipments() = 0;
  // kAlreadyExists if the id or the tracking number is taken.
  virtual Status insertShipment(const Shipment& shipment) = 0;
  // kNotFound if absent.
  virtual Result<Shipment> findShipment(const std::string& id) = 0;
  // kNotFound if no shipment has that tracking number.
  virtual Result<Shipment> shipmentByTracking(const std::string& tracking_number) = 0;
  // Writes every field if the stored state is still `from`. kConflict / kNotFound as updateBox.
  virtual Status updateShipment(const Shipment& shipment, ShipmentState from) = 0;
  // The shipments in one state, oldest first.
  virtual Result<std::vector<Shipment>> shipmentsInState(ShipmentState state) = 0;

  // Stores a new open discrepancy; returns its id. kFailedPrecondition if the box is absent.
  virtual Result<std::int64_t> insertDiscrepancy(const Discrepancy& discrepancy) = 0;
  // kNotFound if absent.
  virtual Result<Discrepancy> findDiscrepancy(std::int64_t id) = 0;
  // Writes the resolution fields and state if the stored state is still `from`.
  // kConflict / kNotFound as updateBox.
  virtual Status updateDiscrepancy(const Discrepancy& discrepancy, DiscrepancyState from) = 0;
  // The discrepancies of a box (box_id non-empty) or all, in one state, oldest first.
  virtual Result<std::vector<Discrepancy>> discrepancies(DiscrepancyState state,
                                                         const std::string& box_id) = 0;
};

}  // namespace cardline
