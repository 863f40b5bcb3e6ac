#pragma once
// An in-memory Store for the engine tests: the repository methods the workflow engine uses,
// with the port's documented semantics (conditional updates, kConflict, kAlreadyExists, leases).
// transact() works on a copy of the data and publishes it only when the work returns OK, so a
// failed transaction leaves nothing behind. Not thread-safe. Devices, users and audit are not
// used by the engine and answer kInternal.
//
// Used until the SQLite adapter (mes/storage) implements ApplicationRepository::updatePlan;
// see docs/workflow.md.

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mes/core/store.h"

namespace cardline::workflow_test {

struct MemoryData {
  std::map<std::string, Application> applications;
  std::map<std::int64_t, StationJob> jobs;
  std::int64_t next_job = 1;
  std::map<std::string, Card> cards;
  std::vector<Event> events;
};

class MemoryApplications final : public ApplicationRepository {
 public:
  explicit MemoryApplications(MemoryData& data) : d_(data) {}
  Status insert(const Application& a) override {
    if (!d_.applications.emplace(a.id, a).second) return alreadyExists(a.id);
    return Status::ok();
  }
  Result<Application> find(const std::string& id) override {
    auto it = d_.applications.find(id);
    if (it == d_.applications.end()) return notFound("application " + id);
    return it->second;
  }
  Result<Application> findWithoutPersonalData(const std::string& id) override {
    CARDLINE_ASSIGN_OR_RETURN(Application a, find(id));
    a.personal_number.clear();
    a.person = Person{};
    return a;
  }
  Status touch(const std::string& id, std::int64_t expected_revision) override {
    auto it = d_.applications.find(id);
    if (it == d_.applications.end()) return notFound("application " + id);
    if (it->second.revision != expected_revision) return conflict("revision moved on");
    ++it->second.revision;
    return Status::ok();
  }
  Result<std::vector<std::string>> pastDue(Timestamp, int) override {
    return internalError("pastDue is not used by these tests");
  }
  Result<std::vector<std::string>> idsForPersonalNumber(const std::string& number) override {
    std::vector<std::string> ids;
    for (const auto& entry : d_.applications) {
      if (entry.second.personal_number == number) ids.push_back(entry.first);
    }
    return ids;
  }
  Status updatePosition(const std::string& id, std::int64_t expected_revision,
                        const std::string& step, ApplicationState state) override {
    auto it = d_.applications.find(id);
    if (it == d_.applications.end()) return notFound("application " + id);
    if (it->second.revision != expected_revision) return conflict("revision moved on");
    it->second.step = step;
    it->second.state = state;
    ++it->second.revision;
    return Status::ok();
  }
  Result<std::int64_t> countInState(ApplicationState state) override {
    return static_cast<std::int64_t>(
        std::count_if(d_.applications.begin(), d_.applications.end(),
                      [&](const auto& entry) { return entry.second.state == state; }));
  }
  Status updatePlan(const std::string& id, std::int64_t expected_revision,
                    const ApplicationPlan& plan) override {
    auto it = d_.applications.find(id);
    if (it == d_.applications.end()) return notFound("application " + id);
    if (it->second.revision != expected_revision) return conflict("revision moved on");
    it->second.workflow = plan.workflow;
    it->second.priority = plan.priority;
    it->second.print_due = plan.print_due;
    it->second.dispatch_due = plan.dispatch_due;
    ++it->second.revision;
    return Status::ok();
  }
  Status purgePersonalData(const std::string& id) override {
    auto it = d_.applications.find(id);
    if (it == d_.applications.end()) return notFound("application " + id);
    it->second.person = Person{};
    it->second.personal_number.clear();
    return Status::ok();
  }

