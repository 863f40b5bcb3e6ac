#include "mes/devlink/curve_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace cardline {
namespace {

std::string tempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("cardline-keys-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(CurveKeys, GeneratesWritesAndReadsKeyFiles) {
  auto pair = generateCurveKeyPair();
  ASSERT_TRUE(pair.isOk()) << pair.status().toString();
  EXPECT_TRUE(isZ85Key(pair->public_key));
  EXPECT_TRUE(isZ85Key(pair->secret_key));
  std::string dir = tempDir("rw");
  ASSERT_TRUE(writeKeyFiles(dir, "print-01", pair.value()).isOk());
  EXPECT_EQ(writeKeyFiles(dir, "print-01", pair.value()).code(), ErrorCode::kAlreadyExists);
  auto pub = readKeyFile(dir + "/print-01.key");
  ASSERT_TRUE(pub.isOk()) << pub.status().toString();
  EXPECT_EQ(pub->public_key, pair->public_key);
  EXPECT_TRUE(pub->secret_key.empty());
  auto both = readKeyFile(dir + "/print-01.key_secret");
  ASSERT_TRUE(both.isOk());
  EXPECT_EQ(both->secret_key, pair->secret_key);
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/print-01.key_secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::filesystem::remove_all(dir);
}

// A key file whose path is 40 characters of the Z85 alphabet is still read as a file: taking the
// path for the key made every simulated device of such a data directory connect with a key the
// MES does not have (cardline bench --data-dir /tmp/cardline-mspeed.FIXD/b stalled at 0 jobs).
TEST(CurveKeys, AKeyFileIsReadEvenWhenItsPathLooksLikeAKey) {
  auto pair = generateCurveKeyPair();
  ASSERT_TRUE(pair.isOk()) << pair.status().toString();
  const std::string dir =
      "/tmp/cardline-kq" + std::to_string(::getpid() % 10000 + 10000) + ".XYZ/b";
  const std::string path = dir + "/keys/mes.key";
  ASSERT_EQ(path.size(), 40u) << path;
  ASSERT_TRUE(isZ85Key(path)) << path;
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(writeKeyFiles(dir + "/keys", "mes", pair.value()).isOk());
  auto from_file = publicKeyFrom(path);
  ASSERT_TRUE(from_file.isOk()) << from_file.status().toString();
  EXPECT_EQ(*from_file, pair->public_key);
  // The key itself is taken as it is; anything else is a clear error.
  auto literal = publicKeyFrom(pair->public_key);
  ASSERT_TRUE(literal.isOk());
  EXPECT_EQ(*literal, pair->public_key);
  Status neither = publicKeyFrom(dir + "/keys/no-such.key").status();
  EXPECT_EQ(neither.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(neither.message().find("neither a key file nor"), std::string::npos);
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
}

TEST(CurveKeys, BrokenKeyFilesNameTheLine) {
  std::string dir = tempDir("bad");
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir + "/bad.key");
    out << "# comment\n\npublic-key = tooshort\n";
  }
  auto r = readKeyFile(dir + "/bad.key");
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().message(),
            dir + "/bad.key:3: public-key is not a 40-character Z85 key");
  EXPECT_EQ(readKeyFile(dir + "/missing.key").status().code(), ErrorCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST(DeviceAllowList, OneKeyPerDeviceAndOneDevicePerKey) {
  auto a = generateCurveKeyPair().value();
  auto b = generateCurveKeyPair().value();
  DeviceAllowList list;
  EXPECT_EQ(list.allow("qa-1", "not-a-key").code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(list.allow("qa-1", a.public_key).isOk());
  EXPECT_EQ(list.allow("qa-2", a.public_key).code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(list.allow("qa-1", b.public_key).isOk());  // re-keyed
  EXPECT_FALSE(list.deviceFor(a.public_key).has_value());
  EXPECT_EQ(list.deviceFor(b.public_key), "qa-1");
  EXPECT_EQ(list.keyOf("qa-1"), b.public_key);
  ASSERT_TRUE(list.remove("qa-1").isOk());
  EXPECT_EQ(list.remove("qa-1").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(list.entries().empty());
}

}  // namespace
}  // namespace cardline
