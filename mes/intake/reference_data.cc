#include "mes/intake/reference_data.h"

#include <fstream>
#include <utility>

#include "mes/intake/csv_reader.h"
#include "mes/intake/text.h"

namespace cardline {

ReferenceData::ReferenceData(std::vector<Province> provinces, std::vector<ReceivingUnitInfo> units)
    : provinces_(std::move(provinces)), units_(std::move(units)) {
  for (std::size_t i = 0; i < provinces_.size(); ++i) province_index_[provinces_[i].code] = i;
  for (std::size_t i = 0; i < units_.size(); ++i) unit_index_[units_[i].code] = i;
}

namespace {

// Reads a CSV file whose header must be exactly `columns`; returns the data rows.
Result<std::vector<CsvRow>> readTable(const std::string& path,
                                      const std::vector<std::string>& columns) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return notFound("cannot open " + path);
  CsvReader csv(in, 1024 * 1024);
  auto header = csv.next();
  if (!header) return invalidArgument(path + ": empty file");
  std::vector<std::string> names;
  for (auto& f : header->fields) names.push_back(collapseSpaces(f));
  if (names != columns) {
    std::string expected;
    for (auto& c : columns) expected += (expected.empty() ? "" : ",") + c;
    return invalidArgument(path + ":" + std::to_string(header->line) + ": header must be " +
                           expected);
  }
  std::vector<CsvRow> rows;
  while (auto row = csv.next()) {
    std::string where = path + ":" + std::to_string(row->line) + ": ";
    if (!row->error.empty()) return invalidArgument(where + row->error);
    if (row->fields.size() != columns.size()) {
      return invalidArgument(where + "expected " + std::to_string(columns.size()) + " fields");
    }
    for (auto& f : row->fields) {
      auto nfc = toNfc(collapseSpaces(f));
      if (!nfc.isOk()) return invalidArgument(where + nfc.status().message());
      f = std::move(nfc.value());
      if (f.empty()) return invalidArgument(where + "empty field");
    }
    rows.push_back(std::move(*row));
  }
  if (!csv.streamOk()) return unavailable("reading " + path + " failed");
  return rows;
}

}  // namespace

Result<ReferenceData> ReferenceData::load(const std::string& provinces_csv,
                                          const std::string& receiving_units_csv) {
  CARDLINE_ASSIGN_OR_RETURN(auto province_rows, readTable(provinces_csv, {"code", "name"}));
  CARDLINE_ASSIGN_OR_RETURN(auto unit_rows,
                            readTable(receiving_units_csv, {"code", "name", "province_code"}));
  std::vector<Province> provinces;
  std::map<std::string, bool> seen;
  for (auto& row : province_rows) {
    const std::string& code = row.fields[0];
    std::string where = provinces_csv + ":" + std::to_string(row.line) + ": ";
    bool digits = code.size() == 3 && code.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) return invalidArgument(where + "province code must be 3 digits");
    if (seen[code]) return invalidArgument(where + "duplicate province code " + code);
    seen[code] = true;
    provinces.push_back({code, row.fields[1]});
  }
  std::vector<ReceivingUnitInfo> units;
  std::map<std::string, bool> seen_units;
  for (auto& row : unit_rows) {
    std::string where = receiving_units_csv + ":" + std::to_string(row.line) + ": ";
    if (seen_units[row.fields[0]]) {
      return invalidArgument(where + "duplicate receiving unit code " + row.fields[0]);
    }
    seen_units[row.fields[0]] = true;
    if (!seen[row.fields[2]]) {
      return invalidArgument(where + "unknown province code " + row.fields[2]);
    }
    units.push_back({row.fields[0], row.fields[1], row.fields[2]});
  }
  return ReferenceData(std::move(provinces), std::move(units));
}

Result<ReferenceData> ReferenceData::loadFromDirectory(const std::string& directory) {
  return load(directory + "/provinces.csv", directory + "/receiving_units.csv");
}

namespace {
const std::pair<UnitKind, const char*> kUnitKindNames[] = {{UnitKind::kProvince, "province"},
                                                           {UnitKind::kCity, "city"}};
}  // namespace

const char* name(UnitKind kind) {
  for (const auto& [value, text] : kUnitKindNames) {
    if (value == kind) return text;
  }
  return "unknown";
}

Result<UnitKind> parseUnitKind(const std::string& text) {
  for (const auto& [value, name_text] : kUnitKindNames) {
    if (text == name_text) return value;
  }
  return invalidArgument("kind must be province or city, got '" + text + "'");
}

std::string AdministrativeUnit::addressName() const {
  return std::string(kind == UnitKind::kCity ? "th\xC3\xA0nh ph\xE1\xBB\x91 "
                                             : "t\xE1\xBB\x89nh ") +
         name;
}

