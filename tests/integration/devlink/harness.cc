#include "tests/integration/devlink/harness.h"

#include <thread>
#include <zmq_addon.hpp>

namespace cardline::testing {

void RecordingListener::onReady(const DeviceInfo& device, bool new_session) {
  std::lock_guard<std::mutex> lock(mu_);
  readies.emplace_back(device.device.id, new_session);
  cv_.notify_all();
}

void RecordingListener::onResult(const std::string& device_id, const protocol::JobResult& result,
                                 bool held) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    results.emplace_back(device_id, result);
    results_held.push_back(held);
    cv_.notify_all();
  }
  if (mode_ == AckMode::kAcknowledge && link_ != nullptr) {
    // Durable at once in this test; the line controller acknowledges after its commit.
    (void)link_->acknowledge(device_id, result.job, result.attempt,
                             protocol::AckStatus::kRecorded);
  }
}

void RecordingListener::onStatus(const std::string&, const protocol::StatusReport& status) {
  std::lock_guard<std::mutex> lock(mu_);
  statuses.push_back(status);
  cv_.notify_all();
}

void RecordingListener::onDeviceLost(const LostDevice& device) {
  std::lock_guard<std::mutex> lock(mu_);
  lost.push_back(device);
  cv_.notify_all();
}

void RecordingListener::onRefused(const RefusedPeer& peer) {
  std::lock_guard<std::mutex> lock(mu_);
  refused.push_back(peer);
  cv_.notify_all();
}

bool RecordingListener::waitFor(const std::function<bool(const RecordingListener&)>& predicate) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, kWait, [&] { return predicate(*this); });
}

ScriptedDevice::ScriptedDevice(zmq::context_t& context, const std::string& endpoint,
                               Options options)
    : socket_(context, zmq::socket_type::dealer) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::rcvhwm, options.receive_hwm);
  socket_.connect(endpoint);
}

void ScriptedDevice::send(const protocol::Message& message) {
  sendFrames(protocol::encode(message));
}

void ScriptedDevice::sendFrames(const protocol::Frames& frames) {
  std::vector<zmq::const_buffer> buffers;
  for (const auto& f : frames) buffers.push_back(zmq::buffer(f));
  zmq::send_multipart(socket_, buffers);
}

std::optional<protocol::Message> ScriptedDevice::receive() {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    zmq_pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, 100) <= 0) continue;
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(socket_, std::back_inserter(parts))) continue;
    protocol::Frames frames;
    for (auto& p : parts) frames.push_back(p.to_string());
    auto decoded = protocol::decode(frames);
    if (!std::holds_alternative<protocol::Message>(decoded)) continue;
    protocol::Message m = std::get<protocol::Message>(decoded);
    if (std::holds_alternative<protocol::Heartbeat>(m)) continue;
    return m;
  }
  return std::nullopt;
}

bool ScriptedDevice::ready(const std::string& id, const std::string& session, int capacity) {
  send(protocol::Ready{id, protocol::Station::kPrint, capacity, session, "scripted"});
  auto reply = receive();
  return reply && std::holds_alternative<protocol::Welcome>(*reply) &&
         std::get<protocol::Welcome>(*reply).session == session;
}

protocol::Job makeJob(std::int64_t id, int attempt) {
  protocol::Job job;
  job.job = id;
  job.attempt = attempt;
  job.station = protocol::Station::kPrint;
  job.application = "APP-" + std::to_string(id);
  job.lease_ms = 60000;
  job.parts = {protocol::Part{"front.png", "front-bytes"}};
  return job;
}

bool waitUntil(const std::function<bool()>& condition) {
  auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling, not synchronising
  }
  return true;
}

}  // namespace cardline::testing
