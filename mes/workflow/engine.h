#pragma once
// The application/card state machine, driven by station results, manual confirmations and
// supervisor actions. It works only through the Store port and only inside the caller's
// transaction: every state change and the event recording it are written by the same
// StoreTransaction, so they commit together or not at all. Any error return means the caller
// must roll the transaction back (Store::transact does that when the work returns it).
//
// Thread-safety: every method but applyResult may be called from any thread. With
// EngineOptions::keep_working_state, applyResult and the three transaction hooks
// (beginTransaction, transactionCommitted, transactionFailed) keep the working state of the
// applications in the line and must be called from one thread only: the line controller's. The
// catalog and clock it references must outlive it.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/base/status.h"
#include "mes/core/domain.h"
#include "mes/core/store.h"
#include "mes/workflow/catalog.h"
#include "mes/workflow/service_level.h"

namespace cardline {

struct EngineOptions {
  // Service levels (DOMAIN.md: about 2 working days receipt → print, 3 days print → dispatch).
  std::chrono::hours receipt_to_print{48};
  std::chrono::hours print_to_dispatch{72};
  // Refused blanks in a row at one visit of a print step before the application is held for a
  // supervisor (a device that keeps consuming blanks not issued to it must not loop forever).
  int max_blank_refusals = 3;
  // Keep the working state of the applications in the line (position, revision, retry and
  // remake counts, current job) in memory between transactions, so applying a station result
  // reads neither the application row nor its event history. Only the line controller turns
  // it on: it brackets every transaction with the hooks below. Every decision taken from the
  // kept state ends in a write conditional on the kept revision, so a change made elsewhere
  // (another node, an HTTP command) fails that write with kConflict; the controller then
  // drops the kept state (transactionFailed) and the input is applied again from the store.
  bool keep_working_state = false;
};

// The live-card rule: a card is in the line while it is personalised or good (not yet spoiled,
// dispatched or delivered). inTheLine says it for one state; liveCard picks an application's
// card in the line from its cards, the newest if there were ever more than one.
bool inTheLine(CardState state);
std::optional<Card> liveCard(const std::vector<Card>& cards);

// What a station reported for one job attempt.
struct StationResult {
  std::int64_t job_id = 0;
  int attempt = 0;
  std::string device_id;
  std::string outcome;       // "ok" or a defect code ("print_smudge", "chip_dead", ...)
  std::string blank_serial;  // print: the blank card consumed; empty if none was consumed
  std::string measurements;  // JSON object text recorded with the event; may be empty
};

enum class ResultDisposition {
  kApplied,     // "applied": the application moved
  kDuplicate,   // "duplicate": this job id + attempt was already applied; nothing changed
  kStale,       // "stale": the attempt is not the job's current lease; refused, nothing changed
  kSuperseded,  // "superseded": job done, but the application had been held, cancelled or
                // re-routed meanwhile; only the consumed blank was recorded (spoiled)
  kRefused,     // "refused": an observer refused the print's blank (kPermissionDenied from
                // onStationResult): job done with outcome "blank_refused", no card recorded,
                // a "blank_refused" event, and the print step is retried with a new job —
                // or, after EngineOptions::max_blank_refusals at one visit, the application
                // is held there for a supervisor
};
const char* name(ResultDisposition v);

// What a result or confirmation did.
struct ResultEffect {
  ResultDisposition disposition = ResultDisposition::kApplied;
  std::string application_id;
  std::string from_step;
  std::string to_step;
  ApplicationState state = ApplicationState::kQueued;
  std::int64_t next_job_id = 0;  // the job enqueued for to_step, 0 if none
};

// Who does a supervisor action and why; both are required and recorded in the event.
struct SupervisorAction {
  std::string application_id;
  std::string actor;   // user name
  std::string reason;  // free text
};

// A person confirming a manual step (e.g. logistics confirming delivery).
struct StepConfirmation {
  std::string application_id;
  std::string step;     // the step being confirmed; must be the application's current step
  std::string outcome;  // "ok" or another outcome of the step
  std::string actor;    // user name
  std::vector<Role> actor_roles;
  std::string note;  // optional free text recorded in the event
};

// An operator rejecting a card at a station (its serial scanned or typed): what is wrong.
struct CardRejection {
  std::string serial;
  std::string reason;   // a defect code or short text, e.g. "visible_damage"; required
  std::string station;  // where it was found: "print", "encode", "qa", "dispatch", ...; required
  std::string actor;    // user name; required
};

// Sees every change the engine makes, inside the engine's transaction: rollups for reports and
// blank-card accounting hook in here without the engine knowing them. An error return rolls
// the caller's whole transaction back.
class TransitionObserver {
 public:
  virtual ~TransitionObserver() = default;
  // After `event` was appended (event.seq is not known here and is 0).
  virtual Status onEvent(StoreTransaction& tx, const Event& event) = 0;
  // A station result was accepted for `job` (not a duplicate or stale one): called before the
  // job is completed and before the card and the application move. For a print result with a
  // blank serial, kPermissionDenied refuses the blank: the engine does not roll back but
  // records ResultDisposition::kRefused (so what the observer wrote, e.g. a flag, commits).
  virtual Status onStationResult(StoreTransaction& tx, const StationJob& job,
                                 const StationResult& result) = 0;
};

class Engine {
 public:
  Engine(const WorkflowCatalog& catalog, const Clock& clock, EngineOptions options);

