#pragma once
// The REST endpoints of dispatch and logistics (mes/logistics). Every route needs a session;
// state changes need shipment.manage (role logistics), reads need card.trace (logistics,
// supervisor). Personal data in answers (names, personal numbers) is masked unless the
// caller's roles include pii.view (access_policy.h).
//
//   GET  /api/v1/boxes?state=&unit=            boxes in a state (default open)   card.trace
//   POST /api/v1/boxes                          open {receiving_unit_code, receiving_unit_name}
//   GET  /api/v1/boxes/{id}                     box + manifest lines              card.trace
//   POST /api/v1/boxes/{id}/cards               scan a card into the box {serial} (wrong box:
//                                               409 failed_precondition)
//   POST /api/v1/boxes/{id}/close               close and seal {seal_number}
//   POST /api/v1/boxes/{id}/delivery            the receiving unit confirms the box
//                                               {missing_serials: [...], note}
//   POST /api/v1/shipments                      hand over {box_ids, carrier, tracking_number}
//   POST /api/v1/shipments/{id}/status          {state: in_transit | returned | lost}
//   GET  /api/v1/shipments/overdue              overdue shipments                 card.trace
//   GET  /api/v1/discrepancies                  open discrepancies                card.trace
//   POST /api/v1/discrepancies/{id}/resolve     {resolution: found | lost, note}
//   GET  /api/v1/track?q=QUERY&reason=WHY       trace by any key                  card.trace
//
// Every custody change above is appended to the chained audit trail in the same transaction
// (box.open, box.pack, box.close, shipment.hand_over, shipment.status, box.delivered — with
// the discrepancy it opened —, discrepancy.resolve), and so is every look-up of personal data
// (pii.lookup: GET /track, and GET /boxes/{id}, whose manifest names the citizens), with the
// optional ?reason= the caller gives.
//
// Who confirms delivery: the receiving unit's staff, through an account with the logistics
// role issued to that unit (there is no separate receiving-unit role); the workflow's
// in_transit step is confirmed with the caller's name and roles.

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/store.h"
#include "mes/http/router.h"
#include "mes/logistics/logistics_service.h"

namespace cardline {

// Registers the routes above. `store`, `service` and `clock` must outlive the router; `audit`
// appends to the audit trail (AuditTrail::appendIn). Fails like Router::add.
Status registerLogisticsRoutes(Router& router, Store& store, LogisticsService& service,
                               const Clock& clock, AuditAppender audit);

}  // namespace cardline
