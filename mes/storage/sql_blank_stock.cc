#include "mes/storage/sql_blank_stock.h"

#include <map>
#include <string>
#include <utility>

namespace cardline {
namespace {

// Reads the columns of one row in order; the first failure sticks (status()).
class Columns {
 public:
  explicit Columns(const SqlRow& row) : row_(row) {}
  std::int64_t int64() {
    const SqlValue* v = next();
    if (v == nullptr) return 0;
    Result<std::int64_t> r = sqlInt(*v);
    if (!r.isOk()) {
      status_ = r.status();
      return 0;
    }
    return *r;
  }
  Timestamp timestamp() { return Timestamp{int64()}; }
  std::string text() {
    const SqlValue* v = next();
    if (v == nullptr) return {};
    Result<std::string> r = sqlText(*v);
    if (!r.isOk()) {
      status_ = r.status();
      return {};
    }
    return std::move(r).value();
  }
  template <typename E>
  E enumeration(Result<E> (*parse)(std::string_view), E fallback) {
    std::string s = text();
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
  const SqlRow& row_;
  std::size_t index_ = 0;
  Status status_;
};

Result<ShiftState> parseShiftState(std::string_view s) {
  if (s == name(ShiftState::kOpen)) return ShiftState::kOpen;
  if (s == name(ShiftState::kClosed)) return ShiftState::kClosed;
  return invalidArgument("unknown shift state '" + std::string(s) + "'");
}
Result<DestructionState> parseDestructionState(std::string_view s) {
  if (s == name(DestructionState::kProposed)) return DestructionState::kProposed;
  if (s == name(DestructionState::kConfirmed)) return DestructionState::kConfirmed;
  return invalidArgument("unknown destruction state '" + std::string(s) + "'");
}
Result<CardModel> parseModel(std::string_view s) { return parseCardModel(s); }

std::string joinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += "\n";
    out += item;
  }
  return out;
}
std::vector<std::string> splitLines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

constexpr char kLotColumns[] =
    "id, line, supplier, chip_type, card_model, first_serial, last_serial, quantity, "
    "received_at, received_by";
constexpr char kSerialSelect[] =
    "SELECT s.serial, s.lot_id, l.line, s.state, s.station_id, s.reason, s.spoil_station, "
    "s.updated_at FROM blank_serials s JOIN blank_lots l ON l.id = s.lot_id ";
constexpr char kMovementColumns[] =
    "seq, at, serial, lot_id, line, from_state, to_state, device_id, actor, reason, station";
constexpr char kShiftColumns[] =
    "id, line, state, opened_at, opened_by, opened_seq, closed_at, closed_by, closed_seq, "
    "counted";
constexpr char kFlagColumns[] = "id, at, serial, line, kind, device_id, detail";

Result<BlankLot> readLot(const SqlRow& row) {
  Columns c(row);
  BlankLot lot;
  lot.id = c.text();
  lot.line = c.text();
  lot.supplier = c.text();
  lot.chip_type = c.text();
  lot.card_model = c.enumeration(&parseModel, CardModel::kCccd2021);
  lot.first_serial = c.text();
  lot.last_serial = c.text();
  lot.quantity = c.int64();
  lot.received_at = c.timestamp();
  lot.received_by = c.text();
  CARDLINE_RETURN_IF_ERROR(c.status());
  return lot;
}

Result<BlankSerial> readSerial(const SqlRow& row) {
  Columns c(row);
  BlankSerial s;
  s.serial = c.text();
  s.lot_id = c.text();
  s.line = c.text();
  s.state = c.enumeration(&parseBlankState, BlankState::kInVault);
  s.device_id = c.text();
  s.reason = c.text();
  s.station = c.text();
  s.updated_at = c.timestamp();
  CARDLINE_RETURN_IF_ERROR(c.status());
  return s;
}

Result<BlankMovement> readMovement(const SqlRow& row) {
  Columns c(row);
  BlankMovement m;
  m.seq = c.int64();
  m.at = c.timestamp();
  m.serial = c.text();
  m.lot_id = c.text();
  m.line = c.text();
  std::string from = c.text();
  m.to = c.enumeration(&parseBlankState, BlankState::kInVault);
  m.device_id = c.text();
  m.actor = c.text();
  m.reason = c.text();
  m.station = c.text();
  CARDLINE_RETURN_IF_ERROR(c.status());
  if (!from.empty()) {
    Result<BlankState> parsed = parseBlankState(from);
    if (!parsed.isOk()) return dataLoss("stored value is not valid: " + parsed.status().message());
    m.from = *parsed;
  }
  return m;
}

Result<Shift> readShift(const SqlRow& row) {
  Columns c(row);
  Shift s;
  s.id = c.int64();
  s.line = c.text();
  s.state = c.enumeration(&parseShiftState, ShiftState::kOpen);
  s.opened_at = c.timestamp();
  s.opened_by = c.text();
  s.opened_seq = c.int64();
  s.closed_at = c.timestamp();
  s.closed_by = c.text();
  s.closed_seq = c.int64();
  s.counted = splitLines(c.text());
  CARDLINE_RETURN_IF_ERROR(c.status());
  return s;
}

Result<BlankFlag> readFlag(const SqlRow& row) {
  Columns c(row);
  BlankFlag f;
  f.id = c.int64();
  f.at = c.timestamp();
  f.serial = c.text();
  f.line = c.text();
  f.kind = c.enumeration(&parseBlankFlagKind, BlankFlagKind::kNotIssuedToDevice);
  f.device_id = c.text();
  f.detail = c.text();
  CARDLINE_RETURN_IF_ERROR(c.status());
  return f;
}

template <typename T>
Result<std::vector<T>> readAll(const std::vector<SqlRow>& rows, Result<T> (*read)(const SqlRow&)) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    CARDLINE_ASSIGN_OR_RETURN(T item, read(row));
    out.push_back(std::move(item));
  }
  return out;
}

