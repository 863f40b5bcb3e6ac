#pragma once
// Reference data intake checks against, loaded from CSV files (etc/reference/): the province
// codes of the personal identification number and the receiving police units.
// Immutable after loading; safe to share between threads.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/status.h"

namespace cardline {

struct Province {
  std::string code;  // three digits, "001"
  std::string name;  // "Hà Nội"
};

struct ReceivingUnitInfo {
  std::string code;           // "PC06-001"
  std::string name;           // Vietnamese name of the unit
  std::string province_code;  // the province it serves
};

class ReferenceData {
 public:
  ReferenceData() = default;
  ReferenceData(std::vector<Province> provinces, std::vector<ReceivingUnitInfo> units);

  // Loads provinces.csv (header: code,name) and receiving_units.csv (header:
  // code,name,province_code). Fails with kNotFound when a file cannot be opened and
  // kInvalidArgument ("file:line: message") for a malformed row, a duplicate code, or a unit
  // whose province is unknown.
  static Result<ReferenceData> load(const std::string& provinces_csv,
                                    const std::string& receiving_units_csv);
  // Loads both files from a folder (etc/reference).
  static Result<ReferenceData> loadFromDirectory(const std::string& directory);

  // nullptr when unknown.
  const Province* province(const std::string& code) const;
  const ReceivingUnitInfo* receivingUnit(const std::string& code) const;
  const std::vector<Province>& provinces() const { return provinces_; }
  const std::vector<ReceivingUnitInfo>& receivingUnits() const { return units_; }

 private:
  std::vector<Province> provinces_;
  std::vector<ReceivingUnitInfo> units_;
  std::map<std::string, std::size_t> province_index_;
  std::map<std::string, std::size_t> unit_index_;
};

}  // namespace cardline
