#include "mes/storage/sql_repositories.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "mes/storage/sql_logistics.h"

#include "mes/storage/person_codec.h"
#include "mes/storage/sql_blank_stock.h"
#include "mes/storage/sql_rollups.h"

namespace cardline {
namespace {

// Reads the columns of one row in order; the first failure sticks and is reported by status().
class RowReader {
 public:
  explicit RowReader(const SqlRow& row) : row_(row) {}

  std::int64_t int64() {
    const SqlValue* v = next();
    if (v == nullptr) return 0;
    return keep(sqlInt(*v), std::int64_t{0});
  }
  int int32() { return static_cast<int>(int64()); }
  Timestamp timestamp() { return Timestamp{int64()}; }
  std::string text() {
    const SqlValue* v = next();
    if (v == nullptr) return {};
    return keep(sqlText(*v), std::string());
  }
  Bytes bytes() {
    const SqlValue* v = next();
    if (v == nullptr) return {};
    return keep(sqlBytes(*v), Bytes());
  }
  template <typename E>
  E enumeration(Result<E> (*parse)(std::string_view), E fallback) {
    const std::string s = text();
    if (!status_.isOk()) return fallback;
    Result<E> parsed = parse(s);
    if (!parsed.isOk()) {
      status_ = dataLoss("stored value is not valid: " + parsed.status().message());
      return fallback;
    }
    return *parsed;
  }
  const Status& status() const { return status_; }

 private:
  const SqlValue* next() {
    if (!status_.isOk()) return nullptr;
    if (index_ >= row_.size()) {
      status_ = internalError("row has fewer columns than expected");
      return nullptr;
    }
    return &row_[index_++];
  }
  template <typename T>
  T keep(Result<T> r, T fallback) {
    if (!r.isOk()) {
      status_ = r.status();
      return fallback;
    }
    return std::move(r).value();
  }

  const SqlRow& row_;
  std::size_t index_ = 0;
  Status status_;
};

// After a conditional statement matched no row: kConflict if the row exists, else kNotFound.
Status conflictOrNotFound(SqlConnection& db, const std::string& exists_sql, SqlValue key,
                          const std::string& what) {
  CARDLINE_ASSIGN_OR_RETURN(auto rows, db.query(exists_sql, {std::move(key)}));
  if (rows.empty()) return notFound(what + " not found");
  return conflict(what + " was changed concurrently or is not in the expected state");
}

// ---- applications ----

constexpr char kApplicationColumns[] =
    "id, approval_ref, approved_at, card_model, request_type, priority, personal_number_hash, "
    "personal_number_sealed, person_sealed, issue_date, receiving_unit_code, "
    "receiving_unit_name, content_hash, workflow, step, state, revision, received_at, "
    "print_due, dispatch_due";

std::string personContext(const std::string& id) { return "application/" + id + "/person"; }
std::string numberContext(const std::string& id) {
  return "application/" + id + "/personal_number";
}

class SqlApplications final : public ApplicationRepository {
 public:
  SqlApplications(SqlConnection& db, const PiiProtector& pii) : db_(db), pii_(pii) {}

  Status insert(const Application& a) override {
    CARDLINE_ASSIGN_OR_RETURN(Bytes person, pii_.seal(encodePerson(a.person), personContext(a.id)));
    CARDLINE_ASSIGN_OR_RETURN(Bytes number,
                              pii_.seal(toBytes(a.personal_number), numberContext(a.id)));
    const std::string sql = std::string("INSERT INTO applications (") + kApplicationColumns +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    Result<std::int64_t> inserted = db_.execute(
        sql, {a.id, a.approval_ref, a.approved_at.micros, std::string(name(a.card_model)),
              std::string(name(a.request_type)), std::string(name(a.priority)),
              pii_.lookupHash(a.personal_number), std::move(number), std::move(person),
              a.issue_date.toString(), a.receiving_unit.code, a.receiving_unit.name,
              a.content_hash, a.workflow, a.step, std::string(name(a.state)), a.revision,
              a.received_at.micros, a.print_due.micros, a.dispatch_due.micros});
    if (!inserted.isOk() && inserted.status().code() == ErrorCode::kAlreadyExists) {
      return alreadyExists("application " + a.id + " already exists");
    }
    return inserted.status();
  }

  Result<Application> find(const std::string& id) override { return load(id, true); }

  Result<Application> findWithoutPersonalData(const std::string& id) override {
    return load(id, false);
  }

  Result<std::vector<std::string>> idsForPersonalNumber(
      const std::string& personal_number) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query("SELECT id FROM applications WHERE personal_number_hash = ? "
                             "ORDER BY seq",
                             {pii_.lookupHash(personal_number)}));
    std::vector<std::string> ids;
    for (const auto& row : rows) {
      CARDLINE_ASSIGN_OR_RETURN(std::string id, sqlText(row.at(0)));
      ids.push_back(std::move(id));
    }
    return ids;
  }

