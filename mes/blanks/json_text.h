#pragma once
// Internal to mes/blanks: the JSON object text of event details (reading a field back is
// jsonStringField in mes/base/json_text.h).

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


}  // namespace cardline::blanks_internal
