#include "mes/workflow/engine.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "mes/base/json_text.h"

namespace cardline {
namespace {

// Builds the JSON object text of an event's detail.
class Detail {
 public:
  Detail& text(const char* key, const std::string& value) {
    return raw(key, jsonQuote(value));
  }
  Detail& number(const char* key, std::int64_t value) { return raw(key, std::to_string(value)); }
  // `json` must already be JSON text (an object from a device's measurements).
  Detail& raw(const char* key, const std::string& json) {
    if (!body_.empty()) body_ += ",";
    body_ += "\"" + std::string(key) + "\":" + json;
    return *this;
  }
  Detail& merge(const Detail& other) {
    if (other.body_.empty()) return *this;
    if (!body_.empty()) body_ += ",";
    body_ += other.body_;
    return *this;
  }
  std::string str() const { return "{" + body_ + "}"; }

 private:
  std::string body_;
};

// Reads an integer field written by Detail::number; 0 when absent.
std::int64_t numberField(const std::string& json, const std::string& key) {
  std::string needle = "\"" + key + "\":";
  std::size_t at = json.find(needle);
  if (at == std::string::npos) return 0;
  std::int64_t value = 0;
  for (std::size_t i = at + needle.size(); i < json.size(); ++i) {
    char c = json[i];
    if (c < '0' || c > '9') break;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Event kinds on an application that the engine writes and reads back.
constexpr const char* kStarted = "started";
constexpr const char* kMoved = "moved";
constexpr const char* kRetried = "retried";
constexpr const char* kReworked = "reworked";
constexpr const char* kHeld = "held";
constexpr const char* kReleased = "released";
constexpr const char* kCancelled = "cancelled";
constexpr const char* kPrioritised = "prioritised";
constexpr const char* kRerouted = "rerouted";
constexpr const char* kSuperseded = "result_superseded";
constexpr const char* kNoRoute = "no_route";
// A print's blank was refused by an observer (ResultDisposition::kRefused); also the job outcome.
constexpr const char* kBlankRefused = "blank_refused";

bool ended(ApplicationState state) {
  return state == ApplicationState::kCancelled || state == ApplicationState::kCompleted;
}

ApplicationState stateFor(const Step& step) {
  switch (step.kind) {
    case StepKind::kStation:
    case StepKind::kManual:
      return ApplicationState::kQueued;
    case StepKind::kHold:
      return ApplicationState::kHeld;
    case StepKind::kTerminal:
      return step.value == name(TerminalResult::kCancelled) ? ApplicationState::kCancelled
                                                            : ApplicationState::kCompleted;
  }
  return ApplicationState::kQueued;
}

bool isStation(const Step& step, StationType station) {
  return step.kind == StepKind::kStation && step.value == name(station);
}

Status requireActorAndReason(const SupervisorAction& action) {
  if (action.application_id.empty()) return invalidArgument("an application id is required");
  if (action.actor.empty()) return invalidArgument("a supervisor action needs an actor");
  if (action.reason.empty()) return invalidArgument("a supervisor action needs a reason");
  return Status::ok();
}

}  // namespace

bool inTheLine(CardState state) {
  return state == CardState::kPersonalised || state == CardState::kGood;
}

std::optional<Card> liveCard(const std::vector<Card>& cards) {
  std::optional<Card> live;
  for (const Card& card : cards) {
    if (!inTheLine(card.state)) continue;
    if (!live || card.created_at >= live->created_at) live = card;
  }
  return live;
}

const char* name(ResultDisposition v) {
  switch (v) {
    case ResultDisposition::kApplied:
      return "applied";
    case ResultDisposition::kDuplicate:
      return "duplicate";
    case ResultDisposition::kStale:
      return "stale";
    case ResultDisposition::kSuperseded:
      return "superseded";
    case ResultDisposition::kRefused:
      return "refused";
  }
  return "?";
}

struct Engine::Context {
  Application app;
  const WorkflowDefinition* def = nullptr;
  History history;
  History loaded_history;             // as loaded, before this call's events
  std::vector<Event> appended;        // application events this call appended, in order
};

Engine::Engine(const WorkflowCatalog& catalog, const Clock& clock, EngineOptions options)
    : catalog_(catalog), clock_(clock), options_(options) {}

Status Engine::appendEvent(StoreTransaction& tx, const std::string& subject_type,
                           const std::string& subject_id, const std::string& kind,
                           const std::string& actor, const std::string& detail) {
  Event event;
  event.at = clock_.now();
  event.subject_type = subject_type;
  event.subject_id = subject_id;
  event.kind = kind;
  event.actor = actor;
  event.detail = detail;
  CARDLINE_RETURN_IF_ERROR(tx.events().append(event));
  for (TransitionObserver* observer : observers_) {
    CARDLINE_RETURN_IF_ERROR(observer->onEvent(tx, event));
  }
  return Status::ok();
}

void Engine::fold(History& history, const Event& event) {
  const std::string& kind = event.kind;
  if (kind != kBlankRefused && kind != kSuperseded) history.refusals_in_step = 0;
  if (kind == kStarted || kind == kMoved || kind == kRerouted || kind == kReleased) {
    history.retries_in_step = 0;
    history.current_job = numberField(event.detail, "next_job");
    if (kind != kMoved) history.remakes = 0;
  } else if (kind == kRetried) {
    ++history.retries_in_step;
    history.current_job = numberField(event.detail, "next_job");
  } else if (kind == kReworked) {
    history.retries_in_step = 0;
    ++history.remakes;
    history.current_job = numberField(event.detail, "next_job");
  } else if (kind == kCancelled) {
    history.current_job = 0;
  } else if (kind == kBlankRefused) {
    ++history.refusals_in_step;
    std::int64_t next_job = numberField(event.detail, "next_job");
    if (next_job != 0) history.current_job = next_job;
  }
}

Result<Engine::Context> Engine::load(StoreTransaction& tx, const std::string& application_id) {
  if (options_.keep_working_state) {
    std::lock_guard<std::mutex> lock(forget_mu_);
    forget_.insert(application_id);
  }
  return read(tx, application_id);
}

Result<Engine::Context> Engine::read(StoreTransaction& tx, const std::string& application_id) {
  Context ctx;
  CARDLINE_ASSIGN_OR_RETURN(ctx.app, tx.applications().findWithoutPersonalData(application_id));
  if (ctx.app.workflow.empty()) {
    return failedPrecondition("application " + application_id +
                              " has not been started by the workflow engine");
  }
  CARDLINE_ASSIGN_OR_RETURN(ctx.def, catalog_.find(ctx.app.workflow));
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Event> events,
                            tx.events().forSubject("application", application_id));
  for (const Event& event : events) fold(ctx.history, event);
  ctx.loaded_history = ctx.history;
  return ctx;
}

Result<Engine::Context> Engine::loadKept(StoreTransaction& tx,
                                         const std::string& application_id) {
  if (!options_.keep_working_state) return read(tx, application_id);
  {
    std::lock_guard<std::mutex> lock(forget_mu_);
    for (const std::string& id : forget_) kept_.erase(id);
    forget_.clear();
  }
  const Kept* kept = nullptr;
  auto staged = staged_.find(application_id);
  if (staged != staged_.end()) {
    kept = &staged->second;
  } else {
    auto it = kept_.find(application_id);
    if (it != kept_.end()) kept = &it->second;
  }
  if (kept == nullptr) return read(tx, application_id);
  Context ctx;
  ctx.app = kept->app;
  ctx.def = kept->def;
  ctx.history = kept->history;
  ctx.loaded_history = kept->history;
  return ctx;
}

void Engine::keep(const Context& ctx) {
  if (!options_.keep_working_state) return;
  Kept& kept = staged_[ctx.app.id];
  kept.app = ctx.app;
  kept.def = ctx.def;
  kept.history = ctx.loaded_history;
  for (const Event& event : ctx.appended) fold(kept.history, event);
}

void Engine::beginTransaction() { staged_.clear(); }

void Engine::transactionCommitted() {
  for (auto& [id, kept] : staged_) {
    if (ended(kept.app.state)) {
      kept_.erase(id);
    } else {
      kept_[id] = std::move(kept);
    }
  }
  staged_.clear();
  // A bound on memory: the applications in the line on one node, with room to spare.
  constexpr std::size_t kMostKept = 500000;
  if (kept_.size() > kMostKept) kept_.clear();
}

void Engine::transactionFailed() {
  // Some of what is kept may be what another writer changed: read it all again.
  staged_.clear();
  kept_.clear();
}

Status Engine::appendApplicationEvent(StoreTransaction& tx, Context& ctx, const std::string& kind,
                                      const std::string& actor, const std::string& detail) {
  CARDLINE_RETURN_IF_ERROR(appendEvent(tx, "application", ctx.app.id, kind, actor, detail));
  Event event;
  event.subject_type = "application";
  event.subject_id = ctx.app.id;
  event.kind = kind;
  event.detail = detail;
  ctx.appended.push_back(std::move(event));
  return Status::ok();
}

// Moves the application to `step_name` (validated to exist), with the state the step implies;
// enqueues a job at station steps and marks dispatched cards delivered at a completed terminal.
// Returns the new job's id or 0.
Result<std::int64_t> Engine::enter(StoreTransaction& tx, Context& ctx,
                                   const std::string& step_name) {
  const Step* step = ctx.def->findStep(step_name);
  if (step == nullptr) {
    return internalError("workflow " + ctx.def->qualifiedName() + " has no step " + step_name);
  }
  ApplicationState state = stateFor(*step);
  CARDLINE_RETURN_IF_ERROR(
      tx.applications().updatePosition(ctx.app.id, ctx.app.revision, step->name, state));
  ++ctx.app.revision;
  ctx.app.step = step->name;
  ctx.app.state = state;
  ctx.history.retries_in_step = 0;

  if (step->kind == StepKind::kTerminal && state == ApplicationState::kCompleted) {
    CARDLINE_ASSIGN_OR_RETURN(std::vector<Card> cards, tx.cards().forApplication(ctx.app.id));
    for (const Card& card : cards) {
      if (card.state != CardState::kDispatched) continue;
      Card to = card;
      to.state = CardState::kDelivered;
      to.updated_at = clock_.now();
      CARDLINE_RETURN_IF_ERROR(tx.cards().updateState(card.serial, card.state, to));
      CARDLINE_RETURN_IF_ERROR(appendEvent(tx, "card", card.serial, "delivered", "system",
                                           Detail().text("application", ctx.app.id).str()));
    }
  }
  if (step->kind != StepKind::kStation) return std::int64_t{0};

  CARDLINE_ASSIGN_OR_RETURN(StationType station, parseStationType(step->value));
  StationJob job;
  job.application_id = ctx.app.id;
  job.station = station;
  job.step = step->name;
  job.attempt = 1;
  job.state = JobState::kReady;
  job.priority = ctx.app.priority;
  job.due = station == StationType::kPrint || ctx.app.dispatch_due.micros == 0
                ? ctx.app.print_due
                : ctx.app.dispatch_due;
  job.receiving_unit = ctx.app.receiving_unit.code;
  job.created_at = clock_.now();
  return tx.jobs().enqueue(job);
}

Status Engine::spoilLiveCard(StoreTransaction& tx, Context& ctx, const std::string& reason,
                             const std::string& station, const std::string& actor) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Card> cards, tx.cards().forApplication(ctx.app.id));
  for (const Card& card : cards) {
    if (!inTheLine(card.state)) continue;
    Card to = card;
    to.state = CardState::kSpoiled;
    to.spoil_reason = reason;
    to.spoil_station = station;
    to.updated_at = clock_.now();
    CARDLINE_RETURN_IF_ERROR(tx.cards().updateState(card.serial, card.state, to));
    CARDLINE_RETURN_IF_ERROR(appendEvent(tx, "card", card.serial, "spoiled", actor,
                                         Detail()
                                             .text("application", ctx.app.id)
                                             .text("reason", reason)
                                             .text("station", station)
                                             .str()));
  }
  return Status::ok();
}