  Status updatePosition(const std::string& id, std::int64_t expected_revision,
                        const std::string& step, ApplicationState state) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE applications SET step = ?, state = ?, revision = revision + 1 "
                    "WHERE id = ? AND revision = ?",
                    {step, std::string(name(state)), id, expected_revision}));
    if (changed == 1) return Status::ok();
    return conflictOrNotFound(db_, "SELECT 1 FROM applications WHERE id = ?", id,
                              "application " + id);
  }

  Status touch(const std::string& id, std::int64_t expected_revision) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE applications SET revision = revision + 1 WHERE id = ? AND revision = ?",
                    {id, expected_revision}));
    if (changed == 1) return Status::ok();
    return conflictOrNotFound(db_, "SELECT 1 FROM applications WHERE id = ?", id,
                              "application " + id);
  }

  Status updatePlan(const std::string& id, std::int64_t expected_revision,
                    const ApplicationPlan& plan) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE applications SET workflow = ?, priority = ?, print_due = ?, "
                    "dispatch_due = ?, revision = revision + 1 WHERE id = ? AND revision = ?",
                    {plan.workflow, std::string(name(plan.priority)), plan.print_due.micros,
                     plan.dispatch_due.micros, id, expected_revision}));
    if (changed == 1) return Status::ok();
    return conflictOrNotFound(db_, "SELECT 1 FROM applications WHERE id = ?", id,
                              "application " + id);
  }

  Result<std::vector<std::string>> pastDue(Timestamp now, int limit) override {
    // The open deadline: print_due until the first print sets dispatch_due.
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows,
        db_.query("SELECT id, CASE WHEN dispatch_due = 0 THEN print_due ELSE dispatch_due END "
                  "AS open_due FROM applications WHERE state IN ('queued', 'held') AND "
                  "CASE WHEN dispatch_due = 0 THEN print_due ELSE dispatch_due END "
                  "BETWEEN 1 AND ? ORDER BY open_due, id LIMIT ?",
                  {now.micros - 1, static_cast<std::int64_t>(std::max(limit, 0))}));
    std::vector<std::string> ids;
    ids.reserve(rows.size());
    for (const auto& row : rows) {
      CARDLINE_ASSIGN_OR_RETURN(std::string id, sqlText(row.at(0)));
      ids.push_back(std::move(id));
    }
    return ids;
  }

  Status purgePersonalData(const std::string& id) override {
    CARDLINE_ASSIGN_OR_RETURN(Bytes person, pii_.seal(encodePerson(Person{}), personContext(id)));
    CARDLINE_ASSIGN_OR_RETURN(Bytes number, pii_.seal(Bytes{}, numberContext(id)));
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE applications SET person_sealed = ?, personal_number_sealed = ?, "
                    "personal_number_hash = '' WHERE id = ?",
                    {std::move(person), std::move(number), id}));
    if (changed == 1) return Status::ok();
    return notFound("application " + id + " not found");
  }

  Result<std::int64_t> countInState(ApplicationState state) override {
    CARDLINE_ASSIGN_OR_RETURN(auto rows,
                              db_.query("SELECT COUNT(*) FROM applications WHERE state = ?",
                                        {std::string(name(state))}));
    return sqlInt(rows.at(0).at(0));
  }

  // The application row; with `personal` the sealed personal number and person are read and
  // opened, without it they are neither read nor decrypted (left empty).
  Result<Application> load(const std::string& id, bool personal) {
    static const std::string kFull =
        std::string("SELECT ") + kApplicationColumns + " FROM applications WHERE id = ?";
    // The same columns with the two sealed ones replaced by empty strings.
    static const std::string kPosition =
        "SELECT id, approval_ref, approved_at, card_model, request_type, priority, "
        "personal_number_hash, '', '', issue_date, receiving_unit_code, receiving_unit_name, "
        "content_hash, workflow, step, state, revision, received_at, print_due, dispatch_due "
        "FROM applications WHERE id = ?";
    CARDLINE_ASSIGN_OR_RETURN(auto rows, db_.query(personal ? kFull : kPosition, {id}));
    if (rows.empty()) return notFound("application " + id + " not found");
    RowReader r(rows[0]);
    Application a;
    a.id = r.text();
    a.approval_ref = r.text();
    a.approved_at = r.timestamp();
    a.card_model = r.enumeration(parseCardModel, CardModel::kCccd2021);
    a.request_type = r.enumeration(parseRequestType, RequestType::kNew);
    a.priority = r.enumeration(parsePriority, Priority::kNormal);
    r.text();  // personal_number_hash
    Bytes number;
    Bytes person;
    if (personal) {
      number = r.bytes();
      person = r.bytes();
    } else {
      r.text();  // '' for personal_number_sealed
      r.text();  // '' for person_sealed
    }
    const std::string issue_date = r.text();
    a.receiving_unit.code = r.text();
    a.receiving_unit.name = r.text();
    a.content_hash = r.text();
    a.workflow = r.text();
    a.step = r.text();
    a.state = r.enumeration(parseApplicationState, ApplicationState::kQueued);
    a.revision = r.int64();
    a.received_at = r.timestamp();
    a.print_due = r.timestamp();
    a.dispatch_due = r.timestamp();
    CARDLINE_RETURN_IF_ERROR(r.status());
    Result<Date> date = Date::parse(issue_date);
    if (!date.isOk()) return dataLoss("application " + id + " has a bad issue date");
    a.issue_date = *date;
    if (!personal) return a;
    CARDLINE_ASSIGN_OR_RETURN(Bytes plain_number, pii_.open(number, numberContext(a.id)));
    a.personal_number = toString(plain_number);
    CARDLINE_ASSIGN_OR_RETURN(Bytes plain_person, pii_.open(person, personContext(a.id)));
    CARDLINE_ASSIGN_OR_RETURN(a.person, decodePerson(plain_person));
    return a;
  }

 private:
  SqlConnection& db_;
  const PiiProtector& pii_;
};

