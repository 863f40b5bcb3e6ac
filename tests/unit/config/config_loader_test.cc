#include "mes/config/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace cardline {
namespace {

std::string sourceDir() {
  const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
  return dir ? dir : ".";
}

std::vector<std::string> texts(const ConfigLoadResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.problems) out.push_back(p.toString());
  return out;
}

TEST(ConfigLoaderTest, ShippedConfigurationIsValid) {
  const std::string path = sourceDir() + "/etc/cardline.yaml";
  ConfigLoadResult r = loadConfig(path);
  EXPECT_THAT(texts(r), testing::IsEmpty());
  EXPECT_EQ(r.config.database.backend, DatabaseBackend::kSqlite);
  EXPECT_EQ(r.config.data_dir, sourceDir() + "/etc/../var/demo");
  EXPECT_EQ(r.config.sqlitePath(), sourceDir() + "/etc/../var/demo/cardline.db");
  EXPECT_EQ(r.config.piiKeyFile(), sourceDir() + "/etc/../var/demo/keys/pii.key");
  EXPECT_EQ(r.config.workflowsDir(), sourceDir() + "/etc/../workflows");
  EXPECT_EQ(r.config.devices.security, DeviceLinkSecurity::kCurve);
}

TEST(ConfigLoaderTest, ReportsEveryProblemWithItsPosition) {
  const std::string path = sourceDir() + "/tests/data/config/broken.yaml";
  ConfigLoadResult r = loadConfig(path);
  EXPECT_THAT(texts(r), testing::ElementsAre(
      path + ":3:12: database.backend must be one of: sqlite, mysql",
      path + ":5:16: database.mysql.pool_size must be a whole number",
      path + ":6:5: unknown key \"passwd\" in database.mysql (known: password_env, "
             "password_file, pool_size, schema, url, user)",
      path + ":8:9: http.port must be between 0 and 65535, got 70000",
      path + ":11:17: devices.heartbeat_ms must be between 50 and 60000, got 10",
      path + ":12:1: unknown key \"colour\" in the configuration (known: data_dir, database, "
             "devices, http, logistics, node_id, resources_dir, security, service_levels)"));
}

TEST(ConfigLoaderTest, MalformedYamlNamesThePlace) {
  const std::string path = sourceDir() + "/tests/data/config/malformed.yaml";
  ConfigLoadResult r = loadConfig(path);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].file, path);
  EXPECT_GT(r.problems[0].line, 0);
}

// parseConfigText is loadConfig without the file (the fuzz target config_yaml_fuzz uses it).
TEST(ConfigLoaderTest, ParsesTextAsIfReadFromThePath) {
  ConfigLoadResult r = parseConfigText("data_dir: data\nhttp: {port: 70000}\n", "/srv/c.yaml");
  EXPECT_THAT(texts(r), testing::ElementsAre(
      "/srv/c.yaml:2:14: http.port must be between 0 and 65535, got 70000"));
  EXPECT_EQ(r.config.data_dir, "/srv/data");
  EXPECT_EQ(r.config.source, "/srv/c.yaml");
  EXPECT_THAT(texts(parseConfigText("", "x.yaml")),
              testing::ElementsAre("x.yaml: the configuration file is empty"));
}

TEST(ConfigLoaderTest, MissingFileIsAProblem) {
  ConfigLoadResult r = loadConfig("/nonexistent/cardline.yaml");
  EXPECT_THAT(texts(r), testing::ElementsAre(
      "/nonexistent/cardline.yaml: cannot open the configuration file"));
}

TEST(ConfigLoaderTest, DataDirRelativePaths) {
  Config c = defaultConfig();
  c.data_dir = "/srv/line1";
  EXPECT_EQ(c.sqlitePath(), "/srv/line1/cardline.db");
  c.database.sqlite.path = "/var/lib/cardline.db";
  EXPECT_EQ(c.sqlitePath(), "/var/lib/cardline.db");
  c.security.pii_key_file = "k/pii.key";
  EXPECT_EQ(c.piiKeyFile(), "/srv/line1/k/pii.key");
  EXPECT_EQ(c.auditKeyFile(), "/srv/line1/keys/audit.key");
  c.security.audit_key_file = "/etc/cardline/audit.key";
  EXPECT_EQ(c.auditKeyFile(), "/etc/cardline/audit.key");
}

TEST(ConfigLoaderTest, AuditKeyFileIsRead) {
  ConfigLoadResult r =
      parseConfigText("security:\n  audit_key_file: /etc/cardline/audit.key\n", "c.yaml");
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.config.security.audit_key_file, "/etc/cardline/audit.key");
}

}  // namespace
}  // namespace cardline
