#include "mes/security/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "mes/security/pii_aes_gcm.h"

namespace cardline {
namespace {

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "cardline-keyfile-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    const std::string command = "rm -rf '" + dir_ + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }
  void writeFile(const std::string& path, const std::string& text, mode_t mode) {
    std::ofstream(path) << text;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }
  std::string dir_;
};

TEST_F(KeyFileTest, GenerateCreatesOwnerOnlyFileOnce) {
  const std::string path = dir_ + "/pii.key";
  auto first = generateKeyFile(path);
  ASSERT_TRUE(first.isOk()) << first.status().toString();
  EXPECT_EQ(*first, KeyFileOutcome::kCreated);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto key = loadKeyFile(path);
  ASSERT_TRUE(key.isOk()) << key.status().toString();
  EXPECT_EQ(key->size(), 32u);

  auto second = generateKeyFile(path);
  ASSERT_TRUE(second.isOk());
  EXPECT_EQ(*second, KeyFileOutcome::kAlreadyPresent);
  EXPECT_EQ(*loadKeyFile(path), *key);
}

TEST_F(KeyFileTest, TwoGeneratedKeysDiffer) {
  ASSERT_TRUE(generateKeyFile(dir_ + "/a.key").isOk());
  ASSERT_TRUE(generateKeyFile(dir_ + "/b.key").isOk());
  EXPECT_NE(*loadKeyFile(dir_ + "/a.key"), *loadKeyFile(dir_ + "/b.key"));
}

TEST_F(KeyFileTest, LoadsHexAndBase64) {
  const Bytes key(32, 0xab);
  writeFile(dir_ + "/hex.key", "  " + hexEncode(key) + "\n", 0600);
  writeFile(dir_ + "/b64.key", base64Encode(key) + "\n", 0400);
  EXPECT_EQ(*loadKeyFile(dir_ + "/hex.key"), key);
  EXPECT_EQ(*loadKeyFile(dir_ + "/b64.key"), key);
}

TEST_F(KeyFileTest, RefusesGroupOrWorldAccess) {
  writeFile(dir_ + "/open.key", hexEncode(Bytes(32, 1)), 0644);
  EXPECT_EQ(loadKeyFile(dir_ + "/open.key").status().code(), ErrorCode::kPermissionDenied);
  writeFile(dir_ + "/group.key", hexEncode(Bytes(32, 1)), 0640);
  EXPECT_EQ(loadKeyFile(dir_ + "/group.key").status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(KeyFileTest, RejectsWrongLengthAndGarbage) {
  writeFile(dir_ + "/short.key", hexEncode(Bytes(16, 1)), 0600);
  EXPECT_EQ(loadKeyFile(dir_ + "/short.key").status().code(), ErrorCode::kInvalidArgument);
  writeFile(dir_ + "/junk.key", "not a key!", 0600);
  EXPECT_EQ(loadKeyFile(dir_ + "/junk.key").status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(KeyFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(loadKeyFile(dir_ + "/absent.key").status().code(), ErrorCode::kNotFound);
}

TEST_F(KeyFileTest, MissingDirectoryIsUnavailable) {
  EXPECT_EQ(generateKeyFile(dir_ + "/no/such/dir.key").status().code(),
            ErrorCode::kUnavailable);
}

TEST_F(KeyFileTest, ProtectorFromKeyFileOpensWhatItSealed) {
  const std::string path = dir_ + "/pii.key";
  ASSERT_TRUE(generateKeyFile(path).isOk());
  auto a = AesGcmPiiProtector::fromKeyFile(path);
  auto b = AesGcmPiiProtector::fromKeyFile(path);
  ASSERT_TRUE(a.isOk() && b.isOk());
  auto sealed = (*a)->seal(toBytes("Lê Văn C"), "APP-9");
  ASSERT_TRUE(sealed.isOk());
  auto opened = (*b)->open(*sealed, "APP-9");
  ASSERT_TRUE(opened.isOk());
  EXPECT_EQ(toString(*opened), "Lê Văn C");
}

}  // namespace
}  // namespace cardline
