#pragma once
// What intake reads and what it reports: a raw record (field name → text, before any
// validation) and the problems found in it. Plain value types.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cardline {

// One thing wrong with one record. `field` is the dotted field name ("photo.data",
// "receiving_unit.code") or empty when the problem concerns the whole record (bad JSON, a
// record that is too large). `line` is the 1-based line where the record starts in its file
// (0 when it did not come from a file, e.g. over HTTP).
struct Problem {
  std::int64_t line = 0;
  std::string application_id;
  std::string field;
  std::string message;

  friend bool operator==(const Problem& a, const Problem& b) {
    return a.line == b.line && a.application_id == b.application_id && a.field == b.field &&
           a.message == b.message;
  }
};

// A record as read from JSON Lines or CSV, before validation. Nested JSON objects are
// flattened to dotted names ({"photo": {"format": "jpeg"}} → "photo.format"); CSV headers use
// the same dotted names. An empty value counts as absent. `problems` holds what the reader
// already found (bad JSON, a value that is not a string, an unknown field...).
struct RawRecord {
  std::int64_t line = 0;
  std::map<std::string, std::string> fields;
  std::vector<Problem> problems;

  // The value of `name`, or "" when absent.
  const std::string& get(const std::string& name) const;
  // True when `name` is present with a non-empty value.
  bool has(const std::string& name) const;
};

}  // namespace cardline
