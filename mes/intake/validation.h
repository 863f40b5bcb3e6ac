#pragma once
// Domain validation of one intake record (DOMAIN.md; every rule and message is listed in
// docs/intake.md). Every problem of a record is reported, not only the first. A valid record
// becomes a cardline::Application with the Person filled, text in NFC, images decoded from
// base64 or read from files, and content_hash set. Stateless; thread-safe.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/clock.h"
#include "mes/core/domain.h"
#include "mes/intake/problem.h"
#include "mes/intake/reference_data.h"

namespace cardline {

// Maximum lengths in Unicode characters (code points, after NFC): a coarse bound checked for
// every record. Whether a value really fits its box on the card is the card template's fit
// rule (ValidationOptions::fit_check).
struct TextLimits {
  std::size_t name = 40;    // full_name, father_name, mother_name
  std::size_t place = 100;  // place_of_origin, place_of_birth_registration, residence
  std::size_t identifying_marks = 80;
  std::size_t short_text = 30;  // ethnicity, religion
  std::size_t reference = 64;   // approval_ref
};

struct ValidationOptions {
  // Folder that photo/fingerprint `path` values are relative to (the input file's folder).
  // nullopt: paths are not accepted (e.g. over HTTP) and must be sent as data.
  std::optional<std::string> image_directory;
  // "Now" for the not-in-the-future checks.
  Timestamp now;
  // approved_at may be this far after `now` (clock skew between systems). Default 10 minutes.
  std::int64_t clock_skew_seconds = 600;
  TextLimits limits;
  // Minimum photo size in pixels: 300 × 400 is at least 380 dpi across and 338 dpi down the
  // 20 × 30 mm photo box of the card.
  int min_photo_width = 300;
  int min_photo_height = 400;
  // Minimum fingerprint image size (2021 model).
  int min_fingerprint_width = 200;
  int min_fingerprint_height = 200;
  // Largest accepted image, encoded. Default 4 MiB.
  std::size_t max_image_bytes = 4u * 1024u * 1024u;
  // Optional: the card template's fit rule (mes/prep FitChecker, wired in mes/app), run on a
  // record that passed every other rule; each Problem it returns (field and message; line and
  // application id are filled in) rejects the record. Must be thread-safe if validation runs
  // on several threads.
  std::function<std::vector<Problem>(const Application&)> fit_check;
};

struct ValidatedRecord {
  std::int64_t line = 0;
  std::string application_id;              // as given (possibly invalid), for reports
  std::optional<Application> application;  // set exactly when problems is empty
  std::vector<Problem> problems;
  // Set when the record named a receiving unit from before 1 July 2025 that has a successor:
  // the unit as given (application->receiving_unit is then the successor).
  std::optional<ReceivingUnit> routed_from;
};

// Validates `record` (including the problems its reader already found) against the rules and
// reference data. Never fails as a whole: every finding is a Problem.
ValidatedRecord validateRecord(const RawRecord& record, const ReferenceData& reference,
                               const ValidationOptions& options);

// The field names intake accepts, in canonical order (dotted for nested values). Also the CSV
// header order written by the generator.
const std::vector<std::string>& intakeFieldNames();

// Hex SHA-256 of the canonical form of an application's intake data: "cardline-intake-v1"
// then one "name=value" line per field in intakeFieldNames() order (images as
// "format:sha256-of-bytes", so inline data and a file with the same bytes hash the same).
std::string intakeContentHash(const Application& application);

}  // namespace cardline
