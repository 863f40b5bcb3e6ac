#include "devices/protocol/message.h"

#include <cmath>
#include <type_traits>

#include "devices/protocol/flat_json.h"

namespace cardline::protocol {
namespace {

template <typename E, std::size_t N>
Result<E> parseName(std::string_view s, const char* const (&names)[N], const char* what) {
  std::string accepted;
  for (std::size_t i = 0; i < N; ++i) {
    if (s == names[i]) return static_cast<E>(i);
    accepted += (i ? ", " : "") + std::string(names[i]);
  }
  return invalidArgument("unknown " + std::string(what) + " \"" + std::string(s) +
                         "\" (expected one of: " + accepted + ")");
}

const char* const kCommandNames[] = {"READY",  "WELCOME", "JOB",        "RESULT", "ACK",
                                     "HEARTBEAT", "STATUS", "DISCONNECT", "ERROR",
                                     "CLEAR"};
const char* const kStationNames[] = {"print", "encode", "qa", "dispatch"};
const char* const kDeviceStatusNames[] = {"idle", "busy", "fault"};
const char* const kOutcomeNames[] = {"ok", "defect", "aborted"};
const char* const kAckStatusNames[] = {"recorded", "duplicate", "stale"};
const char* const kErrorCodeNames[] = {"bad_message", "unsupported_version", "unknown_command",
                                       "too_large",   "not_ready",           "identity_mismatch",
                                       "unknown_job", "internal"};

std::string joinPartNames(const std::vector<Part>& parts) {
  std::string out;
  for (const Part& p : parts) {
    if (!out.empty()) out += ',';
    out += p.name;
  }
  return out;
}

void addString(JsonValue& h, const char* key, const std::string& v) {
  h.add(key, JsonValue::fromString(v));
}
void addOptionalString(JsonValue& h, const char* key, const std::string& v) {
  if (!v.empty()) addString(h, key, v);
}
void addInt(JsonValue& h, const char* key, std::int64_t v) { h.add(key, JsonValue::fromInt(v)); }

// Reads header members with type and range checks; the first problem wins.
class HeaderReader {
 public:
  explicit HeaderReader(const JsonValue& header) : header_(header) {}

  std::string str(const char* key, bool required) {
    const JsonValue* v = header_.find(key);
    if (v == nullptr || v->type == JsonType::kNull) {
      if (required) note(std::string("missing member \"") + key + "\"");
      return {};
    }
    if (v->type != JsonType::kString) {
      note(std::string("member \"") + key + "\" must be a string");
      return {};
    }
    return v->text;
  }
  std::string token(const char* key, bool required) {
    std::string s = str(key, required);
    if (!s.empty() && !isValidToken(s)) {
      note(std::string("member \"") + key + "\" must match [A-Za-z0-9._-]{1,64}");
    } else if (required && s.empty() && error_.empty()) {
      note(std::string("member \"") + key + "\" must not be empty");
    }
    return s;
  }
  std::int64_t integer(const char* key, bool required, std::int64_t min, std::int64_t max,
                       std::int64_t fallback) {
    const JsonValue* v = header_.find(key);
    if (v == nullptr || v->type == JsonType::kNull) {
      if (required) note(std::string("missing member \"") + key + "\"");
      return fallback;
    }
    if (v->type != JsonType::kInt) {
      note(std::string("member \"") + key + "\" must be an integer");
      return fallback;
    }
    if (v->integer < min || v->integer > max) {
      note(std::string("member \"") + key + "\" is out of range [" + std::to_string(min) + ", " +
           std::to_string(max) + "]");
      return fallback;
    }
    return v->integer;
  }
  template <typename E>
  E enumeration(const char* key, Result<E> (*parse)(std::string_view), E fallback) {
    std::string s = str(key, true);
    if (!error_.empty()) return fallback;
    Result<E> r = parse(s);
    if (!r.isOk()) {
      note(std::string("member \"") + key + "\": " + r.status().message());
      return fallback;
    }
    return r.value();
  }
  std::vector<std::pair<std::string, double>> measurements(const char* key) {
    std::vector<std::pair<std::string, double>> out;
    const JsonValue* v = header_.find(key);
    if (v == nullptr || v->type == JsonType::kNull) return out;
    if (v->type != JsonType::kObject) {
      note(std::string("member \"") + key + "\" must be an object");
      return out;
    }
    for (const JsonMember& m : v->members) {
      if (m.value.type == JsonType::kInt) {
        out.emplace_back(m.key, static_cast<double>(m.value.integer));
      } else if (m.value.type == JsonType::kDouble) {
        out.emplace_back(m.key, m.value.number);
      } else {
        note("measurement \"" + m.key + "\" must be a number");
      }
    }
    return out;
  }
  void note(std::string problem) {
    if (error_.empty()) error_ = std::move(problem);
  }
  const std::string& error() const { return error_; }

