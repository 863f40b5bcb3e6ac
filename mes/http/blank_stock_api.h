#pragma once
// The REST endpoints of blank card stock (mes/blanks). Every state change runs in one store
// transaction together with its audit entry (AuditTrail::appendIn, action = the route's
// policy action name, actor = the caller).
//
//   GET  /api/v1/blanks/lots                          lots                     (report.view)
//   POST /api/v1/blanks/lots                          receive a lot            (blanks.manage)
//        {lot_id, line, supplier, chip_type, card_model, first_serial, last_serial} or {...,
//        serials}
//   GET  /api/v1/blanks/serials/{serial}              one serial               (report.view)
//   POST /api/v1/blanks/issue       {serials, device_id}                       (blanks.manage)
//   POST /api/v1/blanks/return      {serials}: hopper -> vault                 (blanks.manage)
//   POST /api/v1/blanks/return-to-supplier {serials, reason}                   (blanks.manage)
//   POST /api/v1/blanks/samples     {serials, reason}                          (blanks.manage)
//   POST /api/v1/blanks/spoil       {serial, reason, station}                  (blanks.manage)
//   POST /api/v1/blanks/destructions {serials, reason}: propose                (card.destroy)
//   POST /api/v1/blanks/destructions/{id}/confirm: a second supervisor         (card.destroy)
//   POST /api/v1/shifts             {line}: open                               (shift.close)
//   POST /api/v1/shifts/{id}/close  {counted}: 200 reconciliation, or 409
//        {"error":..., "reconciliation":...} when it does not balance          (shift.close)
//   GET  /api/v1/shifts/{id}/reconciliation[?format=csv]                       (report.view)
//   GET  /api/v1/reports/reconciliation?from=&to=[&line=][&format=csv]         (report.view)
//        from/to: ISO 8601 dates (to inclusive) or timestamps (to exclusive)
//
// Thread-safe (no mutable state; the Store is thread-safe).

#include "mes/base/status.h"
#include "mes/blanks/blank_stock.h"
#include "mes/core/store.h"
#include "mes/http/router.h"
#include "mes/security/audit_chain.h"

namespace cardline {

// The reconciliation as JSON (the shape of the close/reconciliation responses).
std::string reconciliationJson(const Reconciliation& reconciliation);

// Registers the routes above. `store`, `stock` and `audit` must outlive the router. Fails like
// Router::add.
Status registerBlankStockRoutes(Router& router, Store& store, BlankStock& stock, AuditTrail& audit);

}  // namespace cardline
