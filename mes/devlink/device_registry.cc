#include "mes/devlink/device_registry.h"

#include <algorithm>

namespace cardline {

const char* name(LossReason v) {
  static const char* const kNames[] = {"silent", "restarted", "disconnect"};
  return kNames[static_cast<int>(v)];
}

DeviceRegistry::DeviceRegistry(const Clock& clock, std::chrono::milliseconds heartbeat,
                               int liveness)
    : clock_(clock), expiry_(heartbeat * liveness) {}

void DeviceRegistry::refreshState(Entry& entry) {
  DeviceInfo& info = entry.info;
  if (info.device.state == DeviceState::kOffline || info.device.state == DeviceState::kFault) {
    return;
  }
  info.device.state = info.jobs.empty() ? DeviceState::kIdle : DeviceState::kBusy;
  info.device.current_job = info.jobs.empty() ? "" : std::to_string(info.jobs.front());
}

void DeviceRegistry::noteState(Entry& entry) {
  const Timestamp now = clock_.now();
  const Device& device = entry.info.device;
  if (!entry.timed) {
    entry.timed = true;
    entry.timed_state = device.state;
    entry.timed_since = now;
    return;
  }
  if (entry.timed_state == device.state) return;
  if (entry.timed_since < now) {
    closed_spans_.push_back(
        DeviceTimeSpan{device.id, device.station, entry.timed_state, entry.timed_since, now});
  }
  entry.timed_state = device.state;
  entry.timed_since = now;
}

std::vector<DeviceTimeSpan> DeviceRegistry::takeDeviceTime() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DeviceTimeSpan> spans = std::move(closed_spans_);
  closed_spans_.clear();
  const Timestamp now = clock_.now();
  for (auto& [id, entry] : devices_) {
    if (!entry.timed) continue;
    if (entry.timed_since < now) {
      spans.push_back(DeviceTimeSpan{id, entry.info.device.station, entry.timed_state,
                                     entry.timed_since, now});
    }
    entry.timed_since = now;
  }
  return spans;
}

ReadyOutcome DeviceRegistry::ready(const protocol::Ready& ready, const std::string& routing_id,
                                   const std::string& public_key) {
  std::lock_guard<std::mutex> lock(mu_);
  ReadyOutcome outcome;
  Entry& entry = devices_[ready.device];
  DeviceInfo& info = entry.info;
  if (!entry.routing_id.empty()) by_route_.erase(entry.routing_id);
  if (info.session != ready.session) {
    outcome.new_session = true;
    if (!info.jobs.empty()) {
      outcome.released = LostDevice{ready.device, info.jobs, LossReason::kRestarted};
      info.jobs.clear();
    }
  } else {
    outcome.resend = info.jobs;
  }
  info.device.id = ready.device;
  Result<StationType> station = parseStationType(protocol::name(ready.station));
  if (station.isOk()) info.device.station = station.value();
  info.device.public_key = public_key;
  info.session = ready.session;
  info.capacity = ready.capacity;
  info.fault.clear();
  info.device.state = DeviceState::kIdle;
  info.device.last_heartbeat = clock_.now();
  info.counters.sessions += 1;
  info.counters.messages_in += 1;
  entry.routing_id = routing_id;
  entry.last_seen = clock_.monotonic();
  by_route_[routing_id] = ready.device;
  refreshState(entry);
  noteState(entry);
  return outcome;
}

Result<std::string> DeviceRegistry::touch(const std::string& routing_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_route_.find(routing_id);
  if (it == by_route_.end()) return notFound("no session on this connection");
  Entry& entry = devices_.at(it->second);
  entry.info.counters.messages_in += 1;
  entry.info.device.last_heartbeat = clock_.now();
  entry.last_seen = clock_.monotonic();
  return it->second;
}

Result<std::string> DeviceRegistry::routingId(const std::string& device_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = devices_.find(device_id);
  if (it == devices_.end() || it->second.info.device.state == DeviceState::kOffline) {
    return notFound("device " + device_id + " is not connected");
  }
  return it->second.routing_id;
}

Status DeviceRegistry::reserve(const std::string& device_id, std::int64_t job) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = devices_.find(device_id);
  if (it == devices_.end()) return notFound("unknown device " + device_id);
  DeviceInfo& info = it->second.info;
  if (info.device.state == DeviceState::kOffline) {
    return unavailable("device " + device_id + " is offline");
  }
  if (info.device.state == DeviceState::kFault) {
    return unavailable("device " + device_id + " is in fault " + info.fault);
  }
  if (std::find(info.jobs.begin(), info.jobs.end(), job) != info.jobs.end()) {
    return alreadyExists("device " + device_id + " already holds job " + std::to_string(job));
  }
  if (static_cast<int>(info.jobs.size()) >= info.capacity) {
    return failedPrecondition("device " + device_id + " holds " +
                              std::to_string(info.jobs.size()) + " jobs, its capacity");
  }
  info.jobs.push_back(job);
  refreshState(it->second);
  noteState(it->second);
  return Status::ok();
}

