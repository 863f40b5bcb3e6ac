// Fuzzes the CSV intake reader (header of dotted names, then records) and the validation of
// each record, as the importer runs them. Properties: see intake_common.h; and the raw CsvReader
// returns no fields with an error about an oversized record.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "mes/intake/csv_reader.h"
#include "mes/intake/record_reader.h"
#include "tests/fuzz/intake_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardline;
  const std::string text(fuzz::asText(data, size));
  {
    std::istringstream in(text);
    ReaderOptions options;
    options.max_record_bytes = 4096;
    auto reader = makeCsvReader(in, options);
    fuzz::validateAll(*reader);
  }
  {
    std::istringstream in(text);
    CsvReader reader(in, 256);
    std::int64_t last_line = 0;
    while (auto row = reader.next()) {
      fuzz::check(row->line > last_line, "record lines increase");
      last_line = row->line;
    }
    fuzz::check(reader.streamOk(), "an in-memory stream does not fail");
  }
  return 0;
}