  // Adds an observer (not owned; must outlive the engine). Call before the engine is used.
  void addObserver(TransitionObserver* observer) { observers_.push_back(observer); }

  // Starts an application that intake has just inserted (the accept hook, called in the import
  // transaction): fixes its workflow to the newest version serving its card model, sets
  // print_due = received_at + receipt_to_print, moves it to the start step, enqueues the first
  // job and appends a "started" event. kNotFound if the application is not stored or no
  // workflow serves its card model; kFailedPrecondition if it was already started; store errors
  // as returned.
  Status start(StoreTransaction& tx, const Application& application);

  // Applies a station's result. Completes the job; records the card (print: inserts the blank
  // with its serial, spoiled right away when the outcome is a defect; qa ok → good; dispatch
  // ok → dispatched; rework → spoiled with the defect as reason); moves the application per the
  // workflow (next step, retry, rework or hold); enqueues the next job; appends events.
  // A repeated result for the same job id + attempt returns kDuplicate, a result for an attempt
  // that is not the job's current lease, or from a device other than the one holding the
  // lease, returns kStale; both change nothing. A print result
  // whose blank an observer refuses returns kRefused (see ResultDisposition): the job is done
  // with outcome "blank_refused", an application event "blank_refused" is appended and, if the
  // job was the application's current one, a new print job is enqueued for the same step
  // (effect.next_job_id); no card is recorded and the retry count does not change.
  // kNotFound if the job or its application is absent; kInvalidArgument for an "ok" print
  // result without a blank serial or an empty outcome; kAlreadyExists if the blank serial was
  // already personalised; kFailedPrecondition if a non-print station reports on an application
  // without a card in the line; store errors as returned.
  Result<ResultEffect> applyResult(StoreTransaction& tx, const StationResult& result);

  // Confirms the application's current manual step with an outcome, routed like a station
  // result. kInvalidArgument without actor or outcome; kNotFound if absent;
  // kFailedPrecondition if the application is not queued at that manual step;
  // kPermissionDenied if the actor lacks the step's role.
  Result<ResultEffect> confirmStep(StoreTransaction& tx, const StepConfirmation& confirmation);

  // rejectCard: voids a card still in the line (personalised or good) like a QA rework: the
  // card is spoiled with the reason and station (its blank accounted as spoiled by the
  // observers), the application's waiting (ready) jobs are superseded, and the application
  // goes to the workflow's rework step for a new card (the remake counts against
  // rework.max_remakes; exhausted → rework.then, a hold for a supervisor). A job of the old
  // card still out at a device comes back as superseded. kInvalidArgument without serial,
  // reason, station or actor; kNotFound for an unknown serial; kFailedPrecondition when the
  // card is not in the line (spoiled, dispatched, delivered), its application is not queued
  // (held or ended), or its workflow has no rework route.
  Result<ResultEffect> rejectCard(StoreTransaction& tx, const CardRejection& rejection);

