#include "mes/blanks/json_text.h"

#include <cstdio>

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

std::string jsonStringField(const std::string& json, const std::string& key) {
  std::string needle = jsonQuote(key) + ":\"";
  std::size_t at = json.find(needle);
  if (at == std::string::npos) return {};
  std::string out;
  for (std::size_t i = at + needle.size(); i < json.size(); ++i) {
    char c = json[i];
    if (c == '"') return out;
    if (c != '\\' || i + 1 >= json.size()) {
      out += c;
      continue;
    }
    char e = json[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'u':
        if (i + 4 < json.size()) {
          int code = 0;
          for (std::size_t k = i + 1; k <= i + 4; ++k) {
            char h = json[k];
            int digit = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : 0;
            code = code * 16 + digit;
          }
          out += static_cast<char>(code & 0x7f);
          i += 4;
        }
        break;
      default:
        out += e;
    }
  }
  return {};
}

}  // namespace cardline::blanks_internal
