// The simulated ISO 7816 chip: status words, offsets and bounds of every command, activation,
// Basic Access Control (plain reads refused once activated, reads inside secure messaging after
// MUTUAL AUTHENTICATE with the keys of the card's own MRZ, another MRZ refused), the broken and
// mute chips, persistence, and the terminal's whole-file reads and writes.

#include <gtest/gtest.h>

#include "devices/sim/iso7816_chip.h"
#include "mes/document/bac.h"

namespace cardline::sim {
namespace {

// The keys of the domain example's MRZ (DOMAIN.md) and of its neighbour in the batch.
const MrzText kOwnMrz{"IDVNM0990123459001099012345<<0", "9903159M2403155VNM<<<<<<<<<<<2",
                      "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"};
const MrzText kOtherMrz{"IDVNM0990123468001099012346<<2", "9903159M2403155VNM<<<<<<<<<<<2",
                        "NGUYEN<<VAN<B<<<<<<<<<<<<<<<<<"};

BacKeys keysOf(const MrzText& mrz) {
  Result<BacKeys> keys = bacKeysFromMrz(mrz);
  EXPECT_TRUE(keys.isOk()) << keys.status().toString();
  return keys.isOk() ? keys.value() : BacKeys{};
}

// A personalised chip: DG1 holds a small TLV, the BAC keys of kOwnMrz, activated.
SimChip personalisedChip(const Bytes& dg1) {
  SimChip chip;
  ChipTerminal encoder(chip);
  EXPECT_TRUE(encoder.selectApplication().isOk());
  EXPECT_TRUE(encoder.writeFile(kFidDg1, dg1).isOk());
  EXPECT_TRUE(encoder.storeAccessKeys(keysOf(kOwnMrz)).isOk());
  EXPECT_TRUE(encoder.activate().isOk());
  return chip;
}

Response send(SimChip& chip, const Bytes& apdu) {
  Result<Response> r = chip.transmit(apdu);
  EXPECT_TRUE(r.isOk()) << r.status().toString();
  return r.isOk() ? r.value() : Response{{}, 0};
}

Bytes selectApp() {
  Bytes a = {0x00, 0xA4, 0x04, 0x0C, 0x07};
  a.insert(a.end(), ldsAid().begin(), ldsAid().end());
  return a;
}

Bytes selectEf(std::uint16_t fid) {
  return {0x00,
          0xA4,
          0x02,
          0x0C,
          0x02,
          static_cast<std::uint8_t>(fid >> 8),
          static_cast<std::uint8_t>(fid)};
}

TEST(SimChipTest, SelectAnswersNotFoundForUnknownFilesAndApplications) {
  SimChip chip;
  EXPECT_EQ(send(chip, selectEf(kFidDg1)).sw, kSwFileNotFound);  // no application selected yet
  Bytes other = {0x00, 0xA4, 0x04, 0x0C, 0x03, 0xA0, 0x00, 0x01};
  EXPECT_EQ(send(chip, other).sw, kSwFileNotFound);
  EXPECT_EQ(send(chip, selectApp()).sw, kSwOk);
  EXPECT_EQ(send(chip, selectEf(0x0199)).sw, kSwFileNotFound);
  EXPECT_EQ(send(chip, selectEf(kFidDg13)).sw, kSwOk);
  EXPECT_EQ(send(chip, {0x00, 0xA4, 0x02, 0x0C, 0x01, 0x01}).sw, kSwWrongLength);
  EXPECT_EQ(send(chip, {0x00, 0xA4, 0x09, 0x0C, 0x02, 0x01, 0x01}).sw, kSwWrongP1P2);
}

TEST(SimChipTest, ReadAndUpdateBinaryHonourOffsetsAndBounds) {
  SimChip chip;
  send(chip, selectApp());
  EXPECT_EQ(send(chip, {0x00, 0xB0, 0x00, 0x00, 0x04}).sw, kSwNoCurrentEf);
  ASSERT_EQ(send(chip, selectEf(kFidDg1)).sw, kSwOk);
  EXPECT_EQ(send(chip, {0x00, 0xD6, 0x00, 0x10, 0x03, 0xAA, 0xBB, 0xCC}).sw, kSwOk);
  Response r = send(chip, {0x00, 0xB0, 0x00, 0x0F, 0x05});
  EXPECT_EQ(r.sw, kSwOk);
  EXPECT_EQ(r.data, (Bytes{0x00, 0xAA, 0xBB, 0xCC, 0x00}));
  // DG1 is 4096 bytes: offset 4096 is outside, a read across the end returns what is there.
  EXPECT_EQ(send(chip, {0x00, 0xB0, 0x10, 0x00, 0x01}).sw, kSwWrongOffset);
  r = send(chip, {0x00, 0xB0, 0x0F, 0xFE, 0x04});
  EXPECT_EQ(r.sw, kSwEndOfFile);
  EXPECT_EQ(r.data.size(), 2u);
  EXPECT_EQ(send(chip, {0x00, 0xD6, 0x0F, 0xFF, 0x02, 0x01, 0x02}).sw, kSwNotEnoughMemory);
  EXPECT_EQ(send(chip, {0x00, 0xD6, 0x10, 0x00, 0x01, 0x01}).sw, kSwWrongOffset);
  EXPECT_EQ(send(chip, {0x00, 0xD6, 0x00, 0x00, 0x02, 0x01}).sw, kSwWrongLength);
  EXPECT_EQ(send(chip, {0x00, 0xB0, 0x80, 0x00, 0x01}).sw, kSwWrongP1P2);
  // Le 00 means 256 bytes.
  r = send(chip, {0x00, 0xB0, 0x00, 0x00, 0x00});
  EXPECT_EQ(r.sw, kSwOk);
  EXPECT_EQ(r.data.size(), 256u);
  EXPECT_EQ(send(chip, {0x00, 0x2A, 0x00, 0x00}).sw, kSwInsNotSupported);
  EXPECT_EQ(send(chip, {0x80, 0xB0, 0x00, 0x00, 0x01}).sw, kSwClaNotSupported);
  EXPECT_EQ(send(chip, {0x00}).sw, kSwWrongLength);
}

TEST(SimChipTest, ActivateNeedsTheAccessKeysAndThenPlainReadsAndWritesAreRefused) {
  SimChip chip;
  send(chip, selectApp());
  send(chip, selectEf(kFidDg13));
  EXPECT_EQ(send(chip, {0x00, 0x44, 0x00, 0x00}).sw, kSwConditionsNotSatisfied);
  EXPECT_EQ(send(chip, {0x00, 0x84, 0x00, 0x00, 0x08}).sw, kSwConditionsNotSatisfied);
  EXPECT_FALSE(chip.activated());
  Bytes put = {0x00, 0xDA, 0x00, 0xBA, 0x20};
  put.resize(5 + 32, 0x11);
  EXPECT_EQ(send(chip, put).sw, kSwOk);
  EXPECT_EQ(send(chip, {0x00, 0x44, 0x00, 0x00}).sw, kSwOk);
  EXPECT_TRUE(chip.activated());
  EXPECT_EQ(send(chip, put).sw, kSwSecurityNotSatisfied);
  EXPECT_EQ(send(chip, {0x00, 0xD6, 0x00, 0x00, 0x01, 0x01}).sw, kSwSecurityNotSatisfied);
  EXPECT_EQ(send(chip, {0x00, 0xB0, 0x00, 0x00, 0x01}).sw, kSwSecurityNotSatisfied);
  EXPECT_EQ(send(chip, selectEf(kFidDg1)).sw, kSwSecurityNotSatisfied);
  // The application itself is still selected in the clear (a reader starts there).
  EXPECT_EQ(send(chip, selectApp()).sw, kSwOk);
  // A protected command without a session, a MUTUAL AUTHENTICATE without a challenge.
  EXPECT_EQ(send(chip, {0x0C, 0xB0, 0x00, 0x00, 0x00}).sw, kSwSecurityNotSatisfied);
  Bytes auth = {0x00, 0x82, 0x00, 0x00, 0x28};
  auth.resize(5 + 40, 0x00);
  auth.push_back(0x28);
  EXPECT_EQ(send(chip, auth).sw, kSwConditionsNotSatisfied);
}

TEST(SimChipTest, ThePlainTerminalIsRefusedAfterActivation) {
  const Bytes dg1 = {0x61, 0x03, 0x5F, 0x1F, 0x00};
  SimChip chip = personalisedChip(dg1);
  ChipTerminal reader(chip);
  ASSERT_TRUE(reader.selectApplication().isOk());
  EXPECT_EQ(reader.readFile(kFidDg1).status().code(), ErrorCode::kPermissionDenied);
}

TEST(SimChipTest, ThePhoneReadsInsideSecureMessagingWithTheCardsOwnMrz) {
  // A 1000-byte DG1-like TLV: several protected chunks.
  Bytes dg1 = {0x61, 0x82, 0x03, 0xE4};
  for (int i = 0; i < 996; ++i) dg1.push_back(static_cast<std::uint8_t>(i * 13));
  SimChip chip = personalisedChip(dg1);
  // Through persistence, as QA finds the chip in the carrier store.
  Result<SimChip> stored = SimChip::deserialize(chip.serialize());
  ASSERT_TRUE(stored.isOk()) << stored.status().toString();
  ChipTerminal phone(stored.value());
  ASSERT_TRUE(phone.selectApplication().isOk());
  ASSERT_TRUE(phone.authenticate(keysOf(kOwnMrz)).isOk());
  EXPECT_TRUE(stored->inSecureMessaging());
  Result<Bytes> back = phone.readFile(kFidDg1);
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(back.value(), dg1);
  EXPECT_EQ(phone.readFile(0x0177).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(stored->inSecureMessaging());
  // A plain command ends the session; the next protected one is refused.
  EXPECT_EQ(send(stored.value(), selectApp()).sw, kSwOk);
  EXPECT_FALSE(stored->inSecureMessaging());
  EXPECT_FALSE(phone.readFile(kFidDg1).isOk());
}

TEST(SimChipTest, AnotherCardsMrzFailsMutualAuthentication) {
  SimChip chip = personalisedChip({0x61, 0x03, 0x5F, 0x1F, 0x00});
  ChipTerminal phone(chip);
  ASSERT_TRUE(phone.selectApplication().isOk());
  Status s = phone.authenticate(keysOf(kOtherMrz));
  EXPECT_EQ(s.code(), ErrorCode::kPermissionDenied) << s.toString();
  EXPECT_NE(s.message().find("6300"), std::string::npos) << s.message();
  EXPECT_FALSE(chip.inSecureMessaging());
  EXPECT_EQ(phone.readFile(kFidDg1).status().code(), ErrorCode::kPermissionDenied);
  // The right MRZ still opens it afterwards.
  ASSERT_TRUE(phone.authenticate(keysOf(kOwnMrz)).isOk());
  EXPECT_TRUE(phone.readFile(kFidDg1).isOk());
}

TEST(SimChipTest, ATamperedProtectedCommandEndsTheSession) {
  SimChip chip = personalisedChip({0x61, 0x03, 0x5F, 0x1F, 0x00});
  ChipTerminal phone(chip);
  ASSERT_TRUE(phone.selectApplication().isOk());
  ASSERT_TRUE(phone.authenticate(keysOf(kOwnMrz)).isOk());
  // Someone else's protected READ BINARY (a MAC made with other keys).
  Bytes forged = {0x0C, 0xB0, 0x00, 0x00, 0x0D, 0x97, 0x01, 0x04, 0x8E, 0x08};
  forged.insert(forged.end(), 8, 0xAB);
  forged.push_back(0x00);
  EXPECT_EQ(send(chip, forged).sw, kSwSmDataObjectsIncorrect);
  EXPECT_FALSE(chip.inSecureMessaging());
}

TEST(SimChipTest, BrokenChipAnswers6F00AndMuteChipDoesNotAnswer) {
  SimChip chip;
  chip.setHealth(ChipHealth::kBroken);
  EXPECT_EQ(send(chip, selectApp()).sw, kSwNoDiagnosis);
  chip.setHealth(ChipHealth::kMute);
  Result<Response> r = chip.transmit(selectApp());
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  ChipTerminal terminal(chip);
  EXPECT_EQ(terminal.selectApplication().code(), ErrorCode::kUnavailable);
}

TEST(SimChipTest, TerminalWritesAndReadsWholeFilesAcrossChunksAndSurvivesPersistence) {
  SimChip chip;
  ChipTerminal terminal(chip);
  ASSERT_TRUE(terminal.selectApplication().isOk());
  // A 1000-byte TLV: tag 75, length 82 03 E4.
  Bytes file = {0x75, 0x82, 0x03, 0xE4};
  for (int i = 0; i < 996; ++i) file.push_back(static_cast<std::uint8_t>(i * 7));
  ASSERT_TRUE(terminal.writeFile(kFidDg2, file).isOk());
  Result<SimChip> copy = SimChip::deserialize(chip.serialize());
  ASSERT_TRUE(copy.isOk()) << copy.status().toString();
  ChipTerminal reader(copy.value());
  ASSERT_TRUE(reader.selectApplication().isOk());
  Result<Bytes> back = reader.readFile(kFidDg2);
  ASSERT_TRUE(back.isOk()) << back.status().toString();
  EXPECT_EQ(back.value(), file);
  EXPECT_GE(reader.apdus(), 2 + 4);  // select app, select EF, header, 4 chunks of <= 256
  EXPECT_EQ(reader.readFile(0x0177).status().code(), ErrorCode::kNotFound);
  // A blank EF (all 00) has no TLV header worth the name: tag 00 length 00 reads as empty file.
  Result<Bytes> blank = reader.readFile(kFidEfSod);
  ASSERT_TRUE(blank.isOk());
  EXPECT_EQ(blank->size(), 2u);
  // Persistence rejects garbage.
  EXPECT_EQ(SimChip::deserialize(Bytes{1, 2, 3}).status().code(), ErrorCode::kDataLoss);
  // A flipped byte shows on read-back.
  ASSERT_TRUE(copy->flipByte(kFidDg2, 10).isOk());
  ChipTerminal again(copy.value());
  ASSERT_TRUE(again.selectApplication().isOk());
  EXPECT_NE(again.readFile(kFidDg2).value(), file);
}

TEST(SimChipTest, UpdateAfterActivateFailsThroughTheTerminal) {
  SimChip chip;
  ChipTerminal terminal(chip);
  ASSERT_TRUE(terminal.selectApplication().isOk());
  EXPECT_EQ(terminal.activate().code(), ErrorCode::kUnavailable);  // no access keys yet
  ASSERT_TRUE(terminal.storeAccessKeys(keysOf(kOwnMrz)).isOk());
  ASSERT_TRUE(terminal.activate().isOk());
  Status s = terminal.writeFile(kFidDg1, Bytes{0x61, 0x01, 0x00});
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("6982"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace cardline::sim