Result<ResultEffect> Engine::route(StoreTransaction& tx, Context& ctx, const std::string& outcome,
                                   const std::string& actor, const std::string& cause) {
  const Step* step = ctx.def->findStep(ctx.app.step);
  if (step == nullptr) {
    return internalError("application " + ctx.app.id + " is at step " + ctx.app.step +
                         " which workflow " + ctx.def->qualifiedName() + " does not have");
  }
  ResultEffect effect;
  effect.application_id = ctx.app.id;
  effect.from_step = step->name;
  Detail base;
  base.text("from", step->name).text("outcome", outcome);
  if (!cause.empty()) base.raw("cause", cause);

  const Transition* transition = step->transitionFor(outcome);
  const char* kind = kMoved;
  std::string target;
  Detail extra;
  if (transition == nullptr) {
    // No route for this outcome: stop here for a supervisor.
    CARDLINE_RETURN_IF_ERROR(tx.applications().updatePosition(ctx.app.id, ctx.app.revision,
                                                              step->name, ApplicationState::kHeld));
    ++ctx.app.revision;
    ctx.app.state = ApplicationState::kHeld;
    CARDLINE_RETURN_IF_ERROR(
        appendApplicationEvent(tx, ctx, kNoRoute, actor,
                    Detail(base).text("reason", "no transition for outcome " + outcome).str()));
    effect.to_step = step->name;
    effect.state = ApplicationState::kHeld;
    return effect;
  }
  switch (transition->target_kind) {
    case TargetKind::kStep:
      target = transition->target;
      break;
    case TargetKind::kRetry:
      if (step->retries && ctx.history.retries_in_step < step->retries->max) {
        kind = kRetried;
        target = step->name;
        extra.number("retry", ctx.history.retries_in_step + 1);
      } else {
        target = step->retries ? step->retries->then : step->name;
        extra.text("because", "retries exhausted");
      }
      break;
    case TargetKind::kRework: {
      std::string station = step->kind == StepKind::kStation ? step->value : step->name;
      CARDLINE_RETURN_IF_ERROR(spoilLiveCard(tx, ctx, outcome, station, actor));
      if (ctx.def->rework && ctx.history.remakes < ctx.def->rework->max_remakes) {
        kind = kReworked;
        target = ctx.def->rework->to;
        extra.number("remake", ctx.history.remakes + 1);
      } else {
        target = ctx.def->rework ? ctx.def->rework->then : step->name;
        extra.text("because", "remakes exhausted");
      }
      break;
    }
  }
  int retries_before = ctx.history.retries_in_step;
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t next_job, enter(tx, ctx, target));
  if (kind == kRetried) ctx.history.retries_in_step = retries_before + 1;
  CARDLINE_RETURN_IF_ERROR(
      appendApplicationEvent(tx, ctx, kind, actor,
                  Detail(base).text("to", target).merge(extra).number("next_job", next_job).str()));
  effect.to_step = target;
  effect.state = ctx.app.state;
  effect.next_job_id = next_job;
  return effect;
}

