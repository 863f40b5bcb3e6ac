#pragma once
// Internal to mes/blanks: the JSON object text of event details, and reading one string field
// back from an event detail written by the workflow engine.

#include <cstdint>
#include <string>
#include <vector>

namespace cardline::blanks_internal {

// Builds {"key":value,...}.
class JsonObject {
 public:
  JsonObject& text(const char* key, const std::string& value);
  JsonObject& number(const char* key, std::int64_t value);
  JsonObject& list(const char* key, const std::vector<std::string>& values);
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void raw(const char* key, const std::string& json);
  std::string body_;
};

// The value of a top-level string field "key":"..." in flat JSON object text (the escapes the
// engine writes are decoded: quote, backslash, n, t, r, u00XX); "" when absent or not a string.
std::string jsonStringField(const std::string& json, const std::string& key);

}  // namespace cardline::blanks_internal
