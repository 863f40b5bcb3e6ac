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
#include <utility>
#include <vector>

#include "mes/base/status.h"
#include "mes/core/blank_stock.h"
#include "mes/core/domain.h"
#include "mes/core/rollups.h"
#include "mes/core/logistics.h"

namespace cardline {

// The fields of an Application that the workflow engine sets after intake inserted it (see
// ApplicationRepository::updatePlan).
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
  // The application without its personal data: `personal_number` and `person` are left empty
  // and nothing is decrypted; every other field as find() returns it. For callers that route,
  // schedule or count (the workflow engine, the rollups): the sealed person record with its
  // photo is most of an application row. kNotFound if absent.
  virtual Result<Application> findWithoutPersonalData(const std::string& id) = 0;
  // Ids of the applications for this personal number (looked up by keyed hash), oldest first.
  virtual Result<std::vector<std::string>> idsForPersonalNumber(
      const std::string& personal_number) = 0;
  // Moves the application to (step, state) if its revision is still expected_revision; bumps
  // the revision. kConflict if the revision moved on (someone else changed it first);
  // kNotFound if absent.
  virtual Status updatePosition(const std::string& id, std::int64_t expected_revision,
                                const std::string& step, ApplicationState state) = 0;
  // Bumps the revision if it is still expected_revision and changes nothing else: a writer that
  // decided from what it read at that revision (e.g. that a result is superseded) proves that
  // nothing moved meanwhile. kConflict if the revision moved on; kNotFound if absent.
  virtual Status touch(const std::string& id, std::int64_t expected_revision) = 0;
  // Number of applications in the given state.
  virtual Result<std::int64_t> countInState(ApplicationState state) = 0;

  // Sets the engine-owned plan fields (Application::workflow, priority, print_due,
  // dispatch_due) to `plan` if the revision is still expected_revision; bumps the revision.
  // kConflict if the revision moved on; kNotFound if absent.
  virtual Status updatePlan(const std::string& id, std::int64_t expected_revision,
                            const ApplicationPlan& plan) = 0;

  // Erases the personal data of an application for good (retention, mes/logistics): the person
  // record and the personal number become empty and the number's look-up hash is cleared, so
  // idsForPersonalNumber no longer finds it; everything else (ids, unit, position, cards,
  // events) is kept. Idempotent. kNotFound if absent.
  virtual Status purgePersonalData(const std::string& id) = 0;

  // Ids of the applications still in the line (queued or held) whose open deadline lies before
  // `now`: print_due when dispatch_due is unset (not printed yet), else dispatch_due. The most
  // overdue first, at most `limit`. Candidates only: openBreaches() (mes/workflow) decides
  // with the cards (a dispatched card ends the print-to-dispatch clock).
  virtual Result<std::vector<std::string>> pastDue(Timestamp now, int limit) = 0;
};

// A lease that ran out before its result came (JobRepository::requeueExpired).
struct ExpiredLease {
  std::int64_t job_id = 0;
  std::string device_id;  // the device that held it
  std::string node_id;    // the node that leased it
};

// Why a node gives a leased job back (JobRepository::releaseLease).
enum class LeaseEnd {
  kDeviceLost,  // the device had the job and was lost: the attempt counts (attempt + 1)
  kNeverSent,   // the job never reached the device (not sent, device in fault): same attempt
};

