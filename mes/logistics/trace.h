#pragma once
// Tracing: find an application, card, box or shipment by any key — personal number,
// application id, card serial, box id, tracking number or shipment id — and return its whole
// history (the events of every subject involved, oldest first) and where it is now.
// `cardline track QUERY` prints formatTrace(); GET /api/v1/track?q= returns the same report.

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/logistics.h"
#include "mes/core/store.h"

namespace cardline {

// How the query was recognised.
enum class TraceKey {
  kPersonalNumber,  // "personal_number"
  kApplicationId,   // "application_id"
  kCardSerial,      // "card_serial"
  kBoxId,           // "box_id"
  kTrackingNumber,  // "tracking_number"
  kShipmentId,      // "shipment_id"
};
const char* name(TraceKey v);

struct TracedApplication {
  std::string id;
  std::string personal_number;  // "" once purged
  std::string full_name;        // "" once purged
  ReceivingUnit receiving_unit;
  std::string step;
  ApplicationState state = ApplicationState::kQueued;
  std::string location;  // where it is now, in words
};

struct TraceReport {
  std::string query;
  TraceKey key = TraceKey::kApplicationId;
  std::vector<TracedApplication> applications;
  std::vector<Card> cards;
  std::vector<Box> boxes;
  std::vector<Shipment> shipments;
  std::vector<Event> history;  // every event of the subjects above, by sequence
  std::string location;        // where the thing asked for is now, in words
};

// Looks the query up as (in this order) a 12-digit personal number, an application id, a card
// serial, a box id, a tracking number and a shipment id, and collects the related subjects: an
// application brings its cards, their boxes and shipments; a box its cards' applications and
// its shipment; a shipment its boxes and their applications. kInvalidArgument for an empty
// query; kNotFound when nothing matches. `now` marks overdue shipments in the location.
Result<TraceReport> trace(StoreTransaction& tx, const std::string& query, Timestamp now);

// How personal data is printed: identity (as stored) or through the masking functions.
struct TraceFormat {
  std::function<std::string(std::string_view)> mask_personal_number;  // empty: shown as is
  std::function<std::string(std::string_view)> mask_name;             // empty: shown as is
};

// A plain-text report: what matched, where it is now, then one line per event
// ("2026-01-01T08:00:00Z  card 0001  packed  device:d1  {...}").
std::string formatTrace(const TraceReport& report, const TraceFormat& format);

// Records a look-up of personal data in the audit trail inside the look-up's transaction
// (the caller builds the detail with lookupAuditDetail).
using LookupAuditor = std::function<Status(StoreTransaction&, const TraceReport&)>;

// The audit detail of a look-up (action "pii.lookup"): what was asked for without repeating
// personal data ({"matched_by", "applications": [ids], "view": "full"|"masked", "reason"}).
// `report` may be null for a look-up that matched nothing: then {"query": <the query, a
// personal number masked>, "found": false, ...}.
std::string lookupAuditDetail(const std::string& query, const TraceReport* report,
                              bool full_view, const std::string& reason);

// Entry point of `cardline track QUERY`: traces in one transaction of `store`, records the
// look-up through `audit` (when set) in the same transaction, and prints the report to `out`.
// Returns the trace's or the auditor's failure (nothing printed then).
Status runTrack(Store& store, const Clock& clock, const std::string& query,
                const TraceFormat& format, std::ostream& out, const LookupAuditor& audit = {});

}  // namespace cardline
