// Device link throughput and round-trip latency (docs/PERFORMANCE.devlink.md).
//
// The MES side is the real ZmqDeviceLink (ROUTER, CURVE by default) on tcp://127.0.0.1:*; the
// devices are real DeviceRuntime instances (DEALER, heartbeats, ACK ledger) in this process,
// each on its own thread, with a driver that answers every job "ok" at once (zero device
// latency). A dispatcher thread plays the line controller: it keeps `--window` jobs in flight
// per device, acknowledges every result and sends the next job. Nothing touches a database:
// this measures the link alone.
//
//   devlink_bench [--devices N] [--jobs J] [--window W] [--security curve|plain]
//                 [--payload BYTES]
//
// Prints jobs per second over all jobs after a warm-up, and the round trip (sendJob() to the
// result reaching the MES listener) as p50/p99/max.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "devices/runtime/curve_keys.h"
#include "devices/runtime/device_runtime.h"
#include "mes/base/clock.h"
#include "mes/base/log.h"
#include "mes/devlink/curve_keys.h"
#include "mes/devlink/zmq_device_link.h"

namespace cardline::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

enum class BenchSecurity { kCurve, kPlain };

struct BenchOptions {
  int devices = 4;
  std::int64_t jobs = 20000;
  int window = 1;  // jobs in flight per device (= device capacity)
  BenchSecurity security = BenchSecurity::kCurve;
  std::size_t payload = 0;  // bytes of one body part per job
};

// Answers every job "ok" at once.
class ZeroLatencyDriver final : public Driver {
 public:
  explicit ZeroLatencyDriver(protocol::Station station) : station_(station) {}
  protocol::Station station() const override { return station_; }
  Result<protocol::JobResult> perform(const protocol::Job& /*job*/) override {
    protocol::JobResult result;
    result.outcome = protocol::Outcome::kOk;
    if (station_ == protocol::Station::kPrint) result.blank = "BENCH";
    return result;
  }

 private:
  protocol::Station station_;
};

struct Arrival {
  std::string device_id;
  std::int64_t job = 0;
  int attempt = 1;
  SteadyClock::time_point at;
};

// The listener the link reports to: READYs are counted, results are queued for the dispatcher.
class QueueListener final : public DeviceLinkListener {
 public:
  void onReady(const DeviceInfo& /*device*/, bool /*new_session*/) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++ready_;
    cv_.notify_all();
  }
  void onResult(const std::string& device_id, const protocol::JobResult& result,
                bool /*held*/) override {
    Arrival a{device_id, result.job, result.attempt, SteadyClock::now()};
    std::lock_guard<std::mutex> lock(mu_);
    arrivals_.push_back(std::move(a));
    cv_.notify_all();
  }
  void onStatus(const std::string&, const protocol::StatusReport&) override {}
  void onDeviceLost(const LostDevice& lost) override {
    std::lock_guard<std::mutex> lock(mu_);
    lost_jobs_ += static_cast<std::int64_t>(lost.jobs.size());
  }
  void onRefused(const RefusedPeer& peer) override {
    std::cerr << "devlink_bench: refused " << peer.address << ": " << peer.reason << "\n";
  }

  // Waits until `count` devices said READY or the deadline passes.
  bool waitReady(int count, std::chrono::seconds deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, deadline, [&] { return ready_ >= count; });
  }
  // The next result, or nothing when none arrived within the deadline.
  bool next(Arrival* out, std::chrono::seconds deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, deadline, [&] { return !arrivals_.empty(); })) return false;
    *out = std::move(arrivals_.front());
    arrivals_.pop_front();
    return true;
  }
  std::int64_t lostJobs() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lost_jobs_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int ready_ = 0;
  std::deque<Arrival> arrivals_;
  std::int64_t lost_jobs_ = 0;
};

