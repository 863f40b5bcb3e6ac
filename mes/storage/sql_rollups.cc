#include "mes/storage/sql_rollups.h"

#include <string>
#include <utility>
#include <vector>

namespace cardline {
namespace {

constexpr std::int64_t kSecondsPerHour = 3600;

Status checkHour(std::int64_t hour) {
  if (hour % kSecondsPerHour != 0) {
    return invalidArgument("rollup hour " + std::to_string(hour) +
                           " is not the start of an hour");
  }
  return Status::ok();
}

// Reads the columns of one row in order; the first failure sticks.
class Columns {
 public:
  explicit Columns(const SqlRow& row) : row_(row) {}
  std::int64_t int64() {
    if (!next()) return 0;
    Result<std::int64_t> v = sqlInt(row_[index_ - 1]);
    if (!v.isOk()) {
      status_ = v.status();
      return 0;
    }
    return *v;
  }
  std::string text() {
    if (!next()) return {};
    Result<std::string> v = sqlText(row_[index_ - 1]);
    if (!v.isOk()) {
      status_ = v.status();
      return {};
    }
    return *v;
  }
  template <typename E>
  E enumeration(Result<E> (*parse)(std::string_view), E fallback) {
    std::string s = text();
    if (!status_.isOk()) return fallback;
    Result<E> parsed = parse(s);
    if (!parsed.isOk()) {
      status_ = dataLoss("stored rollup value is not valid: " + parsed.status().message());
      return fallback;
    }
    return *parsed;
  }
  const Status& status() const { return status_; }

 private:
  bool next() {
    if (!status_.isOk()) return false;
    if (index_ >= row_.size()) {
      status_ = internalError("rollup row has fewer columns than expected");
      return false;
    }
    ++index_;
    return true;
  }
  const SqlRow& row_;
  std::size_t index_ = 0;
  Status status_;
};

class SqlRollups final : public RollupRepository {
 public:
  explicit SqlRollups(SqlConnection& db) : db_(db) {}

  Status addStationHour(const StationHour& d) override {
    CARDLINE_RETURN_IF_ERROR(checkHour(d.hour));
    static const std::string kSqlite =
        "INSERT INTO rollup_station_hours (hour, station, device_id, jobs, ok, first_pass_jobs, "
        "first_pass_ok) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hour, station, device_id) DO "
        "UPDATE SET jobs = jobs + excluded.jobs, ok = ok + excluded.ok, first_pass_jobs = "
        "first_pass_jobs + excluded.first_pass_jobs, first_pass_ok = first_pass_ok + "
        "excluded.first_pass_ok";
    static const std::string kMysql =
        "INSERT INTO rollup_station_hours (hour, station, device_id, jobs, ok, first_pass_jobs, "
        "first_pass_ok) VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE jobs = jobs + "
        "VALUES(jobs), ok = ok + VALUES(ok), first_pass_jobs = first_pass_jobs + "
        "VALUES(first_pass_jobs), first_pass_ok = first_pass_ok + VALUES(first_pass_ok)";
    return run(kSqlite, kMysql,
               {d.hour, std::string(name(d.station)), d.device_id, d.jobs, d.ok,
                d.first_pass_jobs, d.first_pass_ok});
  }

  Status addDefectHour(const DefectHour& d) override {
    CARDLINE_RETURN_IF_ERROR(checkHour(d.hour));
    if (d.code.empty()) return invalidArgument("a defect rollup needs a defect code");
    static const std::string kSqlite =
        "INSERT INTO rollup_defect_hours (hour, station, device_id, code, count) VALUES "
        "(?, ?, ?, ?, ?) ON CONFLICT (hour, station, device_id, code) DO UPDATE SET count = "
        "count + excluded.count";
    static const std::string kMysql =
        "INSERT INTO rollup_defect_hours (hour, station, device_id, code, count) VALUES "
        "(?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE count = count + VALUES(count)";
    return run(kSqlite, kMysql,
               {d.hour, std::string(name(d.station)), d.device_id, d.code, d.count});
  }

