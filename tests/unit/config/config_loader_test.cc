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
             "devices, http, logistics, node_id, resources_dir, security, service_levels, signer)"));
}

TEST(ConfigLoaderTest, ReadsTheSignerSectionAndRefusesAPinInTheFile) {
  ConfigLoadResult r = parseConfigText(
      "data_dir: data\n"
      "signer:\n"
      "  backend: pkcs11\n"
      "  max_documents: 5000\n"
      "  pkcs11:\n"
      "    module: /usr/lib/softhsm/libsofthsm2.so\n"
      "    token_label: line-1\n"
      "    pin_file: secrets/hsm.pin\n",
      "/srv/c.yaml");
  EXPECT_THAT(texts(r), testing::IsEmpty());
  EXPECT_EQ(r.config.signer.backend, SignerBackend::kPkcs11);
  EXPECT_EQ(r.config.signer.max_documents, 5000);
  EXPECT_EQ(r.config.signer.pkcs11.module, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(r.config.signer.pkcs11.token_label, "line-1");
  EXPECT_EQ(r.config.signer.pkcs11.pin_file, "secrets/hsm.pin");
  EXPECT_EQ(r.config.signer.pkcs11.pin_env, "CARDLINE_HSM_PIN");
  EXPECT_EQ(defaultConfig().signer.backend, SignerBackend::kKeyFile);

  ConfigLoadResult bad = parseConfigText(
      "data_dir: data\nsigner:\n  backend: hsm\n  pkcs11:\n    pin: \"1234\"\n", "/srv/c.yaml");
  EXPECT_THAT(texts(bad), testing::ElementsAre(
      "/srv/c.yaml:3:12: signer.backend must be one of: key_file, pkcs11",
      "/srv/c.yaml:5:10: signer.pkcs11.pin must not be written in the configuration; name a "
      "pin_file or a pin_env variable instead"));
  ConfigLoadResult no_module =
      parseConfigText("data_dir: data\nsigner: {backend: pkcs11}\n", "/srv/c.yaml");
  EXPECT_THAT(texts(no_module), testing::ElementsAre(
      "/srv/c.yaml: signer.backend is pkcs11 but signer.pkcs11.module (the PKCS#11 module "
      "path) is not set"));
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
