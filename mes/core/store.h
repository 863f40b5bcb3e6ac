#pragma once
// Port: durable storage of the domain. The database is the source of truth.
//
// All reads and writes happen inside Store::transact(); a transaction sees its own writes and
// commits all of them or none. Adapters (mes/storage) implement it for SQLite and MariaDB/MySQL
// and pass the one contract suite in tests/unit/storage.
//
// Errors: every method returns kUnavailable when the database cannot be reached (the caller
// may retry the whole transaction), kInternal for unexpected database errors, and the specific
// codes documented per method.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/core/blank_stock.h"
#include "mes/core/domain.h"
#include "mes/core/rollups.h"
#include "mes/core/logistics.h"

namespace cardline {

// The fields of an Application that the workflow engine sets after intake inserted it
// (appended for the workflow engine; see ApplicationRepository::updatePlan).
struct ApplicationPlan {
  std::string workflow;  // "name@version"
  Priority priority = Priority::kNormal;
  Timestamp print_due;
  Timestamp dispatch_due;
};

class ApplicationRepository {
 public:
  virtual ~ApplicationRepository() = default;
  // Stores a new application with its personal data encrypted. kAlreadyExists if the id is
  // taken.
  virtual Status insert(const Application& application) = 0;
  // kNotFound if there is no application with that id.
  virtual Result<Application> find(const std::string& id) = 0;
  // The application without its personal data: the SQL adapters leave `personal_number` and
  // `person` empty and decrypt nothing; every other field as find() returns it. For callers
  // that route, schedule or count (the workflow engine, the rollups): the sealed person record
  // with its photo is most of an application row. kNotFound if absent. The default returns
  // find(), personal data included (callers must not rely on it either way).
  virtual Result<Application> findWithoutPersonalData(const std::string& id) { return find(id); }
  // Ids of the applications for this personal number (looked up by keyed hash), oldest first.
  virtual Result<std::vector<std::string>> idsForPersonalNumber(
      const std::string& personal_number) = 0;
  // Moves the application to (step, state) if its revision is still expected_revision; bumps
  // the revision. kConflict if the revision moved on (someone else changed it first);
  // kNotFound if absent.
  virtual Status updatePosition(const std::string& id, std::int64_t expected_revision,
                                const std::string& step, ApplicationState state) = 0;
  // Number of applications in the given state.
  virtual Result<std::int64_t> countInState(ApplicationState state) = 0;

  // ---- Appended for the workflow engine (mes/workflow/engine.h) ----
  // Sets the engine-owned plan fields (Application::workflow, priority, print_due,
  // dispatch_due) to `plan` if the revision is still expected_revision; bumps the revision.
  // kConflict if the revision moved on; kNotFound if absent. The default implementation
  // returns kFailedPrecondition; every adapter must override it.
  virtual Status updatePlan(const std::string& id, std::int64_t expected_revision,
                            const ApplicationPlan& plan) {
    (void)id;
    (void)expected_revision;
    (void)plan;
    return failedPrecondition("this store does not implement ApplicationRepository::updatePlan");
  }

  // ---- Appended for logistics (retention, mes/logistics) ----
  // Erases the personal data of an application for good: the person record and the personal
  // number become empty and the number's look-up hash is cleared, so idsForPersonalNumber no
  // longer finds it; everything else (ids, unit, position, cards, events) is kept. Idempotent.
  // kNotFound if absent. The default implementation returns kFailedPrecondition; every
  // adapter must override it.
  virtual Status purgePersonalData(const std::string& id) {
    (void)id;
    return failedPrecondition(
        "this store does not implement ApplicationRepository::purgePersonalData");
  }

  // ---- Appended for service-level breaches (GET /api/v1/breaches) ----
  // Ids of the applications still in the line (queued or held) whose open deadline lies before
  // `now`: print_due when dispatch_due is unset (not printed yet), else dispatch_due. The most
  // overdue first, at most `limit`. Candidates only: openBreaches() (mes/workflow) decides
  // with the cards (a dispatched card ends the print-to-dispatch clock). The default
  // implementation returns kFailedPrecondition; every adapter must override it.
  virtual Result<std::vector<std::string>> pastDue(Timestamp now, int limit) {
    (void)now;
    (void)limit;
    return failedPrecondition("this store does not implement ApplicationRepository::pastDue");
  }
};

class JobRepository {
 public:
  virtual ~JobRepository() = default;
  // Adds a ready job; returns its id.
  virtual Result<std::int64_t> enqueue(const StationJob& job) = 0;
  // Leases up to `limit` ready jobs of one station type to a device, highest priority first,
  // then earliest due. Safe against concurrent callers on other connections or nodes: each job
  // is handed to exactly one caller (SELECT ... FOR UPDATE SKIP LOCKED on MariaDB).
  virtual Result<std::vector<StationJob>> lease(StationType station, const std::string& device_id,
                                                const std::string& node_id,
                                                Timestamp lease_expires, int limit) = 0;
  // Marks a leased job done with its outcome. kConflict if the job is not leased under this
  // attempt (already done, or its lease was lost); kNotFound if absent.
  virtual Status complete(std::int64_t job_id, int attempt, const std::string& outcome) = 0;
  // Returns leased jobs whose lease expired before `now` to ready, attempt + 1. Returns how many.
  virtual Result<int> requeueExpired(Timestamp now) = 0;
  virtual Result<StationJob> find(std::int64_t job_id) = 0;
  // Number of jobs of a station type in a state.
  virtual Result<std::int64_t> count(StationType station, JobState state) = 0;

