#include "mes/devlink/curve_keys.h"

namespace cardline {

Status DeviceAllowList::allow(const std::string& device_id, const std::string& public_key) {
  if (!isZ85Key(public_key)) return invalidArgument("not a Z85 CURVE public key");
  std::lock_guard<std::mutex> lock(mu_);
  auto owner = by_key_.find(public_key);
  if (owner != by_key_.end() && owner->second != device_id) {
    return alreadyExists("the key is enrolled for device " + owner->second);
  }
  auto old = by_device_.find(device_id);
  if (old != by_device_.end()) by_key_.erase(old->second);
  by_device_[device_id] = public_key;
  by_key_[public_key] = device_id;
  return Status::ok();
}

Status DeviceAllowList::remove(const std::string& device_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_device_.find(device_id);
  if (it == by_device_.end()) return notFound("device " + device_id + " has no enrolled key");
  by_key_.erase(it->second);
  by_device_.erase(it);
  return Status::ok();
}

std::optional<std::string> DeviceAllowList::deviceFor(const std::string& public_key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_key_.find(public_key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> DeviceAllowList::keyOf(const std::string& device_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_device_.find(device_id);
  if (it == by_device_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, std::string>> DeviceAllowList::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {by_device_.begin(), by_device_.end()};
}

}  // namespace cardline
