#include "mes/security/password_hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cardline {
namespace {

PasswordHashOptions fast() {
  PasswordHashOptions options;
  options.iterations = kMinPasswordIterations;
  return options;
}

TEST(PasswordHashTest, DefaultIsTheOwaspIterationCount) {
  EXPECT_GE(PasswordHashOptions{}.iterations, 310000);
}

TEST(PasswordHashTest, HashIsSelfDescribingAndVerifies) {
  auto hash = hashPassword("mật khẩu đúng 123", fast());
  ASSERT_TRUE(hash.isOk()) << hash.status().toString();
  EXPECT_EQ(hash->rfind("pbkdf2-sha256$1000$", 0), 0u) << *hash;
  auto ok = verifyPassword("mật khẩu đúng 123", *hash);
  ASSERT_TRUE(ok.isOk());
  EXPECT_EQ(*ok, PasswordMatch::kMatch);
  auto bad = verifyPassword("mật khẩu đúng 124", *hash);
  ASSERT_TRUE(bad.isOk());
  EXPECT_EQ(*bad, PasswordMatch::kMismatch);
}

TEST(PasswordHashTest, SaltMakesEveryHashDifferent) {
  auto a = hashPassword("same password", fast());
  auto b = hashPassword("same password", fast());
  ASSERT_TRUE(a.isOk() && b.isOk());
  EXPECT_NE(*a, *b);
}

TEST(PasswordHashTest, DefaultCostHashVerifies) {
  auto hash = hashPassword("correct horse battery", PasswordHashOptions{});
  ASSERT_TRUE(hash.isOk());
  EXPECT_EQ(hash->rfind("pbkdf2-sha256$310000$", 0), 0u);
  EXPECT_EQ(*verifyPassword("correct horse battery", *hash), PasswordMatch::kMatch);
  EXPECT_FALSE(passwordNeedsRehash(*hash, PasswordHashOptions{}));
  auto weak = hashPassword("correct horse battery", fast());
  EXPECT_TRUE(passwordNeedsRehash(*weak, PasswordHashOptions{}));
}

TEST(PasswordHashTest, MalformedOrDowngradedHashesAreRejected) {
  for (const std::string& stored : std::vector<std::string>{"", "plain", "md5$1000$AAAA$AAAA", "pbkdf2-sha256$10$c2FsdA==$" + std::string(44, 'A'),
        "pbkdf2-sha256$abc$c2FsdA==$AAAA", "pbkdf2-sha256$1000$!!$AAAA",
        "pbkdf2-sha256$1000$c2FsdA==$AAAA"}) {
    auto result = verifyPassword("x", stored);
    ASSERT_FALSE(result.isOk()) << stored;
    EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument) << stored;
  }
}

TEST(PasswordHashTest, TooFewIterationsRefused) {
  PasswordHashOptions options;
  options.iterations = 10;
  EXPECT_EQ(hashPassword("x", options).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cardline