std::int64_t percentile(std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  std::size_t i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

int fail(const Status& status) {
  std::cerr << "devlink_bench: " << status.toString() << "\n";
  return 1;
}

int usage() {
  std::cerr << "usage: devlink_bench [--devices N] [--jobs J] [--window W] "
               "[--security curve|plain] [--payload BYTES]\n";
  return 2;
}

Result<BenchOptions> parseOptions(int argc, char** argv) {
  BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return invalidArgument(a + " needs a value");
    const std::string v = argv[++i];
    try {
      if (a == "--devices") {
        o.devices = std::stoi(v);
      } else if (a == "--jobs") {
        o.jobs = std::stoll(v);
      } else if (a == "--window") {
        o.window = std::stoi(v);
      } else if (a == "--payload") {
        o.payload = static_cast<std::size_t>(std::stoull(v));
      } else if (a == "--security") {
        if (v != "curve" && v != "plain") return invalidArgument("--security curve|plain");
        o.security = v == "curve" ? BenchSecurity::kCurve : BenchSecurity::kPlain;
      } else {
        return invalidArgument("unknown option " + a);
      }
    } catch (const std::exception&) {
      return invalidArgument(a + " needs a number");
    }
  }
  if (o.devices < 1 || o.jobs < 1 || o.window < 1) {
    return invalidArgument("--devices, --jobs and --window must be at least 1");
  }
  return o;
}

