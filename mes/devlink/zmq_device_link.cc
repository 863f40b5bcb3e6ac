#include "mes/devlink/zmq_device_link.h"

#include <zmq.h>

#include <algorithm>
#include <atomic>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "mes/base/log.h"

namespace cardline {
namespace {

constexpr char kLog[] = "devlink";
constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";

enum class SendResult { kSent, kBlocked, kUnreachable };

std::string z85Encode(const std::string& binary_key) {
  char text[41];
  if (binary_key.size() != 32 ||
      zmq_z85_encode(text, reinterpret_cast<const std::uint8_t*>(binary_key.data()), 32) ==
          nullptr) {
    return {};
  }
  return std::string(text, 40);
}

std::string property(zmq::message_t& msg, const char* name) {
  const char* value = zmq_msg_gets(msg.handle(), name);
  return value == nullptr ? std::string() : std::string(value);
}

std::atomic<int> next_link_number{0};

}  // namespace

struct ZmqDeviceLink::Impl {
  zmq::context_t context{1};
  zmq::socket_t router{context, zmq::socket_type::router};
  zmq::socket_t zap{context, zmq::socket_type::rep};
  zmq::socket_t wake_in{context, zmq::socket_type::pull};
  zmq::socket_t wake_out{context, zmq::socket_type::push};

  // Sends frames to routing_id without blocking. The first frame decides: EAGAIN means the
  // peer's pipe is at the high-water mark, EHOSTUNREACH that the peer is gone. Once it is
  // accepted ZeroMQ delivers the whole message atomically.
  SendResult send(const std::string& routing_id, const protocol::Frames& frames) {
    try {
      auto first = router.send(zmq::buffer(routing_id),
                               zmq::send_flags::sndmore | zmq::send_flags::dontwait);
      if (!first) return SendResult::kBlocked;
      for (std::size_t i = 0; i < frames.size(); ++i) {
        auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
        router.send(zmq::buffer(frames[i]), flags | zmq::send_flags::dontwait);
      }
      return SendResult::kSent;
    } catch (const zmq::error_t& e) {
      if (e.num() == EHOSTUNREACH) return SendResult::kUnreachable;
      if (e.num() == EAGAIN) return SendResult::kBlocked;
      throw;
    }
  }
};

ZmqDeviceLink::ZmqDeviceLink(DeviceLinkOptions options, const Clock& clock,
                             DeviceLinkListener& listener)
    : options_(std::move(options)),
      clock_(clock),
      listener_(listener),
      registry_(clock, std::chrono::milliseconds(options_.heartbeat_ms), options_.liveness),
      ledger_(options_.result_memory) {}

ZmqDeviceLink::~ZmqDeviceLink() { stop(); }

Result<std::string> ZmqDeviceLink::start() {
  if (running_) return failedPrecondition("the device link is already started");
  bool curve = options_.security == TransportSecurity::kCurve;
  if (curve && (!isZ85Key(options_.server_key.public_key) ||
                !isZ85Key(options_.server_key.secret_key))) {
    return invalidArgument("CURVE needs the MES key pair (public and secret Z85 keys)");
  }
  if (curve && !options_.allow_list) {
    return invalidArgument("CURVE needs an allow-list of device keys");
  }
  auto impl = std::make_unique<Impl>();
  try {
    std::string wake = "inproc://cardline-devlink-wake-" + std::to_string(++next_link_number);
    impl->wake_in.bind(wake);
    impl->wake_out.connect(wake);
    impl->wake_out.set(zmq::sockopt::linger, 0);
    impl->wake_in.set(zmq::sockopt::linger, 0);
    impl->zap.set(zmq::sockopt::linger, 0);
    zmq::socket_t& r = impl->router;
    r.set(zmq::sockopt::router_mandatory, 1);
    r.set(zmq::sockopt::linger, options_.linger_ms);
    r.set(zmq::sockopt::sndhwm, options_.send_hwm);
    r.set(zmq::sockopt::rcvhwm, options_.receive_hwm);
    r.set(zmq::sockopt::maxmsgsize,
          static_cast<std::int64_t>(protocol::kMaxBodyFrameBytes + protocol::kMaxHeaderBytes));
    if (curve) {
      // The ZAP handler must exist before the first handshake, or libzmq admits everyone.
      impl->zap.bind(kZapEndpoint);
      r.set(zmq::sockopt::curve_server, 1);
      if (zmq_setsockopt(r.handle(), ZMQ_CURVE_SECRETKEY, options_.server_key.secret_key.c_str(),
                         41) != 0) {
        return invalidArgument("the MES secret key is not accepted by libzmq");
      }
      r.set(zmq::sockopt::zap_domain, "cardline");
    }
    r.bind(options_.endpoint);
  } catch (const zmq::error_t& e) {
    return unavailable("binding " + options_.endpoint + ": " + e.what());
  }
  std::string endpoint = impl->router.get(zmq::sockopt::last_endpoint);
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    impl_ = std::move(impl);
  }
  stopping_ = false;
  running_ = true;
  thread_ = std::thread([this] { run(); });
  logInfo(kLog, "listening on " + endpoint +
                    (curve ? " (CURVE, allow-list)" : " (PLAIN TCP: development only)"));
  return endpoint;
}

