#include "devices/protocol/flat_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

namespace cardline::protocol {
namespace {

constexpr int kMaxDepth = 2;

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  Result<JsonValue> document() {
    skipSpace();
    if (!peekIs('{')) return fail("the header must be a JSON object");
    CARDLINE_ASSIGN_OR_RETURN(JsonValue value, parseValue(0));
    skipSpace();
    if (pos_ != text_.size()) return fail("unexpected text after the object");
    return value;
  }

 private:
  Status fail(const std::string& what) const {
    return invalidArgument("offset " + std::to_string(pos_) + ": " + what);
  }
  bool peekIs(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool consumeLiteral(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Result<JsonValue> parseValue(int depth) {
    skipSpace();
    if (pos_ >= text_.size()) return fail("unexpected end of text");
    char c = text_[pos_];
    if (c == '{') return parseObject(depth + 1);
    if (c == '"') {
      CARDLINE_ASSIGN_OR_RETURN(std::string s, parseString());
      return JsonValue::fromString(std::move(s));
    }
    if (c == '[') return fail("arrays are not allowed in a header");
    if (consumeLiteral("true")) return JsonValue::fromBool(true);
    if (consumeLiteral("false")) return JsonValue::fromBool(false);
    if (consumeLiteral("null")) return JsonValue::null();
    if (c == '-' || (c >= '0' && c <= '9')) return parseNumber();
    return fail(std::string("unexpected character '") + c + "'");
  }

  Result<JsonValue> parseObject(int depth) {
    if (depth > kMaxDepth) return fail("objects nest deeper than two levels");
    ++pos_;  // '{'
    JsonValue object = JsonValue::object();
    skipSpace();
    if (peekIs('}')) {
      ++pos_;
      return object;
    }
    while (true) {
      skipSpace();
      if (!peekIs('"')) return fail("expected a member name");
      std::size_t key_at = pos_;
      CARDLINE_ASSIGN_OR_RETURN(std::string key, parseString());
      if (object.find(key) != nullptr) {
        pos_ = key_at;
        return fail("duplicate key \"" + key + "\"");
      }
      skipSpace();
      if (!peekIs(':')) return fail("expected ':'");
      ++pos_;
      CARDLINE_ASSIGN_OR_RETURN(JsonValue value, parseValue(depth));
      object.add(std::move(key), std::move(value));
      skipSpace();
      if (peekIs(',')) {
        ++pos_;
        continue;
      }
      if (peekIs('}')) {
        ++pos_;
        return object;
      }
      return fail("expected ',' or '}'");
    }
  }

  Result<JsonValue> parseNumber() {
    std::size_t start = pos_;
    if (peekIs('-')) ++pos_;
    if (peekIs('0')) {
      ++pos_;
    } else if (pos_ < text_.size() && text_[pos_] >= '1' && text_[pos_] <= '9') {
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    } else {
      return fail("malformed number");
    }
    bool integral = true;
    if (peekIs('.')) {
      integral = false;
      ++pos_;
      if (!(pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')) {
        return fail("malformed number");
      }
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    }
    if (peekIs('e') || peekIs('E')) {
      integral = false;
      ++pos_;
      if (peekIs('+') || peekIs('-')) ++pos_;
      if (!(pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')) {
        return fail("malformed number");
      }
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (integral) {
      std::int64_t v = 0;
      auto [ptr, ec] = std::from_chars(first, last, v);
      if (ec == std::errc() && ptr == last) return JsonValue::fromInt(v);
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(first, last, d);
    if (ec != std::errc() || ptr != last || !std::isfinite(d)) return fail("number out of range");
    return JsonValue::fromDouble(d);
  }

  Result<unsigned> parseHex4() {
    if (pos_ + 4 > text_.size()) return fail("short \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else return fail("bad \\u escape");
    }
    return v;
  }

  static void appendUtf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // Validates one UTF-8 sequence starting at pos_ and appends it.
  Status copyUtf8(std::string& out) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text_[i]); };
    unsigned char lead = byte(pos_);
    int extra = 0;
    unsigned cp = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
      cp = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2;
      cp = lead & 0x0Fu;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
      cp = lead & 0x07u;
    } else {
      return fail("invalid UTF-8");
    }
    if (pos_ + static_cast<std::size_t>(extra) >= text_.size()) {
      return fail("truncated UTF-8");
    }
    for (int i = 1; i <= extra; ++i) {
      unsigned char b = byte(pos_ + static_cast<std::size_t>(i));
      if ((b & 0xC0) != 0x80) return fail("invalid UTF-8");
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return fail("invalid UTF-8");
    }
    out.append(text_.substr(pos_, static_cast<std::size_t>(extra) + 1));
    pos_ += static_cast<std::size_t>(extra) + 1;
    return Status::ok();
  }

  Result<std::string> parseString() {
    ++pos_;  // '"'
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) return fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) return fail("control character in string");
      if (c >= 0x80) {
        CARDLINE_RETURN_IF_ERROR(copyUtf8(out));
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= text_.size()) return fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          CARDLINE_ASSIGN_OR_RETURN(unsigned cp, parseHex4());
          if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!consumeLiteral("\\u")) return fail("lone high surrogate");
            CARDLINE_ASSIGN_OR_RETURN(unsigned low, parseHex4());
            if (low < 0xDC00 || low > 0xDFFF) return fail("lone high surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          appendUtf8(out, cp);
          break;
        }
        default:
          return fail(std::string("bad escape \\") + e);
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

void writeString(const std::string& s, std::string& out) {
  out += '"';
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void writeValue(const JsonValue& v, std::string& out) {
  switch (v.type) {
    case JsonType::kNull: out += "null"; return;
    case JsonType::kBool: out += v.boolean ? "true" : "false"; return;
    case JsonType::kInt: out += std::to_string(v.integer); return;
    case JsonType::kDouble: {
      if (!std::isfinite(v.number)) {
        out += "null";
        return;
      }
      char buf[64];
      auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v.number);
      std::string text(buf, ec == std::errc() ? ptr : buf);
      if (text.find_first_of(".e") == std::string::npos) text += ".0";
      out += text;
      return;
    }
    case JsonType::kString: writeString(v.text, out); return;
    case JsonType::kObject: {
      out += '{';
      bool first = true;
      for (const JsonMember& m : v.members) {
        if (!first) out += ',';
        first = false;
        writeString(m.key, out);
        out += ':';
        writeValue(m.value, out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

JsonValue JsonValue::null() { return JsonValue{}; }
JsonValue JsonValue::fromBool(bool v) {
  JsonValue j;
  j.type = JsonType::kBool;
  j.boolean = v;
  return j;
}
JsonValue JsonValue::fromInt(std::int64_t v) {
  JsonValue j;
  j.type = JsonType::kInt;
  j.integer = v;
  return j;
}
JsonValue JsonValue::fromDouble(double v) {
  JsonValue j;
  j.type = JsonType::kDouble;
  j.number = v;
  return j;
}
JsonValue JsonValue::fromString(std::string v) {
  JsonValue j;
  j.type = JsonType::kString;
  j.text = std::move(v);
  return j;
}
JsonValue JsonValue::object() {
  JsonValue j;
  j.type = JsonType::kObject;
  return j;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const JsonMember& m : members) {
    if (m.key == key) return &m.value;
  }
  return nullptr;
}

JsonValue& JsonValue::add(std::string key, JsonValue value) {
  members.push_back(JsonMember{std::move(key), std::move(value)});
  return members.back().value;
}

Result<JsonValue> parseJsonObject(std::string_view text) { return Reader(text).document(); }

std::string writeJson(const JsonValue& value) {
  std::string out;
  writeValue(value, out);
  return out;
}

}  // namespace cardline::protocol