 private:
  MemoryData& d_;
};

class MemoryJobs final : public JobRepository {
 public:
  explicit MemoryJobs(MemoryData& data) : d_(data) {}
  Result<std::int64_t> enqueue(const StationJob& job) override {
    StationJob stored = job;
    stored.id = d_.next_job++;
    stored.state = JobState::kReady;
    d_.jobs[stored.id] = stored;
    return stored.id;
  }
  Status complete(std::int64_t job_id, int attempt, const std::string& outcome) override {
    auto it = d_.jobs.find(job_id);
    if (it == d_.jobs.end()) return notFound("job " + std::to_string(job_id));
    StationJob& job = it->second;
    if (job.state != JobState::kLeased || job.attempt != attempt) {
      return conflict("job " + std::to_string(job_id) + " is not leased under this attempt");
    }
    job.state = JobState::kDone;
    job.outcome = outcome;
    return Status::ok();
  }
  Result<std::vector<ExpiredLease>> requeueExpired(Timestamp now) override {
    std::vector<ExpiredLease> expired;
    for (auto& entry : d_.jobs) {
      StationJob& job = entry.second;
      if (job.state == JobState::kLeased && job.lease_expires < now) {
        expired.push_back({job.id, job.device_id, job.node_id});
        job.state = JobState::kReady;
        job.device_id.clear();
        job.node_id.clear();
        ++job.attempt;
      }
    }
    return expired;
  }
  Result<StationJob> find(std::int64_t job_id) override {
    auto it = d_.jobs.find(job_id);
    if (it == d_.jobs.end()) return notFound("job " + std::to_string(job_id));
    return it->second;
  }
  // The store order of the contract: urgent first, then due, then id.
  Result<std::vector<StationJob>> lockReady(StationType station, int window) override {
    std::vector<StationJob> out;
    for (const auto& entry : d_.jobs) {
      if (entry.second.station == station && entry.second.state == JobState::kReady) {
        out.push_back(entry.second);
      }
    }
    std::stable_sort(out.begin(), out.end(), [](const StationJob& a, const StationJob& b) {
      const int ra = a.priority == Priority::kUrgent ? 0 : 1;
      const int rb = b.priority == Priority::kUrgent ? 0 : 1;
      if (ra != rb) return ra < rb;
      if (a.due != b.due) return a.due < b.due;
      return a.id < b.id;
    });
    if (window >= 0 && static_cast<int>(out.size()) > window) out.resize(window);
    return out;
  }
  Result<int> supersedeReady(const std::string& application_id) override {
    int n = 0;
    for (auto& entry : d_.jobs) {
      StationJob& job = entry.second;
      if (job.application_id == application_id && job.state == JobState::kReady) {
        job.state = JobState::kDone;
        job.outcome = "superseded";
        ++n;
      }
    }
    return n;
  }
  Result<int> reprioritise(const std::string& application_id, Priority priority) override {
    int n = 0;
    for (auto& entry : d_.jobs) {
      StationJob& job = entry.second;
      if (job.application_id == application_id && job.state == JobState::kReady &&
          job.priority != priority) {
        job.priority = priority;
        ++n;
      }
    }
    return n;
  }
  Status leaseJob(std::int64_t job_id, const std::string& device_id, const std::string& node_id,
                  Timestamp lease_expires) override {
    auto it = d_.jobs.find(job_id);
    if (it == d_.jobs.end()) return notFound("job " + std::to_string(job_id));
    StationJob& job = it->second;
    if (job.state != JobState::kReady) return conflict("job is not ready");
    job.state = JobState::kLeased;
    job.device_id = device_id;
    job.node_id = node_id;
    job.lease_expires = lease_expires;
    return Status::ok();
  }
  Status leaseJobs(const std::vector<std::pair<std::int64_t, std::string>>& jobs,
                   const std::string& node_id, Timestamp lease_expires) override {
    for (const auto& [id, device] : jobs) {
      auto it = d_.jobs.find(id);
      if (it == d_.jobs.end() || it->second.state != JobState::kReady) {
        return conflict("job " + std::to_string(id) + " is not ready");
      }
    }
    for (const auto& [id, device] : jobs) {
      StationJob& job = d_.jobs[id];
      job.state = JobState::kLeased;
      job.device_id = device;
      job.node_id = node_id;
      job.lease_expires = lease_expires;
    }
    return Status::ok();
  }
  Status releaseLease(std::int64_t job_id, const std::string& node_id, LeaseEnd why) override {
    auto it = d_.jobs.find(job_id);
    if (it == d_.jobs.end()) return notFound("job " + std::to_string(job_id));
    StationJob& job = it->second;
    if (job.state != JobState::kLeased || job.node_id != node_id) {
      return conflict("job is not leased by " + node_id);
    }
    job.state = JobState::kReady;
    job.device_id.clear();
    job.node_id.clear();
    if (why == LeaseEnd::kDeviceLost) ++job.attempt;
    return Status::ok();
  }
  Result<std::int64_t> countReadyHeld(StationType station) override {
    std::int64_t n = 0;
    for (const auto& [id, job] : d_.jobs) {
      if (job.station != station || job.state != JobState::kReady) continue;
      auto app = d_.applications.find(job.application_id);
      if (app != d_.applications.end() && app->second.state == ApplicationState::kHeld) ++n;
    }
    return n;
  }
  Result<std::int64_t> count(StationType station, JobState state) override {
    return static_cast<std::int64_t>(
        std::count_if(d_.jobs.begin(), d_.jobs.end(), [&](const auto& entry) {
          return entry.second.station == station && entry.second.state == state;
        }));
  }

