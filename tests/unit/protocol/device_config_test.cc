// cardline-device's device.yaml reader (devices/app/device_config.h).
#include "devices/app/device_config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace cardline {
namespace {

TEST(DeviceConfig, ReadsTheShippedSample) {
  const char* source = std::getenv("CARDLINE_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "run through ctest";
  auto config = loadDeviceConfig(std::string(source) + "/etc/device.yaml");
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  EXPECT_EQ(config->device, "print-01");
  EXPECT_EQ(config->station, "print");
  EXPECT_EQ(config->connect, "tcp://127.0.0.1:5570");
  EXPECT_EQ(config->security, LinkSecurity::kCurve);
  EXPECT_EQ(config->key_dir, "/etc/cardline/keys");
  EXPECT_EQ(config->capacity, 1);
}

TEST(DeviceConfig, QuotesCommentsAndPlain) {
  auto config = parseDeviceConfig("d.yaml",
                                  "# comment\n"
                                  "device: 'qa-2'   # trailing comment\n"
                                  "station: \"qa\"\n"
                                  "connect: tcp://mes:5570\n"
                                  "security: plain\r\n"
                                  "heartbeat_ms: 250\n");
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  EXPECT_EQ(config->device, "qa-2");
  EXPECT_EQ(config->station, "qa");
  EXPECT_EQ(config->security, LinkSecurity::kPlain);
  EXPECT_EQ(config->heartbeat_ms, 250);
}

TEST(DeviceConfig, ReportsEveryProblemWithItsPosition) {
  auto config = parseDeviceConfig("d.yaml",
                                  "device: bad id\n"
                                  "station: laser\n"
                                  "  nested: 1\n"
                                  "capacity: 0\n"
                                  "colour: red\n"
                                  "capacity: 2\n"
                                  "driver: [a]\n");
  ASSERT_FALSE(config.isOk());
  EXPECT_EQ(config.status().message(),
            "d.yaml:1:9: device must match [A-Za-z0-9._-]{1,64}\n"
            "d.yaml:2:10: unknown station \"laser\" (expected one of: print, encode, qa, "
            "dispatch)\n"
            "d.yaml:3:3: nested values are not supported in device.yaml\n"
            "d.yaml:4:11: capacity must be 1..64\n"
            "d.yaml:5:1: unknown key \"colour\"\n"
            "d.yaml:6:1: \"capacity\" is set twice\n"
            "d.yaml:7:9: only plain scalar values are supported in device.yaml\n"
            "d.yaml: missing \"connect\"\n"
            "d.yaml: missing \"server_key\"\n"
            "d.yaml: missing \"key_dir\"");
}

}  // namespace
}  // namespace cardline
