#include "mes/base/json_text.h"

namespace cardline {

std::string jsonQuote(const std::string& text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

namespace {

void appendUtf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xc0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code & 0x3f));
  }
}

int hexDigit(char h) {
  if (h >= '0' && h <= '9') return h - '0';
  if (h >= 'a' && h <= 'f') return h - 'a' + 10;
  if (h >= 'A' && h <= 'F') return h - 'A' + 10;
  return -1;
}

}  // namespace

std::string jsonStringField(const std::string& json, const std::string& key) {
  const std::string quoted = jsonQuote(key);
  for (std::size_t at = json.find(quoted); at != std::string::npos;
       at = json.find(quoted, at + 1)) {
    std::size_t i = json.find_first_not_of(" \t\r\n", at + quoted.size());
    if (i == std::string::npos || json[i] != ':') continue;  // a value that looks like the key
    i = json.find_first_not_of(" \t\r\n", i + 1);
    if (i == std::string::npos || json[i] != '"') return {};
    std::string out;
    for (++i; i < json.size(); ++i) {
      const char c = json[i];
      if (c == '"') return out;
      if (c != '\\' || i + 1 >= json.size()) {
        out += c;
        continue;
      }
      const char e = json[++i];
      switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned code = 0;
          bool valid = i + 4 < json.size();
          for (std::size_t k = i + 1; valid && k <= i + 4; ++k) {
            const int digit = hexDigit(json[k]);
            valid = digit >= 0;
            code = code * 16 + static_cast<unsigned>(digit < 0 ? 0 : digit);
          }
          if (!valid) return {};  // not JSON
          i += 4;
          if (code >= 0xd800 && code <= 0xdbff && i + 6 < json.size() && json[i + 1] == '\\' &&
              json[i + 2] == 'u') {
            unsigned low = 0;
            bool pair = true;
            for (std::size_t k = i + 3; pair && k <= i + 6; ++k) {
              const int digit = hexDigit(json[k]);
              pair = digit >= 0;
              low = low * 16 + static_cast<unsigned>(digit < 0 ? 0 : digit);
            }
            if (pair && low >= 0xdc00 && low <= 0xdfff) {
              const unsigned full = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
              out += static_cast<char>(0xf0 | (full >> 18));
              out += static_cast<char>(0x80 | ((full >> 12) & 0x3f));
              out += static_cast<char>(0x80 | ((full >> 6) & 0x3f));
              out += static_cast<char>(0x80 | (full & 0x3f));
              i += 6;
              break;
            }
          }
          appendUtf8(out, code >= 0xd800 && code <= 0xdfff ? 0xfffd : code);
          break;
        }
        default: out += e; break;  // \" \\ \/
      }
    }
    return {};  // unterminated
  }
  return {};
}

}  // namespace cardline
