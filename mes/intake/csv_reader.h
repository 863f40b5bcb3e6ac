#pragma once
// A streaming CSV reader (RFC 4180): comma separator, fields optionally in double quotes, a
// doubled quote inside quotes for a quote, separators and line breaks inside quotes, CRLF or LF
// record ends, an optional UTF-8 byte order mark at the start. Holds one record at a time.
// Not thread-safe; owned by its caller; reads from an istream the caller keeps alive.

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace cardline {

// One CSV record. `error` is empty when the record was read cleanly; otherwise it says what
// was wrong (record too large, text after a closing quote, unterminated quote) and `fields`
// may be incomplete.
struct CsvRow {
  std::int64_t line = 0;  // 1-based physical line where the record starts
  std::vector<std::string> fields;
  std::string error;
};

class CsvReader {
 public:
  // `max_record_bytes`: a record longer than this is skipped to its end and returned with an
  // error and no fields.
  CsvReader(std::istream& in, std::size_t max_record_bytes);

  // The next record, or nullopt at the end of the input. Blank lines are skipped.
  std::optional<CsvRow> next();

  // False after the stream failed for a reason other than reaching its end.
  bool streamOk() const { return !in_.bad(); }

 private:
  int get();
  int peek();

  std::istream& in_;
  std::size_t max_record_bytes_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::int64_t line_ = 1;
  bool started_ = false;
};

}  // namespace cardline