 private:
  MemoryData& d_;
};

class MemoryCards final : public CardRepository {
 public:
  explicit MemoryCards(MemoryData& data) : d_(data) {}
  Status insert(const Card& card) override {
    if (!d_.cards.emplace(card.serial, card).second) {
      return alreadyExists("serial " + card.serial + " was already personalised");
    }
    return Status::ok();
  }
  Result<Card> find(const std::string& serial) override {
    auto it = d_.cards.find(serial);
    if (it == d_.cards.end()) return notFound("card " + serial);
    return it->second;
  }
  Result<std::vector<Card>> forApplication(const std::string& application_id) override {
    std::vector<Card> out;
    for (const auto& entry : d_.cards) {
      if (entry.second.application_id == application_id) out.push_back(entry.second);
    }
    return out;
  }
  Status updateState(const std::string& serial, CardState from, const Card& to) override {
    auto it = d_.cards.find(serial);
    if (it == d_.cards.end()) return notFound("card " + serial);
    if (it->second.state != from) return conflict("card " + serial + " moved on");
    it->second = to;
    return Status::ok();
  }

 private:
  MemoryData& d_;
};

class MemoryEvents final : public EventLog {
 public:
  explicit MemoryEvents(MemoryData& data) : d_(data) {}
  Status append(const Event& event) override {
    Event stored = event;
    stored.seq = static_cast<std::int64_t>(d_.events.size()) + 1;
    d_.events.push_back(stored);
    return Status::ok();
  }
  Result<std::vector<Event>> forSubject(const std::string& type, const std::string& id) override {
    std::vector<Event> out;
    for (const Event& e : d_.events) {
      if (e.subject_type == type && e.subject_id == id) out.push_back(e);
    }
    return out;
  }
  Result<std::vector<Event>> after(std::int64_t after_seq, int limit) override {
    std::vector<Event> out;
    for (const Event& e : d_.events) {
      if (e.seq > after_seq && static_cast<int>(out.size()) < limit) out.push_back(e);
    }
    return out;
  }