// ---- station jobs ----

constexpr char kJobColumns[] =
    "id, application_id, station, step, attempt, state, priority, due, receiving_unit, "
    "province, device_id, node_id, lease_expires, outcome, created_at";

// Urgent sorts first in an ascending index scan.
std::int64_t priorityRank(Priority p) { return p == Priority::kUrgent ? 0 : 1; }

Result<StationJob> readJob(const SqlRow& row) {
  RowReader r(row);
  StationJob j;
  j.id = r.int64();
  j.application_id = r.text();
  j.station = r.enumeration(parseStationType, StationType::kPrint);
  j.step = r.text();
  j.attempt = r.int32();
  j.state = r.enumeration(parseJobState, JobState::kReady);
  j.priority = r.enumeration(parsePriority, Priority::kNormal);
  j.due = r.timestamp();
  j.receiving_unit = r.text();
  j.province = r.text();
  j.device_id = r.text();
  j.node_id = r.text();
  j.lease_expires = r.timestamp();
  j.outcome = r.text();
  j.created_at = r.timestamp();
  CARDLINE_RETURN_IF_ERROR(r.status());
  return j;
}

class SqlJobs final : public JobRepository {
 public:
  explicit SqlJobs(SqlConnection& db) : db_(db) {}

  Result<std::int64_t> enqueue(const StationJob& j) override {
    CARDLINE_RETURN_IF_ERROR(
        db_.execute("INSERT INTO station_jobs (application_id, station, step, attempt, state, "
                    "priority, priority_rank, due, receiving_unit, province, device_id, node_id, "
                    "lease_expires, outcome, created_at) "
                    "VALUES (?, ?, ?, ?, 'ready', ?, ?, ?, ?, ?, '', '', 0, '', ?)",
                    {j.application_id, std::string(name(j.station)), j.step,
                     std::int64_t{j.attempt}, std::string(name(j.priority)),
                     priorityRank(j.priority), j.due.micros, j.receiving_unit, j.province,
                     j.created_at.micros})
            .status());
    return db_.lastInsertId();
  }

