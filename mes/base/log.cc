#include "mes/base/log.h"

#include <atomic>
#include <iostream>
#include <mutex>

namespace cardline {
namespace {

std::mutex& sinkMutex() {
  static std::mutex mu;
  return mu;
}
LogSink& sink() {
  static LogSink s;
  return s;
}
std::atomic<int>& minLevel() {
  static std::atomic<int> level{static_cast<int>(LogLevel::kInfo)};
  return level;
}

}  // namespace

const char* logLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarning: return "WARNING";
    case LogLevel::kError: return "ERROR";
  }
  return "?";
}

void setLogSink(LogSink s) {
  std::lock_guard<std::mutex> lock(sinkMutex());
  sink() = std::move(s);
}

void setLogLevel(LogLevel level) { minLevel() = static_cast<int>(level); }

void log(LogLevel level, const std::string& component, const std::string& message) {
  if (static_cast<int>(level) < minLevel()) return;
  std::lock_guard<std::mutex> lock(sinkMutex());
  if (sink()) {
    sink()(level, component, message);
    return;
  }
  std::cerr << logLevelName(level) << " " << component << ": " << message << "\n";
}

}  // namespace cardline