 private:
  MemoryData& d_;
};

// Devices, users and audit are not used by the engine.
class UnusedDevices final : public DeviceRepository {
 public:
  Status upsert(const Device&) override { return internalError("unused"); }
  Result<Device> find(const std::string&) override { return internalError("unused"); }
  Result<std::vector<Device>> list() override { return internalError("unused"); }
  Status remove(const std::string&) override { return internalError("unused"); }
};
class UnusedUsers final : public UserRepository {
 public:
  Status insert(const User&) override { return internalError("unused"); }
  Result<User> find(const std::string&) override { return internalError("unused"); }
  Status update(const User&) override { return internalError("unused"); }
  Result<std::vector<User>> list() override { return internalError("unused"); }
};
class UnusedAudit final : public AuditLog {
 public:
  Result<std::int64_t> append(const AuditEntry&) override { return internalError("unused"); }
  Result<AuditEntry> last() override { return internalError("unused"); }
  Result<std::vector<AuditEntry>> after(std::int64_t, int) override {
    return internalError("unused");
  }
};

// Not used by the engine tests: every method fails with kFailedPrecondition.
class UnusedLogistics final : public LogisticsRepository {
 public:
  static Status unused() { return failedPrecondition("logistics is not used by engine tests"); }
  Result<std::int64_t> countBoxes() override { return unused(); }
  Status insertBox(const Box&) override { return unused(); }
  Result<Box> findBox(const std::string&) override { return unused(); }
  Status updateBox(const Box&, BoxState) override { return unused(); }
  Result<std::vector<Box>> boxesInState(BoxState, const std::string&) override {
    return unused();
  }
  Result<std::vector<Box>> boxesOfShipment(const std::string&) override { return unused(); }
  Status addCard(const BoxCard&) override { return unused(); }
  Result<std::vector<BoxCard>> cardsOfBox(const std::string&) override { return unused(); }
  Result<BoxCard> boxOfCard(const std::string&) override { return unused(); }
  Result<std::int64_t> countShipments() override { return unused(); }
  Status insertShipment(const Shipment&) override { return unused(); }
  Result<Shipment> findShipment(const std::string&) override { return unused(); }
  Result<Shipment> shipmentByTracking(const std::string&) override { return unused(); }
  Status updateShipment(const Shipment&, ShipmentState) override { return unused(); }
  Result<std::vector<Shipment>> shipmentsInState(ShipmentState) override { return unused(); }
  Result<std::int64_t> insertDiscrepancy(const Discrepancy&) override { return unused(); }
  Result<Discrepancy> findDiscrepancy(std::int64_t) override { return unused(); }
  Status updateDiscrepancy(const Discrepancy&, DiscrepancyState) override { return unused(); }
  Result<std::vector<Discrepancy>> discrepancies(DiscrepancyState,
                                                 const std::string&) override {
    return unused();
  }
};

// Not used by the engine tests: every method fails with kFailedPrecondition.
class UnusedRollups final : public RollupRepository {
 public:
  static Status unused() { return failedPrecondition("rollups are not used by engine tests"); }
  Status addStationHour(const StationHour&) override { return unused(); }
  Status addDefectHour(const DefectHour&) override { return unused(); }
  Status addCycleBucket(const CycleBucket&) override { return unused(); }
  Status addDeviceTime(const DeviceTimeHour&) override { return unused(); }
  Result<Milestones> milestones(const std::string&) override { return unused(); }
  Status putMilestones(const Milestones&) override { return unused(); }
  Result<std::vector<StationHour>> stationHours(std::int64_t, std::int64_t) override {
    return unused();
  }
  Result<std::vector<DefectHour>> defectHours(std::int64_t, std::int64_t) override {
    return unused();
  }
  Result<std::vector<DeviceTimeHour>> deviceTime(std::int64_t, std::int64_t) override {
    return unused();
  }
  Result<std::vector<CycleBucket>> cycleBuckets(const Date&, const Date&) override {
    return unused();
  }
  Result<std::vector<StationHour>> stationHourTotals(std::int64_t, std::int64_t) override {
    return unused();
  }
  Result<std::vector<DefectHour>> defectTotals(std::int64_t, std::int64_t) override {
    return unused();
  }
  Result<std::vector<DeviceTimeHour>> deviceTimeTotals(std::int64_t, std::int64_t) override {
    return unused();
  }
};

// Not used by the engine tests: every method fails with kFailedPrecondition.
class UnusedBlanks final : public BlankStockRepository {
 public:
  static Status unused() { return failedPrecondition("blank stock is not used by engine tests"); }
  Status insertLot(const BlankLot&, const std::vector<std::string>&, BlankState) override {
    return unused();
  }
  Result<BlankLot> findLot(const std::string&) override { return unused(); }
  Result<std::vector<BlankLot>> lots() override { return unused(); }
  Result<BlankSerial> findSerial(const std::string&) override { return unused(); }
  Result<std::vector<BlankSerial>> serialsInState(const std::string&, BlankState) override {
    return unused();
  }
  Status updateSerial(BlankState, const BlankSerial&) override { return unused(); }
  Result<std::int64_t> appendMovement(const BlankMovement&) override { return unused(); }
  Result<std::vector<BlankMovement>> movements(const std::string&, std::int64_t) override {
    return unused();
  }
  Result<std::int64_t> lastSeqBefore(Timestamp) override { return unused(); }
  Result<std::int64_t> lastSeq() override { return unused(); }
  Result<std::int64_t> insertShift(const Shift&) override { return unused(); }
  Result<Shift> findShift(std::int64_t) override { return unused(); }
  Result<Shift> openShift(const std::string&) override { return unused(); }
  Status closeShift(const Shift&) override { return unused(); }
  Result<std::int64_t> insertDestruction(const Destruction&) override { return unused(); }
  Result<Destruction> findDestruction(std::int64_t) override { return unused(); }
  Status confirmDestruction(std::int64_t, const std::string&, Timestamp) override {
    return unused();
  }
  Result<std::vector<std::int64_t>> pendingDestructionsOf(const std::string&) override {
    return unused();
  }
  Result<std::int64_t> appendFlag(const BlankFlag&) override { return unused(); }
  Result<std::vector<BlankFlag>> flags(const std::string&, Timestamp, Timestamp) override {
    return unused();
  }
};

class MemoryTransaction final : public StoreTransaction {
 public:
  explicit MemoryTransaction(MemoryData& data)
      : applications_(data), jobs_(data), cards_(data), events_(data) {}
  ApplicationRepository& applications() override { return applications_; }
  JobRepository& jobs() override { return jobs_; }
  CardRepository& cards() override { return cards_; }
  EventLog& events() override { return events_; }
  DeviceRepository& devices() override { return devices_; }
  UserRepository& users() override { return users_; }
  AuditLog& audit() override { return audit_; }
  BlankStockRepository& blanks() override { return blanks_; }
  RollupRepository& rollups() override { return rollups_; }
  LogisticsRepository& logistics() override { return logistics_; }

