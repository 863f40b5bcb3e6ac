#include "mes/storage/sql_rollups.h"

#include <map>
#include <string>
#include <tuple>
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

// Increments are staged and summed per key; milestones are read once and written once per
// transaction. flush() writes them as multi-row upserts before COMMIT (and before any read of
// the rollup tables inside the transaction), so a round of results costs a few statements.
class SqlRollups final : public RollupRepository {
 public:
  explicit SqlRollups(SqlConnection& db) : db_(db) {}

  Status addStationHour(const StationHour& d) override {
    CARDLINE_RETURN_IF_ERROR(checkHour(d.hour));
    auto [it, fresh] = station_hours_.try_emplace(
        StationKey{d.hour, static_cast<int>(d.station), d.device_id}, d);
    if (fresh) return Status::ok();
    StationHour& sum = it->second;
    sum.jobs += d.jobs;
    sum.ok += d.ok;
    sum.first_pass_jobs += d.first_pass_jobs;
    sum.first_pass_ok += d.first_pass_ok;
    return Status::ok();
  }

  Status addDefectHour(const DefectHour& d) override {
    CARDLINE_RETURN_IF_ERROR(checkHour(d.hour));
    if (d.code.empty()) return invalidArgument("a defect rollup needs a defect code");
    auto [it, fresh] = defect_hours_.try_emplace(
        DefectKey{d.hour, static_cast<int>(d.station), d.device_id, d.code}, d);
    if (!fresh) it->second.count += d.count;
    return Status::ok();
  }

  Status addCycleBucket(const CycleBucket& d) override {
    if (d.bucket < 0) return invalidArgument("a cycle bucket index cannot be negative");
    auto [it, fresh] = cycle_buckets_.try_emplace(
        CycleKey{d.day.toDays(), static_cast<int>(d.segment), d.bucket}, d);
    if (!fresh) it->second.count += d.count;
    return Status::ok();
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
    auto cached = milestones_.find(application_id);
    if (cached != milestones_.end()) {
      if (!cached->second.stored) return notFound("no milestones for application " + application_id);
      return cached->second.value;
    }
    CARDLINE_ASSIGN_OR_RETURN(
        std::vector<SqlRow> rows,
        db_.query("SELECT application_id, approved_at, printed_at, dispatched_at, delivered_at, "
                  "stations_seen "
                  "FROM rollup_milestones WHERE application_id = ?",
                  {application_id}));
    MilestonesEntry& entry = milestones_[application_id];
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
    entry.stored = true;
    entry.value = m;
    return m;
  }

  Status putMilestones(const Milestones& m) override {
    if (m.application_id.empty()) return invalidArgument("milestones need an application id");
    MilestonesEntry& entry = milestones_[m.application_id];
    entry.stored = true;
    entry.dirty = true;
    entry.value = m;
    return Status::ok();
  }

  // Writes the staged increments and milestones; the transaction goes on reading its own
  // writes from the tables afterwards.
  Status flush() {
    CARDLINE_RETURN_IF_ERROR(flushStationHours());
    CARDLINE_RETURN_IF_ERROR(flushDefectHours());
    CARDLINE_RETURN_IF_ERROR(flushCycleBuckets());
    return flushMilestones();
  }