class JobRepository {
 public:
  virtual ~JobRepository() = default;
  // Adds a ready job; returns its id.
  virtual Result<std::int64_t> enqueue(const StationJob& job) = 0;
  // Marks a leased job done with its outcome. kConflict if the job is not leased under this
  // attempt (already done, or its lease was lost); kNotFound if absent.
  virtual Status complete(std::int64_t job_id, int attempt, const std::string& outcome) = 0;
  // Returns leased jobs whose lease expired before `now` (leased by any node) to ready,
  // attempt + 1. Returns them with the device and node that held them, so the node that
  // leased one frees its device at once. On MariaDB rows other transactions hold are skipped.
  virtual Result<std::vector<ExpiredLease>> requeueExpired(Timestamp now) = 0;
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
  // Leases several ready jobs (job id → device) to devices of node_id until lease_expires, in
  // one statement. The jobs must have been locked by lockReady in this transaction. kConflict
  // (nothing leased) if any of them is no longer ready.
  virtual Status leaseJobs(const std::vector<std::pair<std::int64_t, std::string>>& jobs,
                           const std::string& node_id, Timestamp lease_expires) = 0;
  // Returns a job that node_id holds leased to ready: attempt + 1 when `why` is kDeviceLost,
  // the same attempt when kNeverSent (a lease that never reached a device is not an attempt).
  // kConflict if node_id does not hold it leased (finished meanwhile, or expired and taken
  // elsewhere); kNotFound if absent.
  virtual Status releaseLease(std::int64_t job_id, const std::string& node_id, LeaseEnd why) = 0;

  // Gives the application's ready jobs `priority` (their place in the queue moves with it);
  // leased and finished jobs keep theirs. Returns how many jobs changed.
  virtual Result<int> reprioritise(const std::string& application_id, Priority priority) = 0;
  // Finishes the application's ready jobs with outcome "superseded" (they are no longer its
  // work: the card they were for is gone). Returns how many.
  virtual Result<int> supersedeReady(const std::string& application_id) = 0;
  // Number of ready jobs of a station type whose application is held (the station screens show
  // them apart from waiting work).
  virtual Result<std::int64_t> countReadyHeld(StationType station) = 0;
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
  // Appends. The store assigns seq (increasing in append order) when the transaction commits;
  // reads of the log inside the same transaction already see the event. SQL adapters write a
  // transaction's events together, in multi-row statements.
  virtual Status append(const Event& event) = 0;
  // The history of one subject, oldest first. Events appended in this transaction come last,
  // with seq 0 until it commits.
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
  virtual BlankStockRepository& blanks() = 0;  // mes/core/blank_stock.h
  virtual RollupRepository& rollups() = 0;     // mes/core/rollups.h
  virtual LogisticsRepository& logistics() = 0;  // mes/core/logistics.h
};

enum class StoreBackend { kSqlite, kMysql };

// What a store did since it was opened (counted by its SQL driver). Statements include BEGIN
// and COMMIT; a round trip is one request to a database server and its answer (0 for an
// embedded database, where a statement is a library call).
struct StoreCounters {
  std::int64_t transactions = 0;  // write transactions begun (each retry counts)
  std::int64_t commits = 0;       // write transactions committed
  std::int64_t reads = 0;         // read-only transactions (Store::read)
  std::int64_t statements = 0;    // SQL statements in write transactions
  std::int64_t read_statements = 0;  // SQL statements in read-only transactions
  std::int64_t round_trips = 0;   // database round trips of all transactions
};

// Thread-safe: each transact() or read() call runs on its own connection from a pool.
class Store {
 public:
  virtual ~Store() = default;
  // Runs `work` in one transaction. Commits when it returns OK, rolls back otherwise and
  // returns its status. A commit that fails returns that failure (nothing was written).
  virtual Status transact(const std::function<Status(StoreTransaction&)>& work) = 0;
  // Runs `work` in a read-only transaction: a consistent snapshot that takes no write lock, so
  // it never waits for nor delays the writer (SQLite: a deferred transaction in WAL mode;
  // MariaDB: START TRANSACTION READ ONLY). A write inside `work` fails (kInternal or
  // kFailedPrecondition, depending on the backend). Returns the status of `work`.
  virtual Status read(const std::function<Status(StoreTransaction&)>& work) = 0;
  virtual StoreBackend backend() const = 0;
  // Cumulative counters since the store was opened.
  virtual StoreCounters counters() const = 0;
};

}  // namespace cardline
