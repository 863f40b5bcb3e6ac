#pragma once
// Test doubles for the device link integration tests: a listener that records what the link
// reports (and acknowledges results like the line controller would), and a scripted device
// that speaks CARDLINE/1 frame by frame over a real DEALER socket.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "devices/protocol/message.h"
#include "mes/devlink/zmq_device_link.h"

namespace cardline::testing {

// Every wait in these tests is bounded by this; none is a timing assertion.
inline constexpr std::chrono::seconds kWait{20};

class RecordingListener final : public DeviceLinkListener {
 public:
  enum class AckMode { kAcknowledge, kHold };
  explicit RecordingListener(AckMode mode = AckMode::kAcknowledge) : mode_(mode) {}
  void setLink(DeviceLink* link) { link_ = link; }

  void onReady(const DeviceInfo& device, bool new_session) override;
  void onResult(const std::string& device_id, const protocol::JobResult& result,
                bool held) override;
  void onStatus(const std::string& device_id, const protocol::StatusReport& status) override;
  void onDeviceLost(const LostDevice& lost) override;
  void onRefused(const RefusedPeer& peer) override;

  // Waits (bounded by kWait) until predicate holds over the recording; false on time-out.
  bool waitFor(const std::function<bool(const RecordingListener&)>& predicate);

  // Read these only inside waitFor predicates or after a successful waitFor.
  std::vector<std::pair<std::string, bool>> readies;  // device, new_session
  std::vector<std::pair<std::string, protocol::JobResult>> results;
  std::vector<bool> results_held;
  std::vector<protocol::StatusReport> statuses;
  std::vector<LostDevice> lost;
  std::vector<RefusedPeer> refused;

 private:
  AckMode mode_;
  DeviceLink* link_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
};

// A device written frame by frame.
class ScriptedDevice {
 public:
  struct Options {
    int receive_hwm = 1000;
  };
  ScriptedDevice(zmq::context_t& context, const std::string& endpoint, Options options);
  ScriptedDevice(zmq::context_t& context, const std::string& endpoint)
      : ScriptedDevice(context, endpoint, Options{}) {}
  void send(const protocol::Message& message);
  void sendFrames(const protocol::Frames& frames);
  // The next message other than HEARTBEAT, within kWait; nullopt on time-out.
  std::optional<protocol::Message> receive();
  // Sends READY and expects WELCOME; returns false otherwise.
  bool ready(const std::string& id, const std::string& session, int capacity = 1);

 private:
  zmq::socket_t socket_;
};

protocol::Job makeJob(std::int64_t id, int attempt = 1);

// Polls condition (a counter with no event to wait on) until it holds, bounded by kWait.
bool waitUntil(const std::function<bool()>& condition);

}  // namespace cardline::testing
