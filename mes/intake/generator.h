#pragma once
// Synthetic approved applications for demos, tests and benchmarks (`cardline generate`):
// Vietnamese names with diacritics, all provinces of the reference data, personal numbers that
// match birth date and sex, a realistic age mix, both card models, ~5% urgent, addresses,
// receiving units from the reference data, and synthetic images drawn by the program (a simple
// face, grayscale fingerprint ridges; no real persons). Deterministic for a given seed and
// options. Optionally mixes in broken records of documented kinds.

#include <array>
#include <cstdint>
#include <ostream>

#include "mes/base/date.h"
#include "mes/base/status.h"
#include "mes/intake/record_reader.h"
#include "mes/intake/reference_data.h"

namespace cardline {

// The kinds of broken record the generator mixes in (one defect each); docs/intake.md lists
// the problem each one causes.
enum class InvalidKind {
  kNumberBirthYearMismatch,  // "number-birth-year": personal number YY ≠ birth year
  kNumberSexMismatch,        // "number-sex": century/sex digit contradicts sex
  kUnknownProvince,          // "unknown-province": province code 003 (not assigned)
  kBadDate,                  // "bad-date": date_of_birth 30 February
  kMissingField,             // "missing-field": no full_name
  kUnprintableCharacter,     // "unprintable": a CJK character in full_name
  kUndecodablePhoto,         // "undecodable-photo": JPEG header followed by garbage
  kSmallPhoto,               // "small-photo": 120x160 photo
  kUnknownReceivingUnit,     // "unknown-unit": receiving unit code not in the reference data
  kIssueBeforeBirth,         // "issue-before-birth": issue_date before date_of_birth
};
constexpr int kInvalidKindCount = 10;
const char* name(InvalidKind v);

struct GenerateOptions {
  std::int64_t count = 100;
  std::uint64_t seed = 1;
  // Share of records (0..1) that carry one defect.
  double invalid_share = 0.0;
  InputFormat format = InputFormat::kJsonLines;
  // The latest issue and approval date; records are approved on their issue date at office
  // hours (+07:00). Pass today's date for imports "now"; a fixed date keeps output stable.
  Date latest_date = {2026, 1, 15};
  // application_id = "<id_prefix>-<seed>-<index, 8 digits>".
  std::string id_prefix = "GEN";
};

struct GenerateStats {
  std::int64_t written = 0;
  std::int64_t invalid = 0;
  std::array<std::int64_t, kInvalidKindCount> per_kind{};  // indexed by InvalidKind
};

// The latest issue date a generation "now" may use: the newest day whose office hours
// (approvals at 07:00–16:59:59 +07:00) have all passed at `now`, so no generated approval lies
// in the future (intake rejects those). That is the UTC date of now - 10 h.
Date latestPastOfficeDay(Timestamp now);

// Writes options.count records to `out` (JSON Lines, or CSV with a header of
// intakeFieldNames()). Fails with kInvalidArgument for bad options (count < 0, share outside
// 0..1, reference data without provinces or receiving units), kUnavailable if `out` fails, and
// kInternal if an image cannot be encoded.
Result<GenerateStats> generateApplications(const GenerateOptions& options,
                                           const ReferenceData& reference, std::ostream& out);

}  // namespace cardline
