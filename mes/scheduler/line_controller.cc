#include "mes/scheduler/line_controller.h"

#include <algorithm>

#include "mes/base/log.h"

namespace cardline {
namespace {

constexpr char kComponent[] = "line";

// Errors after which the same input may succeed in a later round.
bool isTransient(const Status& status) {
  return status.code() == ErrorCode::kUnavailable || status.code() == ErrorCode::kConflict;
}

// The stations whose queues hold back `station` (WIP bound between consecutive stations).
const std::vector<StationType>& downstreamOf(StationType station) {
  static const std::vector<StationType> kAfterPrint = {StationType::kEncode, StationType::kQa};
  static const std::vector<StationType> kAfterEncode = {StationType::kQa};
  static const std::vector<StationType> kNone;
  if (station == StationType::kPrint) return kAfterPrint;
  if (station == StationType::kEncode) return kAfterEncode;
  return kNone;
}

}  // namespace

LineController::LineController(Store& store, Engine& engine, const Clock& clock,
                               JobDispatcher& dispatcher, LineControllerOptions options)
    : store_(store), engine_(engine), clock_(clock), dispatcher_(dispatcher),
      options_(std::move(options)) {
  for (StationType s : {StationType::kPrint, StationType::kEncode, StationType::kQa,
                        StationType::kDispatch}) {
    policies_.emplace(s, DispatchPolicy(options_.policy));
  }
}

LineController::~LineController() { stop(); }

void LineController::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void LineController::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LineController::loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, options_.idle_wait, [&] { return stopping_ || !inputs_.empty(); });
      if (stopping_) return;
    }
    RoundReport report = runRound();
    // After a failed round (database away), wait a little longer before trying again.
    if (!report.committed) {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, options_.idle_wait * 10, [&] { return stopping_; });
      if (stopping_) return;
    }
  }
}

void LineController::deviceReady(const DeviceSlot& slot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    DeviceEvent event;
    event.kind = DeviceEvent::Kind::kReady;
    event.slot = slot;
    inputs_.devices.push_back(std::move(event));
  }
  wake_.notify_all();
}

void LineController::deviceGone(const std::string& device_id,
                                const std::vector<std::int64_t>& jobs) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    DeviceEvent event;
    event.kind = DeviceEvent::Kind::kGone;
    event.device_id = device_id;
    event.jobs = jobs;
    inputs_.devices.push_back(std::move(event));
  }
  wake_.notify_all();
}

void LineController::deviceCondition(const std::string& device_id, DeviceCondition condition) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    DeviceEvent event;
    event.kind = DeviceEvent::Kind::kCondition;
    event.device_id = device_id;
    event.condition = condition;
    inputs_.devices.push_back(std::move(event));
  }
  wake_.notify_all();
}

void LineController::stationResult(const StationResult& result) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    inputs_.results.push_back(result);
  }
  wake_.notify_all();
}

void LineController::jobNotDelivered(const std::string& device_id, std::int64_t job_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    inputs_.undelivered.push_back(Release{device_id, job_id, LeaseEnd::kNeverSent});
  }
  wake_.notify_all();
}

void LineController::pauseStation(StationType station, std::chrono::milliseconds pause,
                                  const std::string& reason) {
  std::lock_guard<std::mutex> lock(slots_mu_);
  Pause& p = paused_[station];
  const bool fresh = p.reason != reason || clock_.monotonic() >= p.until;
  p.until = clock_.monotonic() + pause;
  p.reason = reason;
  if (fresh) {
    logWarning(kComponent, std::string(name(station)) + " jobs paused for " +
                               std::to_string(pause.count()) + " ms: " + reason);
  }
}

std::map<StationType, std::string> LineController::pausedStations() const {
  std::lock_guard<std::mutex> lock(slots_mu_);
  std::map<StationType, std::string> out;
  const auto now = clock_.monotonic();
  for (const auto& [station, p] : paused_) {
    if (now < p.until) out[station] = p.reason;
  }
  return out;
}

std::future<Status> LineController::submit(
    std::function<Status(StoreTransaction&, Engine&)> command) {
  auto entry = std::make_shared<Command>();
  entry->work = std::move(command);
  std::future<Status> done = entry->done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    inputs_.commands.push_back(std::move(entry));
  }
  wake_.notify_all();
  return done;
}

LineController::Inputs LineController::takeInputs() {
  std::lock_guard<std::mutex> lock(mu_);
  Inputs taken;
  taken.devices.swap(inputs_.devices);
  taken.undelivered.swap(inputs_.undelivered);
  // Results and commands: at most max_batch per round, oldest first.
  const std::size_t n = std::min<std::size_t>(inputs_.results.size(),
                                              static_cast<std::size_t>(options_.max_batch));
  taken.results.assign(inputs_.results.begin(), inputs_.results.begin() + n);
  inputs_.results.erase(inputs_.results.begin(), inputs_.results.begin() + n);
  taken.commands.swap(inputs_.commands);
  return taken;
}