Status Engine::start(StoreTransaction& tx, const Application& application) {
  CARDLINE_ASSIGN_OR_RETURN(const WorkflowDefinition* def,
                            catalog_.newestFor(application.card_model));
  Context ctx;
  CARDLINE_ASSIGN_OR_RETURN(ctx.app, tx.applications().findWithoutPersonalData(application.id));
  if (!ctx.app.workflow.empty()) {
    return failedPrecondition("application " + application.id + " already runs workflow " +
                              ctx.app.workflow);
  }
  ctx.def = def;
  Timestamp received = ctx.app.received_at.micros != 0 ? ctx.app.received_at : clock_.now();
  ApplicationPlan plan;
  plan.workflow = def->qualifiedName();
  plan.priority = ctx.app.priority;
  plan.print_due = received.plusSeconds(
      std::chrono::duration_cast<std::chrono::seconds>(options_.receipt_to_print).count());
  plan.dispatch_due = Timestamp{};
  CARDLINE_RETURN_IF_ERROR(tx.applications().updatePlan(ctx.app.id, ctx.app.revision, plan));
  ++ctx.app.revision;
  ctx.app.workflow = plan.workflow;
  ctx.app.print_due = plan.print_due;
  ctx.app.dispatch_due = plan.dispatch_due;

  std::string first = def->startStep();
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t next_job, enter(tx, ctx, first));
  return appendApplicationEvent(tx, ctx, kStarted, "system",
                     Detail()
                         .text("workflow", plan.workflow)
                         .text("to", first)
                         .number("print_due", plan.print_due.seconds())
                         .number("next_job", next_job)
                         .str());
}