void ZmqDeviceLink::stop() {
  if (!running_.exchange(false)) return;
  stopping_ = true;
  post([] {});
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(inbox_mu_);
  inbox_.clear();
  impl_.reset();  // closes the sockets (bounded by linger) and the context
}

void ZmqDeviceLink::post(std::function<void()> work) {
  std::lock_guard<std::mutex> lock(inbox_mu_);
  inbox_.push_back(std::move(work));
  if (impl_) {
    // A full wake pipe means a wake-up is pending already; nothing is lost.
    (void)impl_->wake_out.send(zmq::const_buffer(), zmq::send_flags::dontwait);
  }
}

Status ZmqDeviceLink::sendJob(const std::string& device_id, const protocol::Job& job) {
  if (!running_) return failedPrecondition("the device link is not started");
  CARDLINE_RETURN_IF_ERROR(registry_.reserve(device_id, job.job));
  post([this, device_id, job] { jobs_[device_id].push_back(PendingJob{job, false}); });
  return Status::ok();
}

Status ZmqDeviceLink::acknowledge(const std::string& device_id, std::int64_t job, int attempt,
                                  protocol::AckStatus status) {
  {
    std::lock_guard<std::mutex> lock(ledger_mu_);
    if (!ledger_.acknowledge(device_id, job, attempt, status)) {
      return notFound("no result for job " + std::to_string(job) + " attempt " +
                      std::to_string(attempt) + " was reported");
    }
  }
  post([this, device_id, job, attempt, status] {
    Result<std::string> route = registry_.routingId(device_id);
    // An offline device gets its answer when it re-sends the result after reconnecting.
    if (!route.isOk()) return;
    impl_->send(route.value(), protocol::encode(protocol::Ack{job, attempt, status}));
    registry_.count(device_id, &DeviceCounters::messages_out);
  });
  return Status::ok();
}

Status ZmqDeviceLink::clearFault(const std::string& device_id, const std::string& by,
                                 const std::string& reason) {
  Result<DeviceInfo> known = registry_.find(device_id);
  if (!known.isOk()) return known.status();
  if (known->device.state == DeviceState::kOffline) {
    return unavailable("device " + device_id + " is offline; it reports its state when it "
                       "connects again");
  }
  post([this, device_id, by, reason] {
    Result<std::string> route = registry_.routingId(device_id);
    if (!route.isOk()) return;  // gone meanwhile: its READY and STATUS will tell
    impl_->send(route.value(), protocol::encode(protocol::ClearFault{by, reason}));
    registry_.count(device_id, &DeviceCounters::messages_out);
  });
  return Status::ok();
}

void ZmqDeviceLink::forgetJob(const std::string& device_id, std::int64_t job) {
  if (!registry_.forget(device_id, job)) return;
  post([this, device_id, job] {
    auto it = jobs_.find(device_id);
    if (it == jobs_.end()) return;
    auto& pending = it->second;
    pending.erase(std::remove_if(pending.begin(), pending.end(),
                                 [&](const PendingJob& p) { return p.job.job == job; }),
                  pending.end());
  });
}

