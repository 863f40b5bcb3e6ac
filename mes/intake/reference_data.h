#pragma once
// Reference data intake checks against (etc/reference/): the 63 province codes of the personal
// identification number and the receiving police units before 1 July 2025 (CSV files), and the
// provincial-level administrative units as they are now with their receiving units and the
// successor of each old unit (administrative_units.yaml, parsed by mes/config's
// reference_loader into AdministrativeUnits). Immutable after loading; safe to share between
// threads.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/date.h"
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

// A provincial-level unit: a province (tỉnh) or a centrally-run city (thành phố).
enum class UnitKind { kProvince, kCity };  // "province", "city"
const char* name(UnitKind kind);
Result<UnitKind> parseUnitKind(const std::string& text);

// A provincial-level administrative unit as it is now.
struct AdministrativeUnit {
  std::string code;  // this system's key: the 3-digit code of the unit whose name it keeps
  std::string name;  // "Lào Cai", "Hồ Chí Minh"
  UnitKind kind = UnitKind::kProvince;
  ReceivingUnitInfo receiving_unit;  // "Công an tỉnh Lào Cai"; province_code = code

  // The name as an address writes it: "tỉnh Lào Cai", "thành phố Hà Nội".
  std::string addressName() const;
};

// Old unit (a province code of provinces.csv) -> the unit it is part of now.
struct UnitSuccession {
  std::string from;       // "015"
  std::string from_name;  // "Yên Bái" (must match provinces.csv)
  std::string to;         // "010"
};

// The content of administrative_units.yaml.
struct AdministrativeUnits {
  int version = 0;  // raised with every change of the file
  Date effective_from;
  std::vector<AdministrativeUnit> units;
  std::vector<UnitSuccession> successors;
};

class ReferenceData;

// A problem of administrative_units.yaml against itself and the historical data: which unit or
// successor entry (index into AdministrativeUnits::units / successors) and what.
struct AdministrativeUnitsProblem {
  enum class At { kFile, kUnit, kSuccessor };
  At at = At::kFile;
  std::size_t index = 0;
  std::string message;
};

// Every problem of `current` (see ReferenceData::withAdministrativeUnits for the rules).
std::vector<AdministrativeUnitsProblem> checkAdministrativeUnits(
    const ReferenceData& historical, const AdministrativeUnits& current);

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
  // Loads both files from a folder (etc/reference). Without administrative units: use
  // loadReferenceData (mes/config/reference_loader.h) for the complete reference data.
  static Result<ReferenceData> loadFromDirectory(const std::string& directory);

  // The historical data plus the administrative units as they are now. Fails with
  // kInvalidArgument ("what: message", every problem on its own line) when a unit code is not 3
  // digits or repeats, a receiving unit code repeats or collides with a historical one, a
  // successor names an unknown old or new unit, an old unit has two successors or none, or a
  // successor's from_name is not the old unit's name.
  static Result<ReferenceData> withAdministrativeUnits(ReferenceData historical,
                                                       AdministrativeUnits current,
                                                       const std::string& what);

  // nullptr when unknown. receivingUnit knows current and historical units.
  const Province* province(const std::string& code) const;
  const ReceivingUnitInfo* receivingUnit(const std::string& code) const;
  const std::vector<Province>& provinces() const { return provinces_; }
  // The historical receiving units (receiving_units.csv).
  const std::vector<ReceivingUnitInfo>& receivingUnits() const { return units_; }

  // The receiving units applications are routed to now: those of the administrative units, or
  // the historical ones when no administrative units are loaded.
  std::vector<ReceivingUnitInfo> currentReceivingUnits() const;
  // The current receiving unit that replaces a historical one (by the successor of its
  // province), or nullptr when `code` is a current unit, unknown, or nothing replaces it.
  const ReceivingUnitInfo* successorOf(const std::string& code) const;
  // The administrative unit with `code`, nullptr when none.
  const AdministrativeUnit* administrativeUnit(const std::string& code) const;
  // The old province codes that form the unit `code` now (empty when none).
  std::vector<std::string> predecessorsOf(const std::string& code) const;
  // The loaded administrative units (version 0 and no units when none were loaded).
  const AdministrativeUnits& administrativeUnits() const { return current_; }

 private:
  std::vector<Province> provinces_;
  std::vector<ReceivingUnitInfo> units_;
  std::map<std::string, std::size_t> province_index_;
  std::map<std::string, std::size_t> unit_index_;
  AdministrativeUnits current_;
  std::map<std::string, std::size_t> current_index_;       // unit code -> current_.units
  std::map<std::string, std::size_t> current_unit_index_;  // receiving unit code -> current_.units
  std::map<std::string, std::string> successor_;           // old province code -> unit code
};

}  // namespace cardline
