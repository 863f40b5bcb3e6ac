#include "devices/sim/sim_defects.h"

#include <cstdlib>
#include <utility>

namespace cardline::sim {
namespace {

const std::vector<std::pair<QaDefect, const char*>>& qaNames() {
  static const std::vector<std::pair<QaDefect, const char*>> kNames = {
      {QaDefect::kWrongCard, "wrong_card"},
      {QaDefect::kChipDead, "chip_dead"},
      {QaDefect::kChipAccessDenied, "chip_access_denied"},
      {QaDefect::kSignatureInvalid, "signature_invalid"},
      {QaDefect::kChipWrongFile, "chip_wrong_file"},
      {QaDefect::kChipDataMismatch, "chip_data_mismatch"},
      {QaDefect::kQrUnreadable, "qr_unreadable"},
      {QaDefect::kQrMismatch, "qr_mismatch"},
      {QaDefect::kMrzUnreadable, "mrz_unreadable"},
      {QaDefect::kMrzMismatch, "mrz_mismatch"},
      {QaDefect::kPrintMissingField, "print_missing_field"},
      {QaDefect::kPrintSmudge, "print_smudge"},
  };
  return kNames;
}

const std::vector<std::pair<SimFault, const char*>>& faultNames() {
  static const std::vector<std::pair<SimFault, const char*>> kNames = {
      {SimFault::kSmudge, "smudge"},
      {SimFault::kMissingField, "missing_field"},
      {SimFault::kQrDamage, "qr_damage"},
      {SimFault::kWrongCard, "wrong_card"},
      {SimFault::kChipDead, "chip_dead"},
      {SimFault::kChipCorrupt, "chip_corrupt"},
      {SimFault::kWrongDataGroup, "wrong_data_group"},
      {SimFault::kWrongAccessKeys, "wrong_access_keys"},
  };
  return kNames;
}

}  // namespace

const char* name(QaDefect v) {
  for (const auto& [value, text] : qaNames()) {
    if (value == v) return text;
  }
  return "unknown";
}

Result<QaDefect> parseQaDefect(std::string_view s) {
  for (const auto& [value, text] : qaNames()) {
    if (s == text) return value;
  }
  return invalidArgument("unknown QA defect \"" + std::string(s) + "\"");
}

const std::vector<QaDefect>& allQaDefects() {
  static const std::vector<QaDefect> kAll = [] {
    std::vector<QaDefect> all;
    for (const auto& entry : qaNames()) all.push_back(entry.first);
    return all;
  }();
  return kAll;
}

const char* name(SimFault v) {
  for (const auto& [value, text] : faultNames()) {
    if (value == v) return text;
  }
  return "unknown";
}

Result<SimFault> parseSimFault(std::string_view s) {
  for (const auto& [value, text] : faultNames()) {
    if (s == text) return value;
  }
  std::string known;
  for (const auto& entry : faultNames())
    known += std::string(known.empty() ? "" : ", ") + entry.second;
  return invalidArgument("unknown defect class \"" + std::string(s) + "\" (known: " + known + ")");
}

const std::vector<SimFault>& allSimFaults() {
  static const std::vector<SimFault> kAll = [] {
    std::vector<SimFault> all;
    for (const auto& entry : faultNames()) all.push_back(entry.first);
    return all;
  }();
  return kAll;
}

FaultStation faultStation(SimFault fault) {
  switch (fault) {
    case SimFault::kSmudge:
    case SimFault::kMissingField:
    case SimFault::kQrDamage:
    case SimFault::kWrongCard:
      return FaultStation::kPrint;
    case SimFault::kChipDead:
    case SimFault::kChipCorrupt:
    case SimFault::kWrongDataGroup:
    case SimFault::kWrongAccessKeys:
      return FaultStation::kEncode;
  }
  return FaultStation::kPrint;
}

QaDefect expectedQaDefect(SimFault fault) {
  switch (fault) {
    case SimFault::kSmudge:
      return QaDefect::kPrintSmudge;
    case SimFault::kMissingField:
      return QaDefect::kPrintMissingField;
    case SimFault::kQrDamage:
      return QaDefect::kQrUnreadable;
    case SimFault::kWrongCard:
      return QaDefect::kWrongCard;
    case SimFault::kChipDead:
      return QaDefect::kChipDead;
    case SimFault::kChipCorrupt:
      return QaDefect::kChipDataMismatch;
    case SimFault::kWrongDataGroup:
      return QaDefect::kChipWrongFile;
    case SimFault::kWrongAccessKeys:
      return QaDefect::kChipAccessDenied;
  }
  return QaDefect::kWrongCard;
}

Status addFaultRate(FaultRates& rates, std::string_view spec) {
  const auto eq = spec.find('=');
  if (eq == std::string_view::npos) {
    return invalidArgument("--defect wants CLASS=RATE, got \"" + std::string(spec) + "\"");
  }
  CARDLINE_ASSIGN_OR_RETURN(SimFault fault, parseSimFault(spec.substr(0, eq)));
  const std::string rate_text(spec.substr(eq + 1));
  char* end = nullptr;
  const double rate = std::strtod(rate_text.c_str(), &end);
  if (rate_text.empty() || end != rate_text.c_str() + rate_text.size() || !(rate >= 0) ||
      !(rate <= 1)) {
    return invalidArgument("the rate of " + std::string(name(fault)) + " must be in 0..1");
  }
  rates.rates[fault] = rate;
  return Status::ok();
}

void spreadDefectRate(FaultRates& rates, FaultStation station, double total) {
  std::vector<SimFault> faults;
  for (SimFault f : allSimFaults()) {
    if (faultStation(f) == station) faults.push_back(f);
  }
  // Independent draws: 1 - (1 - p)^n = total  =>  p = 1 - (1 - total)^(1/n); the plain split
  // total / n is close enough for small rates and keeps the arithmetic obvious.
  for (SimFault f : faults) rates.rates[f] = total / static_cast<double>(faults.size());
}

}  // namespace cardline::sim
