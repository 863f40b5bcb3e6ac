#pragma once
// The CARDLINE/1 device protocol as values, and its codec: frames in, frames out.
// PROTOCOL.md is the normative text; this file mirrors it section by section and
// tests/unit/protocol/golden_test.cc freezes the bytes. std + mes/base only (no ZeroMQ types):
// a frame is a std::string of bytes. Value types; thread-compatible.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "mes/base/status.h"

namespace cardline::protocol {

// Frame 0 of every message (PROTOCOL.md §3): protocol name and major version.
inline constexpr char kProtocolId[] = "CARDLINE/1";
inline constexpr int kProtocolMajor = 1;

// Size limits (PROTOCOL.md §6). A message over a limit is refused with ERROR too_large.
inline constexpr std::size_t kMaxHeaderBytes = 8 * 1024;
inline constexpr std::size_t kMaxBodyFrames = 16;
inline constexpr std::size_t kMaxBodyFrameBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxTotalBodyBytes = 64 * 1024 * 1024;
// Largest job id (2^53 - 1), so that every JSON implementation reads it exactly.
inline constexpr std::int64_t kMaxJobId = 9007199254740991;

// Defaults a device uses until WELCOME says otherwise (PROTOCOL.md §7).
inline constexpr int kDefaultHeartbeatMs = 1000;
inline constexpr int kDefaultLiveness = 3;
inline constexpr int kReconnectInitialMs = 1000;
inline constexpr int kReconnectMaxMs = 32000;

using Frame = std::string;
using Frames = std::vector<Frame>;

enum class Command {
  kReady,       // "READY"      device -> MES
  kWelcome,     // "WELCOME"    MES -> device
  kJob,         // "JOB"        MES -> device
  kResult,      // "RESULT"     device -> MES
  kAck,         // "ACK"        MES -> device
  kHeartbeat,   // "HEARTBEAT"  both ways
  kStatus,      // "STATUS"     device -> MES
  kDisconnect,  // "DISCONNECT" both ways
  kError,       // "ERROR"      both ways
  kClear,       // "CLEAR"      MES -> device (an operator cleared the device's fault)
};
const char* name(Command v);
Result<Command> parseCommand(std::string_view s);

enum class Station { kPrint, kEncode, kQa, kDispatch };  // "print","encode","qa","dispatch"
const char* name(Station v);
Result<Station> parseStation(std::string_view s);

enum class DeviceStatus { kIdle, kBusy, kFault };  // "idle", "busy", "fault"
const char* name(DeviceStatus v);
Result<DeviceStatus> parseDeviceStatus(std::string_view s);

// What happened to the card (PROTOCOL.md §5.4).
enum class Outcome {
  kOk,       // "ok": the station did its work; the card moves on
  kDefect,   // "defect": the card is physically bad; defect names the defect code
  kAborted,  // "aborted": the device could not do the job (fault); no card was consumed
};
const char* name(Outcome v);
Result<Outcome> parseOutcome(std::string_view s);

enum class AckStatus {
  kRecorded,   // "recorded": this result is now the durable outcome
  kDuplicate,  // "duplicate": an outcome for this job and attempt was already recorded
  kStale,      // "stale": the job or attempt no longer belongs to this device; discarded
};
const char* name(AckStatus v);
Result<AckStatus> parseAckStatus(std::string_view s);

enum class ErrorCode {
  kBadMessage,          // "bad_message": malformed frames or header
  kUnsupportedVersion,  // "unsupported_version": frame 0 names another major version
  kUnknownCommand,      // "unknown_command": a well-formed message with a command not known
  kTooLarge,            // "too_large": a size limit of §6 was exceeded
  kNotReady,            // "not_ready": the MES has no session for this peer: send READY
  kIdentityMismatch,    // "identity_mismatch": the device id is not the one the key is enrolled as
  kUnknownJob,          // "unknown_job": a RESULT for a job this device does not hold
  kInternal,            // "internal": the receiver failed; the sender may retry later
};
const char* name(ErrorCode v);
Result<ErrorCode> parseErrorCode(std::string_view s);

// A named binary payload frame (PROTOCOL.md §5.3). Names match [A-Za-z0-9._-]{1,64}.
struct Part {
  std::string name;
  std::string data;
  friend bool operator==(const Part& a, const Part& b) {
    return a.name == b.name && a.data == b.data;
  }
};

struct Ready {
  std::string device;     // device id, [A-Za-z0-9._-]{1,64}
  Station station = Station::kPrint;
  int capacity = 1;       // jobs the device may hold at once, 1..64
  std::string session;    // new random value each time the device process starts
  std::string software;   // optional free text ("cardline-device 0.1.0")
};

struct Welcome {
  std::string session;  // the session of the READY being answered
  int heartbeat_ms = kDefaultHeartbeatMs;
  int liveness = kDefaultLiveness;
};

struct Job {
  std::int64_t job = 0;  // 1..kMaxJobId
  int attempt = 1;       // >= 1
  Station station = Station::kPrint;
  std::string application;
  std::int64_t lease_ms = 0;  // how long the MES holds the lease from sending; 0 = no lease
  std::vector<Part> parts;
};

struct JobResult {
  std::int64_t job = 0;
  int attempt = 1;
  Outcome outcome = Outcome::kOk;
  std::string defect;  // required when outcome is defect, else empty
  std::string blank;   // serial of the blank card consumed (print), else empty
  std::string detail;  // optional free text
  std::vector<std::pair<std::string, double>> measurements;  // finite numbers, by name
  std::vector<Part> parts;
};

struct Ack {
  std::int64_t job = 0;
  int attempt = 1;
  AckStatus status = AckStatus::kRecorded;
};

struct Heartbeat {};

struct StatusReport {
  DeviceStatus state = DeviceStatus::kIdle;
  std::string fault;      // fault code when state is fault, else empty
  std::string detail;     // optional free text
  std::int64_t job = 0;   // job in hand, 0 when none
  std::int64_t jobs_done = 0;
  std::int64_t jobs_failed = 0;
};

struct Disconnect {
  std::string reason;  // optional free text
};

struct ErrorReply {
  ErrorCode code = ErrorCode::kBadMessage;
  std::string message;  // for people
  std::string command;  // the command refused, when known
  std::int64_t job = 0; // the job concerned, 0 when none
};

// An operator cleared the device's fault at the station (after removing the jammed card,
// changing the ribbon, ...). The device checks its hardware, leaves fault and reports STATUS.
struct ClearFault {
  std::string by;      // who cleared it (the operator's user name)
  std::string reason;  // optional free text
};

// The alternatives are in the order of Command (commandOf relies on it).
using Message = std::variant<Ready, Welcome, Job, JobResult, Ack, Heartbeat, StatusReport,
                             Disconnect, ErrorReply, ClearFault>;

// The command of a message (the variant's alternative).
Command commandOf(const Message& message);

// Encodes message as [kProtocolId, header JSON, body frames...]. Header members are written in
// the order PROTOCOL.md lists them; optional members that are empty or zero are left out.
// Never fails; the caller keeps values inside the documented ranges (decode() checks them).
Frames encode(const Message& message);

// A decode failure: the ErrorCode to answer with and a message for people.
struct DecodeError {
  ErrorCode code = ErrorCode::kBadMessage;
  std::string message;
  std::string command;  // the command named in the header, when it could be read
};

// Decodes frames (without any ZeroMQ routing frames). On failure returns the DecodeError an
// ERROR reply carries: kUnsupportedVersion when frame 0 is another "CARDLINE/N"; kTooLarge
// when a limit of §6 is exceeded; kUnknownCommand for a well-formed header whose cmd is not
// known; kBadMessage for everything else (missing frames, bad JSON, a missing or ill-typed
// member, a value out of range, body frames where none are allowed, parts not matching).
// Unknown header members are ignored (minor protocol additions, §9).
std::variant<Message, DecodeError> decode(const Frames& frames);

// True when id is a valid device id, session or part name: [A-Za-z0-9._-]{1,64}.
bool isValidToken(std::string_view id);

}  // namespace cardline::protocol
