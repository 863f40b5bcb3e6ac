#include "mes/intake/csv_reader.h"

namespace cardline {

namespace {
constexpr std::size_t kBufferBytes = 64 * 1024;
}  // namespace

CsvReader::CsvReader(std::istream& in, std::size_t max_record_bytes)
    : in_(in), max_record_bytes_(max_record_bytes), buffer_(kBufferBytes) {}

int CsvReader::peek() {
  if (pos_ == end_) {
    if (!in_) return -1;
    in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    end_ = static_cast<std::size_t>(in_.gcount());
    pos_ = 0;
    if (end_ == 0) return -1;
  }
  return static_cast<unsigned char>(buffer_[pos_]);
}

int CsvReader::get() {
  int c = peek();
  if (c >= 0) {
    ++pos_;
    if (c == '\n') ++line_;
  }
  return c;
}

std::optional<CsvRow> CsvReader::next() {
  if (!started_) {
    started_ = true;
    // Skip a UTF-8 byte order mark.
    if (peek() == 0xEF) {
      std::size_t save = pos_;
      get();
      if (peek() == 0xBB) {
        get();
        if (peek() == 0xBF) {
          get();
        } else {
          pos_ = save;
        }
      } else {
        pos_ = save;
      }
    }
  }
  for (;;) {
    if (peek() < 0) return std::nullopt;
    CsvRow row;
    row.line = line_;
    std::string field;
    std::size_t bytes = 0;
    bool too_large = false;
    bool any_content = false;
    bool record_done = false;
    while (!record_done) {
      // Start of a field.
      int c = peek();
      if (c == '"') {
        get();
        any_content = true;
        bool closed = false;
        while (!closed) {
          c = get();
          if (c < 0) {
            if (row.error.empty()) row.error = "unterminated quoted field";
            record_done = true;
            break;
          }
          if (c == '"') {
            if (peek() == '"') {
              get();
            } else {
              closed = true;
              break;
            }
          }
          if (++bytes > max_record_bytes_) too_large = true;
          if (!too_large) field += static_cast<char>(c);
        }
        if (record_done) break;
        // After the closing quote: separator, record end, or an error.
        for (;;) {
          c = peek();
          if (c == ',' || c == '\n' || c < 0) break;
          if (c == '\r') {
            get();
            if (peek() == '\n') break;
            continue;
          }
          if (row.error.empty()) row.error = "unexpected text after a closing quote";
          get();
        }
      } else {
        for (;;) {
          c = peek();
          if (c == ',' || c == '\n' || c < 0) break;
          get();
          if (c == '\r' && peek() == '\n') break;
          any_content = true;
          if (++bytes > max_record_bytes_) too_large = true;
          if (!too_large) field += static_cast<char>(c);
        }
      }
      c = get();
      if (!too_large) row.fields.push_back(std::move(field));
      field.clear();
      if (c == ',') {
        any_content = true;
        continue;
      }
      record_done = true;  // '\n' or end of input
    }
    if (!any_content && row.error.empty() && row.fields.size() <= 1) continue;  // blank line
    if (too_large) {
      row.fields.clear();
      row.error = "record is larger than " + std::to_string(max_record_bytes_) + " bytes";
    }
    return row;
  }
}

}  // namespace cardline