  // The ready jobs of one station type whose application is queued (not held, cancelled or
  // completed), in store order (urgent first, then due, then id), at most `window`. On MariaDB the rows are locked for this transaction and rows that other
  // transactions hold are skipped (FOR UPDATE SKIP LOCKED), so concurrent nodes see disjoint
  // windows; the scheduler's policy then picks among them and leases with leaseJob().
  virtual Result<std::vector<StationJob>> lockReady(StationType station, int window) = 0;
  // Leases one ready job to a device of node_id until lease_expires. kConflict if it is no
  // longer ready; kNotFound if absent.
  virtual Status leaseJob(std::int64_t job_id, const std::string& device_id,
                          const std::string& node_id, Timestamp lease_expires) = 0;
  // Returns a job that node_id holds leased to ready, attempt + 1 (its device was lost).
  // kConflict if node_id does not hold it leased (finished meanwhile, or expired and taken
  // elsewhere); kNotFound if absent.
  virtual Status releaseLease(std::int64_t job_id, const std::string& node_id) = 0;

  // ---- Appended for supervisor prioritisation ----
  // Gives the application's ready jobs `priority` (their place in the queue moves with it);
  // leased and finished jobs keep theirs. Returns how many jobs changed. The default
  // implementation returns kFailedPrecondition; every adapter must override it.
  virtual Result<int> reprioritise(const std::string& application_id, Priority priority) {
    (void)application_id;
    (void)priority;
    return failedPrecondition("this store does not implement JobRepository::reprioritise");
  }
  // ---- Appended for card rejection at a station ----
  // Finishes the application's ready jobs with outcome "superseded" (they are no longer its
  // work: the card they were for is gone). Returns how many. The default implementation
  // returns kFailedPrecondition; every adapter must override it.
  virtual Result<int> supersedeReady(const std::string& application_id) {
    (void)application_id;
    return failedPrecondition("this store does not implement JobRepository::supersedeReady");
  }
  // ---- Appended for the station screens (a held application's job is not waiting work) ----
  // Number of ready jobs of a station type whose application is held. The default
  // implementation returns kFailedPrecondition (the screens then show no held count).
  virtual Result<std::int64_t> countReadyHeld(StationType station) {
    (void)station;
    return failedPrecondition("this store does not implement JobRepository::countReadyHeld");
  }
};

class CardRepository {
 public:
  virtual ~CardRepository() = default;
  // kAlreadyExists if the serial was already personalised (a serial consumed twice).
  virtual Status insert(const Card& card) = 0;
  virtual Result<Card> find(const std::string& serial) = 0;
  virtual Result<std::vector<Card>> forApplication(const std::string& application_id) = 0;
  // Conditional: changes the state only if it is still `from`; kConflict otherwise.
  virtual Status updateState(const std::string& serial, CardState from, const Card& to) = 0;
};

class EventLog {
 public:
  virtual ~EventLog() = default;
  // Appends; returns the assigned sequence number.
  virtual Result<std::int64_t> append(const Event& event) = 0;
  // The history of one subject, oldest first.
  virtual Result<std::vector<Event>> forSubject(const std::string& subject_type,
                                                const std::string& subject_id) = 0;
  // Events with seq > after_seq, oldest first, at most limit.
  virtual Result<std::vector<Event>> after(std::int64_t after_seq, int limit) = 0;
};

class DeviceRepository {
 public:
  virtual ~DeviceRepository() = default;
  // Inserts or replaces by id.
  virtual Status upsert(const Device& device) = 0;
  virtual Result<Device> find(const std::string& id) = 0;
  virtual Result<std::vector<Device>> list() = 0;
  // kNotFound if absent.
  virtual Status remove(const std::string& id) = 0;
};

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  virtual Status insert(const User& user) = 0;  // kAlreadyExists if the name is taken
  virtual Result<User> find(const std::string& name) = 0;
  virtual Status update(const User& user) = 0;  // by name; kNotFound if absent
  virtual Result<std::vector<User>> list() = 0;
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  // Appends the entry as the next seq (entry.seq is ignored); returns the seq.
  virtual Result<std::int64_t> append(const AuditEntry& entry) = 0;
  // The newest entry, or kNotFound when the log is empty.
  virtual Result<AuditEntry> last() = 0;
  // Entries with seq > after_seq in order, at most limit.
  virtual Result<std::vector<AuditEntry>> after(std::int64_t after_seq, int limit) = 0;
};

// One open transaction. Not thread-safe; lives only inside Store::transact.
class StoreTransaction {
 public:
  virtual ~StoreTransaction() = default;
  virtual ApplicationRepository& applications() = 0;
  virtual JobRepository& jobs() = 0;
  virtual CardRepository& cards() = 0;
  virtual EventLog& events() = 0;
  virtual DeviceRepository& devices() = 0;
  virtual UserRepository& users() = 0;
  virtual AuditLog& audit() = 0;
  // Repositories of later issues are declared in their own mes/core headers and added here:
  virtual BlankStockRepository& blanks() = 0;  // mes/core/blank_stock.h
  virtual RollupRepository& rollups() = 0;
  virtual LogisticsRepository& logistics() = 0;
};

enum class StoreBackend { kSqlite, kMysql };

// Thread-safe: each transact() call runs on its own connection from a pool.
class Store {
 public:
  virtual ~Store() = default;
  // Runs `work` in one transaction. Commits when it returns OK, rolls back otherwise and
  // returns its status. A commit that fails returns that failure (nothing was written).
  virtual Status transact(const std::function<Status(StoreTransaction&)>& work) = 0;
  virtual StoreBackend backend() const = 0;
};

}  // namespace cardline