  Status complete(std::int64_t job_id, int attempt, const std::string& outcome) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE station_jobs SET state = 'done', outcome = ? "
                    "WHERE id = ? AND attempt = ? AND state = 'leased'",
                    {outcome, job_id, std::int64_t{attempt}}));
    if (changed == 1) return Status::ok();
    return conflictOrNotFound(db_, "SELECT 1 FROM station_jobs WHERE id = ?", job_id,
                              "job " + std::to_string(job_id) + " attempt " +
                                  std::to_string(attempt));
  }

  Result<std::vector<ExpiredLease>> requeueExpired(Timestamp now) override {
    // Read the expired leases (locking them on MySQL, skipping rows other nodes hold), then
    // return exactly those to ready.
    const std::string select =
        std::string("SELECT id, device_id, node_id FROM station_jobs "
                    "WHERE state = 'leased' AND lease_expires < ? ORDER BY id") +
        (db_.dialect() == Dialect::kMysql ? " FOR UPDATE SKIP LOCKED" : "");
    CARDLINE_ASSIGN_OR_RETURN(auto rows, db_.query(select, {now.micros}));
    std::vector<ExpiredLease> expired;
    expired.reserve(rows.size());
    for (const SqlRow& row : rows) {
      RowReader r(row);
      ExpiredLease lease;
      lease.job_id = r.int64();
      lease.device_id = r.text();
      lease.node_id = r.text();
      CARDLINE_RETURN_IF_ERROR(r.status());
      CARDLINE_ASSIGN_OR_RETURN(
          std::int64_t changed,
          db_.execute("UPDATE station_jobs SET state = 'ready', attempt = attempt + 1, "
                      "device_id = '', node_id = '', lease_expires = 0 "
                      "WHERE id = ? AND state = 'leased' AND lease_expires < ?",
                      {lease.job_id, now.micros}));
      if (changed == 1) expired.push_back(std::move(lease));
    }
    return expired;
  }

  Result<StationJob> find(std::int64_t job_id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows,
        db_.query(std::string("SELECT ") + kJobColumns + " FROM station_jobs WHERE id = ?",
                  {job_id}));
    if (rows.empty()) return notFound("job " + std::to_string(job_id) + " not found");
    return readJob(rows[0]);
  }

  Result<std::vector<StationJob>> lockReady(StationType station, int window) override {
    std::vector<StationJob> jobs;
    if (window <= 0) return jobs;
    const std::string sql =
        std::string("SELECT ") + kJobColumns +
        " FROM station_jobs WHERE station = ? AND state = 'ready' AND EXISTS (SELECT 1 FROM "
        "applications a WHERE a.id = station_jobs.application_id AND a.state = 'queued') "
        "ORDER BY priority_rank, due, id LIMIT ?" +
        (db_.dialect() == Dialect::kMysql ? " FOR UPDATE SKIP LOCKED" : "");
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(sql, {std::string(name(station)), std::int64_t{window}}));
    jobs.reserve(rows.size());
    for (const auto& row : rows) {
      CARDLINE_ASSIGN_OR_RETURN(StationJob job, readJob(row));
      jobs.push_back(std::move(job));
    }
    return jobs;
  }

  Result<int> reprioritise(const std::string& application_id, Priority priority) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE station_jobs SET priority = ?, priority_rank = ? "
                    "WHERE application_id = ? AND state = 'ready' AND priority <> ?",
                    {std::string(name(priority)), priorityRank(priority), application_id,
                     std::string(name(priority))}));
    return static_cast<int>(changed);
  }

  Result<int> supersedeReady(const std::string& application_id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE station_jobs SET state = 'done', outcome = 'superseded' "
                    "WHERE application_id = ? AND state = 'ready'",
                    {application_id}));
    return static_cast<int>(changed);
  }

  Status leaseJob(std::int64_t job_id, const std::string& device_id, const std::string& node_id,
                  Timestamp lease_expires) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE station_jobs SET state = 'leased', device_id = ?, node_id = ?, "
                    "lease_expires = ? WHERE id = ? AND state = 'ready'",
                    {device_id, node_id, lease_expires.micros, job_id}));
    if (changed == 1) return Status::ok();
    return conflictOrNotFound(db_, "SELECT 1 FROM station_jobs WHERE id = ?", job_id,
                              "job " + std::to_string(job_id));
  }

  Status leaseJobs(const std::vector<std::pair<std::int64_t, std::string>>& jobs,
                   const std::string& node_id, Timestamp lease_expires) override {
    std::size_t done = 0;
    while (done < jobs.size()) {
      const std::size_t rows = multiRowChunk(jobs.size() - done);
      // UPDATE ... SET device_id = CASE id WHEN ? THEN ? ... END ... WHERE id IN (?, ...)
      std::string sql =
          "UPDATE station_jobs SET state = 'leased', node_id = ?, lease_expires = ?, "
          "device_id = CASE id";
      SqlParams params;
      params.reserve(2 + rows * 3);
      params.emplace_back(node_id);
      params.emplace_back(lease_expires.micros);
      for (std::size_t i = done; i < done + rows; ++i) {
        sql += " WHEN ? THEN ?";
        params.emplace_back(jobs[i].first);
        params.emplace_back(jobs[i].second);
      }
      sql += " END WHERE state = 'ready' AND id IN (";
      for (std::size_t i = done; i < done + rows; ++i) {
        sql += i == done ? "?" : ", ?";
        params.emplace_back(jobs[i].first);
      }
      sql += ")";
      CARDLINE_ASSIGN_OR_RETURN(std::int64_t changed, db_.execute(sql, params));
      if (changed != static_cast<std::int64_t>(rows)) {
        return conflict("only " + std::to_string(changed) + " of " + std::to_string(rows) +
                        " jobs were still ready to lease");
      }
      done += rows;
    }
    return Status::ok();
  }

  Status releaseLease(std::int64_t job_id, const std::string& node_id, LeaseEnd why) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE station_jobs SET state = 'ready', attempt = attempt + ?, "
                    "device_id = '', node_id = '', lease_expires = 0 "
                    "WHERE id = ? AND state = 'leased' AND node_id = ?",
                    {std::int64_t{why == LeaseEnd::kDeviceLost ? 1 : 0}, job_id, node_id}));
    if (changed == 1) return Status::ok();
    return conflictOrNotFound(db_, "SELECT 1 FROM station_jobs WHERE id = ?", job_id,
                              "job " + std::to_string(job_id) + " leased by " + node_id);
  }

  Result<std::int64_t> count(StationType station, JobState state) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query("SELECT COUNT(*) FROM station_jobs WHERE station = ? AND state = ?",
                             {std::string(name(station)), std::string(name(state))}));
    return sqlInt(rows.at(0).at(0));
  }

  Result<std::int64_t> countReadyHeld(StationType station) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query("SELECT COUNT(*) FROM station_jobs j JOIN applications a ON "
                             "a.id = j.application_id WHERE j.station = ? AND j.state = 'ready' "
                             "AND a.state = 'held'",
                             {std::string(name(station))}));
    return sqlInt(rows.at(0).at(0));
  }

 private:
  SqlConnection& db_;
};