 private:
  const JsonValue& header_;
  std::string error_;
};

// Splits the "parts" member and pairs the names with the body frames.
std::vector<Part> readParts(HeaderReader& r, const Frames& frames) {
  std::string names = r.str("parts", false);
  std::vector<Part> parts;
  std::size_t body = frames.size() - 2;
  if (names.empty()) {
    if (body != 0) r.note("body frames without a \"parts\" member");
    return parts;
  }
  std::size_t start = 0;
  while (true) {
    std::size_t comma = names.find(',', start);
    std::string one = names.substr(start, comma == std::string::npos ? std::string::npos
                                                                     : comma - start);
    if (!isValidToken(one)) {
      r.note("part name \"" + one + "\" must match [A-Za-z0-9._-]{1,64}");
      return {};
    }
    for (const Part& p : parts) {
      if (p.name == one) {
        r.note("part name \"" + one + "\" repeats");
        return {};
      }
    }
    parts.push_back(Part{one, {}});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (parts.size() != body) {
    r.note("\"parts\" names " + std::to_string(parts.size()) + " frames but the message has " +
           std::to_string(body));
    return {};
  }
  for (std::size_t i = 0; i < body; ++i) parts[i].data = frames[i + 2];
  return parts;
}

}  // namespace

const char* name(Command v) { return kCommandNames[static_cast<int>(v)]; }
Result<Command> parseCommand(std::string_view s) {
  return parseName<Command>(s, kCommandNames, "command");
}
const char* name(Station v) { return kStationNames[static_cast<int>(v)]; }
Result<Station> parseStation(std::string_view s) {
  return parseName<Station>(s, kStationNames, "station");
}
const char* name(DeviceStatus v) { return kDeviceStatusNames[static_cast<int>(v)]; }
Result<DeviceStatus> parseDeviceStatus(std::string_view s) {
  return parseName<DeviceStatus>(s, kDeviceStatusNames, "device state");
}
const char* name(Outcome v) { return kOutcomeNames[static_cast<int>(v)]; }
Result<Outcome> parseOutcome(std::string_view s) {
  return parseName<Outcome>(s, kOutcomeNames, "outcome");
}
const char* name(AckStatus v) { return kAckStatusNames[static_cast<int>(v)]; }
Result<AckStatus> parseAckStatus(std::string_view s) {
  return parseName<AckStatus>(s, kAckStatusNames, "ack status");
}
const char* name(ErrorCode v) { return kErrorCodeNames[static_cast<int>(v)]; }
Result<ErrorCode> parseErrorCode(std::string_view s) {
  return parseName<ErrorCode>(s, kErrorCodeNames, "error code");
}

bool isValidToken(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Command commandOf(const Message& message) { return static_cast<Command>(message.index()); }

Frames encode(const Message& message) {
  JsonValue h = JsonValue::object();
  addString(h, "cmd", name(commandOf(message)));
  Frames frames;
  frames.emplace_back(kProtocolId);
  const std::vector<Part>* parts = nullptr;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Ready>) {
          addString(h, "device", m.device);
          addString(h, "station", name(m.station));
          addInt(h, "capacity", m.capacity);
          addString(h, "session", m.session);
          addOptionalString(h, "software", m.software);
        } else if constexpr (std::is_same_v<T, Welcome>) {
          addString(h, "session", m.session);
          addInt(h, "heartbeat_ms", m.heartbeat_ms);
          addInt(h, "liveness", m.liveness);
        } else if constexpr (std::is_same_v<T, Job>) {
          addInt(h, "job", m.job);
          addInt(h, "attempt", m.attempt);
          addString(h, "station", name(m.station));
          addOptionalString(h, "application", m.application);
          addInt(h, "lease_ms", m.lease_ms);
          addOptionalString(h, "parts", joinPartNames(m.parts));
          parts = &m.parts;
        } else if constexpr (std::is_same_v<T, JobResult>) {
          addInt(h, "job", m.job);
          addInt(h, "attempt", m.attempt);
          addString(h, "outcome", name(m.outcome));
          addOptionalString(h, "defect", m.defect);
          addOptionalString(h, "blank", m.blank);
          addOptionalString(h, "detail", m.detail);
          if (!m.measurements.empty()) {
            JsonValue& obj = h.add("measurements", JsonValue::object());
            for (const auto& [key, value] : m.measurements) {
              obj.add(key, JsonValue::fromDouble(value));
            }
          }
          addOptionalString(h, "parts", joinPartNames(m.parts));
          parts = &m.parts;
        } else if constexpr (std::is_same_v<T, Ack>) {
          addInt(h, "job", m.job);
          addInt(h, "attempt", m.attempt);
          addString(h, "status", name(m.status));
        } else if constexpr (std::is_same_v<T, Heartbeat>) {
        } else if constexpr (std::is_same_v<T, StatusReport>) {
          addString(h, "state", name(m.state));
          addOptionalString(h, "fault", m.fault);
          addOptionalString(h, "detail", m.detail);
          if (m.job != 0) addInt(h, "job", m.job);
          addInt(h, "jobs_done", m.jobs_done);
          addInt(h, "jobs_failed", m.jobs_failed);
        } else if constexpr (std::is_same_v<T, Disconnect>) {
          addOptionalString(h, "reason", m.reason);
        } else if constexpr (std::is_same_v<T, ErrorReply>) {
          addString(h, "code", name(m.code));
          addString(h, "message", m.message);
          addOptionalString(h, "command", m.command);
          if (m.job != 0) addInt(h, "job", m.job);
        } else if constexpr (std::is_same_v<T, ClearFault>) {
          addString(h, "by", m.by);
          addOptionalString(h, "reason", m.reason);
        }
      },
      message);
  frames.push_back(writeJson(h));
  if (parts != nullptr) {
    for (const Part& p : *parts) frames.push_back(p.data);
  }
  return frames;
}