Result<std::int64_t> singleInt(SqlConnection& db, const std::string& sql, const SqlParams& p) {
  CARDLINE_ASSIGN_OR_RETURN(auto rows, db.query(sql, p));
  if (rows.empty() || rows[0].empty() || sqlIsNull(rows[0][0])) return std::int64_t{0};
  return sqlInt(rows[0][0]);
}

class SqlBlankStock final : public BlankStockRepository {
 public:
  explicit SqlBlankStock(SqlConnection& db) : db_(db) {}

  Status insertLot(const BlankLot& lot, const std::vector<std::string>& serials,
                   BlankState initial) override {
    Result<std::int64_t> inserted = db_.execute(
        std::string("INSERT INTO blank_lots (") + kLotColumns +
            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {lot.id, lot.line, lot.supplier, lot.chip_type, std::string(name(lot.card_model)),
         lot.first_serial, lot.last_serial, lot.quantity, lot.received_at.micros, lot.received_by});
    if (!inserted.isOk() && inserted.status().code() == ErrorCode::kAlreadyExists) {
      return alreadyExists("blank lot " + lot.id + " was already received");
    }
    CARDLINE_RETURN_IF_ERROR(inserted.status());
    for (const std::string& serial : serials) {
      Result<std::int64_t> row = db_.execute(
          "INSERT INTO blank_serials (serial, lot_id, state, station_id, updated_at, reason, "
          "spoil_station) VALUES (?, ?, ?, NULL, ?, '', '')",
          {serial, lot.id, std::string(name(initial)), lot.received_at.micros});
      if (!row.isOk() && row.status().code() == ErrorCode::kAlreadyExists) {
        return alreadyExists("blank serial " + serial + " was already received");
      }
      CARDLINE_RETURN_IF_ERROR(row.status());
    }
    return Status::ok();
  }