// ---- cards ----

constexpr char kCardColumns[] =
    "serial, application_id, state, spoil_reason, spoil_station, signer_id, created_at, "
    "updated_at";

Result<Card> readCard(const SqlRow& row) {
  RowReader r(row);
  Card c;
  c.serial = r.text();
  c.application_id = r.text();
  c.state = r.enumeration(parseCardState, CardState::kPersonalised);
  c.spoil_reason = r.text();
  c.spoil_station = r.text();
  c.signer_id = r.text();
  c.created_at = r.timestamp();
  c.updated_at = r.timestamp();
  CARDLINE_RETURN_IF_ERROR(r.status());
  return c;
}

// The cards of an application read in this transaction are kept for its rest (the engine, the
// dispatch packer and blank accounting ask for them several times per result) and kept up to
// date by this repository's own writes, the only writes to the cards table.
class SqlCards final : public CardRepository {
 public:
  explicit SqlCards(SqlConnection& db) : db_(db) {}

  Status insert(const Card& c) override {
    Result<std::int64_t> inserted = db_.execute(
        std::string("INSERT INTO cards (") + kCardColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {c.serial, c.application_id, std::string(name(c.state)), c.spoil_reason,
         c.spoil_station, c.signer_id, c.created_at.micros, c.updated_at.micros});
    if (!inserted.isOk() && inserted.status().code() == ErrorCode::kAlreadyExists) {
      return alreadyExists("blank serial " + c.serial + " was already personalised");
    }
    if (!inserted.isOk() && inserted.status().code() == ErrorCode::kFailedPrecondition) {
      return failedPrecondition("card " + c.serial + ": no application " + c.application_id);
    }
    CARDLINE_RETURN_IF_ERROR(inserted.status());
    auto kept = by_application_.find(c.application_id);
    if (kept != by_application_.end()) {
      kept->second.push_back(c);
      std::stable_sort(kept->second.begin(), kept->second.end(),
                       [](const Card& a, const Card& b) {
                         return std::tie(a.created_at.micros, a.serial) <
                                std::tie(b.created_at.micros, b.serial);
                       });
    }
    return Status::ok();
  }

  Result<Card> find(const std::string& serial) override {
    for (const auto& [application, cards] : by_application_) {
      for (const Card& card : cards) {
        if (card.serial == serial) return card;
      }
    }
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows,
        db_.query(std::string("SELECT ") + kCardColumns + " FROM cards WHERE serial = ?",
                  {serial}));
    if (rows.empty()) return notFound("card " + serial + " not found");
    return readCard(rows[0]);
  }

  Result<std::vector<Card>> forApplication(const std::string& application_id) override {
    auto kept = by_application_.find(application_id);
    if (kept != by_application_.end()) return kept->second;
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kCardColumns +
                                 " FROM cards WHERE application_id = ? ORDER BY created_at, serial",
                             {application_id}));
    std::vector<Card> cards;
    for (const auto& row : rows) {
      CARDLINE_ASSIGN_OR_RETURN(Card card, readCard(row));
      cards.push_back(std::move(card));
    }
    by_application_[application_id] = cards;
    return cards;
  }

  Status updateState(const std::string& serial, CardState from, const Card& to) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE cards SET state = ?, spoil_reason = ?, spoil_station = ?, "
                    "signer_id = ?, updated_at = ? WHERE serial = ? AND state = ?",
                    {std::string(name(to.state)), to.spoil_reason, to.spoil_station,
                     to.signer_id, to.updated_at.micros, serial, std::string(name(from))}));
    if (changed != 1) {
      return conflictOrNotFound(db_, "SELECT 1 FROM cards WHERE serial = ?", serial,
                                "card " + serial);
    }
    for (auto& [application, cards] : by_application_) {
      for (Card& card : cards) {
        if (card.serial != serial) continue;
        card.state = to.state;
        card.spoil_reason = to.spoil_reason;
        card.spoil_station = to.spoil_station;
        card.signer_id = to.signer_id;
        card.updated_at = to.updated_at;
      }
    }
    return Status::ok();
  }

 private:
  SqlConnection& db_;
  std::map<std::string, std::vector<Card>> by_application_;  // this transaction's reads
};