Result<ResultEffect> Engine::applyResult(StoreTransaction& tx, const StationResult& result) {
  if (result.outcome.empty()) return invalidArgument("a station result needs an outcome");
  CARDLINE_ASSIGN_OR_RETURN(StationJob job, tx.jobs().find(result.job_id));
  bool ok = result.outcome == kOkOutcome;
  if (job.station == StationType::kPrint && ok && result.blank_serial.empty()) {
    return invalidArgument("print result for job " + std::to_string(job.id) +
                           " reports ok without the blank serial it consumed");
  }
  ResultEffect effect;
  effect.application_id = job.application_id;
  if (job.state == JobState::kLeased && job.attempt == result.attempt && !job.device_id.empty() &&
      job.device_id != result.device_id) {
    // A device reporting on a job leased to another device (garbled or forged): refused as
    // stale, nothing changes; the lessee's own result still applies.
    effect.disposition = ResultDisposition::kStale;
    return effect;
  }
  // Observers see only results for the job's current lease, before the job completes, so a
  // refused blank can still complete it with outcome "blank_refused".
  bool leased_now = job.state == JobState::kLeased && job.attempt == result.attempt;
  Status refused;
  for (std::size_t i = 0; leased_now && i < observers_.size(); ++i) {
    Status seen = observers_[i]->onStationResult(tx, job, result);
    if (seen.code() == ErrorCode::kPermissionDenied && job.station == StationType::kPrint &&
        !result.blank_serial.empty()) {
      refused = seen;
      break;
    }
    CARDLINE_RETURN_IF_ERROR(seen);
  }
  Status completed = tx.jobs().complete(result.job_id, result.attempt,
                                        refused.isOk() ? result.outcome : kBlankRefused);
  if (completed.code() == ErrorCode::kConflict) {
    if (leased_now && !observers_.empty()) {
      // Another transaction finished the job after we read it; observers already acted.
      return unavailable("job " + std::to_string(job.id) +
                         " changed while its result was applied; retry the transaction");
    }
    effect.disposition = job.state == JobState::kDone && job.attempt == result.attempt
                             ? ResultDisposition::kDuplicate
                             : ResultDisposition::kStale;
    return effect;
  }
  CARDLINE_RETURN_IF_ERROR(completed);
  if (!refused.isOk()) return refuse(tx, job, result, refused);

  CARDLINE_ASSIGN_OR_RETURN(Context ctx, loadKept(tx, job.application_id));
  std::string actor = "device:" + result.device_id;
  Detail cause;
  cause.number("job", job.id).number("attempt", result.attempt).text("device", result.device_id);
  if (!result.measurements.empty()) cause.raw("measurements", result.measurements);
  bool current = ctx.app.state == ApplicationState::kQueued && ctx.app.step == job.step &&
                 ctx.history.current_job == job.id;
  Timestamp now = clock_.now();

  if (job.station == StationType::kPrint && !result.blank_serial.empty()) {
    // The blank was consumed whatever happens next: account for it.
    Card card;
    card.serial = result.blank_serial;
    card.application_id = ctx.app.id;
    card.state = CardState::kPersonalised;
    card.created_at = now;
    card.updated_at = now;
    CARDLINE_RETURN_IF_ERROR(tx.cards().insert(card));
    CARDLINE_RETURN_IF_ERROR(
        appendEvent(tx, "card", card.serial, "printed", actor,
                    Detail().text("application", ctx.app.id).number("job", job.id).str()));
    if (!current || !ok) {
      Card spoiled = card;
      spoiled.state = CardState::kSpoiled;
      spoiled.spoil_reason = current ? result.outcome : "superseded";
      spoiled.spoil_station = name(StationType::kPrint);
      CARDLINE_RETURN_IF_ERROR(tx.cards().updateState(card.serial, card.state, spoiled));
      CARDLINE_RETURN_IF_ERROR(appendEvent(tx, "card", card.serial, "spoiled", actor,
                                           Detail()
                                               .text("application", ctx.app.id)
                                               .text("reason", spoiled.spoil_reason)
                                               .text("station", spoiled.spoil_station)
                                               .str()));
    }
  }
  if (!current) {
    // Decided from the application as read: prove it has not moved meanwhile.
    CARDLINE_RETURN_IF_ERROR(tx.applications().touch(ctx.app.id, ctx.app.revision));
    ++ctx.app.revision;
    CARDLINE_RETURN_IF_ERROR(appendApplicationEvent(tx, ctx, kSuperseded, actor,
                                         Detail()
                                             .text("step", job.step)
                                             .text("outcome", result.outcome)
                                             .raw("cause", cause.str())
                                             .str()));
    effect.disposition = ResultDisposition::kSuperseded;
    effect.from_step = ctx.app.step;
    effect.to_step = ctx.app.step;
    effect.state = ctx.app.state;
    keep(ctx);
    return effect;
  }

  if (job.station == StationType::kPrint && ok && ctx.app.dispatch_due.micros == 0) {
    ApplicationPlan plan{
        ctx.app.workflow, ctx.app.priority, ctx.app.print_due,
        now.plusSeconds(
            std::chrono::duration_cast<std::chrono::seconds>(options_.print_to_dispatch).count())};
    CARDLINE_RETURN_IF_ERROR(tx.applications().updatePlan(ctx.app.id, ctx.app.revision, plan));
    ++ctx.app.revision;
    ctx.app.dispatch_due = plan.dispatch_due;
  }
  if (job.station != StationType::kPrint) {
    CARDLINE_ASSIGN_OR_RETURN(std::vector<Card> cards, tx.cards().forApplication(ctx.app.id));
    std::optional<Card> live = liveCard(cards);
    if (!live) {
      return failedPrecondition(std::string(name(job.station)) + " result for application " +
                                ctx.app.id + ", which has no card in the line");
    }
    const char* card_event = nullptr;
    Card to = *live;
    if (ok && job.station == StationType::kQa) {
      to.state = CardState::kGood;
      card_event = "passed_qa";
    } else if (ok && job.station == StationType::kDispatch) {
      to.state = CardState::kDispatched;
      card_event = "dispatched";
    } else if (ok && job.station == StationType::kEncode) {
      card_event = "encoded";
    }
    if (card_event != nullptr) {
      if (to.state != live->state) {
        to.updated_at = now;
        CARDLINE_RETURN_IF_ERROR(tx.cards().updateState(live->serial, live->state, to));
      }
      CARDLINE_RETURN_IF_ERROR(
          appendEvent(tx, "card", live->serial, card_event, actor,
                      Detail().text("application", ctx.app.id).number("job", job.id).str()));
    }
  }
  CARDLINE_ASSIGN_OR_RETURN(ResultEffect routed, route(tx, ctx, result.outcome, actor, cause.str()));
  keep(ctx);
  return routed;
}