 private:
  MemoryApplications applications_;
  MemoryJobs jobs_;
  MemoryCards cards_;
  MemoryEvents events_;
  UnusedDevices devices_;
  UnusedUsers users_;
  UnusedAudit audit_;
  UnusedBlanks blanks_;
  UnusedRollups rollups_;
  UnusedLogistics logistics_;
};

// An in-memory Store with fault injection: failCommits(n) makes the next n commits fail
// (kUnavailable after the work ran, nothing kept), as a database that goes away would.
class MemoryStore final : public Store {
 public:
  Status transact(const std::function<Status(StoreTransaction&)>& work) override {
    MemoryData copy = data_;
    MemoryTransaction tx(copy);
    ++counters_.transactions;
    Status status = work(tx);
    if (status.isOk() && failing_commits_ > 0) {
      --failing_commits_;
      ++failed_commits_;
      return unavailable("injected: the commit failed");
    }
    if (status.isOk()) {
      data_ = std::move(copy);
      ++counters_.commits;
    }
    return status;
  }
  Status read(const std::function<Status(StoreTransaction&)>& work) override {
    MemoryData copy = data_;
    MemoryTransaction tx(copy);
    ++counters_.reads;
    return work(tx);
  }
  StoreBackend backend() const override { return StoreBackend::kSqlite; }
  StoreCounters counters() const override { return counters_; }

  // The next `n` commits fail with kUnavailable.
  void failCommits(int n) { failing_commits_ = n; }
  // Commits that failed because of failCommits.
  int failedCommits() const { return failed_commits_; }

  // Read-only view for assertions.
  const MemoryData& data() const { return data_; }

 private:
  MemoryData data_;
  StoreCounters counters_;
  int failing_commits_ = 0;
  int failed_commits_ = 0;
};

}  // namespace cardline::workflow_test
