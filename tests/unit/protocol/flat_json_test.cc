#include "devices/protocol/flat_json.h"

#include <gtest/gtest.h>

namespace cardline::protocol {
namespace {

TEST(FlatJson, ReadsScalarsAndOneNestedObject) {
  auto r = parseJsonObject(
      R"( {"a":"x\u00e9\ud83d\ude00","b":-12,"c":1.5e2,"d":true,"e":null,"m":{"k":0.25}} )");
  ASSERT_TRUE(r.isOk()) << r.status().toString();
  const JsonValue& v = r.value();
  EXPECT_EQ(v.find("a")->text, "x\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(v.find("b")->type, JsonType::kInt);
  EXPECT_EQ(v.find("b")->integer, -12);
  EXPECT_EQ(v.find("c")->type, JsonType::kDouble);
  EXPECT_DOUBLE_EQ(v.find("c")->number, 150.0);
  EXPECT_TRUE(v.find("d")->boolean);
  EXPECT_EQ(v.find("e")->type, JsonType::kNull);
  EXPECT_DOUBLE_EQ(v.find("m")->find("k")->number, 0.25);
  EXPECT_EQ(v.find("missing"), nullptr);
}

TEST(FlatJson, RejectsWhatIsNotStrictJson) {
  const char* bad[] = {
      "",                        // nothing
      "[]",                      // not an object
      "{\"a\":[1]}",             // arrays
      "{\"a\":{\"b\":{}}}",      // three levels
      "{\"a\":1,\"a\":2}",       // duplicate key
      "{\"a\":01}",              // leading zero
      "{\"a\":1.}",              // bad fraction
      "{\"a\":'x'}",             // single quotes
      "{\"a\":\"\x01\"}",        // control character
      "{\"a\":\"\\ud800\"}",     // lone surrogate
      "{\"a\":\"\xc3\"}",        // truncated UTF-8
      "{\"a\":\"\xed\xa0\x80\"}",// encoded surrogate
      "{\"a\":1} x",             // trailing text
      "{\"a\":1,}",              // trailing comma
      "{\"a\":1e999}",           // out of range
      "{\"a\":tru}",             // bad literal
  };
  for (const char* text : bad) {
    EXPECT_FALSE(parseJsonObject(text).isOk()) << text;
  }
}

TEST(FlatJson, ErrorsNameTheOffset) {
  auto r = parseJsonObject("{\"a\":1,\"a\":2}");
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().message(), "offset 7: duplicate key \"a\"");
}

TEST(FlatJson, WritesCompactlyAndRoundTrips) {
  JsonValue v = JsonValue::object();
  v.add("s", JsonValue::fromString("q\"\\\n\x01 Nguy\xe1\xbb\x85n"));
  v.add("i", JsonValue::fromInt(-3));
  v.add("d", JsonValue::fromDouble(2.0));
  v.add("f", JsonValue::fromDouble(0.1));
  v.add("b", JsonValue::fromBool(false));
  v.add("n", JsonValue::null());
  JsonValue& inner = v.add("o", JsonValue::object());
  inner.add("x", JsonValue::fromInt(1));
  std::string text = writeJson(v);
  EXPECT_EQ(text,
            "{\"s\":\"q\\\"\\\\\\n\\u0001 Nguy\xe1\xbb\x85n\",\"i\":-3,\"d\":2.0,\"f\":0.1,"
            "\"b\":false,\"n\":null,\"o\":{\"x\":1}}");
  auto back = parseJsonObject(text);
  ASSERT_TRUE(back.isOk());
  EXPECT_EQ(writeJson(back.value()), text);
}

}  // namespace
}  // namespace cardline::protocol