  Status addCycleBucket(const CycleBucket& d) override {
    if (d.bucket < 0) return invalidArgument("a cycle bucket index cannot be negative");
    static const std::string kSqlite =
        "INSERT INTO rollup_cycle_buckets (day, segment, bucket, count) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (day, segment, bucket) DO UPDATE SET count = count + excluded.count";
    static const std::string kMysql =
        "INSERT INTO rollup_cycle_buckets (day, segment, bucket, count) VALUES (?, ?, ?, ?) "
        "ON DUPLICATE KEY UPDATE count = count + VALUES(count)";
    return run(kSqlite, kMysql,
               {d.day.toDays(), std::string(name(d.segment)), std::int64_t{d.bucket}, d.count});
  }

  Status addDeviceTime(const DeviceTimeHour& d) override {
    CARDLINE_RETURN_IF_ERROR(checkHour(d.hour));
    static const std::string kSqlite =
        "INSERT INTO rollup_device_time (hour, device_id, station, state, seconds) VALUES "
        "(?, ?, ?, ?, ?) ON CONFLICT (hour, device_id, station, state) DO UPDATE SET seconds = "
        "seconds + excluded.seconds";
    static const std::string kMysql =
        "INSERT INTO rollup_device_time (hour, device_id, station, state, seconds) VALUES "
        "(?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE seconds = seconds + VALUES(seconds)";
    return run(kSqlite, kMysql,
               {d.hour, d.device_id, std::string(name(d.station)), std::string(name(d.state)),
                d.seconds});
  }

  Result<Milestones> milestones(const std::string& application_id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db_.query("SELECT application_id, approved_at, printed_at, dispatched_at, delivered_at, "
                  "stations_seen "
                  "FROM rollup_milestones WHERE application_id = ?",
                  {application_id}));
    if (rows.empty()) return notFound("no milestones for application " + application_id);
    Columns c(rows.front());
    Milestones m;
    m.application_id = c.text();
    m.approved = Timestamp{c.int64()};
    m.printed = Timestamp{c.int64()};
    m.dispatched = Timestamp{c.int64()};
    m.delivered = Timestamp{c.int64()};
    m.stations_seen = c.int64();
    CARDLINE_RETURN_IF_ERROR(c.status());
    return m;
  }

  Status putMilestones(const Milestones& m) override {
    if (m.application_id.empty()) return invalidArgument("milestones need an application id");
    static const std::string kSql =
        "REPLACE INTO rollup_milestones (application_id, approved_at, printed_at, "
        "dispatched_at, delivered_at, stations_seen) VALUES (?, ?, ?, ?, ?, ?)";
    return run(kSql, kSql,
               {m.application_id, m.approved.micros, m.printed.micros, m.dispatched.micros,
                m.delivered.micros, m.stations_seen});
  }

