#include "mes/intake/record_reader.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstring>
#include <vector>

#include "mes/intake/csv_reader.h"
#include "mes/intake/text.h"

namespace cardline {

const char* name(InputFormat v) {
  switch (v) {
    case InputFormat::kJsonLines:
      return "jsonl";
    case InputFormat::kCsv:
      return "csv";
  }
  return "?";
}

Result<InputFormat> parseInputFormat(std::string_view s) {
  if (s == "jsonl") return InputFormat::kJsonLines;
  if (s == "csv") return InputFormat::kCsv;
  return invalidArgument("unknown input format '" + std::string(s) + "' (accepted: jsonl, csv)");
}

Result<InputFormat> formatForPath(const std::string& path) {
  auto ends = [&](const char* ext) {
    std::size_t n = std::strlen(ext);
    if (path.size() < n) return false;
    for (std::size_t i = 0; i < n; ++i) {
      char c = path[path.size() - n + i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != ext[i]) return false;
    }
    return true;
  };
  if (ends(".jsonl") || ends(".ndjson") || ends(".json")) return InputFormat::kJsonLines;
  if (ends(".csv")) return InputFormat::kCsv;
  return invalidArgument(path + ": cannot tell the format from the file name (use .jsonl or .csv)");
}

namespace {

// Replaces every ill-formed UTF-8 sequence by U+FFFD.
std::string replaceInvalidUtf8(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    auto bad = findInvalidUtf8(text);
    if (!bad) {
      out.append(text);
      break;
    }
    out.append(text.substr(0, *bad));
    out.append("\xEF\xBF\xBD");
    text.remove_prefix(*bad + 1);
  }
  return out;
}

void flatten(const Poco::JSON::Object& object, const std::string& prefix, RawRecord& record) {
  for (const auto& [key, value] : object) {
    std::string field = prefix + key;
    if (value.isEmpty()) continue;  // null
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
      auto child = value.extract<Poco::JSON::Object::Ptr>();
      if (child) flatten(*child, field + ".", record);
      continue;
    }
    if (value.isString()) {
      record.fields[field] = value.extract<std::string>();
      continue;
    }
    record.problems.push_back({record.line, "", field, "must be a string"});
  }
}

class JsonLinesReader final : public RecordReader {
 public:
  JsonLinesReader(std::istream& in, ReaderOptions options)
      : in_(in), options_(options), buffer_(64 * 1024) {}

  std::optional<RawRecord> next() override {
    for (;;) {
      std::string line;
      bool too_large = false;
      std::int64_t line_number = line_number_;
      if (!readLine(line, too_large)) return std::nullopt;
      if (too_large) {
        RawRecord record;
        record.line = line_number;
        record.problems.push_back(
            {line_number, "", "",
             "record is larger than " + std::to_string(options_.max_record_bytes) + " bytes"});
        return record;
      }
      if (first_line_ && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        line.erase(0, 3);
      }
      first_line_ = false;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank line
      return parseJsonRecord(line, line_number);
    }
  }

  Status status() const override {
    if (in_.bad()) return unavailable("reading the input failed");
    return Status::ok();
  }

 private:
  // Reads up to the next '\n' (consumed, not stored). False at the end of the input when
  // nothing was read.
  bool readLine(std::string& line, bool& too_large) {
    bool any = false;
    for (;;) {
      if (pos_ == end_) {
        if (!in_) return any;
        in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        end_ = static_cast<std::size_t>(in_.gcount());
        pos_ = 0;
        if (end_ == 0) return any;
      }
      any = true;
      const char* start = buffer_.data() + pos_;
      const void* nl = std::memchr(start, '\n', end_ - pos_);
      std::size_t n =
          nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : end_ - pos_;
      if (!too_large) {
        if (line.size() + n > options_.max_record_bytes) {
          too_large = true;
          std::string().swap(line);
        } else {
          line.append(start, n);
        }
      }
      pos_ += n;
      if (nl) {
        ++pos_;
        ++line_number_;
        return true;
      }
    }
  }

  std::istream& in_;
  ReaderOptions options_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::int64_t line_number_ = 1;
  bool first_line_ = true;
};

class CsvRecordReader final : public RecordReader {
 public:
  CsvRecordReader(std::istream& in, ReaderOptions options) : csv_(in, options.max_record_bytes) {}

