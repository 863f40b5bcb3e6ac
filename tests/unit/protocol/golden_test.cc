// Freezes the CARDLINE/1 wire bytes of every command. A change here is a protocol change:
// update PROTOCOL.md (and its examples) in the same commit, or do not make it.
#include <gtest/gtest.h>

#include "devices/protocol/message.h"

namespace cardline::protocol {
namespace {

Frames frames(std::initializer_list<std::string> list) { return Frames(list); }

void expectGolden(const Message& message, const Frames& golden) {
  EXPECT_EQ(encode(message), golden);
  auto decoded = decode(golden);
  ASSERT_TRUE(std::holds_alternative<Message>(decoded))
      << std::get<DecodeError>(decoded).message;
  EXPECT_EQ(encode(std::get<Message>(decoded)), golden);
}

TEST(Golden, Ready) {
  expectGolden(Ready{"print-01", Station::kPrint, 1, "5f2c0e7a91d3b4c8", "cardline-device 0.1.0"},
               frames({"CARDLINE/1",
                       R"({"cmd":"READY","device":"print-01","station":"print","capacity":1,)"
                       R"("session":"5f2c0e7a91d3b4c8","software":"cardline-device 0.1.0"})"}));
}

TEST(Golden, ClearFault) {
  expectGolden(ClearFault{"lan", "jammed card removed"},
               frames({"CARDLINE/1",
                       R"({"cmd":"CLEAR","by":"lan","reason":"jammed card removed"})"}));
  expectGolden(ClearFault{"lan", ""}, frames({"CARDLINE/1", R"({"cmd":"CLEAR","by":"lan"})"}));
}

TEST(Golden, Welcome) {
  expectGolden(Welcome{"5f2c0e7a91d3b4c8", 1000, 3},
               frames({"CARDLINE/1", R"({"cmd":"WELCOME","session":"5f2c0e7a91d3b4c8",)"
                                     R"("heartbeat_ms":1000,"liveness":3})"}));
}

TEST(Golden, JobWithPayloadFrames) {
  Job job;
  job.job = 4711;
  job.attempt = 2;
  job.station = Station::kPrint;
  job.application = "APP-2026-000123";
  job.lease_ms = 30000;
  job.parts = {Part{"front.png", std::string("\x89PNG\0\1", 6)}, Part{"back.png", "B"}};
  expectGolden(job, frames({"CARDLINE/1",
                            R"({"cmd":"JOB","job":4711,"attempt":2,"station":"print",)"
                            R"("application":"APP-2026-000123","lease_ms":30000,)"
                            R"("parts":"front.png,back.png"})",
                            std::string("\x89PNG\0\1", 6), "B"}));
}

TEST(Golden, ResultOk) {
  JobResult r;
  r.job = 4711;
  r.attempt = 2;
  r.outcome = Outcome::kOk;
  r.blank = "BLK-000042";
  r.measurements = {{"print_ms", 850}, {"density", 1.42}};
  expectGolden(r, frames({"CARDLINE/1", R"({"cmd":"RESULT","job":4711,"attempt":2,"outcome":"ok",)"
                                        R"("blank":"BLK-000042",)"
                                        R"("measurements":{"print_ms":850.0,"density":1.42}})"}));
}

TEST(Golden, ResultDefect) {
  JobResult r;
  r.job = 9;
  r.attempt = 1;
  r.outcome = Outcome::kDefect;
  r.defect = "smudged_print";
  r.blank = "BLK-7";
  r.detail = "camera: ink smear on the photo";
  expectGolden(r, frames({"CARDLINE/1",
                          R"({"cmd":"RESULT","job":9,"attempt":1,"outcome":"defect",)"
                          R"("defect":"smudged_print","blank":"BLK-7",)"
                          R"("detail":"camera: ink smear on the photo"})"}));
}

TEST(Golden, Ack) {
  expectGolden(Ack{4711, 2, AckStatus::kDuplicate},
               frames({"CARDLINE/1",
                       R"({"cmd":"ACK","job":4711,"attempt":2,"status":"duplicate"})"}));
}

TEST(Golden, Heartbeat) {
  expectGolden(Heartbeat{}, frames({"CARDLINE/1", R"({"cmd":"HEARTBEAT"})"}));
}

TEST(Golden, Status) {
  StatusReport s;
  s.state = DeviceStatus::kFault;
  s.fault = "ribbon_out";
  s.job = 4711;
  s.jobs_done = 120;
  s.jobs_failed = 3;
  expectGolden(s, frames({"CARDLINE/1", R"({"cmd":"STATUS","state":"fault","fault":"ribbon_out",)"
                                        R"("job":4711,"jobs_done":120,"jobs_failed":3})"}));
}

TEST(Golden, Disconnect) {
  expectGolden(Disconnect{"operator stop"},
               frames({"CARDLINE/1", R"({"cmd":"DISCONNECT","reason":"operator stop"})"}));
}

TEST(Golden, Error) {
  expectGolden(ErrorReply{ErrorCode::kNotReady, "send READY first", "HEARTBEAT", 0},
               frames({"CARDLINE/1", R"({"cmd":"ERROR","code":"not_ready",)"
                                     R"("message":"send READY first","command":"HEARTBEAT"})"}));
}

}  // namespace
}  // namespace cardline::protocol