  Result<BlankLot> findLot(const std::string& id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows,
        db_.query(std::string("SELECT ") + kLotColumns + " FROM blank_lots WHERE id = ?", {id}));
    if (rows.empty()) return notFound("blank lot " + id + " not found");
    return readLot(rows[0]);
  }

  Result<std::vector<BlankLot>> lots() override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows,
        db_.query(std::string("SELECT ") + kLotColumns + " FROM blank_lots ORDER BY id", {}));
    return readAll(rows, &readLot);
  }

  // A serial read in this transaction is kept for its rest (blank accounting asks for it up to
  // three times per station result); updateSerial keeps it current.
  Result<BlankSerial> findSerial(const std::string& serial) override {
    auto kept = serials_.find(serial);
    if (kept != serials_.end()) return kept->second;
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string(kSerialSelect) + "WHERE s.serial = ?", {serial}));
    if (rows.empty()) return notFound("blank serial " + serial + " not found");
    CARDLINE_ASSIGN_OR_RETURN(BlankSerial found, readSerial(rows[0]));
    serials_[serial] = found;
    return found;
  }

  Result<std::vector<BlankSerial>> serialsInState(const std::string& line,
                                                  BlankState state) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string(kSerialSelect) +
                                 "WHERE s.state = ? AND (? = '' OR l.line = ?) ORDER BY s.serial",
                             {std::string(name(state)), line, line}));
    return readAll(rows, &readSerial);
  }

  Status updateSerial(BlankState from, const BlankSerial& to) override {
    SqlValue device = to.device_id.empty() ? SqlValue{} : SqlValue{to.device_id};
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE blank_serials SET state = ?, station_id = ?, reason = ?, "
                    "spoil_station = ?, updated_at = ? WHERE serial = ? AND state = ?",
                    {std::string(name(to.state)), device, to.reason, to.station,
                     to.updated_at.micros, to.serial, std::string(name(from))}));
    if (changed == 1) {
      auto kept = serials_.find(to.serial);
      if (kept != serials_.end()) kept->second = to;
      return Status::ok();
    }
    serials_.erase(to.serial);
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query("SELECT state FROM blank_serials WHERE serial = ?", {to.serial}));
    if (rows.empty()) return notFound("blank serial " + to.serial + " not found");
    CARDLINE_ASSIGN_OR_RETURN(std::string now_state, sqlText(rows[0][0]));
    return conflict("blank serial " + to.serial + " is " + now_state + ", not " + name(from));
  }

  Result<std::int64_t> appendMovement(const BlankMovement& m) override {
    CARDLINE_RETURN_IF_ERROR(
        db_.execute(
               "INSERT INTO blank_movements (at, serial, lot_id, line, from_state, "
               "to_state, device_id, actor, reason, station) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               {m.at.micros, m.serial, m.lot_id, m.line, std::string(m.from ? name(*m.from) : ""),
                std::string(name(m.to)), m.device_id, m.actor, m.reason, m.station})
            .status());
    return db_.lastInsertId();
  }

  Result<std::vector<BlankMovement>> movements(const std::string& line,
                                               std::int64_t upto_seq) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kMovementColumns +
                                 " FROM blank_movements WHERE seq <= ? AND (? = '' OR line = ?) "
                                 "ORDER BY seq",
                             {upto_seq, line, line}));
    return readAll(rows, &readMovement);
  }

  Result<std::int64_t> lastSeqBefore(Timestamp before) override {
    return singleInt(db_, "SELECT MAX(seq) FROM blank_movements WHERE at < ?", {before.micros});
  }

  Result<std::int64_t> lastSeq() override {
    return singleInt(db_, "SELECT MAX(seq) FROM blank_movements", {});
  }

  Result<std::int64_t> insertShift(const Shift& s) override {
    CARDLINE_RETURN_IF_ERROR(
        db_.execute(
               "INSERT INTO shifts (line, state, opened_at, opened_by, opened_seq, "
               "closed_at, closed_by, closed_seq, counted) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               {s.line, std::string(name(s.state)), s.opened_at.micros, s.opened_by, s.opened_seq,
                s.closed_at.micros, s.closed_by, s.closed_seq, joinLines(s.counted)})
            .status());
    return db_.lastInsertId();
  }

  Result<Shift> findShift(std::int64_t id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows,
        db_.query(std::string("SELECT ") + kShiftColumns + " FROM shifts WHERE id = ?", {id}));
    if (rows.empty()) return notFound("shift " + std::to_string(id) + " not found");
    return readShift(rows[0]);
  }

  Result<Shift> openShift(const std::string& line) override {
    CARDLINE_ASSIGN_OR_RETURN(auto rows,
                              db_.query(std::string("SELECT ") + kShiftColumns +
                                            " FROM shifts WHERE line = ? AND state = ? ORDER BY id",
                                        {line, std::string(name(ShiftState::kOpen))}));
    if (rows.empty()) return notFound("line " + line + " has no open shift");
    return readShift(rows[0]);
  }

  Status closeShift(const Shift& s) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute(
            "UPDATE shifts SET state = ?, closed_at = ?, closed_by = ?, closed_seq = ?, "
            "counted = ? WHERE id = ? AND state = ?",
            {std::string(name(ShiftState::kClosed)), s.closed_at.micros, s.closed_by, s.closed_seq,
             joinLines(s.counted), s.id, std::string(name(ShiftState::kOpen))}));
    if (changed == 1) return Status::ok();
    CARDLINE_ASSIGN_OR_RETURN(auto rows, db_.query("SELECT 1 FROM shifts WHERE id = ?", {s.id}));
    if (rows.empty()) return notFound("shift " + std::to_string(s.id) + " not found");
    return conflict("shift " + std::to_string(s.id) + " is already closed");
  }

  Result<std::int64_t> insertDestruction(const Destruction& d) override {
    CARDLINE_RETURN_IF_ERROR(
        db_.execute("INSERT INTO destructions (state, reason, proposed_by, proposed_at, "
                    "confirmed_by, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)",
                    {std::string(name(d.state)), d.reason, d.proposed_by, d.proposed_at.micros,
                     d.confirmed_by, d.confirmed_at.micros})
            .status());
    CARDLINE_ASSIGN_OR_RETURN(std::int64_t id, db_.lastInsertId());
    for (const std::string& serial : d.serials) {
      Result<std::int64_t> row = db_.execute(
          "INSERT INTO destruction_serials (destruction_id, serial) VALUES (?, ?)", {id, serial});
      if (!row.isOk() && row.status().code() == ErrorCode::kFailedPrecondition) {
        return notFound("blank serial " + serial + " not found");
      }
      if (!row.isOk() && row.status().code() == ErrorCode::kAlreadyExists) {
        return invalidArgument("blank serial " + serial + " is listed twice");
      }
      CARDLINE_RETURN_IF_ERROR(row.status());
    }
    return id;
  }

  Result<Destruction> findDestruction(std::int64_t id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query("SELECT id, state, reason, proposed_by, proposed_at, confirmed_by, "
                             "confirmed_at FROM destructions WHERE id = ?",
                             {id}));
    if (rows.empty()) return notFound("destruction " + std::to_string(id) + " not found");
    Columns c(rows[0]);
    Destruction d;
    d.id = c.int64();
    d.state = c.enumeration(&parseDestructionState, DestructionState::kProposed);
    d.reason = c.text();
    d.proposed_by = c.text();
    d.proposed_at = c.timestamp();
    d.confirmed_by = c.text();
    d.confirmed_at = c.timestamp();
    CARDLINE_RETURN_IF_ERROR(c.status());
    CARDLINE_ASSIGN_OR_RETURN(
        auto serial_rows,
        db_.query("SELECT serial FROM destruction_serials WHERE destruction_id = ? "
                  "ORDER BY serial",
                  {id}));
    for (const auto& row : serial_rows) {
      CARDLINE_ASSIGN_OR_RETURN(std::string serial, sqlText(row[0]));
      d.serials.push_back(std::move(serial));
    }
    return d;
  }

  Status confirmDestruction(std::int64_t id, const std::string& confirmed_by,
                            Timestamp confirmed_at) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE destructions SET state = ?, confirmed_by = ?, confirmed_at = ? "
                    "WHERE id = ? AND state = ?",
                    {std::string(name(DestructionState::kConfirmed)), confirmed_by,
                     confirmed_at.micros, id, std::string(name(DestructionState::kProposed))}));
    if (changed == 1) return Status::ok();
    CARDLINE_ASSIGN_OR_RETURN(auto rows,
                              db_.query("SELECT 1 FROM destructions WHERE id = ?", {id}));
    if (rows.empty()) return notFound("destruction " + std::to_string(id) + " not found");
    return conflict("destruction " + std::to_string(id) + " was already confirmed");
  }

  Result<std::vector<std::int64_t>> pendingDestructionsOf(const std::string& serial) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query("SELECT d.id FROM destructions d JOIN destruction_serials s ON "
                             "s.destruction_id = d.id WHERE s.serial = ? AND d.state = ? "
                             "ORDER BY d.id",
                             {serial, std::string(name(DestructionState::kProposed))}));
    std::vector<std::int64_t> ids;
    for (const auto& row : rows) {
      CARDLINE_ASSIGN_OR_RETURN(std::int64_t id, sqlInt(row[0]));
      ids.push_back(id);
    }
    return ids;
  }

  Result<std::int64_t> appendFlag(const BlankFlag& f) override {
    CARDLINE_RETURN_IF_ERROR(
        db_.execute(
               "INSERT INTO blank_flags (at, serial, line, kind, device_id, detail) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               {f.at.micros, f.serial, f.line, std::string(name(f.kind)), f.device_id, f.detail})
            .status());
    return db_.lastInsertId();
  }

  Result<std::vector<BlankFlag>> flags(const std::string& line, Timestamp from,
                                       Timestamp to) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows,
        db_.query(std::string("SELECT ") + kFlagColumns +
                      " FROM blank_flags WHERE at >= ? AND at < ? AND (? = '' OR line = ?) "
                      "ORDER BY id",
                  {from.micros, to.micros, line, line}));
    return readAll(rows, &readFlag);
  }

 private:
  SqlConnection& db_;
  std::map<std::string, BlankSerial> serials_;  // serials read in this transaction
};

}  // namespace

std::unique_ptr<BlankStockRepository> makeSqlBlankStock(SqlConnection& connection) {
  return std::make_unique<SqlBlankStock>(connection);
}

}  // namespace cardline
