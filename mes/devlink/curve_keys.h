#pragma once
// The allow-list of device public keys the MES's ZAP handler consults (PROTOCOL.md §10). Key
// pairs and key files are in devices/runtime/curve_keys.h.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "devices/runtime/curve_keys.h"
#include "mes/base/status.h"

namespace cardline {

// The device public keys allowed to connect, each enrolled for one device id. Thread-safe; the
// ZAP handler reads it on the devlink thread while `cardline device add|remove` (through the
// store) changes it.
class DeviceAllowList {
 public:
  // Enrols public_key (Z85) for device_id, replacing the device's earlier key. Fails with
  // kInvalidArgument when the key is not Z85, kAlreadyExists when the key belongs to another
  // device.
  Status allow(const std::string& device_id, const std::string& public_key);
  // Removes device_id's key. kNotFound when the device has none.
  Status remove(const std::string& device_id);
  // The device id public_key is enrolled for, or nullopt.
  std::optional<std::string> deviceFor(const std::string& public_key) const;
  // The key enrolled for device_id, or nullopt.
  std::optional<std::string> keyOf(const std::string& device_id) const;
  // (device id, key) pairs ordered by device id.
  std::vector<std::pair<std::string, std::string>> entries() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> by_key_;     // key -> device id
  std::map<std::string, std::string> by_device_;  // device id -> key
};

}  // namespace cardline