std::vector<AdministrativeUnitsProblem> checkAdministrativeUnits(
    const ReferenceData& historical, const AdministrativeUnits& current) {
  using At = AdministrativeUnitsProblem::At;
  std::vector<AdministrativeUnitsProblem> problems;
  const auto add = [&](At at, std::size_t index, std::string message) {
    problems.push_back({at, index, std::move(message)});
  };
  std::map<std::string, std::size_t> codes, unit_codes;
  for (std::size_t i = 0; i < current.units.size(); ++i) {
    const AdministrativeUnit& u = current.units[i];
    const bool digits =
        u.code.size() == 3 && u.code.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) add(At::kUnit, i, "unit code '" + u.code + "' must be 3 digits");
    if (!codes.emplace(u.code, i).second) add(At::kUnit, i, "duplicate unit code " + u.code);
    if (u.name.empty()) add(At::kUnit, i, "unit " + u.code + " has no name");
    if (u.receiving_unit.code.empty() || u.receiving_unit.name.empty()) {
      add(At::kUnit, i, "unit " + u.code + " has no receiving unit code or name");
    }
    for (const ReceivingUnitInfo& old : historical.receivingUnits()) {
      if (old.code == u.receiving_unit.code) {
        add(At::kUnit, i, "receiving unit " + old.code + " is also a unit before 1 July 2025");
      }
    }
    if (!unit_codes.emplace(u.receiving_unit.code, i).second) {
      add(At::kUnit, i, "duplicate receiving unit code " + u.receiving_unit.code);
    }
  }
  std::map<std::string, std::size_t> from;
  for (std::size_t i = 0; i < current.successors.size(); ++i) {
    const UnitSuccession& s = current.successors[i];
    const Province* old = historical.province(s.from);
    if (old == nullptr) {
      add(At::kSuccessor, i, "unknown old unit '" + s.from + "' (not in provinces.csv)");
    } else if (old->name != s.from_name) {
      add(At::kSuccessor, i,
          "old unit " + s.from + " is '" + old->name + "', not '" + s.from_name + "'");
    }
    if (codes.count(s.to) == 0) {
      add(At::kSuccessor, i, "old unit " + s.from + " goes to unknown unit '" + s.to + "'");
    }
    if (!from.emplace(s.from, i).second) {
      add(At::kSuccessor, i, "old unit " + s.from + " has a successor already");
    }
  }
  if (current.units.empty()) add(At::kFile, 0, "no units");
  for (const Province& p : historical.provinces()) {
    if (from.count(p.code) == 0) {
      add(At::kFile, 0, "old unit " + p.code + " (" + p.name + ") has no successor");
    }
  }
  if (current.version < 1) add(At::kFile, 0, "version must be a positive integer");
  return problems;
}

Result<ReferenceData> ReferenceData::withAdministrativeUnits(ReferenceData historical,
                                                             AdministrativeUnits current,
                                                             const std::string& what) {
  const std::vector<AdministrativeUnitsProblem> problems =
      checkAdministrativeUnits(historical, current);
  if (!problems.empty()) {
    std::string text;
    for (const AdministrativeUnitsProblem& p : problems) {
      text += (text.empty() ? "" : "\n") + what + ": " + p.message;
    }
    return invalidArgument(text);
  }
  ReferenceData out = std::move(historical);
  for (std::size_t i = 0; i < current.units.size(); ++i) {
    AdministrativeUnit& u = current.units[i];
    u.receiving_unit.province_code = u.code;
    out.current_index_[u.code] = i;
    out.current_unit_index_[u.receiving_unit.code] = i;
  }
  for (const UnitSuccession& s : current.successors) out.successor_[s.from] = s.to;
  out.current_ = std::move(current);
  return out;
}

std::vector<ReceivingUnitInfo> ReferenceData::currentReceivingUnits() const {
  if (current_.units.empty()) return units_;
  std::vector<ReceivingUnitInfo> out;
  for (const AdministrativeUnit& u : current_.units) out.push_back(u.receiving_unit);
  return out;
}

const ReceivingUnitInfo* ReferenceData::successorOf(const std::string& code) const {
  auto historical = unit_index_.find(code);
  if (historical == unit_index_.end() || current_unit_index_.count(code) != 0) return nullptr;
  auto to = successor_.find(units_[historical->second].province_code);
  if (to == successor_.end()) return nullptr;
  return &current_.units[current_index_.at(to->second)].receiving_unit;
}

const AdministrativeUnit* ReferenceData::administrativeUnit(const std::string& code) const {
  auto it = current_index_.find(code);
  return it == current_index_.end() ? nullptr : &current_.units[it->second];
}

std::vector<std::string> ReferenceData::predecessorsOf(const std::string& code) const {
  std::vector<std::string> out;
  for (const auto& [from, to] : successor_) {
    if (to == code) out.push_back(from);
  }
  return out;
}

const Province* ReferenceData::province(const std::string& code) const {
  auto it = province_index_.find(code);
  return it == province_index_.end() ? nullptr : &provinces_[it->second];
}

const ReceivingUnitInfo* ReferenceData::receivingUnit(const std::string& code) const {
  auto now = current_unit_index_.find(code);
  if (now != current_unit_index_.end()) return &current_.units[now->second].receiving_unit;
  auto it = unit_index_.find(code);
  return it == unit_index_.end() ? nullptr : &units_[it->second];
}

}  // namespace cardline
