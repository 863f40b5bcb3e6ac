#pragma once
// device.yaml: the configuration of one station device (etc/device.yaml is the sample).
//
// devices/ may link only mes/base, mes/document and devices/* (ARCHITECTURE.md), so
// cardline-device does not use yaml-cpp: it reads the flat subset of YAML a device needs,
// one "key: value" per line, '#' comments, values optionally in single or double quotes
// (no escapes inside). Anything else (nesting, lists, anchors, multi-line values) is refused
// with "file:line:col: message"; all problems are reported together.

#include <string>

#include "devices/runtime/device_runtime.h"
#include "mes/base/status.h"

namespace cardline {

struct DeviceConfig {
  std::string device;                       // device id (required)
  std::string station;                      // print | encode | qa | dispatch (required)
  std::string driver = "simulated";         // which driver to host; "simulated" is built in
  std::string connect;                      // the MES endpoint (required)
  LinkSecurity security = LinkSecurity::kCurve;  // "curve" (default) or "plain"
  std::string server_key;                   // MES public key: a key file or 40 Z85 characters
  std::string key_dir;                      // holds DEVICE.key_secret (curve)
  int capacity = 1;
  int heartbeat_ms = 1000;
  int reconnect_max_ms = 32000;
};

// Parses text (the contents of the file named path, used in messages). Fails with
// kInvalidArgument listing every problem, one "path:line:col: message" per line.
Result<DeviceConfig> parseDeviceConfig(const std::string& path, const std::string& text);

// Reads and parses path; kNotFound when it cannot be read.
Result<DeviceConfig> loadDeviceConfig(const std::string& path);

}  // namespace cardline