// ---- events ----

constexpr char kEventColumns[] = "seq, at, subject_type, subject_id, kind, actor, detail";

Result<std::vector<Event>> readEvents(const std::vector<SqlRow>& rows) {
  std::vector<Event> events;
  for (const auto& row : rows) {
    RowReader r(row);
    Event e;
    e.seq = r.int64();
    e.at = r.timestamp();
    e.subject_type = r.text();
    e.subject_id = r.text();
    e.kind = r.text();
    e.actor = r.text();
    e.detail = r.text();
    CARDLINE_RETURN_IF_ERROR(r.status());
    events.push_back(std::move(e));
  }
  return events;
}

// Appends are staged and written as multi-row INSERTs when the transaction finishes (or
// before the log is read inside it): one statement for a whole round of events.
class SqlEvents final : public EventLog {
 public:
  explicit SqlEvents(SqlConnection& db) : db_(db) {}

  Status append(const Event& e) override {
    pending_.push_back(e);
    return Status::ok();
  }

  // The stored history, then this transaction's staged events of the subject (seq 0: it is
  // assigned at commit), so the staging stays in place.
  Result<std::vector<Event>> forSubject(const std::string& subject_type,
                                        const std::string& subject_id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kEventColumns +
                                 " FROM events WHERE subject_type = ? AND subject_id = ? "
                                 "ORDER BY seq",
                             {subject_type, subject_id}));
    CARDLINE_ASSIGN_OR_RETURN(std::vector<Event> history, readEvents(rows));
    for (const Event& e : pending_) {
      if (e.subject_type == subject_type && e.subject_id == subject_id) history.push_back(e);
    }
    return history;
  }

  Result<std::vector<Event>> after(std::int64_t after_seq, int limit) override {
    CARDLINE_RETURN_IF_ERROR(flush());
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kEventColumns +
                                 " FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                             {after_seq, std::int64_t{limit}}));
    return readEvents(rows);
  }

  // Writes the staged events in append order (so their seqs follow it).
  Status flush() {
    std::size_t done = 0;
    while (done < pending_.size()) {
      const std::size_t rows = multiRowChunk(pending_.size() - done);
      SqlParams params;
      params.reserve(rows * 6);
      for (std::size_t i = done; i < done + rows; ++i) {
        const Event& e = pending_[i];
        params.emplace_back(e.at.micros);
        params.emplace_back(e.subject_type);
        params.emplace_back(e.subject_id);
        params.emplace_back(e.kind);
        params.emplace_back(e.actor);
        params.emplace_back(e.detail);
      }
      CARDLINE_RETURN_IF_ERROR(
          db_.execute(multiRowInsert("INSERT INTO events (at, subject_type, subject_id, kind, "
                                     "actor, detail) VALUES ",
                                     "(?, ?, ?, ?, ?, ?)", rows),
                      params)
              .status());
      done += rows;
    }
    pending_.clear();
    return Status::ok();
  }

 private:
  SqlConnection& db_;
  std::vector<Event> pending_;
};

// ---- devices ----

constexpr char kDeviceColumns[] =
    "id, station_type, state, public_key, node_id, current_job, last_heartbeat, jobs_done, "
    "jobs_failed";

Result<std::vector<Device>> readDevices(const std::vector<SqlRow>& rows) {
  std::vector<Device> devices;
  for (const auto& row : rows) {
    RowReader r(row);
    Device d;
    d.id = r.text();
    d.station = r.enumeration(parseStationType, StationType::kPrint);
    d.state = r.enumeration(parseDeviceState, DeviceState::kOffline);
    d.public_key = r.text();
    d.node_id = r.text();
    d.current_job = r.text();
    d.last_heartbeat = r.timestamp();
    d.jobs_done = r.int64();
    d.jobs_failed = r.int64();
    CARDLINE_RETURN_IF_ERROR(r.status());
    devices.push_back(std::move(d));
  }
  return devices;
}

class SqlDevices final : public DeviceRepository {
 public:
  explicit SqlDevices(SqlConnection& db) : db_(db) {}

