#include "devices/runtime/device_runtime.h"

#include <zmq.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "mes/base/log.h"

namespace cardline {
namespace {

constexpr char kLog[] = "device";
constexpr std::size_t kAckedMemory = 1000;

std::string randomSession() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  std::uint64_t v = gen();
  for (int i = 0; i < 16; ++i, v >>= 4) s += kHex[v & 0xF];
  return s;
}

using JobKey = std::pair<std::int64_t, int>;

}  // namespace

struct DeviceRuntime::Impl {
  zmq::context_t context{1};
  zmq::socket_t wake_in{context, zmq::socket_type::pull};
  std::string wake_endpoint;

  // Worker: runs the driver one job at a time.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<protocol::Job> queue;
  std::deque<std::pair<protocol::JobResult, std::string>> done;  // result, fault ("" if none)
  bool worker_stop = false;
  std::thread worker;
};

DeviceRuntime::DeviceRuntime(DeviceRuntimeOptions options, Driver& driver, const Clock& clock)
    : options_(std::move(options)), driver_(driver), clock_(clock), session_(randomSession()) {}

DeviceRuntime::~DeviceRuntime() = default;

void DeviceRuntime::requestStop() {
  stop_ = true;
  std::lock_guard<std::mutex> lock(wait_mu_);
  wait_cv_.notify_all();
}

void DeviceRuntime::requestReconnect() { reconnect_ = true; }

RuntimeCounters DeviceRuntime::counters() const {
  std::lock_guard<std::mutex> lock(counters_mu_);
  return counters_;
}