Result<ResultEffect> Engine::refuse(StoreTransaction& tx, const StationJob& job,
                                    const StationResult& result, const Status& why) {
  CARDLINE_ASSIGN_OR_RETURN(Context ctx, loadKept(tx, job.application_id));
  bool current = ctx.app.state == ApplicationState::kQueued && ctx.app.step == job.step &&
                 ctx.history.current_job == job.id;
  std::int64_t next_job = 0;
  Detail held;
  if (current && ctx.history.refusals_in_step + 1 >= options_.max_blank_refusals) {
    // Refused again and again: stop here for a supervisor (the device's hopper is wrong).
    CARDLINE_RETURN_IF_ERROR(tx.applications().updatePosition(ctx.app.id, ctx.app.revision,
                                                              job.step, ApplicationState::kHeld));
    ++ctx.app.revision;
    ctx.app.state = ApplicationState::kHeld;
    held.text("held", std::to_string(ctx.history.refusals_in_step + 1) +
                          " refused blanks in a row");
  } else if (current) {
    // Back to print: the same step again with a new job (not counted as a retry).
    CARDLINE_ASSIGN_OR_RETURN(next_job, enter(tx, ctx, job.step));
  } else {
    // Decided from the application as read: prove it has not moved meanwhile.
    CARDLINE_RETURN_IF_ERROR(tx.applications().touch(ctx.app.id, ctx.app.revision));
    ++ctx.app.revision;
  }
  CARDLINE_RETURN_IF_ERROR(appendApplicationEvent(tx, ctx, kBlankRefused,
                                       "device:" + result.device_id,
                                       Detail()
                                           .text("step", job.step)
                                           .text("serial", result.blank_serial)
                                           .number("job", job.id)
                                           .number("attempt", result.attempt)
                                           .text("device", result.device_id)
                                           .text("reason", why.message())
                                           .merge(held)
                                           .number("next_job", next_job)
                                           .str()));
  ResultEffect effect;
  effect.disposition = ResultDisposition::kRefused;
  effect.application_id = ctx.app.id;
  effect.from_step = job.step;
  effect.to_step = ctx.app.step;
  effect.state = ctx.app.state;
  effect.next_job_id = next_job;
  keep(ctx);
  return effect;
}

