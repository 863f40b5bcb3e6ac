#include "mes/blanks/json_text.h"

#include "mes/base/json_text.h"

namespace cardline::blanks_internal {

void JsonObject::raw(const char* key, const std::string& json) {
  if (!body_.empty()) body_ += ",";
  body_ += jsonQuote(key) + ":" + json;
}

JsonObject& JsonObject::text(const char* key, const std::string& value) {
  raw(key, jsonQuote(value));
  return *this;
}

JsonObject& JsonObject::number(const char* key, std::int64_t value) {
  raw(key, std::to_string(value));
  return *this;
}

JsonObject& JsonObject::list(const char* key, const std::vector<std::string>& values) {
  std::string json = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) json += ",";
    json += jsonQuote(values[i]);
  }
  raw(key, json + "]");
  return *this;
}

}  // namespace cardline::blanks_internal
