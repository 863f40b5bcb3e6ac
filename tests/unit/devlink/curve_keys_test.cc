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