Result<ResultEffect> Engine::confirmStep(StoreTransaction& tx,
                                         const StepConfirmation& confirmation) {
  if (confirmation.actor.empty()) return invalidArgument("a confirmation needs an actor");
  if (confirmation.outcome.empty()) return invalidArgument("a confirmation needs an outcome");
  CARDLINE_ASSIGN_OR_RETURN(Context ctx, load(tx, confirmation.application_id));
  const Step* step = ctx.def->findStep(ctx.app.step);
  if (ctx.app.state != ApplicationState::kQueued || step == nullptr ||
      step->kind != StepKind::kManual || ctx.app.step != confirmation.step) {
    return failedPrecondition("application " + ctx.app.id + " is " + name(ctx.app.state) +
                              " at step " + ctx.app.step + ", not waiting for manual step " +
                              confirmation.step);
  }
  CARDLINE_ASSIGN_OR_RETURN(Role role, parseRole(step->value));
  if (std::find(confirmation.actor_roles.begin(), confirmation.actor_roles.end(), role) ==
      confirmation.actor_roles.end()) {
    return permissionDenied(confirmation.actor + " lacks role " + name(role) +
                            " needed to confirm step " + step->name);
  }
  Detail cause;
  if (!confirmation.note.empty()) cause.text("note", confirmation.note);
  return route(tx, ctx, confirmation.outcome, confirmation.actor, cause.str());
}

Status Engine::hold(StoreTransaction& tx, const SupervisorAction& action) {
  CARDLINE_RETURN_IF_ERROR(requireActorAndReason(action));
  CARDLINE_ASSIGN_OR_RETURN(Context ctx, load(tx, action.application_id));
  if (ctx.app.state != ApplicationState::kQueued) {
    return failedPrecondition("application " + ctx.app.id + " is " + name(ctx.app.state) +
                              "; only a queued application can be held");
  }
  CARDLINE_RETURN_IF_ERROR(tx.applications().updatePosition(ctx.app.id, ctx.app.revision,
                                                            ctx.app.step, ApplicationState::kHeld));
  return appendApplicationEvent(tx, ctx, kHeld, action.actor,
                     Detail().text("step", ctx.app.step).text("reason", action.reason).str());
}