  Result<std::vector<StationHour>> stationHours(std::int64_t from_hour,
                                                std::int64_t to_hour) override {
    CARDLINE_RETURN_IF_ERROR(flush());
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
    CARDLINE_RETURN_IF_ERROR(flush());
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
    CARDLINE_RETURN_IF_ERROR(flush());
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
    CARDLINE_RETURN_IF_ERROR(flush());
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
    CARDLINE_RETURN_IF_ERROR(flush());
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
    CARDLINE_RETURN_IF_ERROR(flush());
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
    CARDLINE_RETURN_IF_ERROR(flush());
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

  // Writes `items` in multi-row statements: prefix + rows of `row` + the dialect's suffix;
  // `bind` appends one item's parameters.
  template <typename Item, typename Bind>
  Status upsertRows(const std::vector<const Item*>& items, const std::string& prefix,
                    const std::string& row, const std::string& sqlite_suffix,
                    const std::string& mysql_suffix, Bind bind) {
    const std::string& suffix = db_.dialect() == Dialect::kMysql ? mysql_suffix : sqlite_suffix;
    std::size_t done = 0;
    while (done < items.size()) {
      const std::size_t rows = multiRowChunk(items.size() - done);
      SqlParams params;
      for (std::size_t i = done; i < done + rows; ++i) bind(*items[i], params);
      CARDLINE_RETURN_IF_ERROR(
          db_.execute(multiRowInsert(prefix, row, rows, suffix), params).status());
      done += rows;
    }
    return Status::ok();
  }

  Status flushStationHours() {
    std::vector<const StationHour*> items;
    for (const auto& [key, sum] : station_hours_) items.push_back(&sum);
    CARDLINE_RETURN_IF_ERROR(upsertRows(
        items,
        "INSERT INTO rollup_station_hours (hour, station, device_id, jobs, ok, first_pass_jobs, "
        "first_pass_ok) VALUES ",
        "(?, ?, ?, ?, ?, ?, ?)",
        "ON CONFLICT (hour, station, device_id) DO UPDATE SET jobs = jobs + excluded.jobs, ok = "
        "ok + excluded.ok, first_pass_jobs = first_pass_jobs + excluded.first_pass_jobs, "
        "first_pass_ok = first_pass_ok + excluded.first_pass_ok",
        "ON DUPLICATE KEY UPDATE jobs = jobs + VALUES(jobs), ok = ok + VALUES(ok), "
        "first_pass_jobs = first_pass_jobs + VALUES(first_pass_jobs), first_pass_ok = "
        "first_pass_ok + VALUES(first_pass_ok)",
        [](const StationHour& d, SqlParams& p) {
          p.emplace_back(d.hour);
          p.emplace_back(std::string(name(d.station)));
          p.emplace_back(d.device_id);
          p.emplace_back(d.jobs);
          p.emplace_back(d.ok);
          p.emplace_back(d.first_pass_jobs);
          p.emplace_back(d.first_pass_ok);
        }));
    station_hours_.clear();
    return Status::ok();
  }

  Status flushDefectHours() {
    std::vector<const DefectHour*> items;
    for (const auto& [key, sum] : defect_hours_) items.push_back(&sum);
    CARDLINE_RETURN_IF_ERROR(upsertRows(
        items, "INSERT INTO rollup_defect_hours (hour, station, device_id, code, count) VALUES ",
        "(?, ?, ?, ?, ?)",
        "ON CONFLICT (hour, station, device_id, code) DO UPDATE SET count = count + "
        "excluded.count",
        "ON DUPLICATE KEY UPDATE count = count + VALUES(count)",
        [](const DefectHour& d, SqlParams& p) {
          p.emplace_back(d.hour);
          p.emplace_back(std::string(name(d.station)));
          p.emplace_back(d.device_id);
          p.emplace_back(d.code);
          p.emplace_back(d.count);
        }));
    defect_hours_.clear();
    return Status::ok();
  }

  Status flushCycleBuckets() {
    std::vector<const CycleBucket*> items;
    for (const auto& [key, sum] : cycle_buckets_) items.push_back(&sum);
    CARDLINE_RETURN_IF_ERROR(upsertRows(
        items, "INSERT INTO rollup_cycle_buckets (day, segment, bucket, count) VALUES ",
        "(?, ?, ?, ?)",
        "ON CONFLICT (day, segment, bucket) DO UPDATE SET count = count + excluded.count",
        "ON DUPLICATE KEY UPDATE count = count + VALUES(count)",
        [](const CycleBucket& d, SqlParams& p) {
          p.emplace_back(d.day.toDays());
          p.emplace_back(std::string(name(d.segment)));
          p.emplace_back(std::int64_t{d.bucket});
          p.emplace_back(d.count);
        }));
    cycle_buckets_.clear();
    return Status::ok();
  }

  Status flushMilestones() {
    std::vector<const Milestones*> items;
    for (auto& [id, entry] : milestones_) {
      if (entry.dirty) items.push_back(&entry.value);
    }
    CARDLINE_RETURN_IF_ERROR(upsertRows(
        items,
        "REPLACE INTO rollup_milestones (application_id, approved_at, printed_at, "
        "dispatched_at, delivered_at, stations_seen) VALUES ",
        "(?, ?, ?, ?, ?, ?)", "", "",
        [](const Milestones& m, SqlParams& p) {
          p.emplace_back(m.application_id);
          p.emplace_back(m.approved.micros);
          p.emplace_back(m.printed.micros);
          p.emplace_back(m.dispatched.micros);
          p.emplace_back(m.delivered.micros);
          p.emplace_back(m.stations_seen);
        }));
    for (auto& [id, entry] : milestones_) entry.dirty = false;
    return Status::ok();
  }

  using StationKey = std::tuple<std::int64_t, int, std::string>;
  using DefectKey = std::tuple<std::int64_t, int, std::string, std::string>;
  using CycleKey = std::tuple<std::int64_t, int, int>;
  struct MilestonesEntry {
    bool stored = false;  // a row exists (or is staged)
    bool dirty = false;   // staged for writing
    Milestones value;
  };

  SqlConnection& db_;
  std::map<StationKey, StationHour> station_hours_;
  std::map<DefectKey, DefectHour> defect_hours_;
  std::map<CycleKey, CycleBucket> cycle_buckets_;
  std::map<std::string, MilestonesEntry> milestones_;
};

}  // namespace

std::unique_ptr<RollupRepository> makeSqlRollups(SqlConnection& connection) {
  return std::make_unique<SqlRollups>(connection);
}

Status flushSqlRollups(RollupRepository& rollups) {
  return static_cast<SqlRollups&>(rollups).flush();
}

}  // namespace cardline