void LineController::requeueInputs(Inputs inputs) {
  std::lock_guard<std::mutex> lock(mu_);
  inputs_.results.insert(inputs_.results.begin(), inputs.results.begin(), inputs.results.end());
  for (auto& c : inputs.commands) inputs_.commands.insert(inputs_.commands.begin(), c);
  for (auto& d : inputs.devices) inputs_.devices.push_back(std::move(d));
  for (auto& u : inputs.undelivered) inputs_.undelivered.push_back(u);
}

Status LineController::leaseForIdleDevices(StoreTransaction& tx, Timestamp now,
                                           std::vector<Lease>* leases) {
  std::lock_guard<std::mutex> slots_lock(slots_mu_);
  const auto steady_now = clock_.monotonic();
  for (auto& [station, policy] : policies_) {
    auto paused = paused_.find(station);
    if (paused != paused_.end() && steady_now < paused->second.until) continue;
    // Free capacity of this station type on this node.
    int free = 0;
    for (const auto& [id, slot] : slots_) {
      if (slot.device.station == station) free += slot.room();
    }
    if (free == 0) continue;

    std::int64_t downstream = 0;
    for (StationType next : downstreamOf(station)) {
      for (JobState state : {JobState::kReady, JobState::kLeased}) {
        CARDLINE_ASSIGN_OR_RETURN(std::int64_t n, tx.jobs().count(next, state));
        downstream += n;
      }
    }
    const int admissible = admissibleJobs(station, options_.wip, downstream, downstream, free);
    if (admissible == 0) continue;

    CARDLINE_ASSIGN_OR_RETURN(std::vector<StationJob> ready,
                              tx.jobs().lockReady(station, options_.window));
    if (ready.empty()) continue;
    const std::vector<std::size_t> chosen = policy.choose(ready, admissible, now);

    // Spread the chosen jobs over the devices with room, most room first.
    std::vector<std::pair<std::int64_t, std::string>> to_lease;
    std::vector<Lease> chosen_leases;
    const Timestamp expires = now.plusSeconds(options_.lease.count());
    for (std::size_t index : chosen) {
      Slot* target = nullptr;
      int best_room = 0;
      for (auto& [id, slot] : slots_) {
        if (slot.device.station != station) continue;
        const int room = slot.room();
        if (room > best_room) {
          best_room = room;
          target = &slot;
        }
      }
      if (target == nullptr) break;
      StationJob job = ready[index];
      job.state = JobState::kLeased;
      job.device_id = target->device.device_id;
      job.node_id = options_.node_id;
      job.lease_expires = expires;
      target->in_flight.insert(job.id);
      to_lease.emplace_back(job.id, job.device_id);
      chosen_leases.push_back({target->device.device_id, std::move(job)});
    }
    // One statement for the station's leases (the rows are locked by lockReady).
    Status leased = tx.jobs().leaseJobs(to_lease, options_.node_id, expires);
    for (Lease& l : chosen_leases) leases->push_back(std::move(l));
    CARDLINE_RETURN_IF_ERROR(leased);
  }
  return Status::ok();
}

Status LineController::inTransaction(const std::function<Status(StoreTransaction&)>& work) {
  Status status = store_.transact([&](StoreTransaction& tx) {
    engine_.beginTransaction();  // also when the store runs the work again after a deadlock
    return work(tx);
  });
  if (status.isOk()) {
    engine_.transactionCommitted();
  } else {
    engine_.transactionFailed();
  }
  return status;
}

