#pragma once
// What the intake fuzzers share: the importer's validation of every record a reader produces,
// in memory (no image folder: image paths are refused, inline base64 images are decoded).

#include <memory>
#include <string>

#include "mes/base/clock.h"
#include "mes/intake/record_reader.h"
#include "mes/intake/reference_data.h"
#include "mes/intake/validation.h"
#include "tests/fuzz/fuzz_support.h"

namespace cardline::fuzz {

// A small fixed reference set: the seeds use province 001 and unit PC06-001.
inline const ReferenceData& fuzzReference() {
  static const ReferenceData reference(
      {{"001", "H\xC3\xA0 N\xE1\xBB\x99i"}, {"079", "H\xE1\xBB\x93 Ch\xC3\xAD Minh"}},
      {{"PC06-001", "Ph\xC3\xB2ng C\xE1\xBA\xA3nh s\xC3\xA1t", "001"},
       {"PC06-079", "Ph\xC3\xB2ng C\xE1\xBA\xA3nh s\xC3\xA1t HCM", "079"}});
  return reference;
}

// Reads every record as the importer does and validates it; checks the invariants of a
// validated record (an application exactly when there is no problem, its hash reproducible).
inline void validateAll(RecordReader& reader) {
  ValidationOptions options;
  options.now = FakeClock().now();
  // Keep images small so one input cannot make the decoder allocate a lot.
  options.max_image_bytes = 64 * 1024;
  while (auto record = reader.next()) {
    ValidatedRecord checked = validateRecord(*record, fuzzReference(), options);
    check(checked.application.has_value() == checked.problems.empty(),
          "an application is set exactly when there is no problem");
    if (checked.application) {
      check(!checked.application->content_hash.empty(), "a valid record has a content hash");
      check(intakeContentHash(*checked.application) == checked.application->content_hash,
            "the content hash is reproducible");
    }
  }
  check(reader.status().isOk(), "an in-memory stream does not fail");
}

}  // namespace cardline::fuzz
