#pragma once
// Supervisor and operator actions over HTTP:
//
//   POST /api/v1/applications/{id}/hold        {reason}            (application.hold)
//   POST /api/v1/applications/{id}/release     {reason}            (application.hold)
//   POST /api/v1/applications/{id}/cancel      {reason}            (application.cancel)
//   POST /api/v1/applications/{id}/prioritise  {reason, priority}  (application.hold)
//   GET  /api/v1/applications?state=held       held applications   (queue.view), personal
//                                              data masked unless the caller has pii.view
//   POST /api/v1/devices/{id}/clear-fault      {reason}            (device.clear_fault)
//   GET  /api/v1/breaches[?limit=N]            open service-level breaches (queue.view)
//   POST /api/v1/cards/{serial}/reject         {reason, station}   (station.confirm)
//
// The application actions go through SupervisorCommands (the engine, applied by the line
// controller's writer thread); each success is audited ("application.hold", ...) with the
// reason. Answers: 200 {"id", "action", "state"}; 400 without a reason or with a bad priority;
// 404 unknown application; 409 when the application's state does not allow it.
//
// clear-fault: forwards to a FaultClearer (the device link), sets a device stored in state
// "fault" back to "idle", and audits "device.clear_fault". 404 when the device is neither
// enrolled nor known to the clearer; the answer says whether the link was told
// ("forwarded": true) or could not be ("forwarded": false, "link_message").
//
// Card reject: an operator at a station rejects a card by its serial (scanned or typed) with a
// reason (a defect code or short text) and the station where it was found; Engine::rejectCard
// spoils it and sends the application back to print for a new card. Audited "card.reject".
// 200 {"serial", "application_id", "from_step", "to_step", "state"}; 400 without reason or
// station; 404 unknown serial; 409 when the card is not in the line or its application is
// held or ended.
//
// Breaches: applications still in the line whose open deadline passed (print_due before the
// first print, dispatch_due after it; DOMAIN.md service levels), most overdue first:
// 200 {"now", "breaches": [{application_id, level, due, overdue_seconds, step, state,
// priority, receiving_unit, full_name}], "truncated"}; full_name masked unless pii.view;
// 400 for a limit outside 1..max_listed. "truncated" means more applications were past due
// than `limit`.
//
// Held list: the store has no index of applications by state, so candidates are taken from the
// event log (applications whose newest event put them on hold: "held", "no_route", or a move
// into a hold step), then re-read; the scan reads at most max_event_scan events and says
// "truncated": true when it stopped early.

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/store.h"
#include "mes/http/router.h"
#include "mes/security/audit_chain.h"
#include "mes/workflow/engine.h"

namespace cardline {

// Narrow port of the supervisor actions of the engine. Each fails like the Engine method of
// the same name (kInvalidArgument without actor or reason, kNotFound, kFailedPrecondition),
// or with the store's failure.
class SupervisorCommands {
 public:
  virtual ~SupervisorCommands() = default;
  virtual Status hold(const SupervisorAction& action) = 0;
  virtual Status release(const SupervisorAction& action) = 0;
  virtual Status cancel(const SupervisorAction& action) = 0;
  virtual Status prioritise(const SupervisorAction& action, Priority priority) = 0;
  // Engine::rejectCard (an operator rejecting a card at a station).
  virtual Result<ResultEffect> rejectCard(const CardRejection& rejection) = 0;
};

// A command run inside the line controller's transaction with its engine.
using EngineCommand = std::function<Status(StoreTransaction&, Engine&)>;
// Queues a command and returns the future of its status (LineController::submit).
using EngineCommandSubmitter = std::function<std::future<Status>(EngineCommand)>;

// SupervisorCommands over a submitter: each call submits the engine call and waits for the
// round that commits it. Thread-safe if the submitter is.
class SubmittedSupervisorCommands final : public SupervisorCommands {
 public:
  explicit SubmittedSupervisorCommands(EngineCommandSubmitter submit);
  Status hold(const SupervisorAction& action) override;
  Status release(const SupervisorAction& action) override;
  Status cancel(const SupervisorAction& action) override;
  Status prioritise(const SupervisorAction& action, Priority priority) override;
  Result<ResultEffect> rejectCard(const CardRejection& rejection) override;

 private:
  Status run(EngineCommand command);
  EngineCommandSubmitter submit_;
};

// Tells the device link that an operator cleared the fault of a device. kNotFound if the link
// does not know the device; kFailedPrecondition if the link cannot clear faults.
using FaultClearer = std::function<Status(const std::string& device_id, const std::string& actor,
                                          const std::string& reason)>;

struct SupervisorApiOptions {
  std::int64_t max_event_scan = 200000;  // events read to find held applications
  int max_listed = 500;                  // held applications / breaches returned at most
  const Clock* clock = nullptr;          // "now" of the breaches; nullptr: the system clock
};

class SupervisorApi {
 public:
  // All references must outlive the router. `clear_fault` may be empty (nothing to forward).
  SupervisorApi(Store& store, AuditTrail& audit, SupervisorCommands& commands,
                FaultClearer clear_fault, SupervisorApiOptions options = {});

  // Registers the routes listed above; the handlers keep a pointer to this object. Fails like
  // Router::add.
  Status registerRoutes(Router& router);

 private:
  friend Status registerSupervisorRoutes(Router& router, Store& store, AuditTrail& audit,
                                         std::shared_ptr<SupervisorCommands> commands,
                                         FaultClearer clear_fault);
  Status registerWith(Router& router, std::shared_ptr<const void> keep);
  HttpResponse act(const HttpRequest& request, const Caller& caller, const std::string& action);
  HttpResponse listApplications(const HttpRequest& request, const Caller& caller);
  HttpResponse clearFault(const HttpRequest& request, const Caller& caller);
  HttpResponse listBreaches(const HttpRequest& request, const Caller& caller);
  HttpResponse rejectCard(const HttpRequest& request, const Caller& caller);

  Store& store_;
  AuditTrail& audit_;
  SupervisorCommands& commands_;
  FaultClearer clear_fault_;
  SupervisorApiOptions options_;
};

// Registers the routes of a SupervisorApi owned by the router's handlers (with `commands`), so
// the composition root needs no member: e.g.
//   registerSupervisorRoutes(router, store, audit,
//       std::make_shared<SubmittedSupervisorCommands>(
//           [&controller](EngineCommand c) { return controller.submit(std::move(c)); }),
//       {});
// Fails like Router::add.
Status registerSupervisorRoutes(Router& router, Store& store, AuditTrail& audit,
                                std::shared_ptr<SupervisorCommands> commands,
                                FaultClearer clear_fault);

}  // namespace cardline