RoundReport LineController::runRound() {
  RoundReport report;
  Inputs inputs = takeInputs();
  const Timestamp now = clock_.now();

  // Device bookkeeping needs no transaction.
  std::vector<Release> to_release;
  {
    std::lock_guard<std::mutex> slots_lock(slots_mu_);
    for (const DeviceEvent& event : inputs.devices) {
      if (event.kind == DeviceEvent::Kind::kReady) {
        Slot& s = slots_[event.slot.device_id];
        s.device = event.slot;
        continue;
      }
      auto it = slots_.find(event.device_id);
      if (event.kind == DeviceEvent::Kind::kCondition) {
        if (it != slots_.end()) it->second.condition = event.condition;
        continue;
      }
      if (it != slots_.end()) {
        for (std::int64_t job : it->second.in_flight) {
          to_release.push_back(Release{event.device_id, job, LeaseEnd::kDeviceLost});
        }
        slots_.erase(it);
      }
      for (std::int64_t job : event.jobs) {
        to_release.push_back(Release{event.device_id, job, LeaseEnd::kDeviceLost});
      }
    }
    for (const Release& undelivered : inputs.undelivered) {
      auto it = slots_.find(undelivered.device_id);
      if (it != slots_.end()) it->second.in_flight.erase(undelivered.job_id);
      to_release.push_back(undelivered);
    }
    // A result frees its device's slot whatever the engine says about it.
    for (const StationResult& r : inputs.results) {
      auto it = slots_.find(r.device_id);
      if (it != slots_.end()) it->second.in_flight.erase(r.job_id);
    }
  }
  // One release per job; a job that never reached its device keeps its attempt
  // (LeaseEnd::kNeverSent sorts after kDeviceLost, and the last of equal jobs is kept).
  std::sort(to_release.begin(), to_release.end());
  {
    std::vector<Release> unique;
    for (const Release& r : to_release) {
      if (!unique.empty() && unique.back().device_id == r.device_id &&
          unique.back().job_id == r.job_id) {
        unique.back() = r;
      } else {
        unique.push_back(r);
      }
    }
    to_release.swap(unique);
  }

  const auto steady_now = clock_.monotonic();
  const bool sweep = steady_now - last_sweep_ >= options_.lease_sweep;

  // Outcomes per input, filled by whichever transaction applies it.
  std::vector<std::optional<Result<ResultEffect>>> results(inputs.results.size());
  std::vector<std::optional<Status>> commands(inputs.commands.size());
  std::vector<Lease> leases;
  std::vector<ExpiredLease> expired;

  auto applyOne = [&](StoreTransaction& tx, std::size_t i) -> Status {
    Result<ResultEffect> effect = engine_.applyResult(tx, inputs.results[i]);
    results[i] = effect;
    return effect.status();
  };
  auto runCommand = [&](StoreTransaction& tx, std::size_t i) -> Status {
    Status s = inputs.commands[i]->work(tx, engine_);
    commands[i] = s;
    return s;
  };
  auto releaseAll = [&](StoreTransaction& tx) -> Status {
    for (const Release& release : to_release) {
      Status s = tx.jobs().releaseLease(release.job_id, options_.node_id, release.why);
      // kConflict: finished or taken meanwhile; kNotFound: gone. Both need nothing.
      if (!s.isOk() && s.code() != ErrorCode::kConflict && s.code() != ErrorCode::kNotFound) {
        return s;
      }
      if (s.isOk()) ++report.leases_released;
    }
    return Status::ok();
  };
  auto housekeeping = [&](StoreTransaction& tx) -> Status {
    CARDLINE_RETURN_IF_ERROR(releaseAll(tx));
    expired.clear();
    if (sweep) {
      CARDLINE_ASSIGN_OR_RETURN(expired, tx.jobs().requeueExpired(now));
      report.leases_expired = static_cast<int>(expired.size());
    }
    return leaseForIdleDevices(tx, now, &leases);
  };

  // Takes back the in-memory side of leases whose transaction did not commit (or is run again).
  auto undoLeases = [&] {
    std::lock_guard<std::mutex> slots_lock(slots_mu_);
    for (const Lease& l : leases) {
      auto it = slots_.find(l.device_id);
      if (it != slots_.end()) it->second.in_flight.erase(l.job.id);
    }
    leases.clear();
  };

  // The group commit: every input and the new leases in one transaction.
  bool isolated = false;
  Status batch = inTransaction([&](StoreTransaction& tx) -> Status {
    undoLeases();
    report.leases_released = 0;
    for (std::size_t i = 0; i < inputs.results.size(); ++i) {
      CARDLINE_RETURN_IF_ERROR(applyOne(tx, i));
    }
    for (std::size_t i = 0; i < inputs.commands.size(); ++i) {
      CARDLINE_RETURN_IF_ERROR(runCommand(tx, i));
    }
    return housekeeping(tx);
  });
  if (!batch.isOk()) {
    undoLeases();  // the failed transaction's leasing
    const bool an_input_failed =
        std::any_of(results.begin(), results.end(),
                    [](const auto& r) { return r && !r->isOk(); }) ||
        std::any_of(commands.begin(), commands.end(), [](const auto& c) { return c && !c->isOk(); });
    if (an_input_failed) {
      // Isolate the failing input: every input in a transaction of its own.
      isolated = true;
      for (std::size_t i = 0; i < inputs.results.size(); ++i) {
        results[i].reset();
        Status s = inTransaction([&](StoreTransaction& tx) { return applyOne(tx, i); });
        if (!s.isOk() && !results[i]) results[i] = Result<ResultEffect>(s);
        if (!s.isOk() && results[i]->isOk()) results[i] = Result<ResultEffect>(s);  // commit failed
      }
      for (std::size_t i = 0; i < inputs.commands.size(); ++i) {
        commands[i].reset();
        Status s = inTransaction([&](StoreTransaction& tx) { return runCommand(tx, i); });
        commands[i] = s;
      }
      batch = inTransaction([&](StoreTransaction& tx) {
        undoLeases();
        report.leases_released = 0;
        return housekeeping(tx);
      });
      if (!batch.isOk()) undoLeases();
    } else {
      // The database itself failed: keep everything for the next round.
      logWarning(kComponent, "round failed, inputs kept for the next round: " + batch.message());
      report.committed = false;
      report.results_deferred = static_cast<int>(inputs.results.size());
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.failed_rounds;
        ++stats_.rounds;
      }
      // Device events are applied to the slots already (re-applying them later could undo a
      // newer event); the lease releases they owed are kept instead.
      inputs.devices.clear();
      inputs.undelivered = to_release;
      requeueInputs(std::move(inputs));
      return report;
    }
  }
  if (sweep && batch.isOk()) last_sweep_ = steady_now;
  if (!batch.isOk()) expired.clear();
  report.isolated = isolated;
  if (!batch.isOk()) {
    logWarning(kComponent, "lease housekeeping failed: " + batch.message());
    report.committed = false;
  }

  // Durable now: acknowledge, resolve, send.
  Inputs deferred;
  for (std::size_t i = 0; i < inputs.results.size(); ++i) {
    const StationResult& r = inputs.results[i];
    const Result<ResultEffect>& outcome = *results[i];
    if (outcome.isOk()) {
      const ResultDisposition d = outcome->disposition;
      if (d == ResultDisposition::kDuplicate || d == ResultDisposition::kStale) {
        ++report.results_duplicate;
      } else {
        ++report.results_applied;
      }
      dispatcher_.acknowledge(r.device_id, r.job_id, r.attempt, d);
    } else if (isTransient(outcome.status())) {
      deferred.results.push_back(r);
      ++report.results_deferred;
    } else {
      logError(kComponent, "result of device " + r.device_id + " for job " +
                               std::to_string(r.job_id) + " attempt " +
                               std::to_string(r.attempt) + " refused: " +
                               outcome.status().toString());
      ++report.results_failed;
      dispatcher_.acknowledge(r.device_id, r.job_id, r.attempt, ResultDisposition::kStale);
    }
  }
  for (std::size_t i = 0; i < inputs.commands.size(); ++i) {
    // In the batch a command's status is final only if the batch committed.
    Status s = isolated || batch.isOk() ? commands[i].value_or(Status::ok()) : batch;
    inputs.commands[i]->done.set_value(s);
    ++report.commands;
  }
  // Expired leases of this node: the devices that held them are free again.
  for (const ExpiredLease& e : expired) {
    if (e.node_id != options_.node_id) continue;
    {
      std::lock_guard<std::mutex> slots_lock(slots_mu_);
      auto it = slots_.find(e.device_id);
      if (it != slots_.end()) it->second.in_flight.erase(e.job_id);
    }
    logWarning(kComponent, "lease of job " + std::to_string(e.job_id) + " on " + e.device_id +
                               " ran out; the job is back in the queue");
    dispatcher_.leaseExpired(e.device_id, e.job_id);
  }
  for (const Lease& l : leases) {
    Status sent = dispatcher_.send(l.device_id, l.job);
    if (sent.isOk()) {
      ++report.jobs_sent;
      continue;
    }
    logWarning(kComponent, "job " + std::to_string(l.job.id) + " not sent to " + l.device_id +
                               ": " + sent.message());
    jobNotDelivered(l.device_id, l.job.id);
  }
  if (!deferred.results.empty()) requeueInputs(std::move(deferred));

  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.rounds;
  const std::int64_t settled = report.results_applied + report.results_duplicate +
                               report.results_failed;
  if (settled > 0) ++stats_.rounds_with_results;
  stats_.max_results_per_round = std::max(stats_.max_results_per_round, settled);
  if (report.isolated) ++stats_.isolated_rounds;
  stats_.results_applied += report.results_applied;
  stats_.results_duplicate += report.results_duplicate;
  stats_.results_failed += report.results_failed;
  stats_.jobs_sent += report.jobs_sent;
  stats_.leases_released += report.leases_released;
  stats_.leases_expired += report.leases_expired;
  if (!report.committed) ++stats_.failed_rounds;
  return report;
}

LineStats LineController::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::map<std::string, std::vector<std::int64_t>> LineController::devicesInFlight() const {
  std::lock_guard<std::mutex> lock(slots_mu_);
  std::map<std::string, std::vector<std::int64_t>> out;
  for (const auto& [id, slot] : slots_) {
    out[id] = std::vector<std::int64_t>(slot.in_flight.begin(), slot.in_flight.end());
  }
  return out;
}

}  // namespace cardline
