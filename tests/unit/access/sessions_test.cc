#include "mes/security/sessions.h"

#include <gtest/gtest.h>

#include <set>

namespace cardline {
namespace {

TEST(SessionTableTest, CreateGivesRandom128BitIdsAndTokens) {
  FakeClock clock;
  SessionTable table(clock);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto s = table.create("lan", {Role::kOperator});
    ASSERT_TRUE(s.isOk());
    EXPECT_EQ(s->id.size(), 32u);
    EXPECT_EQ(s->csrf_token.size(), 32u);
    EXPECT_NE(s->id, s->csrf_token);
    EXPECT_TRUE(seen.insert(s->id).second);
  }
  EXPECT_EQ(table.size(), 50u);
}

TEST(SessionTableTest, IdleTimeoutEndsAnUnusedSession) {
  FakeClock clock;
  SessionTable table(clock, SessionOptions{15 * 60, 8 * 3600});
  auto s = table.create("lan", {Role::kOperator});
  ASSERT_TRUE(s.isOk());
  clock.advanceMillis(14 * 60 * 1000);
  ASSERT_TRUE(table.touch(s->id).isOk());  // used: the idle deadline moves on
  clock.advanceMillis(14 * 60 * 1000);
  ASSERT_TRUE(table.touch(s->id).isOk());
  clock.advanceMillis(15 * 60 * 1000);
  auto expired = table.touch(s->id);
  EXPECT_EQ(expired.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(table.size(), 0u);
}

TEST(SessionTableTest, AbsoluteTimeoutEndsEvenAnActiveSession) {
  FakeClock clock;
  SessionTable table(clock, SessionOptions{15 * 60, 3600});
  auto s = table.create("lan", {Role::kOperator});
  ASSERT_TRUE(s.isOk());
  for (int i = 0; i < 5; ++i) {
    clock.advanceMillis(10 * 60 * 1000);
    ASSERT_TRUE(table.touch(s->id).isOk()) << i;
  }
  clock.advanceMillis(10 * 60 * 1000);  // 60 minutes after login
  EXPECT_EQ(table.touch(s->id).status().code(), ErrorCode::kNotFound);
}

TEST(SessionTableTest, LogoutAndDisableEndSessions) {
  FakeClock clock;
  SessionTable table(clock);
  auto a = table.create("lan", {Role::kOperator});
  auto b = table.create("lan", {Role::kOperator});
  auto c = table.create("minh", {Role::kAdmin});
  ASSERT_TRUE(a.isOk() && b.isOk() && c.isOk());
  EXPECT_TRUE(table.end(a->id));
  EXPECT_FALSE(table.end(a->id));
  EXPECT_FALSE(table.touch(a->id).isOk());
  EXPECT_TRUE(table.touch(b->id).isOk());
  EXPECT_EQ(table.endAllFor("lan"), 1);
  EXPECT_FALSE(table.touch(b->id).isOk());
  EXPECT_TRUE(table.touch(c->id).isOk());
  EXPECT_FALSE(table.touch("not-a-session").isOk());
}

TEST(SessionTableTest, SweepDropsExpired) {
  FakeClock clock;
  SessionTable table(clock, SessionOptions{60, 3600});
  ASSERT_TRUE(table.create("a", {Role::kOperator}).isOk());
  clock.advanceMillis(30 * 1000);
  ASSERT_TRUE(table.create("b", {Role::kOperator}).isOk());
  clock.advanceMillis(45 * 1000);
  EXPECT_EQ(table.sweep(), 1);
  EXPECT_EQ(table.size(), 1u);
}

TEST(SessionTableTest, ConstantTimeEquals) {
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(constantTimeEquals("", "a"));
}

}  // namespace
}  // namespace cardline
