// Fuzzes the JSON Lines intake reader and the validation of each record (as the importer runs
// them), and the HTTP body parser on the same bytes. Properties: see intake_common.h.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "mes/intake/record_reader.h"
#include "tests/fuzz/intake_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardline;
  const std::string text(fuzz::asText(data, size));
  {
    std::istringstream in(text);
    ReaderOptions options;
    options.max_record_bytes = 4096;  // so that oversized records are reached
    auto reader = makeJsonLinesReader(in, options);
    fuzz::validateAll(*reader);
  }
  ValidationOptions options;
  options.now = FakeClock().now();
  options.max_image_bytes = 64 * 1024;
  for (const RawRecord& record : parseJsonBody(text)) {
    ValidatedRecord checked = validateRecord(record, fuzz::fuzzReference(), options);
    fuzz::check(checked.application.has_value() == checked.problems.empty(),
                "an application is set exactly when there is no problem");
  }
  return 0;
}