bool DeviceRegistry::holds(const std::string& device_id, std::int64_t job) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = devices_.find(device_id);
  if (it == devices_.end()) return false;
  const auto& jobs = it->second.info.jobs;
  return std::find(jobs.begin(), jobs.end(), job) != jobs.end();
}

bool DeviceRegistry::finish(const std::string& device_id, std::int64_t job,
                            protocol::Outcome outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = devices_.find(device_id);
  if (it == devices_.end()) return false;
  DeviceInfo& info = it->second.info;
  auto pos = std::find(info.jobs.begin(), info.jobs.end(), job);
  if (pos == info.jobs.end()) return false;
  info.jobs.erase(pos);
  if (outcome == protocol::Outcome::kOk) {
    info.device.jobs_done += 1;
  } else {
    info.device.jobs_failed += 1;
  }
  refreshState(it->second);
  noteState(it->second);
  return true;
}

bool DeviceRegistry::forget(const std::string& device_id, std::int64_t job) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = devices_.find(device_id);
  if (it == devices_.end()) return false;
  DeviceInfo& info = it->second.info;
  auto pos = std::find(info.jobs.begin(), info.jobs.end(), job);
  if (pos == info.jobs.end()) return false;
  info.jobs.erase(pos);
  refreshState(it->second);
  noteState(it->second);
  return true;
}

void DeviceRegistry::status(const std::string& device_id, const protocol::StatusReport& report) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = devices_.find(device_id);
  if (it == devices_.end() || it->second.info.device.state == DeviceState::kOffline) return;
  DeviceInfo& info = it->second.info;
  if (report.state == protocol::DeviceStatus::kFault) {
    info.device.state = DeviceState::kFault;
    info.fault = report.fault;
  } else {
    info.fault.clear();
    info.device.state = DeviceState::kIdle;  // refined from the jobs held
    refreshState(it->second);
  }
  noteState(it->second);
}

LostDevice DeviceRegistry::disconnect(const std::string& device_id) {
  std::lock_guard<std::mutex> lock(mu_);
  LostDevice lost{device_id, {}, LossReason::kDisconnect};
  auto it = devices_.find(device_id);
  if (it == devices_.end()) return lost;
  Entry& entry = it->second;
  lost.jobs = std::move(entry.info.jobs);
  entry.info.jobs.clear();
  entry.info.device.state = DeviceState::kOffline;
  entry.info.device.current_job.clear();
  by_route_.erase(entry.routing_id);
  entry.routing_id.clear();
  noteState(entry);
  return lost;
}

std::vector<LostDevice> DeviceRegistry::expire() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LostDevice> lost;
  auto now = clock_.monotonic();
  for (auto& [id, entry] : devices_) {
    if (entry.info.device.state == DeviceState::kOffline) continue;
    if (now - entry.last_seen <= expiry_) continue;
    lost.push_back(LostDevice{id, std::move(entry.info.jobs), LossReason::kSilent});
    entry.info.jobs.clear();
    entry.info.device.state = DeviceState::kOffline;
    entry.info.device.current_job.clear();
    by_route_.erase(entry.routing_id);
    entry.routing_id.clear();
    noteState(entry);
  }
  return lost;
}

std::vector<std::string> DeviceRegistry::liveDevices() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, entry] : devices_) {
    if (entry.info.device.state != DeviceState::kOffline) ids.push_back(id);
  }
  return ids;
}

void DeviceRegistry::count(const std::string& device_id,
                           std::int64_t DeviceCounters::*counter, std::int64_t delta) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = devices_.find(device_id);
  if (it != devices_.end()) it->second.info.counters.*counter += delta;
}

std::vector<DeviceInfo> DeviceRegistry::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DeviceInfo> out;
  for (const auto& [id, entry] : devices_) out.push_back(entry.info);
  return out;
}

Result<DeviceInfo> DeviceRegistry::find(const std::string& device_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = devices_.find(device_id);
  if (it == devices_.end()) return notFound("unknown device " + device_id);
  return it->second.info;
}

ResultLedger::Seen ResultLedger::see(const std::string& device, std::int64_t job,
                                     int attempt) {
  Key key{device, job, attempt};
  auto it = entries_.find(key);
  if (it != entries_.end()) return it->second.has_value() ? Seen::kAcknowledged : Seen::kPending;
  entries_.emplace(key, std::nullopt);
  if (order_.size() < capacity_) {
    order_.push_back(key);
  } else {
    entries_.erase(order_[oldest_]);
    order_[oldest_] = key;
    oldest_ = (oldest_ + 1) % capacity_;
  }
  return Seen::kNew;
}

bool ResultLedger::acknowledge(const std::string& device, std::int64_t job, int attempt,
                               protocol::AckStatus status) {
  auto it = entries_.find(Key{device, job, attempt});
  if (it == entries_.end()) return false;
  it->second = status;
  return true;
}

std::optional<protocol::AckStatus> ResultLedger::status(const std::string& device,
                                                       std::int64_t job, int attempt) const {
  auto it = entries_.find(Key{device, job, attempt});
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

}  // namespace cardline
