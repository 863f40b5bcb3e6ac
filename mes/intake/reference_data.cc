#include "mes/intake/reference_data.h"

#include <fstream>

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

const Province* ReferenceData::province(const std::string& code) const {
  auto it = province_index_.find(code);
  return it == province_index_.end() ? nullptr : &provinces_[it->second];
}

const ReceivingUnitInfo* ReferenceData::receivingUnit(const std::string& code) const {
  auto it = unit_index_.find(code);
  return it == unit_index_.end() ? nullptr : &units_[it->second];
}

}  // namespace cardline