std::variant<Message, DecodeError> decode(const Frames& frames) {
  auto error = [](ErrorCode code, std::string text, std::string command = {}) {
    return std::variant<Message, DecodeError>(
        DecodeError{code, std::move(text), std::move(command)});
  };
  if (frames.empty()) return error(ErrorCode::kBadMessage, "empty message");
  const std::string& id = frames[0];
  if (id != kProtocolId) {
    if (id.rfind("CARDLINE/", 0) == 0) {
      return error(ErrorCode::kUnsupportedVersion,
                   "protocol \"" + id + "\" is not supported; this peer speaks " + kProtocolId);
    }
    return error(ErrorCode::kBadMessage, "frame 0 must be \"" + std::string(kProtocolId) + "\"");
  }
  if (frames.size() < 2) return error(ErrorCode::kBadMessage, "the header frame is missing");
  if (frames[1].size() > kMaxHeaderBytes) {
    return error(ErrorCode::kTooLarge, "the header is " + std::to_string(frames[1].size()) +
                                           " bytes; the limit is " +
                                           std::to_string(kMaxHeaderBytes));
  }
  if (frames.size() - 2 > kMaxBodyFrames) {
    return error(ErrorCode::kTooLarge, "the message has " + std::to_string(frames.size() - 2) +
                                           " body frames; the limit is " +
                                           std::to_string(kMaxBodyFrames));
  }
  std::size_t total = 0;
  for (std::size_t i = 2; i < frames.size(); ++i) {
    if (frames[i].size() > kMaxBodyFrameBytes) {
      return error(ErrorCode::kTooLarge, "body frame " + std::to_string(i) + " is " +
                                             std::to_string(frames[i].size()) +
                                             " bytes; the limit is " +
                                             std::to_string(kMaxBodyFrameBytes));
    }
    total += frames[i].size();
  }
  if (total > kMaxTotalBodyBytes) {
    return error(ErrorCode::kTooLarge, "the body is " + std::to_string(total) +
                                           " bytes; the limit is " +
                                           std::to_string(kMaxTotalBodyBytes));
  }
  Result<JsonValue> parsed = parseJsonObject(frames[1]);
  if (!parsed.isOk()) {
    return error(ErrorCode::kBadMessage, "header: " + parsed.status().message());
  }
  const JsonValue& header = parsed.value();
  const JsonValue* cmd_value = header.find("cmd");
  if (cmd_value == nullptr || cmd_value->type != JsonType::kString) {
    return error(ErrorCode::kBadMessage, "header: member \"cmd\" (a string) is missing");
  }
  const std::string& cmd_name = cmd_value->text;
  Result<Command> cmd = parseCommand(cmd_name);
  if (!cmd.isOk()) {
    return error(ErrorCode::kUnknownCommand, "unknown command \"" + cmd_name + "\"", cmd_name);
  }
  HeaderReader r(header);
  bool body_allowed = cmd.value() == Command::kJob || cmd.value() == Command::kResult;
  if (!body_allowed && frames.size() > 2) {
    return error(ErrorCode::kBadMessage, cmd_name + " carries no body frames", cmd_name);
  }
  Message message;
  switch (cmd.value()) {
    case Command::kReady: {
      Ready m;
      m.device = r.token("device", true);
      m.station = r.enumeration<Station>("station", parseStation, Station::kPrint);
      m.capacity = static_cast<int>(r.integer("capacity", true, 1, 64, 1));
      m.session = r.token("session", true);
      m.software = r.str("software", false);
      message = m;
      break;
    }
    case Command::kWelcome: {
      Welcome m;
      m.session = r.token("session", true);
      m.heartbeat_ms = static_cast<int>(r.integer("heartbeat_ms", true, 10, 60000, 1000));
      m.liveness = static_cast<int>(r.integer("liveness", true, 1, 100, 3));
      message = m;
      break;
    }
    case Command::kJob: {
      Job m;
      m.job = r.integer("job", true, 1, kMaxJobId, 0);
      m.attempt = static_cast<int>(r.integer("attempt", true, 1, 1000000, 1));
      m.station = r.enumeration<Station>("station", parseStation, Station::kPrint);
      m.application = r.str("application", false);
      m.lease_ms = r.integer("lease_ms", true, 0, 7LL * 24 * 3600 * 1000, 0);
      m.parts = readParts(r, frames);
      message = m;
      break;
    }
    case Command::kResult: {
      JobResult m;
      m.job = r.integer("job", true, 1, kMaxJobId, 0);
      m.attempt = static_cast<int>(r.integer("attempt", true, 1, 1000000, 1));
      m.outcome = r.enumeration<Outcome>("outcome", parseOutcome, Outcome::kOk);
      m.defect = r.str("defect", false);
      m.blank = r.str("blank", false);
      m.detail = r.str("detail", false);
      m.measurements = r.measurements("measurements");
      m.parts = readParts(r, frames);
      if (r.error().empty() && m.outcome == Outcome::kDefect && m.defect.empty()) {
        r.note("outcome \"defect\" needs a \"defect\" code");
      }
      message = m;
      break;
    }
    case Command::kAck: {
      Ack m;
      m.job = r.integer("job", true, 1, kMaxJobId, 0);
      m.attempt = static_cast<int>(r.integer("attempt", true, 1, 1000000, 1));
      m.status = r.enumeration<AckStatus>("status", parseAckStatus, AckStatus::kRecorded);
      message = m;
      break;
    }
    case Command::kHeartbeat:
      message = Heartbeat{};
      break;
    case Command::kStatus: {
      StatusReport m;
      m.state = r.enumeration<DeviceStatus>("state", parseDeviceStatus, DeviceStatus::kIdle);
      m.fault = r.str("fault", false);
      m.detail = r.str("detail", false);
      m.job = r.integer("job", false, 0, kMaxJobId, 0);
      m.jobs_done = r.integer("jobs_done", false, 0, INT64_MAX, 0);
      m.jobs_failed = r.integer("jobs_failed", false, 0, INT64_MAX, 0);
      message = m;
      break;
    }
    case Command::kDisconnect: {
      Disconnect m;
      m.reason = r.str("reason", false);
      message = m;
      break;
    }
    case Command::kError: {
      ErrorReply m;
      std::string code = r.str("code", true);
      Result<ErrorCode> parsed_code = parseErrorCode(code);
      // An unknown error code from a newer peer still reads as an error (§9).
      m.code = parsed_code.isOk() ? parsed_code.value() : ErrorCode::kInternal;
      m.message = r.str("message", false);
      m.command = r.str("command", false);
      m.job = r.integer("job", false, 0, kMaxJobId, 0);
      message = m;
      break;
    }
    case Command::kClear: {
      ClearFault m;
      m.by = r.str("by", true);
      m.reason = r.str("reason", false);
      message = m;
      break;
    }
  }
  if (!r.error().empty()) return error(ErrorCode::kBadMessage, r.error(), cmd_name);
  return message;
}

}  // namespace cardline::protocol
