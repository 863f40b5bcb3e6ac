#include <gtest/gtest.h>

#include "devices/protocol/message.h"

namespace cardline::protocol {
namespace {

DecodeError decodeError(const Frames& frames) {
  auto r = decode(frames);
  EXPECT_TRUE(std::holds_alternative<DecodeError>(r)) << "decoded unexpectedly";
  if (!std::holds_alternative<DecodeError>(r)) return {};
  return std::get<DecodeError>(r);
}

TEST(Decode, AcceptsMembersInAnyOrderAndIgnoresUnknownOnes) {
  auto r = decode({"CARDLINE/1", R"({"session":"s1","future":{"x":1},"capacity":2,)"
                                 R"("station":"qa","device":"qa-1","cmd":"READY"})"});
  ASSERT_TRUE(std::holds_alternative<Message>(r));
  const auto& ready = std::get<Ready>(std::get<Message>(r));
  EXPECT_EQ(ready.device, "qa-1");
  EXPECT_EQ(ready.station, Station::kQa);
  EXPECT_EQ(ready.capacity, 2);
  EXPECT_EQ(ready.session, "s1");
}

TEST(Decode, RefusesOtherVersionsAndForeignFrames) {
  EXPECT_EQ(decodeError({"CARDLINE/2", R"({"cmd":"HEARTBEAT"})"}).code,
            ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(decodeError({"MDPC01", R"({"cmd":"HEARTBEAT"})"}).code, ErrorCode::kBadMessage);
  EXPECT_EQ(decodeError({}).code, ErrorCode::kBadMessage);
  EXPECT_EQ(decodeError({"CARDLINE/1"}).code, ErrorCode::kBadMessage);
}

TEST(Decode, UnknownCommandIsItsOwnError) {
  DecodeError e = decodeError({"CARDLINE/1", R"({"cmd":"PAUSE"})"});
  EXPECT_EQ(e.code, ErrorCode::kUnknownCommand);
  EXPECT_EQ(e.command, "PAUSE");
}

TEST(Decode, ClearFaultNeedsWhoClearedIt) {
  DecodeError e = decodeError({"CARDLINE/1", R"({"cmd":"CLEAR","reason":"jam"})"});
  EXPECT_EQ(e.code, ErrorCode::kBadMessage);
  EXPECT_NE(e.message.find("by"), std::string::npos) << e.message;
}

TEST(Decode, ChecksMembers) {
  struct Case {
    const char* header;
    const char* message;
  } cases[] = {
      {R"({"cmd":"READY","device":"a b","station":"print","capacity":1,"session":"s"})",
       "member \"device\" must match [A-Za-z0-9._-]{1,64}"},
      {R"({"cmd":"READY","device":"d","station":"laser","capacity":1,"session":"s"})",
       "member \"station\": unknown station \"laser\" (expected one of: print, encode, qa, "
       "dispatch)"},
      {R"({"cmd":"READY","device":"d","station":"qa","capacity":0,"session":"s"})",
       "member \"capacity\" is out of range [1, 64]"},
      {R"({"cmd":"JOB","job":"7","attempt":1,"station":"qa","lease_ms":0})",
       "member \"job\" must be an integer"},
      {R"({"cmd":"JOB","job":9007199254740992,"attempt":1,"station":"qa","lease_ms":0})",
       "member \"job\" is out of range [1, 9007199254740991]"},
      {R"({"cmd":"RESULT","job":7,"attempt":1,"outcome":"defect"})",
       "outcome \"defect\" needs a \"defect\" code"},
      {R"({"cmd":"RESULT","job":7,"attempt":1,"outcome":"ok","measurements":{"a":"x"}})",
       "measurement \"a\" must be a number"},
      {R"({"cmd":"ACK","job":7,"status":"recorded"})", "missing member \"attempt\""},
  };
  for (const Case& c : cases) {
    DecodeError e = decodeError({"CARDLINE/1", c.header});
    EXPECT_EQ(e.code, ErrorCode::kBadMessage) << c.header;
    EXPECT_EQ(e.message, c.message) << c.header;
  }
}

TEST(Decode, PartsMustMatchBodyFrames) {
  const char* job = R"({"cmd":"JOB","job":1,"attempt":1,"station":"print","lease_ms":5,)"
                    R"("parts":"a,b"})";
  EXPECT_EQ(decodeError({"CARDLINE/1", job, "x"}).message,
            "\"parts\" names 2 frames but the message has 1");
  EXPECT_EQ(decodeError({"CARDLINE/1", R"({"cmd":"HEARTBEAT"})", "x"}).message,
            "HEARTBEAT carries no body frames");
  EXPECT_EQ(decodeError({"CARDLINE/1",
                         R"({"cmd":"JOB","job":1,"attempt":1,"station":"print","lease_ms":5})",
                         "x"})
                .message,
            "body frames without a \"parts\" member");
  auto ok = decode({"CARDLINE/1", job, "x", std::string(3, '\0')});
  ASSERT_TRUE(std::holds_alternative<Message>(ok));
  const Job& j = std::get<Job>(std::get<Message>(ok));
  ASSERT_EQ(j.parts.size(), 2u);
  EXPECT_EQ(j.parts[1].data, std::string(3, '\0'));
}

TEST(Decode, EnforcesSizeLimits) {
  std::string big_header = R"({"cmd":"DISCONNECT","reason":")" +
                           std::string(kMaxHeaderBytes, 'x') + "\"}";
  EXPECT_EQ(decodeError({"CARDLINE/1", big_header}).code, ErrorCode::kTooLarge);
  Frames many = {"CARDLINE/1", R"({"cmd":"JOB"})"};
  for (std::size_t i = 0; i <= kMaxBodyFrames; ++i) many.push_back("x");
  EXPECT_EQ(decodeError(many).code, ErrorCode::kTooLarge);
  Frames huge = {"CARDLINE/1", R"({"cmd":"JOB"})", std::string(kMaxBodyFrameBytes + 1, 'x')};
  EXPECT_EQ(decodeError(huge).code, ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace cardline::protocol
