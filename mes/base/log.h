#pragma once
// Logging facade. The core logs through Logger; app/ installs the sink (stderr by default).
// Thread-safe.

#include <functional>
#include <string>

namespace cardline {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

const char* logLevelName(LogLevel level);

// Where log lines go. The default writes "LEVEL component: message" to stderr.
using LogSink = std::function<void(LogLevel, const std::string& component, const std::string&)>;

// Replaces the process-wide sink (call once at start-up, before threads start).
void setLogSink(LogSink sink);
// Lines below this level are dropped. Default kInfo.
void setLogLevel(LogLevel level);

void log(LogLevel level, const std::string& component, const std::string& message);
inline void logInfo(const std::string& c, const std::string& m) { log(LogLevel::kInfo, c, m); }
inline void logWarning(const std::string& c, const std::string& m) {
  log(LogLevel::kWarning, c, m);
}
inline void logError(const std::string& c, const std::string& m) { log(LogLevel::kError, c, m); }

}  // namespace cardline
