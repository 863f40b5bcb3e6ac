#pragma once
// Streaming readers of intake files: JSON Lines and CSV, one RawRecord at a time, so memory
// does not grow with the file. A broken record (bad JSON, too large, wrong number of CSV
// fields) comes back with a problem and reading continues with the next one.

#include <cstddef>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/status.h"
#include "mes/intake/problem.h"

namespace cardline {

enum class InputFormat { kJsonLines, kCsv };  // "jsonl", "csv"
const char* name(InputFormat v);
// Parses "jsonl" or "csv"; kInvalidArgument otherwise.
Result<InputFormat> parseInputFormat(std::string_view s);
// The format implied by a file name: .jsonl/.ndjson/.json → JSON Lines, .csv → CSV;
// kInvalidArgument for any other extension.
Result<InputFormat> formatForPath(const std::string& path);

struct ReaderOptions {
  // A record (a JSON line, a CSV record) longer than this is reported as a problem and
  // skipped; reading continues after it. Default 16 MiB.
  std::size_t max_record_bytes = 16u * 1024u * 1024u;
};

// Produces the records of one input. Not thread-safe.
class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // The next record, or nullopt at the end of the input (or after a read error: see status()).
  virtual std::optional<RawRecord> next() = 0;
  // kUnavailable when the underlying stream failed (an I/O error, not the end of the input).
  virtual Status status() const = 0;
};

// Readers over `in`, which must outlive them.
std::unique_ptr<RecordReader> makeJsonLinesReader(std::istream& in, ReaderOptions options);
// The first CSV record is the header of dotted field names.
std::unique_ptr<RecordReader> makeCsvReader(std::istream& in, ReaderOptions options);
std::unique_ptr<RecordReader> makeRecordReader(InputFormat format, std::istream& in,
                                               ReaderOptions options);

// Parses one JSON object text (a JSON Lines line, or an element of an HTTP request) into a
// RawRecord with the given line number. Problems: not JSON, not an object, a value that is
// neither a string, an object nor null (field: message "must be a string"), invalid UTF-8
// (the bad bytes are read as U+FFFD and reported).
RawRecord parseJsonRecord(std::string_view text, std::int64_t line);

// Parses an HTTP request body holding one JSON object or an array of them into one RawRecord
// per object; `line` is the 1-based position in the array (1 for a single object). A body
// that is not JSON, or not an object or array of objects, gives one record with a problem
// (field "") for the whole body or the offending element.
std::vector<RawRecord> parseJsonBody(std::string_view text);

}  // namespace cardline
