#pragma once
// The QA defect taxonomy (what the QA station reports) and the faults the print and encode
// simulators inject (what goes wrong on the line), each an enum with one name table. The
// taxonomy is documented in docs/qa.md. Pure functions; thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/status.h"

namespace cardline::sim {

// QA defect codes, in the order of precedence: when a card has several defects the first in
// this order is the result's defect code (the rest go into the detail).
enum class QaDefect {
  kWrongCard,          // "wrong_card": the card's serial or print is not the one print reported
  kChipDead,           // "chip_dead": the chip does not answer (or answers 6F00)
  kChipAccessDenied,   // "chip_access_denied": BAC with the keys of the card's MRZ fails
  kSignatureInvalid,   // "signature_invalid": SOD signature or chain to the CSCA fails
  kChipWrongFile,      // "chip_wrong_file": an EF holds another data group than its file id says
  kChipDataMismatch,   // "chip_data_mismatch": a DG hash, DG1 vs MRZ, DG2 vs face, SOD differ
  kQrUnreadable,       // "qr_unreadable": no QR symbol could be decoded
  kQrMismatch,         // "qr_mismatch": the QR decodes but a field differs from the record
  kMrzUnreadable,      // "mrz_unreadable": the MRZ area is damaged or has no text
  kMrzMismatch,        // "mrz_mismatch": MRZ lines or check digits differ from the record
  kPrintMissingField,  // "print_missing_field": ink missing in a field area
  kPrintSmudge,        // "print_smudge": extra ink (smear, blot) in a field area
};
const char* name(QaDefect v);
Result<QaDefect> parseQaDefect(std::string_view s);
const std::vector<QaDefect>& allQaDefects();

// Faults the simulators inject. Print: smudge, missing_field, qr_damage, wrong_card. Encode:
// chip_dead, chip_corrupt, wrong_data_group, wrong_access_keys.
enum class SimFault {
  kSmudge,           // "smudge": an ink blot over a field
  kMissingField,     // "missing_field": a field's ink is not laid down
  kQrDamage,         // "qr_damage": the QR symbol is scratched out
  kWrongCard,        // "wrong_card": printed on the next blank, reported the one before
  kChipDead,         // "chip_dead": the chip dies after personalisation
  kChipCorrupt,      // "chip_corrupt": bytes of DG13 flipped after writing
  kWrongDataGroup,   // "wrong_data_group": DG1 and DG13 written to each other's EF
  kWrongAccessKeys,  // "wrong_access_keys": the chip gets the BAC keys of another card's MRZ
};
const char* name(SimFault v);
Result<SimFault> parseSimFault(std::string_view s);
const std::vector<SimFault>& allSimFaults();

enum class FaultStation { kPrint, kEncode };
// The station that injects a fault.
FaultStation faultStation(SimFault fault);
// The QA code a fault injected alone must be classified as.
QaDefect expectedQaDefect(SimFault fault);

// Defect rates per fault class (probability per job, 0..1), drawn independently per job; at
// most one fault is injected per job (the first drawn in enum order).
struct FaultRates {
  std::map<SimFault, double> rates;
  std::uint64_t seed = 1;
};

// Parses "CLASS=R" (e.g. "smudge=0.02"). Fails with kInvalidArgument on an unknown class or a
// rate outside 0..1.
Status addFaultRate(FaultRates& rates, std::string_view spec);

// Spreads a total rate over the faults of `station` evenly (--defect-rate R).
void spreadDefectRate(FaultRates& rates, FaultStation station, double total);

}  // namespace cardline::sim
