#include "mes/storage/sql_logistics.h"

#include <string>
#include <utility>
#include <vector>

namespace cardline {
namespace {

// Reads the columns of one row in order; the first failure sticks.
class Reader {
 public:
  explicit Reader(const SqlRow& row) : row_(row) {}
  std::int64_t int64() {
    const SqlValue* v = next();
    if (v == nullptr || sqlIsNull(*v)) return 0;
    Result<std::int64_t> r = sqlInt(*v);
    if (!r.isOk()) status_ = r.status();
    return r.isOk() ? *r : 0;
  }
  Timestamp timestamp() { return Timestamp{int64()}; }
  std::string text() {
    const SqlValue* v = next();
    if (v == nullptr) return {};
    Result<std::string> r = sqlText(*v);
    if (!r.isOk()) status_ = r.status();
    return r.isOk() ? *r : std::string();
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

  const SqlRow& row_;
  std::size_t index_ = 0;
  Status status_;
};

constexpr char kBoxColumns[] =
    "id, receiving_unit_code, receiving_unit_name, state, capacity, card_count, seal_number, "
    "shipment_id, created_at, sealed_at, delivered_at, delivered_by, purged_at";

Result<Box> readBox(const SqlRow& row) {
  Reader r(row);
  Box b;
  b.id = r.text();
  b.receiving_unit_code = r.text();
  b.receiving_unit_name = r.text();
  b.state = r.enumeration(parseBoxState, BoxState::kOpen);
  b.capacity = static_cast<int>(r.int64());
  b.card_count = r.int64();
  b.seal_number = r.text();
  b.shipment_id = r.text();
  b.created_at = r.timestamp();
  b.sealed_at = r.timestamp();
  b.delivered_at = r.timestamp();
  b.delivered_by = r.text();
  b.purged_at = r.timestamp();
  CARDLINE_RETURN_IF_ERROR(r.status());
  return b;
}

Result<std::vector<Box>> readBoxes(const std::vector<SqlRow>& rows) {
  std::vector<Box> boxes;
  for (const auto& row : rows) {
    CARDLINE_ASSIGN_OR_RETURN(Box box, readBox(row));
    boxes.push_back(std::move(box));
  }
  return boxes;
}

// NULL for "" (a box without a shipment must not reference one).
SqlValue nullIfEmpty(const std::string& s) {
  if (s.empty()) return std::monostate{};
  return s;
}

constexpr char kShipmentColumns[] =
    "id, carrier, tracking_number, state, handed_over_by, created_at, handed_over_at, due_at, "
    "delivered_at";

Result<Shipment> readShipment(const SqlRow& row) {
  Reader r(row);
  Shipment s;
  s.id = r.text();
  s.carrier = r.text();
  s.tracking_number = r.text();
  s.state = r.enumeration(parseShipmentState, ShipmentState::kHandedOver);
  s.handed_over_by = r.text();
  s.created_at = r.timestamp();
  s.handed_over_at = r.timestamp();
  s.due_at = r.timestamp();
  s.delivered_at = r.timestamp();
  CARDLINE_RETURN_IF_ERROR(r.status());
  return s;
}

constexpr char kDiscrepancyColumns[] =
    "id, box_id, missing_serials, note, state, reported_by, reported_at, resolution, "
    "resolution_note, resolved_by, resolved_at";

std::string joinSerials(const std::vector<std::string>& serials) {
  std::string out;
  for (const auto& s : serials) out += (out.empty() ? "" : " ") + s;
  return out;
}

std::vector<std::string> splitSerials(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<Discrepancy> readDiscrepancy(const SqlRow& row) {
  Reader r(row);
  Discrepancy d;
  d.id = r.int64();
  d.box_id = r.text();
  d.missing_serials = splitSerials(r.text());
  d.note = r.text();
  d.state = r.enumeration(parseDiscrepancyState, DiscrepancyState::kOpen);
  d.reported_by = r.text();
  d.reported_at = r.timestamp();
  d.resolution = r.text();
  d.resolution_note = r.text();
  d.resolved_by = r.text();
  d.resolved_at = r.timestamp();
  CARDLINE_RETURN_IF_ERROR(r.status());
  return d;
}

class SqlLogistics final : public LogisticsRepository {
 public:
  explicit SqlLogistics(SqlConnection& db) : db_(db) {}

  Result<std::int64_t> countBoxes() override {
    CARDLINE_ASSIGN_OR_RETURN(auto rows, db_.query("SELECT COUNT(*) FROM boxes", {}));
    return sqlInt(rows.at(0).at(0));
  }

  Status insertBox(const Box& b) override {
    const std::string sql = std::string("INSERT INTO boxes (") + kBoxColumns +
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    Result<std::int64_t> inserted = db_.execute(sql, boxParams(b));
    if (!inserted.isOk() && inserted.status().code() == ErrorCode::kAlreadyExists) {
      return alreadyExists("box " + b.id + " already exists");
    }
    return inserted.status();
  }

  Result<Box> findBox(const std::string& id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kBoxColumns + " FROM boxes WHERE id = ?",
                             {id}));
    if (rows.empty()) return notFound("box " + id + " not found");
    return readBox(rows[0]);
  }