  Status upsert(const Device& d) override {
    const char* sqlite_sql =
        "INSERT INTO devices (id, station_type, state, public_key, node_id, current_job, "
        "last_heartbeat, jobs_done, jobs_failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET station_type = excluded.station_type, "
        "state = excluded.state, public_key = excluded.public_key, node_id = excluded.node_id, "
        "current_job = excluded.current_job, last_heartbeat = excluded.last_heartbeat, "
        "jobs_done = excluded.jobs_done, jobs_failed = excluded.jobs_failed";
    const char* mysql_sql =
        "INSERT INTO devices (id, station_type, state, public_key, node_id, current_job, "
        "last_heartbeat, jobs_done, jobs_failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON DUPLICATE KEY UPDATE station_type = VALUES(station_type), state = VALUES(state), "
        "public_key = VALUES(public_key), node_id = VALUES(node_id), "
        "current_job = VALUES(current_job), last_heartbeat = VALUES(last_heartbeat), "
        "jobs_done = VALUES(jobs_done), jobs_failed = VALUES(jobs_failed)";
    return db_
        .execute(db_.dialect() == Dialect::kSqlite ? sqlite_sql : mysql_sql,
                 {d.id, std::string(name(d.station)), std::string(name(d.state)), d.public_key,
                  d.node_id, d.current_job, d.last_heartbeat.micros, d.jobs_done,
                  d.jobs_failed})
        .status();
  }

  Result<Device> find(const std::string& id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows,
        db_.query(std::string("SELECT ") + kDeviceColumns + " FROM devices WHERE id = ?", {id}));
    if (rows.empty()) return notFound("device " + id + " not found");
    CARDLINE_ASSIGN_OR_RETURN(auto devices, readDevices(rows));
    return devices.at(0);
  }

  Result<std::vector<Device>> list() override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows,
        db_.query(std::string("SELECT ") + kDeviceColumns + " FROM devices ORDER BY id", {}));
    return readDevices(rows);
  }

  Status remove(const std::string& id) override {
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t removed,
                              db_.execute("DELETE FROM devices WHERE id = ?", {id}));
    if (removed == 0) return notFound("device " + id + " not found");
    return Status::ok();
  }

 private:
  SqlConnection& db_;
};

// ---- users ----

constexpr char kUserColumns[] =
    "name, display_name, roles, password_hash, disabled, failed_logins, locked_until, "
    "created_at";

std::string joinRoles(const std::vector<Role>& roles) {
  std::string out;
  for (Role role : roles) {
    if (!out.empty()) out += ",";
    out += name(role);
  }
  return out;
}

Result<std::vector<Role>> splitRoles(const std::string& text) {
  std::vector<Role> roles;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    Result<Role> role = parseRole(std::string_view(text).substr(start, end - start));
    if (!role.isOk()) return dataLoss("stored roles are not valid: " + role.status().message());
    roles.push_back(*role);
    start = end + 1;
  }
  return roles;
}

Result<std::vector<User>> readUsers(const std::vector<SqlRow>& rows) {
  std::vector<User> users;
  for (const auto& row : rows) {
    RowReader r(row);
    User u;
    u.name = r.text();
    u.display_name = r.text();
    const std::string roles = r.text();
    u.password_hash = r.text();
    u.disabled = r.int64() != 0;
    u.failed_logins = r.int32();
    u.locked_until = r.timestamp();
    u.created_at = r.timestamp();
    CARDLINE_RETURN_IF_ERROR(r.status());
    CARDLINE_ASSIGN_OR_RETURN(u.roles, splitRoles(roles));
    users.push_back(std::move(u));
  }
  return users;
}

class SqlUsers final : public UserRepository {
 public:
  explicit SqlUsers(SqlConnection& db) : db_(db) {}

  Status insert(const User& u) override {
    Result<std::int64_t> inserted = db_.execute(
        std::string("INSERT INTO users (") + kUserColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {u.name, u.display_name, joinRoles(u.roles), u.password_hash,
         std::int64_t{u.disabled ? 1 : 0}, std::int64_t{u.failed_logins}, u.locked_until.micros,
         u.created_at.micros});
    if (!inserted.isOk() && inserted.status().code() == ErrorCode::kAlreadyExists) {
      return alreadyExists("user " + u.name + " already exists");
    }
    return inserted.status();
  }

  Result<User> find(const std::string& user_name) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?",
                             {user_name}));
    if (rows.empty()) return notFound("user " + user_name + " not found");
    CARDLINE_ASSIGN_OR_RETURN(auto users, readUsers(rows));
    return users.at(0);
  }

  Status update(const User& u) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE users SET display_name = ?, roles = ?, password_hash = ?, "
                    "disabled = ?, failed_logins = ?, locked_until = ?, created_at = ? "
                    "WHERE name = ?",
                    {u.display_name, joinRoles(u.roles), u.password_hash,
                     std::int64_t{u.disabled ? 1 : 0}, std::int64_t{u.failed_logins},
                     u.locked_until.micros, u.created_at.micros, u.name}));
    if (changed == 0) return notFound("user " + u.name + " not found");
    return Status::ok();
  }

  Result<std::vector<User>> list() override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows,
        db_.query(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name", {}));
    return readUsers(rows);
  }

 private:
  SqlConnection& db_;
};

