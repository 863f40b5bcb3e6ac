// Fuzzes the CARDLINE/1 codec (devices/protocol). The input is the frames of one message
// separated by "\n--\n" (frame 0 "CARDLINE/1", frame 1 the header JSON, then body frames).
// Properties: decode never crashes; when it succeeds, encode() of the message decodes again to
// an equal message and encodes to the same frames (the round trip is exact). The header's JSON
// reader is also checked on its own: writeJson of a parsed object parses back and writes the
// same text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "devices/protocol/flat_json.h"
#include "devices/protocol/message.h"
#include "tests/fuzz/fuzz_support.h"

namespace cardline::protocol {
namespace {

bool same(const Ready& a, const Ready& b) {
  return a.device == b.device && a.station == b.station && a.capacity == b.capacity &&
         a.session == b.session && a.software == b.software;
}
bool same(const Welcome& a, const Welcome& b) {
  return a.session == b.session && a.heartbeat_ms == b.heartbeat_ms && a.liveness == b.liveness;
}
bool same(const Job& a, const Job& b) {
  return a.job == b.job && a.attempt == b.attempt && a.station == b.station &&
         a.application == b.application && a.lease_ms == b.lease_ms && a.parts == b.parts;
}
bool same(const JobResult& a, const JobResult& b) {
  return a.job == b.job && a.attempt == b.attempt && a.outcome == b.outcome &&
         a.defect == b.defect && a.blank == b.blank && a.detail == b.detail &&
         a.measurements == b.measurements && a.parts == b.parts;
}
bool same(const Ack& a, const Ack& b) {
  return a.job == b.job && a.attempt == b.attempt && a.status == b.status;
}
bool same(const Heartbeat&, const Heartbeat&) { return true; }
bool same(const StatusReport& a, const StatusReport& b) {
  return a.state == b.state && a.fault == b.fault && a.detail == b.detail && a.job == b.job &&
         a.jobs_done == b.jobs_done && a.jobs_failed == b.jobs_failed;
}
bool same(const Disconnect& a, const Disconnect& b) { return a.reason == b.reason; }
bool same(const ErrorReply& a, const ErrorReply& b) {
  return a.code == b.code && a.message == b.message && a.command == b.command && a.job == b.job;
}

bool same(const ClearFault& a, const ClearFault& b) {
  return a.by == b.by && a.reason == b.reason;
}
// A message type added to the protocol without a comparison above is compared by its encoding
// (add a field-by-field same() for it: that also catches a field encode() leaves out).
template <typename T>
bool same(const T& a, const T& b) {
  return encode(Message(a)) == encode(Message(b));
}

bool sameMessage(const Message& a, const Message& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& left) {
        using T = std::decay_t<decltype(left)>;
        return same(left, std::get<T>(b));
      },
      a);
}

void checkJsonRoundTrip(const std::string& header) {
  auto parsed = parseJsonObject(header);
  if (!parsed.isOk()) return;
  const std::string written = writeJson(parsed.value());
  auto again = parseJsonObject(written);
  fuzz::check(again.isOk(), "writeJson output parses");
  fuzz::check(writeJson(again.value()) == written, "writeJson(parse(writeJson(x))) is stable");
}

}  // namespace
}  // namespace cardline::protocol

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardline;
  using namespace cardline::protocol;
  const Frames frames = fuzz::split(fuzz::asText(data, size), "\n--\n");
  if (frames.size() >= 2) checkJsonRoundTrip(frames[1]);

  auto decoded = decode(frames);
  if (const auto* error = std::get_if<DecodeError>(&decoded)) {
    fuzz::check(!error->message.empty(), "a decode error says what is wrong");
    return 0;
  }
  const Message& message = std::get<Message>(decoded);
  const Frames encoded = encode(message);
  fuzz::check(encoded.size() >= 2 && encoded[0] == kProtocolId, "encode writes frame 0");
  auto again = decode(encoded);
  if (const auto* error = std::get_if<DecodeError>(&again)) {
    std::fprintf(stderr, "re-decode failed: %s\n", error->message.c_str());
    fuzz::check(false, "an encoded message decodes");
  }
  fuzz::check(sameMessage(message, std::get<Message>(again)),
              "decode(encode(m)) equals m");
  fuzz::check(encode(std::get<Message>(again)) == encoded, "encode is stable after a round trip");
  return 0;
}