  std::optional<RawRecord> next() override {
    if (!header_read_) {
      header_read_ = true;
      auto header = csv_.next();
      if (!header) return std::nullopt;
      if (!header->error.empty()) {
        header_error_ = "header: " + header->error;
      }
      for (auto& name : header->fields) header_.push_back(collapseSpaces(name));
    }
    auto row = csv_.next();
    if (!row) return std::nullopt;
    RawRecord record;
    record.line = row->line;
    if (!header_error_.empty()) {
      record.problems.push_back({row->line, "", "", header_error_});
    }
    if (!row->error.empty()) {
      record.problems.push_back({row->line, "", "", row->error});
      if (row->fields.empty()) return record;
    }
    if (row->fields.size() != header_.size()) {
      record.problems.push_back({row->line, "", "",
                                 "has " + std::to_string(row->fields.size()) +
                                     " fields, the header has " + std::to_string(header_.size())});
    }
    for (std::size_t i = 0; i < row->fields.size() && i < header_.size(); ++i) {
      if (!row->fields[i].empty()) record.fields[header_[i]] = std::move(row->fields[i]);
    }
    return record;
  }

  Status status() const override {
    if (!csv_.streamOk()) return unavailable("reading the input failed");
    return Status::ok();
  }

 private:
  CsvReader csv_;
  bool header_read_ = false;
  std::vector<std::string> header_;
  std::string header_error_;
};

}  // namespace

RawRecord parseJsonRecord(std::string_view text, std::int64_t line) {
  RawRecord record;
  record.line = line;
  std::string owned;
  if (auto bad = findInvalidUtf8(text)) {
    record.problems.push_back(
        {line, "", "",
         "not valid UTF-8 at byte " + std::to_string(*bad) + " (invalid bytes read as U+FFFD)"});
    owned = replaceInvalidUtf8(text);
  } else {
    owned = std::string(text);
  }
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(owned);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
      record.problems.push_back({line, "", "", "not a JSON object"});
      return record;
    }
    auto object = parsed.extract<Poco::JSON::Object::Ptr>();
    if (object) flatten(*object, "", record);
  } catch (const Poco::Exception& e) {
    record.problems.push_back({line, "", "", "invalid JSON: " + e.message()});
  } catch (const std::exception& e) {
    record.problems.push_back({line, "", "", std::string("invalid JSON: ") + e.what()});
  }
  return record;
}

std::vector<RawRecord> parseJsonBody(std::string_view text) {
  std::vector<RawRecord> records;
  if (auto bad = findInvalidUtf8(text)) {
    RawRecord record;
    record.line = 1;
    record.problems.push_back({1, "", "", "not valid UTF-8 at byte " + std::to_string(*bad)});
    records.push_back(std::move(record));
    return records;
  }
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(std::string(text));
    if (parsed.type() == typeid(Poco::JSON::Array::Ptr)) {
      auto array = parsed.extract<Poco::JSON::Array::Ptr>();
      for (std::size_t i = 0; array && i < array->size(); ++i) {
        RawRecord record;
        record.line = static_cast<std::int64_t>(i) + 1;
        auto object = array->getObject(static_cast<unsigned>(i));
        if (object) {
          flatten(*object, "", record);
        } else {
          record.problems.push_back({record.line, "", "", "not a JSON object"});
        }
        records.push_back(std::move(record));
      }
      return records;
    }
    RawRecord record;
    record.line = 1;
    if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) {
      auto object = parsed.extract<Poco::JSON::Object::Ptr>();
      if (object) flatten(*object, "", record);
    } else {
      record.problems.push_back({1, "", "", "not a JSON object or array of objects"});
    }
    records.push_back(std::move(record));
  } catch (const Poco::Exception& e) {
    RawRecord record;
    record.line = 1;
    record.problems.push_back({1, "", "", "invalid JSON: " + e.message()});
    records.push_back(std::move(record));
  }
  return records;
}

std::unique_ptr<RecordReader> makeJsonLinesReader(std::istream& in, ReaderOptions options) {
  return std::make_unique<JsonLinesReader>(in, options);
}

std::unique_ptr<RecordReader> makeCsvReader(std::istream& in, ReaderOptions options) {
  return std::make_unique<CsvRecordReader>(in, options);
}

std::unique_ptr<RecordReader> makeRecordReader(InputFormat format, std::istream& in,
                                               ReaderOptions options) {
  if (format == InputFormat::kCsv) return makeCsvReader(in, options);
  return makeJsonLinesReader(in, options);
}

}  // namespace cardline
