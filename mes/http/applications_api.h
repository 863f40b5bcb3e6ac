#pragma once
// Intake over HTTP:
//
//   POST /api/v1/applications   one application (a JSON object) or many (a JSON array), in the
//                               intake format of docs/intake.md with images inline (base64);
//                               action application.import (supervisor, admin)
//
// The same validation and the same problems as `cardline import`: every record is validated
// (all of its problems reported by field); accepted ones are imported and their workflow
// started inside the line controller's transaction, so nothing is acknowledged before it is
// durable. A rejected record never blocks the accepted ones. Answers 200 with
// {"accepted": n, "rejected": n, "duplicates": n, "records": [{"index", "application_id",
// "result": "imported"|"already_imported"|"rejected", "problems": [{"field","message"}]}]}
// (422 when every record was rejected — a body that is not JSON is one rejected record whose
// problem says so), 400 for an empty body.

#include <functional>
#include <future>

#include "mes/base/clock.h"
#include "mes/http/router.h"
#include "mes/intake/problem.h"
#include "mes/intake/reference_data.h"
#include "mes/workflow/engine.h"

namespace cardline {

// Runs a command in the line controller's transaction (LineController::submit).
using ImportSubmitter =
    std::function<std::future<Status>(std::function<Status(StoreTransaction&, Engine&)>)>;

struct ApplicationsApiOptions {
  std::int64_t print_due_seconds = 2 * 24 * 3600;  // service level receipt → print
  // The card template's fit rule (ValidationOptions::fit_check); empty: not checked.
  std::function<std::vector<Problem>(const Application&)> fit_check;
  // Appends to the chained audit trail inside the given transaction (AuditTrail::appendIn):
  // (tx, actor, action, subject, detail). When set, every accepted application is recorded
  // (application.import, in the transaction that imports it) and every request as one batch
  // (import.batch: accepted, rejected, duplicates).
  std::function<Status(StoreTransaction&, const std::string&, const std::string&,
                       const std::string&, const std::string&)>
      audit;
};

// `reference`, `clock` must outlive the router. Fails like Router::add.
Status registerApplicationsRoutes(Router& router, const ReferenceData& reference,
                                  const Clock& clock, ImportSubmitter submit,
                                  ApplicationsApiOptions options);

}  // namespace cardline