// ---- audit ----

constexpr char kAuditColumns[] = "seq, at, actor, action, subject, detail, prev_hash, hash";

Result<std::vector<AuditEntry>> readAudit(const std::vector<SqlRow>& rows) {
  std::vector<AuditEntry> entries;
  for (const auto& row : rows) {
    RowReader r(row);
    AuditEntry e;
    e.seq = r.int64();
    e.at = r.timestamp();
    e.actor = r.text();
    e.action = r.text();
    e.subject = r.text();
    e.detail = r.text();
    e.prev_hash = r.text();
    e.hash = r.text();
    CARDLINE_RETURN_IF_ERROR(r.status());
    entries.push_back(std::move(e));
  }
  return entries;
}

class SqlAudit final : public AuditLog {
 public:
  explicit SqlAudit(SqlConnection& db) : db_(db) {}

  Result<std::int64_t> append(const AuditEntry& e) override {
    // The counter row lock serialises appenders, so seq has no gaps and no duplicates.
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t bumped,
        db_.execute("UPDATE counters SET value = value + 1 WHERE name = 'audit_seq'", {}));
    if (bumped != 1) return internalError("counter audit_seq is missing; run cardline migrate");
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query("SELECT value FROM counters WHERE name = 'audit_seq'", {}));
    if (rows.empty()) return internalError("counter audit_seq vanished");
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t seq, sqlInt(rows[0].at(0)));
    CARDLINE_RETURN_IF_ERROR(
        db_.execute(std::string("INSERT INTO audit_entries (") + kAuditColumns +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    {seq, e.at.micros, e.actor, e.action, e.subject, e.detail, e.prev_hash,
                     e.hash})
            .status());
    return seq;
  }

  Result<AuditEntry> last() override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kAuditColumns +
                                 " FROM audit_entries ORDER BY seq DESC LIMIT 1",
                             {}));
    if (rows.empty()) return notFound("the audit log is empty");
    CARDLINE_ASSIGN_OR_RETURN(auto entries, readAudit(rows));
    return entries.at(0);
  }

  Result<std::vector<AuditEntry>> after(std::int64_t after_seq, int limit) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kAuditColumns +
                                 " FROM audit_entries WHERE seq > ? ORDER BY seq LIMIT ?",
                             {after_seq, std::int64_t{limit}}));
    return readAudit(rows);
  }

 private:
  SqlConnection& db_;
};

class SqlTransaction final : public StoreTransaction {
 public:
  SqlTransaction(SqlConnection& db, const PiiProtector& pii)
      : applications_(db, pii),
        jobs_(db),
        cards_(db),
        events_(db),
        devices_(db),
        users_(db),
        audit_(db),
        blanks_(makeSqlBlankStock(db)),
        rollups_(makeSqlRollups(db)),
        logistics_(makeSqlLogistics(db)) {}

  ApplicationRepository& applications() override { return applications_; }
  JobRepository& jobs() override { return jobs_; }
  CardRepository& cards() override { return cards_; }
  EventLog& events() override { return events_; }
  DeviceRepository& devices() override { return devices_; }
  UserRepository& users() override { return users_; }
  AuditLog& audit() override { return audit_; }
  BlankStockRepository& blanks() override { return *blanks_; }
  RollupRepository& rollups() override { return *rollups_; }
  LogisticsRepository& logistics() override { return *logistics_; }

  // Writes what the repositories staged (events, rollup increments).
  Status finish() {
    CARDLINE_RETURN_IF_ERROR(events_.flush());
    return flushSqlRollups(*rollups_);
  }

 private:
  SqlApplications applications_;
  SqlJobs jobs_;
  SqlCards cards_;
  SqlEvents events_;
  SqlDevices devices_;
  SqlUsers users_;
  SqlAudit audit_;
  std::unique_ptr<BlankStockRepository> blanks_;
  std::unique_ptr<RollupRepository> rollups_;
  std::unique_ptr<LogisticsRepository> logistics_;
};

}  // namespace

std::unique_ptr<StoreTransaction> makeSqlTransaction(SqlConnection& connection,
                                                     const PiiProtector& pii) {
  return std::make_unique<SqlTransaction>(connection, pii);
}

Status finishSqlTransaction(StoreTransaction& transaction) {
  return static_cast<SqlTransaction&>(transaction).finish();
}

}  // namespace cardline