  Result<std::vector<StationHour>> stationHours(std::int64_t from_hour,
                                                std::int64_t to_hour) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db_.query("SELECT hour, station, device_id, jobs, ok, first_pass_jobs, first_pass_ok "
                  "FROM rollup_station_hours WHERE hour >= ? AND hour < ? "
                  "ORDER BY hour, station, device_id",
                  {from_hour, to_hour}));
    std::vector<StationHour> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      Columns c(row);
      StationHour h;
      h.hour = c.int64();
      h.station = c.enumeration(&parseStationType, StationType::kPrint);
      h.device_id = c.text();
      h.jobs = c.int64();
      h.ok = c.int64();
      h.first_pass_jobs = c.int64();
      h.first_pass_ok = c.int64();
      CARDLINE_RETURN_IF_ERROR(c.status());
      out.push_back(std::move(h));
    }
    return out;
  }

  Result<std::vector<DefectHour>> defectHours(std::int64_t from_hour,
                                              std::int64_t to_hour) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db_.query("SELECT hour, station, device_id, code, count FROM rollup_defect_hours "
                  "WHERE hour >= ? AND hour < ? ORDER BY hour, station, device_id, code",
                  {from_hour, to_hour}));
    std::vector<DefectHour> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      Columns c(row);
      DefectHour h;
      h.hour = c.int64();
      h.station = c.enumeration(&parseStationType, StationType::kPrint);
      h.device_id = c.text();
      h.code = c.text();
      h.count = c.int64();
      CARDLINE_RETURN_IF_ERROR(c.status());
      out.push_back(std::move(h));
    }
    return out;
  }

  Result<std::vector<DeviceTimeHour>> deviceTime(std::int64_t from_hour,
                                                 std::int64_t to_hour) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db_.query("SELECT hour, device_id, station, state, seconds FROM rollup_device_time "
                  "WHERE hour >= ? AND hour < ? ORDER BY hour, device_id, station, state",
                  {from_hour, to_hour}));
    std::vector<DeviceTimeHour> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      Columns c(row);
      DeviceTimeHour h;
      h.hour = c.int64();
      h.device_id = c.text();
      h.station = c.enumeration(&parseStationType, StationType::kPrint);
      h.state = c.enumeration(&parseDeviceState, DeviceState::kIdle);
      h.seconds = c.int64();
      CARDLINE_RETURN_IF_ERROR(c.status());
      out.push_back(std::move(h));
    }
    return out;
  }

  Result<std::vector<CycleBucket>> cycleBuckets(const Date& from, const Date& to) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db_.query("SELECT day, segment, bucket, count FROM rollup_cycle_buckets "
                  "WHERE day >= ? AND day <= ? ORDER BY day, segment, bucket",
                  {from.toDays(), to.toDays()}));
    std::vector<CycleBucket> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      Columns c(row);
      CycleBucket b;
      b.day = Date::fromDays(c.int64());
      b.segment = c.enumeration(&parseCycleSegment, CycleSegment::kApprovedToPrinted);
      b.bucket = static_cast<int>(c.int64());
      b.count = c.int64();
      CARDLINE_RETURN_IF_ERROR(c.status());
      out.push_back(std::move(b));
    }
    return out;
  }

  Result<std::vector<StationHour>> stationHourTotals(std::int64_t from_hour,
                                                     std::int64_t to_hour) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db_.query("SELECT hour, station, SUM(jobs), SUM(ok), SUM(first_pass_jobs), "
                  "SUM(first_pass_ok) FROM rollup_station_hours WHERE hour >= ? AND hour < ? "
                  "GROUP BY hour, station ORDER BY hour, station",
                  {from_hour, to_hour}));
    std::vector<StationHour> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      Columns c(row);
      StationHour h;
      h.hour = c.int64();
      h.station = c.enumeration(&parseStationType, StationType::kPrint);
      h.jobs = c.int64();
      h.ok = c.int64();
      h.first_pass_jobs = c.int64();
      h.first_pass_ok = c.int64();
      CARDLINE_RETURN_IF_ERROR(c.status());
      out.push_back(std::move(h));
    }
    return out;
  }

  Result<std::vector<DefectHour>> defectTotals(std::int64_t from_hour,
                                               std::int64_t to_hour) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db_.query("SELECT station, code, SUM(count) FROM rollup_defect_hours "
                  "WHERE hour >= ? AND hour < ? GROUP BY station, code ORDER BY station, code",
                  {from_hour, to_hour}));
    std::vector<DefectHour> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      Columns c(row);
      DefectHour h;
      h.hour = from_hour;
      h.station = c.enumeration(&parseStationType, StationType::kPrint);
      h.code = c.text();
      h.count = c.int64();
      CARDLINE_RETURN_IF_ERROR(c.status());
      out.push_back(std::move(h));
    }
    return out;
  }

  Result<std::vector<DeviceTimeHour>> deviceTimeTotals(std::int64_t from_hour,
                                                       std::int64_t to_hour) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db_.query("SELECT device_id, station, state, SUM(seconds) FROM rollup_device_time "
                  "WHERE hour >= ? AND hour < ? GROUP BY device_id, station, state "
                  "ORDER BY device_id, station, state",
                  {from_hour, to_hour}));
    std::vector<DeviceTimeHour> out;
    out.reserve(rows.size());
    for (const SqlRow& row : rows) {
      Columns c(row);
      DeviceTimeHour h;
      h.hour = from_hour;
      h.device_id = c.text();
      h.station = c.enumeration(&parseStationType, StationType::kPrint);
      h.state = c.enumeration(&parseDeviceState, DeviceState::kIdle);
      h.seconds = c.int64();
      CARDLINE_RETURN_IF_ERROR(c.status());
      out.push_back(std::move(h));
    }
    return out;
  }

 private:
  Status run(const std::string& sqlite_sql, const std::string& mysql_sql,
             const SqlParams& params) {
    const std::string& sql = db_.dialect() == Dialect::kMysql ? mysql_sql : sqlite_sql;
    return db_.execute(sql, params).status();
  }

  SqlConnection& db_;
};

}  // namespace

std::unique_ptr<RollupRepository> makeSqlRollups(SqlConnection& connection) {
  return std::make_unique<SqlRollups>(connection);
}

}  // namespace cardline
