#include "mes/base/identifier.h"

#include <gtest/gtest.h>

#include <string>

namespace cardline {
namespace {

TEST(IdentifierTest, AcceptsTheIdsTheLineUses) {
  for (const char* id : {"print-1", "LOT-2026.01", "HN-01", "BOX-HN-01-3", "SEAL_7", "EE1",
                         "A"}) {
    EXPECT_TRUE(validateIdentifier("id", id).isOk()) << id;
  }
  EXPECT_TRUE(validateIdentifier("id", std::string(64, 'x')).isOk());
}

TEST(IdentifierTest, RefusesMarkupPathsAndOddShapes) {
  for (const char* id : {"", "<svg onload=x>", "a/../../b", "a..b", "-x", ".hidden", "a b",
                         "NOUNIT;", "ký", "x\n"}) {
    Status s = validateIdentifier("device id", id);
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << id;
    EXPECT_EQ(s.message().rfind("device id", 0), 0u) << s.message();
    EXPECT_EQ(s.message().find('<'), std::string::npos) << s.message();
  }
  EXPECT_FALSE(validateIdentifier("lot id", std::string(65, 'x')).isOk());
}

}  // namespace
}  // namespace cardline
