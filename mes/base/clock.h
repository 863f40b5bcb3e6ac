#pragma once
// Time as a port: production code reads time only through a Clock, so tests can use a
// FakeClock and never sleep.

#include <chrono>
#include <cstdint>
#include <mutex>

namespace cardline {

// Microseconds since the Unix epoch, UTC. The one timestamp type of the system.
struct Timestamp {
  std::int64_t micros = 0;

  static Timestamp fromSeconds(std::int64_t s) { return Timestamp{s * 1000000}; }
  static Timestamp fromMillis(std::int64_t ms) { return Timestamp{ms * 1000}; }
  std::int64_t seconds() const { return micros / 1000000; }
  std::int64_t millis() const { return micros / 1000; }
  Timestamp plusMillis(std::int64_t ms) const { return Timestamp{micros + ms * 1000}; }
  Timestamp plusSeconds(std::int64_t s) const { return Timestamp{micros + s * 1000000}; }
  friend bool operator==(Timestamp a, Timestamp b) { return a.micros == b.micros; }
  friend bool operator!=(Timestamp a, Timestamp b) { return a.micros != b.micros; }
  friend bool operator<(Timestamp a, Timestamp b) { return a.micros < b.micros; }
  friend bool operator<=(Timestamp a, Timestamp b) { return a.micros <= b.micros; }
  friend bool operator>(Timestamp a, Timestamp b) { return a.micros > b.micros; }
  friend bool operator>=(Timestamp a, Timestamp b) { return a.micros >= b.micros; }
};

// Source of the current time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC), for records and events.
  virtual Timestamp now() const = 0;
  // Monotonic time for measuring intervals and deadlines inside one process.
  virtual std::chrono::steady_clock::time_point monotonic() const = 0;
};

// The operating system's clocks.
class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
  std::chrono::steady_clock::time_point monotonic() const override {
    return std::chrono::steady_clock::now();
  }
};

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = Timestamp::fromSeconds(1767225600))  // 2026-01-01Z
      : now_(start) {}
  Timestamp now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  std::chrono::steady_clock::time_point monotonic() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::chrono::steady_clock::time_point(std::chrono::microseconds(now_.micros));
  }
  void advanceMillis(std::int64_t ms) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = now_.plusMillis(ms);
  }
  void set(Timestamp t) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = t;
  }

 private:
  mutable std::mutex mu_;
  Timestamp now_;
};

}  // namespace cardline