Status DeviceRuntime::run() {
  if (!protocol::isValidToken(options_.device_id)) {
    return invalidArgument("device id \"" + options_.device_id +
                           "\" must match [A-Za-z0-9._-]{1,64}");
  }
  if (options_.endpoint.empty()) return invalidArgument("no MES endpoint to connect to");
  bool curve = options_.security == LinkSecurity::kCurve;
  if (curve && (options_.server_public_key.size() != 40 ||
                options_.device_public_key.size() != 40 ||
                options_.device_secret_key.size() != 40)) {
    return invalidArgument(
        "CURVE needs the MES public key and this device's key pair (40-character Z85 each)");
  }
  if (options_.capacity < 1 || options_.capacity > 64) {
    return invalidArgument("capacity must be 1..64");
  }
  impl_ = std::make_unique<Impl>();
  Impl& io = *impl_;
  io.wake_endpoint = "inproc://cardline-device-wake";
  io.wake_in.bind(io.wake_endpoint);
  io.wake_in.set(zmq::sockopt::linger, 0);

  auto bump = [this](std::int64_t RuntimeCounters::*field) {
    std::lock_guard<std::mutex> lock(counters_mu_);
    counters_.*field += 1;
  };

  io.worker = std::thread([this, &io] {
    zmq::socket_t wake_out(io.context, zmq::socket_type::push);
    wake_out.set(zmq::sockopt::linger, 0);
    wake_out.connect(io.wake_endpoint);
    while (true) {
      protocol::Job job;
      {
        std::unique_lock<std::mutex> lock(io.mu);
        io.cv.wait(lock, [&] { return io.worker_stop || !io.queue.empty(); });
        if (io.worker_stop) return;
        job = io.queue.front();
      }
      Result<protocol::JobResult> performed = driver_.perform(job);
      protocol::JobResult result;
      std::string fault;
      if (performed.isOk()) {
        result = std::move(performed).value();
      } else {
        result.outcome = protocol::Outcome::kAborted;
        result.detail = performed.status().message();
        fault = performed.status().message();
      }
      result.job = job.job;
      result.attempt = job.attempt;
      {
        std::lock_guard<std::mutex> lock(io.mu);
        io.queue.pop_front();
        io.done.emplace_back(std::move(result), fault);
      }
      (void)wake_out.send(zmq::const_buffer(), zmq::send_flags::dontwait);
    }
  });

  // Results kept until acknowledged (by job, attempt), and whether they went out on the
  // current connection.
  std::map<JobKey, std::pair<protocol::JobResult, bool>> unacked;
  std::map<JobKey, bool> held;  // jobs queued or running
  std::deque<JobKey> acked_order;
  std::map<JobKey, bool> acked;
  std::string fault;
  int heartbeat_ms = options_.heartbeat_ms;
  int liveness = options_.liveness;
  int backoff_ms = options_.reconnect_initial_ms;
  std::int64_t highest_job = 0;   // the highest job id the MES sent (for the forged RESULT)
  auto last_garbage = clock_.monotonic();  // for garbage_every
  std::mt19937_64 garbage_random(0x6a2bull);
  Status outcome;

  auto statusReport = [&] {
    protocol::StatusReport s;
    RuntimeCounters c = counters();
    s.jobs_done = c.jobs_done;
    s.jobs_failed = c.jobs_failed;
    if (!fault.empty()) {
      s.state = protocol::DeviceStatus::kFault;
      s.fault = "driver_fault";
      s.detail = fault;
    } else if (!held.empty()) {
      s.state = protocol::DeviceStatus::kBusy;
      s.job = held.begin()->first.first;
    }
    return s;
  };

  while (!stop_) {
    zmq::socket_t socket(io.context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    if (curve) {
      socket.set(zmq::sockopt::curve_serverkey, options_.server_public_key);
      socket.set(zmq::sockopt::curve_publickey, options_.device_public_key);
      socket.set(zmq::sockopt::curve_secretkey, options_.device_secret_key);
    }
    try {
      socket.connect(options_.endpoint);
    } catch (const zmq::error_t& e) {
      outcome = invalidArgument("connecting to " + options_.endpoint + ": " + e.what());
      break;
    }
    bump(&RuntimeCounters::connections);
    auto send = [&](const protocol::Message& m) {
      protocol::Frames frames = protocol::encode(m);
      std::vector<zmq::const_buffer> buffers;
      for (const auto& f : frames) buffers.push_back(zmq::buffer(f));
      try {
        return zmq::send_multipart(socket, buffers, zmq::send_flags::dontwait).has_value();
      } catch (const zmq::error_t& e) {
        logWarning(kLog, std::string("send: ") + e.what());
        return false;
      }
    };
    // One bad message of the kind `garbage_sent` selects (see garbage_every).
    auto sendGarbage = [&] {
      protocol::Frames frames;
      switch (counters().garbage_sent % 6) {
        case 0: {
          std::string noise(1 + garbage_random() % 200, '\0');
          for (char& c : noise) c = static_cast<char>(garbage_random() & 0xff);
          frames = {noise};
          break;
        }
        case 1:
          frames = {"CARDLINE/9", "{\"cmd\":\"HEARTBEAT\"}"};
          break;
        case 2:
          frames = {"CARDLINE/1", "{\"cmd\":\"RESULT\",\"job\":"};
          break;
        case 3:
          frames = {"CARDLINE/1", "{\"cmd\":\"SELF_DESTRUCT\"}"};
          break;
        case 4:
          frames = {"CARDLINE/1", "{\"cmd\":\"RESULT\",\"job\":\"seven\",\"attempt\":1,"
                                  "\"outcome\":\"ok\"}"};
          break;
        default: {
          protocol::JobResult forged;
          forged.job = highest_job + 1;
          forged.attempt = 1;
          forged.outcome = protocol::Outcome::kOk;
          forged.detail = "forged by a faulty device";
          frames = protocol::encode(forged);
          break;
        }
      }
      std::vector<zmq::const_buffer> buffers;
      for (const auto& f : frames) buffers.push_back(zmq::buffer(f));
      try {
        (void)zmq::send_multipart(socket, buffers, zmq::send_flags::dontwait);
      } catch (const zmq::error_t& e) {
        logWarning(kLog, std::string("send: ") + e.what());
      }
      bump(&RuntimeCounters::garbage_sent);
    };
    auto sendResults = [&] {
      for (auto& [key, entry] : unacked) {
        if (entry.second) continue;
        if (!send(entry.first)) break;
        entry.second = true;
        bump(&RuntimeCounters::results_sent);
      }
    };
    protocol::Ready ready{options_.device_id, driver_.station(), options_.capacity, session_,
                          options_.software};
    send(ready);
    auto last_received = clock_.monotonic();
    auto last_sent = last_received;
    bool welcomed = false;
    bool lost = false;
    reconnect_ = false;
    while (!stop_ && !lost && !reconnect_) {
      zmq_pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0},
                                {io.wake_in.handle(), 0, ZMQ_POLLIN, 0}};
      zmq_poll(items, 2, std::max(1, heartbeat_ms / 4));
      zmq::message_t drop;
      while (io.wake_in.recv(drop, zmq::recv_flags::dontwait)) {
      }
      // Finished jobs: keep each result until it is acknowledged.
      std::deque<std::pair<protocol::JobResult, std::string>> finished;
      {
        std::lock_guard<std::mutex> lock(io.mu);
        finished.swap(io.done);
      }
      for (auto& [result, job_fault] : finished) {
        JobKey key{result.job, result.attempt};
        held.erase(key);
        bump(result.outcome == protocol::Outcome::kOk ? &RuntimeCounters::jobs_done
                                                      : &RuntimeCounters::jobs_failed);
        if (!job_fault.empty()) fault = job_fault;
        unacked[key] = {result, false};
      }
      if (!finished.empty() && welcomed) {
        sendResults();
        send(statusReport());
        last_sent = clock_.monotonic();
      }
      // Messages from the MES.
      for (int i = 0; i < 64; ++i) {
        std::vector<zmq::message_t> parts;
        if (!zmq::recv_multipart(socket, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
          break;
        }
        last_received = clock_.monotonic();
        protocol::Frames frames;
        for (auto& p : parts) frames.push_back(p.to_string());
        auto decoded = protocol::decode(frames);
        if (auto* error = std::get_if<protocol::DecodeError>(&decoded)) {
          logWarning(kLog, "bad message from the MES: " + error->message);
          send(protocol::ErrorReply{error->code, error->message, error->command, 0});
          continue;
        }
        protocol::Message& message = std::get<protocol::Message>(decoded);
        if (auto* welcome = std::get_if<protocol::Welcome>(&message)) {
          if (welcome->session != session_) continue;
          welcomed = true;
          heartbeat_ms = welcome->heartbeat_ms;
          liveness = welcome->liveness;
          backoff_ms = options_.reconnect_initial_ms;
          bump(&RuntimeCounters::welcomes);
          logInfo(kLog, options_.device_id + " connected to " + options_.endpoint);
          for (auto& [key, entry] : unacked) entry.second = false;
          sendResults();
          send(statusReport());
        } else if (auto* job = std::get_if<protocol::Job>(&message)) {
          JobKey key{job->job, job->attempt};
          highest_job = std::max(highest_job, job->job);
          if (held.count(key) || acked.count(key)) {
            bump(&RuntimeCounters::duplicate_jobs);
          } else if (auto it = unacked.find(key); it != unacked.end()) {
            bump(&RuntimeCounters::duplicate_jobs);
            it->second.second = false;  // the MES asks again: answer with the same result
            sendResults();
          } else if (static_cast<int>(held.size()) >= options_.capacity || !fault.empty()) {
            protocol::JobResult refused;
            refused.job = job->job;
            refused.attempt = job->attempt;
            refused.outcome = protocol::Outcome::kAborted;
            refused.detail = fault.empty() ? "over capacity" : "device in fault: " + fault;
            unacked[key] = {refused, false};
            sendResults();
          } else {
            held[key] = true;
            bump(&RuntimeCounters::jobs_received);
            {
              std::lock_guard<std::mutex> lock(io.mu);
              io.queue.push_back(*job);
            }
            io.cv.notify_all();
            send(statusReport());
          }
        } else if (auto* ack = std::get_if<protocol::Ack>(&message)) {
          JobKey key{ack->job, ack->attempt};
          if (unacked.erase(key) > 0) bump(&RuntimeCounters::results_acked);
          if (!acked.count(key)) {
            acked[key] = true;
            acked_order.push_back(key);
            if (acked_order.size() > kAckedMemory) {
              acked.erase(acked_order.front());
              acked_order.pop_front();
            }
          }
        } else if (auto* error = std::get_if<protocol::ErrorReply>(&message)) {
          if (error->code == protocol::ErrorCode::kNotReady) {
            welcomed = false;
            send(ready);
          } else {
            logWarning(kLog, std::string("the MES refused ") + error->command + ": " +
                                 protocol::name(error->code) + ": " + error->message);
          }
        } else if (auto* clear = std::get_if<protocol::ClearFault>(&message)) {
          if (fault.empty()) {
            logInfo(kLog, "fault cleared by " + clear->by + ", but the device was not in fault");
          } else {
            Status ready_again = driver_.clearFault();
            if (ready_again.isOk()) {
              logInfo(kLog, "fault cleared by " + clear->by +
                                (clear->reason.empty() ? "" : " (" + clear->reason + ")"));
              fault.clear();
            } else {
              logWarning(kLog, "fault cleared by " + clear->by +
                                   ", but the device is still in fault: " +
                                   ready_again.message());
              fault = ready_again.message();
            }
          }
          send(statusReport());
          last_sent = clock_.monotonic();
        } else if (std::holds_alternative<protocol::Disconnect>(message)) {
          logInfo(kLog, "the MES disconnected; reconnecting");
          lost = true;
        }
      }
      auto now = clock_.monotonic();
      if (welcomed && options_.garbage_every > 0 &&
          now - last_garbage >= std::chrono::milliseconds(heartbeat_ms) * options_.garbage_every) {
        sendGarbage();
        last_garbage = now;
      }
      if (now - last_received > std::chrono::milliseconds(heartbeat_ms) * liveness) {
        logWarning(kLog, "no word from the MES at " + options_.endpoint + " for " +
                             std::to_string(heartbeat_ms * liveness) +
                             " ms; reconnecting (is this device's key on the allow-list?)");
        lost = true;
      } else if (now - last_sent >= std::chrono::milliseconds(heartbeat_ms)) {
        if (welcomed) {
          send(protocol::Heartbeat{});
          sendResults();  // results a full pipe refused earlier
        } else {
          send(ready);
        }
        last_sent = now;
      }
    }
    if (stop_) {
      send(protocol::Disconnect{"device stopping"});
      break;
    }
    socket.close();
    std::unique_lock<std::mutex> lock(wait_mu_);
    wait_cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms), [this] { return stop_.load(); });
    backoff_ms = std::min(backoff_ms * 2, options_.reconnect_max_ms);
  }
  {
    std::lock_guard<std::mutex> lock(io.mu);
    io.worker_stop = true;
  }
  io.cv.notify_all();
  if (io.worker.joinable()) io.worker.join();  // waits for a job in the driver to finish
  return outcome;
}

}  // namespace cardline