  Status updateBox(const Box& b, BoxState from) override {
    SqlParams params = {b.receiving_unit_code, b.receiving_unit_name, std::string(name(b.state)),
                        std::int64_t{b.capacity}, b.card_count, b.seal_number,
                        nullIfEmpty(b.shipment_id), b.sealed_at.micros, b.delivered_at.micros,
                        b.delivered_by, b.purged_at.micros, b.id, std::string(name(from))};
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE boxes SET receiving_unit_code = ?, receiving_unit_name = ?, "
                    "state = ?, capacity = ?, card_count = ?, seal_number = ?, shipment_id = ?, "
                    "sealed_at = ?, delivered_at = ?, delivered_by = ?, purged_at = ? "
                    "WHERE id = ? AND state = ?",
                    params));
    if (changed == 1) return Status::ok();
    return conflictOrNotFound("SELECT 1 FROM boxes WHERE id = ?", b.id, "box " + b.id);
  }

  Result<std::vector<Box>> boxesInState(BoxState state, const std::string& unit) override {
    const std::string base = std::string("SELECT ") + kBoxColumns + " FROM boxes WHERE state = ?";
    if (unit.empty()) {
      CARDLINE_ASSIGN_OR_RETURN(
          auto rows, db_.query(base + " ORDER BY created_at, id", {std::string(name(state))}));
      return readBoxes(rows);
    }
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(base + " AND receiving_unit_code = ? ORDER BY created_at, id",
                             {std::string(name(state)), unit}));
    return readBoxes(rows);
  }

  Result<std::vector<Box>> boxesOfShipment(const std::string& shipment_id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kBoxColumns +
                                 " FROM boxes WHERE shipment_id = ? ORDER BY id",
                             {shipment_id}));
    return readBoxes(rows);
  }

  Status addCard(const BoxCard& c) override {
    CARDLINE_ASSIGN_OR_RETURN(auto rows,
                              db_.query("SELECT state FROM boxes WHERE id = ?", {c.box_id}));
    if (rows.empty()) return notFound("box " + c.box_id + " not found");
    CARDLINE_ASSIGN_OR_RETURN(std::string state, sqlText(rows[0].at(0)));
    if (state != name(BoxState::kOpen)) {
      return conflict("box " + c.box_id + " is " + state + ", not open");
    }
    Result<std::int64_t> inserted =
        db_.execute("INSERT INTO box_cards (box_id, serial, packed_at, application_id) "
                    "VALUES (?, ?, ?, ?)",
                    {c.box_id, c.serial, c.packed_at.micros, c.application_id});
    if (!inserted.isOk() && inserted.status().code() == ErrorCode::kAlreadyExists) {
      return alreadyExists("card " + c.serial + " is already in a box");
    }
    if (!inserted.isOk() && inserted.status().code() == ErrorCode::kFailedPrecondition) {
      return failedPrecondition("card " + c.serial + " is not stored");
    }
    CARDLINE_RETURN_IF_ERROR(inserted.status());
    return db_.execute("UPDATE boxes SET card_count = card_count + 1 WHERE id = ?", {c.box_id})
        .status();
  }

  Result<std::vector<BoxCard>> cardsOfBox(const std::string& box_id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query("SELECT box_id, serial, application_id, packed_at FROM box_cards "
                             "WHERE box_id = ? ORDER BY packed_at, serial",
                             {box_id}));
    std::vector<BoxCard> cards;
    for (const auto& row : rows) {
      CARDLINE_ASSIGN_OR_RETURN(BoxCard card, readBoxCard(row));
      cards.push_back(std::move(card));
    }
    return cards;
  }

  Result<BoxCard> boxOfCard(const std::string& serial) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query("SELECT box_id, serial, application_id, packed_at FROM box_cards "
                             "WHERE serial = ?",
                             {serial}));
    if (rows.empty()) return notFound("card " + serial + " is in no box");
    return readBoxCard(rows[0]);
  }

  Result<std::int64_t> countShipments() override {
    CARDLINE_ASSIGN_OR_RETURN(auto rows, db_.query("SELECT COUNT(*) FROM shipments", {}));
    return sqlInt(rows.at(0).at(0));
  }

  Status insertShipment(const Shipment& s) override {
    Result<std::int64_t> inserted = db_.execute(
        "INSERT INTO shipments (id, carrier, tracking_number, state, handed_over_by, "
        "created_at, handed_over_at, due_at, delivered_at, manifest_ref) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
        {s.id, s.carrier, s.tracking_number, std::string(name(s.state)), s.handed_over_by,
         s.created_at.micros, s.handed_over_at.micros, s.due_at.micros, s.delivered_at.micros});
    if (!inserted.isOk() && inserted.status().code() == ErrorCode::kAlreadyExists) {
      return alreadyExists("shipment " + s.id + " or tracking number " + s.tracking_number +
                           " already exists");
    }
    return inserted.status();
  }

  Result<Shipment> findShipment(const std::string& id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kShipmentColumns +
                                 " FROM shipments WHERE id = ?",
                             {id}));
    if (rows.empty()) return notFound("shipment " + id + " not found");
    return readShipment(rows[0]);
  }

  Result<Shipment> shipmentByTracking(const std::string& tracking_number) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kShipmentColumns +
                                 " FROM shipments WHERE tracking_number = ?",
                             {tracking_number}));
    if (rows.empty()) return notFound("no shipment with tracking number " + tracking_number);
    return readShipment(rows[0]);
  }

  Status updateShipment(const Shipment& s, ShipmentState from) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE shipments SET carrier = ?, tracking_number = ?, state = ?, "
                    "handed_over_by = ?, handed_over_at = ?, due_at = ?, delivered_at = ? "
                    "WHERE id = ? AND state = ?",
                    {s.carrier, s.tracking_number, std::string(name(s.state)), s.handed_over_by,
                     s.handed_over_at.micros, s.due_at.micros, s.delivered_at.micros, s.id,
                     std::string(name(from))}));
    if (changed == 1) return Status::ok();
    return conflictOrNotFound("SELECT 1 FROM shipments WHERE id = ?", s.id, "shipment " + s.id);
  }

  Result<std::vector<Shipment>> shipmentsInState(ShipmentState state) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kShipmentColumns +
                                 " FROM shipments WHERE state = ? ORDER BY created_at, id",
                             {std::string(name(state))}));
    std::vector<Shipment> out;
    for (const auto& row : rows) {
      CARDLINE_ASSIGN_OR_RETURN(Shipment s, readShipment(row));
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::int64_t> insertDiscrepancy(const Discrepancy& d) override {
    Result<std::int64_t> inserted = db_.execute(
        "INSERT INTO discrepancies (box_id, missing_serials, note, state, reported_by, "
        "reported_at, resolution, resolution_note, resolved_by, resolved_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {d.box_id, joinSerials(d.missing_serials), d.note, std::string(name(d.state)),
         d.reported_by, d.reported_at.micros, d.resolution, d.resolution_note, d.resolved_by,
         d.resolved_at.micros});
    if (!inserted.isOk() && inserted.status().code() == ErrorCode::kFailedPrecondition) {
      return failedPrecondition("box " + d.box_id + " not found");
    }
    CARDLINE_RETURN_IF_ERROR(inserted.status());
    return db_.lastInsertId();
  }

  Result<Discrepancy> findDiscrepancy(std::int64_t id) override {
    CARDLINE_ASSIGN_OR_RETURN(
        auto rows, db_.query(std::string("SELECT ") + kDiscrepancyColumns +
                                 " FROM discrepancies WHERE id = ?",
                             {id}));
    if (rows.empty()) return notFound("discrepancy " + std::to_string(id) + " not found");
    return readDiscrepancy(rows[0]);
  }

  Status updateDiscrepancy(const Discrepancy& d, DiscrepancyState from) override {
    CARDLINE_ASSIGN_OR_RETURN(
        std::int64_t changed,
        db_.execute("UPDATE discrepancies SET state = ?, resolution = ?, resolution_note = ?, "
                    "resolved_by = ?, resolved_at = ? WHERE id = ? AND state = ?",
                    {std::string(name(d.state)), d.resolution, d.resolution_note, d.resolved_by,
                     d.resolved_at.micros, d.id, std::string(name(from))}));
    if (changed == 1) return Status::ok();
    return conflictOrNotFound("SELECT 1 FROM discrepancies WHERE id = ?", d.id,
                              "discrepancy " + std::to_string(d.id));
  }

  Result<std::vector<Discrepancy>> discrepancies(DiscrepancyState state,
                                                 const std::string& box_id) override {
    const std::string base = std::string("SELECT ") + kDiscrepancyColumns +
                             " FROM discrepancies WHERE state = ?";
    std::vector<SqlRow> rows;
    if (box_id.empty()) {
      CARDLINE_ASSIGN_OR_RETURN(rows, db_.query(base + " ORDER BY id", {std::string(name(state))}));
    } else {
      CARDLINE_ASSIGN_OR_RETURN(
          rows, db_.query(base + " AND box_id = ? ORDER BY id", {std::string(name(state)), box_id}));
    }
    std::vector<Discrepancy> out;
    for (const auto& row : rows) {
      CARDLINE_ASSIGN_OR_RETURN(Discrepancy d, readDiscrepancy(row));
      out.push_back(std::move(d));
    }
    return out;
  }

 private:
  static SqlParams boxParams(const Box& b) {
    return {b.id,
            b.receiving_unit_code,
            b.receiving_unit_name,
            std::string(name(b.state)),
            std::int64_t{b.capacity},
            b.card_count,
            b.seal_number,
            nullIfEmpty(b.shipment_id),
            b.created_at.micros,
            b.sealed_at.micros,
            b.delivered_at.micros,
            b.delivered_by,
            b.purged_at.micros};
  }

  static Result<BoxCard> readBoxCard(const SqlRow& row) {
    Reader r(row);
    BoxCard c;
    c.box_id = r.text();
    c.serial = r.text();
    c.application_id = r.text();
    c.packed_at = r.timestamp();
    CARDLINE_RETURN_IF_ERROR(r.status());
    return c;
  }

  // After a conditional statement matched no row: kConflict if the row exists, else kNotFound.
  Status conflictOrNotFound(const std::string& exists_sql, SqlValue key, const std::string& what) {
    CARDLINE_ASSIGN_OR_RETURN(auto rows, db_.query(exists_sql, {std::move(key)}));
    if (rows.empty()) return notFound(what + " not found");
    return conflict(what + " was changed concurrently or is not in the expected state");
  }

  SqlConnection& db_;
};

}  // namespace

std::unique_ptr<LogisticsRepository> makeSqlLogistics(SqlConnection& connection) {
  return std::make_unique<SqlLogistics>(connection);
}

}  // namespace cardline
