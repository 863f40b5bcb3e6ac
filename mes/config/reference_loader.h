#pragma once
// etc/reference/administrative_units.yaml → AdministrativeUnits (mes/intake/reference_data.h),
// with the position of every entry, and the complete reference data of a folder (the CSV files
// of mes/intake plus this file). The schema is documented in docs/intake.md. Stateless
// functions; safe to call from any thread.

#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/config/config_loader.h"
#include "mes/intake/reference_data.h"

namespace cardline {

// The file's name inside the reference folder.
inline constexpr char kAdministrativeUnitsFile[] = "administrative_units.yaml";

struct AdministrativeUnitsLoadResult {
  AdministrativeUnits units;            // usable only when problems is empty
  std::vector<ConfigProblem> problems;  // every problem, with file:line:col where there is one
};

// Parses the YAML text (syntax, types, unknown / duplicate / missing keys, the date, the kind)
// and checks it against the historical data (checkAdministrativeUnits: codes, receiving units,
// a successor for each of the 63 old units). `file` names the text in problems.
AdministrativeUnitsLoadResult parseAdministrativeUnitsText(const std::string& text,
                                                           const std::string& file,
                                                           const ReferenceData& historical);

// `cardline check` for the reference folder: the CSV files (their first problem, as
// file:line: message) and every problem of administrative_units.yaml. Empty when all is valid.
std::vector<ConfigProblem> checkReferenceData(const std::string& directory);

// The complete reference data of a folder: provinces.csv, receiving_units.csv and
// administrative_units.yaml. Fails with kNotFound when a file is missing and kInvalidArgument
// listing every problem ("file:line:col: message" lines) otherwise.
Result<ReferenceData> loadReferenceData(const std::string& directory);

}  // namespace cardline
