#pragma once
// A small, strict JSON reader and writer for CARDLINE/1 header frames (PROTOCOL.md §4).
// Accepts exactly RFC 8259 JSON whose top level is an object, nested at most two levels deep
// (the header object and objects directly inside it), with no duplicate keys. std only.
// Value types; thread-compatible.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mes/base/status.h"

namespace cardline::protocol {

enum class JsonType { kNull, kBool, kInt, kDouble, kString, kObject };

struct JsonMember;

// One JSON value. Integers that fit in int64 and carry no fraction or exponent are kInt;
// every other number is kDouble. Members keep their order of appearance.
struct JsonValue {
  JsonType type = JsonType::kNull;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;
  std::vector<JsonMember> members;

  static JsonValue null();
  static JsonValue fromBool(bool v);
  static JsonValue fromInt(std::int64_t v);
  static JsonValue fromDouble(double v);
  static JsonValue fromString(std::string v);
  static JsonValue object();

  // For objects: the member named key, or nullptr when there is none.
  const JsonValue* find(std::string_view key) const;
  // For objects: appends a member (the caller keeps keys unique).
  JsonValue& add(std::string key, JsonValue value);
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

// Parses text as one JSON object. Fails with kInvalidArgument ("offset N: what") when the text
// is not valid JSON, is not an object, nests deeper than two objects, repeats a key, holds
// invalid UTF-8 or a lone surrogate escape, or has anything but white space after the object.
Result<JsonValue> parseJsonObject(std::string_view text);

// Writes value compactly (no white space), members in their stored order. Strings escape '"',
// '\\' and control characters; other characters (UTF-8) are written as they are. Doubles use the
// shortest text that reads back exactly and always carry a '.' or an exponent; a non-finite
// double is written as null.
std::string writeJson(const JsonValue& value);

}  // namespace cardline::protocol