  // Supervisor actions. Each requires actor and reason (kInvalidArgument otherwise), returns
  // kNotFound for an unknown application, and appends one event with who and why.
  //
  // hold: stops a queued application where it is (state held). kFailedPrecondition unless
  // it is queued.
  Status hold(StoreTransaction& tx, const SupervisorAction& action);
  // release: a held application continues. At a hold step it follows the step's "release"
  // transition; elsewhere it resumes its step (a new job is enqueued if its job was finished
  // while it was held). kFailedPrecondition unless it is held.
  Status release(StoreTransaction& tx, const SupervisorAction& action);
  // cancel: ends the application (state cancelled, the workflow's cancelled step if it has
  // one); its cards still in the line are spoiled with reason "cancelled".
  // kFailedPrecondition if it already ended or a card was already dispatched.
  Status cancel(StoreTransaction& tx, const SupervisorAction& action);
  // prioritise: sets the application's priority; its ready job moves to its new place in the
  // queue at once (JobRepository::reprioritise) and jobs enqueued from now on carry it.
  // kFailedPrecondition if the application already ended.
  Status prioritise(StoreTransaction& tx, const SupervisorAction& action, Priority priority);
  // reroute: moves a held application to `step` of its workflow and lets it continue there.
  // The remake count starts again. kFailedPrecondition unless it is held; kInvalidArgument if
  // the step is unknown, a hold step or a terminal step.
  Status reroute(StoreTransaction& tx, const SupervisorAction& action, const std::string& step);

  // The service-level breaches of one application as of `now` (see service_level.h).
  // kNotFound if absent.
  Result<std::vector<Breach>> breaches(StoreTransaction& tx, const std::string& application_id,
                                       Timestamp now);

  // Transaction hooks for the kept working state (no-ops without keep_working_state): call
  // beginTransaction at the start of every transaction that may call applyResult (also when the
  // store runs the same work again), then transactionCommitted after it committed or
  // transactionFailed after it did not.
  void beginTransaction();
  void transactionCommitted();
  void transactionFailed();
  // Applications whose working state is kept now (for tests and metrics).
  std::size_t keptApplications() const { return kept_.size(); }

 private:
  // What the engine derives from an application's history: counters and the job that carries
  // the application on.
  struct History {
    int retries_in_step = 0;   // "retried" events since the step was last entered otherwise
    int remakes = 0;           // "reworked" events since start or the last release/re-route
    int refusals_in_step = 0;  // "blank_refused" events since the last other routing event
    std::int64_t current_job = 0;
  };
  struct Context;
  // One application's kept working state.
  struct Kept {
    Application app;  // without personal data
    const WorkflowDefinition* def = nullptr;
    History history;
  };
  static void fold(History& history, const Event& event);

  // Reads the application and derives its history from the store, for a change made outside
  // applyResult (its kept state, if any, is dropped).
  Result<Context> load(StoreTransaction& tx, const std::string& application_id);
  Result<Context> read(StoreTransaction& tx, const std::string& application_id);
  // load() through the kept working state (applyResult only).
  Result<Context> loadKept(StoreTransaction& tx, const std::string& application_id);
  // Records what this transaction made of the application (applyResult only).
  void keep(const Context& ctx);
  Result<ResultEffect> route(StoreTransaction& tx, Context& ctx, const std::string& outcome,
                             const std::string& actor, const std::string& cause);
  Result<std::int64_t> enter(StoreTransaction& tx, Context& ctx, const std::string& step);
  Status spoilLiveCard(StoreTransaction& tx, Context& ctx, const std::string& reason,
                       const std::string& station, const std::string& actor);
  Result<ResultEffect> refuse(StoreTransaction& tx, const StationJob& job,
                              const StationResult& result, const Status& why);
  Status appendEvent(StoreTransaction& tx, const std::string& subject_type,
                     const std::string& subject_id, const std::string& kind,
                     const std::string& actor, const std::string& detail);
  // appendEvent for an application event, also folded into the history ctx will keep.
  Status appendApplicationEvent(StoreTransaction& tx, Context& ctx, const std::string& kind,
                                const std::string& actor, const std::string& detail);

  const WorkflowCatalog& catalog_;
  const Clock& clock_;
  EngineOptions options_;
  std::vector<TransitionObserver*> observers_;
  // The kept working state (keep_working_state): committed, and this transaction's changes.
  std::map<std::string, Kept> kept_;
  std::map<std::string, Kept> staged_;
  // Applications another method (any thread) read for a change: their kept state is dropped
  // before applyResult uses it, so a hold or a release does not cost a failed round.
  std::mutex forget_mu_;
  std::set<std::string> forget_;  // guarded by forget_mu_
};

}  // namespace cardline