Status Engine::release(StoreTransaction& tx, const SupervisorAction& action) {
  CARDLINE_RETURN_IF_ERROR(requireActorAndReason(action));
  CARDLINE_ASSIGN_OR_RETURN(Context ctx, load(tx, action.application_id));
  if (ctx.app.state != ApplicationState::kHeld) {
    return failedPrecondition("application " + ctx.app.id + " is " + name(ctx.app.state) +
                              "; only a held application can be released");
  }
  const Step* step = ctx.def->findStep(ctx.app.step);
  if (step == nullptr) return internalError("application " + ctx.app.id + " has an unknown step");
  std::string from = step->name;
  std::int64_t next_job = 0;
  if (step->kind == StepKind::kHold) {
    const Transition* release = step->transitionFor(kReleaseOutcome);
    if (release == nullptr || release->target_kind != TargetKind::kStep) {
      return internalError("hold step " + step->name + " has no release transition");
    }
    CARDLINE_ASSIGN_OR_RETURN(next_job, enter(tx, ctx, release->target));
  } else {
    bool needs_job = false;
    if (step->kind == StepKind::kStation) {
      needs_job = ctx.history.current_job == 0;
      if (!needs_job) {
        CARDLINE_ASSIGN_OR_RETURN(StationJob job, tx.jobs().find(ctx.history.current_job));
        needs_job = job.state == JobState::kDone;
        next_job = job.id;
      }
    }
    if (needs_job) {
      CARDLINE_ASSIGN_OR_RETURN(next_job, enter(tx, ctx, step->name));
    } else {
      CARDLINE_RETURN_IF_ERROR(tx.applications().updatePosition(
          ctx.app.id, ctx.app.revision, step->name, ApplicationState::kQueued));
      ++ctx.app.revision;
      ctx.app.state = ApplicationState::kQueued;
    }
  }
  return appendApplicationEvent(tx, ctx, kReleased, action.actor,
                     Detail()
                         .text("from", from)
                         .text("to", ctx.app.step)
                         .text("reason", action.reason)
                         .number("next_job", next_job)
                         .str());
}

Status Engine::cancel(StoreTransaction& tx, const SupervisorAction& action) {
  CARDLINE_RETURN_IF_ERROR(requireActorAndReason(action));
  CARDLINE_ASSIGN_OR_RETURN(Context ctx, load(tx, action.application_id));
  if (ended(ctx.app.state)) {
    return failedPrecondition("application " + ctx.app.id + " is already " + name(ctx.app.state));
  }
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Card> cards, tx.cards().forApplication(ctx.app.id));
  for (const Card& card : cards) {
    if (card.state == CardState::kDispatched || card.state == CardState::kDelivered) {
      return failedPrecondition("application " + ctx.app.id + " cannot be cancelled: card " +
                                card.serial + " is already " + name(card.state));
    }
  }
  CARDLINE_RETURN_IF_ERROR(spoilLiveCard(tx, ctx, "cancelled", "supervisor", action.actor));
  std::string target = ctx.app.step;
  for (const Step& step : ctx.def->steps) {
    if (step.kind == StepKind::kTerminal && step.value == name(TerminalResult::kCancelled)) {
      target = step.name;
      break;
    }
  }
  std::string from = ctx.app.step;
  CARDLINE_RETURN_IF_ERROR(tx.applications().updatePosition(ctx.app.id, ctx.app.revision, target,
                                                            ApplicationState::kCancelled));
  return appendEvent(
      tx, "application", ctx.app.id, kCancelled, action.actor,
      Detail().text("from", from).text("to", target).text("reason", action.reason).str());
}