std::vector<DeviceInfo> ZmqDeviceLink::devices() const { return registry_.snapshot(); }

std::vector<DeviceTimeSpan> ZmqDeviceLink::takeDeviceTime() { return registry_.takeDeviceTime(); }

LinkCounters ZmqDeviceLink::counters() const {
  std::lock_guard<std::mutex> lock(counters_mu_);
  return counters_;
}

void ZmqDeviceLink::run() {
  Impl& io = *impl_;
  bool curve = options_.security == TransportSecurity::kCurve;
  auto bump = [this](std::int64_t LinkCounters::*field) {
    std::lock_guard<std::mutex> lock(counters_mu_);
    counters_.*field += 1;
  };
  auto reply = [&](const std::string& route, const protocol::Message& m) {
    return io.send(route, protocol::encode(m));
  };
  auto lose = [&](const LostDevice& lost) {
    jobs_.erase(lost.device_id);
    last_sent_.erase(lost.device_id);
    logWarning(kLog, "device " + lost.device_id + " lost (" + name(lost.reason) + "), " +
                         std::to_string(lost.jobs.size()) + " job(s) released");
    listener_.onDeviceLost(lost);
  };

  auto handleZap = [&] {
    std::vector<zmq::message_t> request;
    if (!zmq::recv_multipart(io.zap, std::back_inserter(request), zmq::recv_flags::dontwait)) {
      return;
    }
    std::string request_id = request.size() > 1 ? request[1].to_string() : "";
    std::string address = request.size() > 3 ? request[3].to_string() : "";
    std::string mechanism = request.size() > 5 ? request[5].to_string() : "";
    std::string key = request.size() > 6 ? z85Encode(request[6].to_string()) : "";
    std::optional<std::string> device;
    if (mechanism == "CURVE" && options_.allow_list) device = options_.allow_list->deviceFor(key);
    std::array<zmq::const_buffer, 6> answer = {
        zmq::str_buffer("1.0"), zmq::buffer(request_id),
        device ? zmq::str_buffer("200") : zmq::str_buffer("400"),
        device ? zmq::str_buffer("OK") : zmq::str_buffer("key not on the allow-list"),
        device ? zmq::buffer(*device) : zmq::const_buffer(), zmq::const_buffer()};
    zmq::send_multipart(io.zap, answer);
    if (!device) {
      bump(&LinkCounters::refused_peers);
      logWarning(kLog, "refused " + mechanism + " peer " + address + " with key " + key +
                           ": not on the allow-list");
      listener_.onRefused(RefusedPeer{address, key, "", "key not on the allow-list"});
    }
  };

  auto handleMessage = [&](std::vector<zmq::message_t>& parts) {
    if (parts.size() < 2) return;
    std::string route = parts[0].to_string();
    std::string user_id = property(parts[1], "User-Id");
    std::string address = property(parts[1], "Peer-Address");
    protocol::Frames frames;
    for (std::size_t i = 1; i < parts.size(); ++i) frames.push_back(parts[i].to_string());
    auto decoded = protocol::decode(frames);
    if (auto* error = std::get_if<protocol::DecodeError>(&decoded)) {
      bump(&LinkCounters::bad_messages);
      Result<std::string> device = registry_.touch(route);
      if (device.isOk()) registry_.count(device.value(), &DeviceCounters::protocol_errors);
      logWarning(kLog, "bad message from " + address + ": " + error->message);
      reply(route, protocol::ErrorReply{error->code, error->message, error->command, 0});
      return;
    }
    protocol::Message& message = std::get<protocol::Message>(decoded);
    if (auto* ready = std::get_if<protocol::Ready>(&message)) {
      if (curve && user_id != ready->device) {
        bump(&LinkCounters::refused_peers);
        std::string reason = "key enrolled as " + user_id + ", READY claims " + ready->device;
        logWarning(kLog, "refused READY from " + address + ": " + reason);
        reply(route, protocol::ErrorReply{protocol::ErrorCode::kIdentityMismatch, reason,
                                          "READY", 0});
        listener_.onRefused(RefusedPeer{address, options_.allow_list->keyOf(user_id).value_or(""),
                                        ready->device, reason});
        return;
      }
      std::string key = curve ? options_.allow_list->keyOf(user_id).value_or("") : "";
      ReadyOutcome outcome = registry_.ready(*ready, route, key);
      if (outcome.released) lose(*outcome.released);
      auto& pending = jobs_[ready->device];
      if (outcome.new_session) {
        pending.clear();
      } else {
        // A reconnect: whatever was sent may be lost with the old connection; send it again
        // (the device ignores a job it already has, §8).
        for (PendingJob& p : pending) p.sent = false;
      }
      reply(route, protocol::Welcome{ready->session, options_.heartbeat_ms, options_.liveness});
      last_sent_[ready->device] = clock_.monotonic();
      logInfo(kLog, "device " + ready->device + " ready (" + protocol::name(ready->station) +
                        ", session " + ready->session + ", " + address + ")");
      Result<DeviceInfo> info = registry_.find(ready->device);
      if (info.isOk()) listener_.onReady(info.value(), outcome.new_session);
      return;
    }
    Result<std::string> device = registry_.touch(route);
    protocol::Command command = protocol::commandOf(message);
    if (!device.isOk()) {
      if (command != protocol::Command::kDisconnect && command != protocol::Command::kError) {
        reply(route, protocol::ErrorReply{protocol::ErrorCode::kNotReady,
                                          "no session on this connection: send READY",
                                          protocol::name(command), 0});
      }
      return;
    }
    const std::string& id = device.value();
    if (auto* result = std::get_if<protocol::JobResult>(&message)) {
      ResultLedger::Seen seen;
      std::optional<protocol::AckStatus> status;
      {
        std::lock_guard<std::mutex> lock(ledger_mu_);
        seen = ledger_.see(id, result->job, result->attempt);
        status = ledger_.status(id, result->job, result->attempt);
      }
      if (seen != ResultLedger::Seen::kNew) {
        registry_.count(id, &DeviceCounters::duplicate_results);
        registry_.finish(id, result->job, result->outcome);
        if (seen == ResultLedger::Seen::kAcknowledged && status) {
          reply(route, protocol::Ack{result->job, result->attempt,
                                     *status == protocol::AckStatus::kStale
                                         ? protocol::AckStatus::kStale
                                         : protocol::AckStatus::kDuplicate});
        }
        return;
      }
      registry_.count(id, &DeviceCounters::results);
      bool held = registry_.finish(id, result->job, result->outcome);
      auto& pending = jobs_[id];
      pending.erase(std::remove_if(pending.begin(), pending.end(),
                                   [&](const PendingJob& p) { return p.job.job == result->job; }),
                    pending.end());
      listener_.onResult(id, *result, held);
    } else if (auto* status = std::get_if<protocol::StatusReport>(&message)) {
      registry_.status(id, *status);
      listener_.onStatus(id, *status);
    } else if (std::holds_alternative<protocol::Disconnect>(message)) {
      lose(registry_.disconnect(id));
    } else if (auto* error = std::get_if<protocol::ErrorReply>(&message)) {
      logWarning(kLog, "device " + id + " reports " + protocol::name(error->code) + ": " +
                           error->message);
    } else if (command == protocol::Command::kWelcome || command == protocol::Command::kJob ||
               command == protocol::Command::kAck || command == protocol::Command::kClear) {
      registry_.count(id, &DeviceCounters::protocol_errors);
      reply(route, protocol::ErrorReply{protocol::ErrorCode::kBadMessage,
                                        std::string(protocol::name(command)) +
                                            " is sent by the MES only",
                                        protocol::name(command), 0});
    }
    // HEARTBEAT: touch() above refreshed liveness.
  };

  auto flushJobs = [&] {
    bool waiting = false;
    for (auto& [id, pending] : jobs_) {
      // Drop what the registry no longer holds (released as lost; reported there).
      pending.erase(std::remove_if(pending.begin(), pending.end(),
                                   [&, &device_id = id](const PendingJob& p) {
                                     return !registry_.holds(device_id, p.job.job);
                                   }),
                    pending.end());
      for (PendingJob& p : pending) {
        if (p.sent) continue;
        Result<std::string> route = registry_.routingId(id);
        if (!route.isOk()) {
          waiting = true;
          break;
        }
        SendResult r = io.send(route.value(), protocol::encode(p.job));
        if (r == SendResult::kSent) {
          p.sent = true;
          registry_.count(id, &DeviceCounters::jobs_sent);
          registry_.count(id, &DeviceCounters::messages_out);
          last_sent_[id] = clock_.monotonic();
          continue;
        }
        // Not sent: it stays queued and is tried again; if the device is lost meanwhile the
        // job is released through onDeviceLost. Never dropped.
        waiting = true;
        if (r == SendResult::kBlocked) {
          registry_.count(id, &DeviceCounters::send_blocked);
          bump(&LinkCounters::send_blocked);
        } else {
          registry_.count(id, &DeviceCounters::send_unreachable);
          bump(&LinkCounters::send_unreachable);
        }
        break;  // keep the order of the device's jobs
      }
    }
    return waiting;
  };

  auto heartbeat = [&] {
    auto now = clock_.monotonic();
    auto interval = std::chrono::milliseconds(options_.heartbeat_ms);
    for (const std::string& id : registry_.liveDevices()) {
      auto& last = last_sent_[id];
      if (now - last < interval) continue;
      Result<std::string> route = registry_.routingId(id);
      if (!route.isOk()) continue;
      SendResult r = io.send(route.value(), protocol::encode(protocol::Heartbeat{}));
      if (r == SendResult::kSent) {
        last = now;
        registry_.count(id, &DeviceCounters::messages_out);
      } else if (r == SendResult::kBlocked) {
        // A heartbeat carries no data: when the pipe is full the device has messages to read
        // anyway. Counted, not queued.
        registry_.count(id, &DeviceCounters::send_blocked);
        bump(&LinkCounters::send_blocked);
      }
    }
  };

  bool waiting = false;
  while (!stopping_) {
    zmq_pollitem_t items[] = {{io.router.handle(), 0, ZMQ_POLLIN, 0},
                              {io.wake_in.handle(), 0, ZMQ_POLLIN, 0},
                              {io.zap.handle(), 0, ZMQ_POLLIN, 0}};
    long timeout = waiting ? options_.retry_ms : std::max(1, options_.heartbeat_ms / 4);
    int count = zmq_poll(items, curve ? 3 : 2, timeout);
    if (count < 0 && zmq_errno() != EINTR) {
      logError(kLog, std::string("poll: ") + zmq_strerror(zmq_errno()));
      break;
    }
    try {
      if (items[1].revents & ZMQ_POLLIN) {
        zmq::message_t drop;
        while (io.wake_in.recv(drop, zmq::recv_flags::dontwait)) {
        }
      }
      std::deque<std::function<void()>> work;
      {
        std::lock_guard<std::mutex> lock(inbox_mu_);
        work.swap(inbox_);
      }
      for (auto& w : work) w();
      if (curve && (items[2].revents & ZMQ_POLLIN)) {
        for (int i = 0; i < 64; ++i) {
          zmq_pollitem_t zap_item{io.zap.handle(), 0, ZMQ_POLLIN, 0};
          if (zmq_poll(&zap_item, 1, 0) <= 0) break;
          handleZap();
        }
      }
      for (int i = 0; i < 256; ++i) {
        std::vector<zmq::message_t> parts;
        if (!zmq::recv_multipart(io.router, std::back_inserter(parts),
                                 zmq::recv_flags::dontwait)) {
          break;
        }
        handleMessage(parts);
      }
      for (const LostDevice& lost : registry_.expire()) lose(lost);
      waiting = flushJobs();
      heartbeat();
    } catch (const zmq::error_t& e) {
      logError(kLog, std::string("ZeroMQ: ") + e.what());
    }
  }
  for (const std::string& id : registry_.liveDevices()) {
    Result<std::string> route = registry_.routingId(id);
    if (route.isOk()) {
      io.send(route.value(), protocol::encode(protocol::Disconnect{"MES stopping"}));
    }
  }
}

}  // namespace cardline