int runBench(const BenchOptions& o) {
  SystemClock clock;
  QueueListener listener;

  DeviceLinkOptions link_options;
  link_options.endpoint = "tcp://127.0.0.1:*";
  CurveKeyPair server;
  std::vector<CurveKeyPair> device_keys(static_cast<std::size_t>(o.devices));
  std::vector<std::string> ids;
  for (int d = 0; d < o.devices; ++d) ids.push_back("bench-" + std::to_string(d + 1));
  if (o.security == BenchSecurity::kCurve) {
    auto allow = std::make_shared<DeviceAllowList>();
    auto s = generateCurveKeyPair();
    if (!s.isOk()) return fail(s.status());
    server = s.value();
    for (std::size_t d = 0; d < device_keys.size(); ++d) {
      auto k = generateCurveKeyPair();
      if (!k.isOk()) return fail(k.status());
      device_keys[d] = k.value();
      Status allowed = allow->allow(ids[d], device_keys[d].public_key);
      if (!allowed.isOk()) return fail(allowed);
    }
    link_options.security = TransportSecurity::kCurve;
    link_options.server_key = server;
    link_options.allow_list = allow;
  } else {
    link_options.security = TransportSecurity::kPlain;
  }
  ZmqDeviceLink link(link_options, clock, listener);
  auto endpoint = link.start();
  if (!endpoint.isOk()) {
    std::cerr << "devlink_bench: " << endpoint.status().toString() << "\n";
    return 1;
  }

  std::vector<std::unique_ptr<ZeroLatencyDriver>> drivers;
  std::vector<std::unique_ptr<DeviceRuntime>> runtimes;
  std::vector<std::thread> threads;
  for (std::size_t d = 0; d < ids.size(); ++d) {
    DeviceRuntimeOptions r;
    r.device_id = ids[d];
    r.endpoint = endpoint.value();
    r.capacity = o.window;
    if (o.security == BenchSecurity::kCurve) {
      r.security = LinkSecurity::kCurve;
      r.server_public_key = server.public_key;
      r.device_public_key = device_keys[d].public_key;
      r.device_secret_key = device_keys[d].secret_key;
    } else {
      r.security = LinkSecurity::kPlain;
    }
    drivers.push_back(std::make_unique<ZeroLatencyDriver>(protocol::Station::kPrint));
    runtimes.push_back(std::make_unique<DeviceRuntime>(r, *drivers.back(), clock));
  }
  for (auto& runtime : runtimes) {
    DeviceRuntime* rt = runtime.get();
    threads.emplace_back([rt] {
      Status s = rt->run();
      if (!s.isOk()) std::cerr << "devlink_bench: device: " << s.toString() << "\n";
    });
  }
  auto finish = [&](int code) {
    for (auto& runtime : runtimes) runtime->requestStop();
    for (auto& t : threads) t.join();
    link.stop();
    return code;
  };
  if (!listener.waitReady(o.devices, std::chrono::seconds(30))) {
    std::cerr << "devlink_bench: not every device said READY within 30 s\n";
    return finish(1);
  }

  // The dispatcher (this thread): window jobs per device in flight, the next one sent as soon
  // as a result is acknowledged.
  const std::int64_t warmup = std::min<std::int64_t>(o.jobs / 10, 1000);
  const std::int64_t total = o.jobs + warmup;
  std::map<std::int64_t, SteadyClock::time_point> sent_at;
  std::int64_t next_job = 1;
  std::int64_t completed = 0;
  std::vector<std::int64_t> rtt_us;
  rtt_us.reserve(static_cast<std::size_t>(o.jobs));
  const std::string payload(o.payload, 'x');
  auto send = [&](const std::string& device) -> bool {
    if (next_job > total) return true;
    protocol::Job job;
    job.job = next_job++;
    job.station = protocol::Station::kPrint;
    job.application = "APP-" + std::to_string(job.job);
    if (!payload.empty()) job.parts = {protocol::Part{"front.png", payload}};
    sent_at[job.job] = SteadyClock::now();
    Status s = link.sendJob(device, job);
    if (!s.isOk()) std::cerr << "devlink_bench: send: " << s.toString() << "\n";
    return s.isOk();
  };
  for (int w = 0; w < o.window; ++w) {
    for (const std::string& id : ids) {
      if (!send(id)) return finish(1);
    }
  }
  SteadyClock::time_point measured_start = SteadyClock::now();
  while (completed < total) {
    Arrival a;
    if (!listener.next(&a, std::chrono::seconds(30))) {
      std::cerr << "devlink_bench: no result for 30 s (" << completed << " of " << total
                << " done)\n";
      return finish(1);
    }
    auto it = sent_at.find(a.job);
    if (it == sent_at.end()) continue;
    ++completed;
    if (completed == warmup) measured_start = a.at;
    if (completed > warmup) {
      rtt_us.push_back(
          std::chrono::duration_cast<std::chrono::microseconds>(a.at - it->second).count());
    }
    sent_at.erase(it);
    Status acked = link.acknowledge(a.device_id, a.job, a.attempt, protocol::AckStatus::kRecorded);
    if (!acked.isOk()) std::cerr << "devlink_bench: ack: " << acked.toString() << "\n";
    if (!send(a.device_id)) return finish(1);
  }
  const double seconds =
      std::chrono::duration<double>(SteadyClock::now() - measured_start).count();
  std::sort(rtt_us.begin(), rtt_us.end());
  LinkCounters counters = link.counters();
  std::printf(
      "devlink_bench: %d device(s), window %d, %s, payload %zu B, %lld jobs (+%lld warm-up)\n"
      "  throughput  %.0f jobs/s\n"
      "  round trip  p50 %lld us, p99 %lld us, max %lld us\n"
      "  link        bad_messages %lld, send_blocked %lld, lost jobs %lld\n",
      o.devices, o.window, o.security == BenchSecurity::kCurve ? "CURVE" : "plain TCP",
      o.payload, static_cast<long long>(o.jobs), static_cast<long long>(warmup),
      static_cast<double>(rtt_us.size()) / seconds,
      static_cast<long long>(percentile(rtt_us, 0.50)),
      static_cast<long long>(percentile(rtt_us, 0.99)),
      static_cast<long long>(rtt_us.empty() ? 0 : rtt_us.back()),
      static_cast<long long>(counters.bad_messages),
      static_cast<long long>(counters.send_blocked),
      static_cast<long long>(listener.lostJobs()));
  return finish(0);
}

}  // namespace
}  // namespace cardline::bench

int main(int argc, char** argv) {
  auto options = cardline::bench::parseOptions(argc, argv);
  if (!options.isOk()) {
    std::cerr << "devlink_bench: " << options.status().message() << "\n";
    return cardline::bench::usage();
  }
  return cardline::bench::runBench(options.value());
}