Result<ResultEffect> Engine::rejectCard(StoreTransaction& tx, const CardRejection& rejection) {
  if (rejection.serial.empty() || rejection.reason.empty() || rejection.station.empty() ||
      rejection.actor.empty()) {
    return invalidArgument("a card rejection needs the serial, a reason, the station and who");
  }
  CARDLINE_ASSIGN_OR_RETURN(Card card, tx.cards().find(rejection.serial));
  if (!inTheLine(card.state)) {
    return failedPrecondition("card " + card.serial + " is " + name(card.state) +
                              ", not in the line");
  }
  CARDLINE_ASSIGN_OR_RETURN(Context ctx, load(tx, card.application_id));
  if (ctx.app.state != ApplicationState::kQueued) {
    return failedPrecondition("application " + ctx.app.id + " of card " + card.serial + " is " +
                              name(ctx.app.state) + "; a supervisor decides about its card");
  }
  if (!ctx.def->rework) {
    return failedPrecondition("workflow " + ctx.def->qualifiedName() + " has no rework route");
  }
  CARDLINE_ASSIGN_OR_RETURN(int superseded, tx.jobs().supersedeReady(ctx.app.id));
  CARDLINE_RETURN_IF_ERROR(
      spoilLiveCard(tx, ctx, rejection.reason, rejection.station, rejection.actor));
  const char* kind = kReworked;
  std::string target;
  Detail extra;
  if (ctx.history.remakes < ctx.def->rework->max_remakes) {
    target = ctx.def->rework->to;
    extra.number("remake", ctx.history.remakes + 1);
  } else {
    kind = kMoved;
    target = ctx.def->rework->then;
    extra.text("because", "remakes exhausted");
  }
  ResultEffect effect;
  effect.application_id = ctx.app.id;
  effect.from_step = ctx.app.step;
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t next_job, enter(tx, ctx, target));
  CARDLINE_RETURN_IF_ERROR(appendApplicationEvent(tx, ctx, kind, rejection.actor,
                                       Detail()
                                           .text("from", effect.from_step)
                                           .text("outcome", rejection.reason)
                                           .text("rejected_card", card.serial)
                                           .text("station", rejection.station)
                                           .number("superseded_jobs", superseded)
                                           .text("to", target)
                                           .merge(extra)
                                           .number("next_job", next_job)
                                           .str()));
  effect.to_step = target;
  effect.state = ctx.app.state;
  effect.next_job_id = next_job;
  return effect;
}

Status Engine::prioritise(StoreTransaction& tx, const SupervisorAction& action, Priority priority) {
  CARDLINE_RETURN_IF_ERROR(requireActorAndReason(action));
  CARDLINE_ASSIGN_OR_RETURN(Context ctx, load(tx, action.application_id));
  if (ended(ctx.app.state)) {
    return failedPrecondition("application " + ctx.app.id + " is already " + name(ctx.app.state));
  }
  Priority before = ctx.app.priority;
  ApplicationPlan plan{ctx.app.workflow, priority, ctx.app.print_due, ctx.app.dispatch_due};
  CARDLINE_RETURN_IF_ERROR(tx.applications().updatePlan(ctx.app.id, ctx.app.revision, plan));
  CARDLINE_ASSIGN_OR_RETURN(int requeued, tx.jobs().reprioritise(ctx.app.id, priority));
  return appendApplicationEvent(tx, ctx, kPrioritised, action.actor,
                     Detail()
                         .text("from", name(before))
                         .text("to", name(priority))
                         .text("reason", action.reason)
                         .number("ready_jobs_moved", requeued)
                         .str());
}

Status Engine::reroute(StoreTransaction& tx, const SupervisorAction& action,
                       const std::string& step_name) {
  CARDLINE_RETURN_IF_ERROR(requireActorAndReason(action));
  CARDLINE_ASSIGN_OR_RETURN(Context ctx, load(tx, action.application_id));
  if (ctx.app.state != ApplicationState::kHeld) {
    return failedPrecondition("application " + ctx.app.id + " is " + name(ctx.app.state) +
                              "; only a held application can be re-routed");
  }
  const Step* target = ctx.def->findStep(step_name);
  if (target == nullptr) {
    return invalidArgument("workflow " + ctx.def->qualifiedName() + " has no step " + step_name);
  }
  if (target->kind == StepKind::kHold || target->kind == StepKind::kTerminal) {
    return invalidArgument("cannot re-route to " + std::string(name(target->kind)) + " step " +
                           step_name);
  }
  if (isStation(*target, StationType::kPrint)) {
    // A remake: the card still in the line is void.
    CARDLINE_RETURN_IF_ERROR(spoilLiveCard(tx, ctx, "rerouted", "supervisor", action.actor));
  }
  // The job waiting at the old step is no longer this application's work.
  CARDLINE_RETURN_IF_ERROR(tx.jobs().supersedeReady(ctx.app.id).status());
  std::string from = ctx.app.step;
  CARDLINE_ASSIGN_OR_RETURN(std::int64_t next_job, enter(tx, ctx, step_name));
  return appendApplicationEvent(tx, ctx, kRerouted, action.actor,
                     Detail()
                         .text("from", from)
                         .text("to", step_name)
                         .text("reason", action.reason)
                         .number("next_job", next_job)
                         .str());
}

Result<std::vector<Breach>> Engine::breaches(StoreTransaction& tx,
                                             const std::string& application_id, Timestamp now) {
  CARDLINE_ASSIGN_OR_RETURN(Application app,
                            tx.applications().findWithoutPersonalData(application_id));
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Card> cards, tx.cards().forApplication(application_id));
  return openBreaches(app, cards, now);
}

}  // namespace cardline
