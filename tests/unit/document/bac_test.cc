// Basic Access Control and secure messaging against the worked example of ICAO Doc 9303 part 11,
// appendix D (document number L898902C<, born 690806, expiry 940623): every intermediate value
// the appendix lists, byte for byte, then the same exchange replayed between the terminal and
// chip halves of this code.

#include "mes/document/bac.h"

#include <gtest/gtest.h>

#include <string>

#include "mes/document/secure_messaging.h"

namespace cardline {
namespace {

Bytes H(const std::string& hex) {
  auto b = hexDecode(hex);
  EXPECT_TRUE(b.isOk()) << hex;
  return b.isOk() ? b.value() : Bytes();
}

// Appendix D values.
const char kMrzInformation[] = "L898902C<369080619406236";
const char kSeed[] = "239AB9CB282DAF66231DC5A4DF6BFBAE";
const char kKEnc[] = "AB94FDECF2674FDFB9B391F85D7F76F2";
const char kKMac[] = "7962D9ECE03D1ACD4C76089DCE131543";
const char kRndIc[] = "4608F91988702212";
const char kRndIfd[] = "781723860C06C226";
const char kKIfd[] = "0B795240CB7049B01C19B33E32804F0B";
const char kKIc[] = "0B4F80323EB3191CB04970CB4052790B";
const char kEIfd[] = "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2";
const char kMIfd[] = "5F1448EEA8AD90A7";
const char kEIc[] = "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F";
const char kMIc[] = "2F2D235D074D7449";
const char kKsEnc[] = "979EC13B1CBFE9DCD01AB0FED307EAE5";
const char kKsMac[] = "F1CB1F1FB5ADF208806B89DC579DC1F8";
const char kSsc[] = "887022120C06C226";

BacKeys exampleKeys() { return BacKeys{H(kKEnc), H(kKMac)}; }
TerminalNonce exampleTerminal() { return TerminalNonce{H(kRndIfd), H(kKIfd)}; }
BacSession exampleSession() { return BacSession{H(kKsEnc), H(kKsMac), H(kSsc)}; }

TEST(BacTest, MrzInformationFromTheFields) {
  auto info = bacMrzInformation("L898902C", "690806", "940623");
  ASSERT_TRUE(info.isOk()) << info.status().toString();
  EXPECT_EQ(info.value(), kMrzInformation);
  EXPECT_FALSE(bacMrzInformation("", "690806", "940623").isOk());
  EXPECT_FALSE(bacMrzInformation("L898902C", "6908", "940623").isOk());
  EXPECT_FALSE(bacMrzInformation("l898902c", "690806", "940623").isOk());
}

TEST(BacTest, MrzInformationCutFromATd1Mrz) {
  // The appendix's fields on a TD1 card.
  const MrzText td1{"I<UTOL898902C<3<<<<<<<<<<<<<<<", "6908061F9406236UTO<<<<<<<<<<<2",
                    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"};
  auto info = bacMrzInformation(td1);
  ASSERT_TRUE(info.isOk()) << info.status().toString();
  EXPECT_EQ(info.value(), kMrzInformation);
  auto keys = bacKeysFromMrz(td1);
  ASSERT_TRUE(keys.isOk());
  EXPECT_EQ(keys->k_enc, H(kKEnc));
  EXPECT_EQ(keys->k_mac, H(kKMac));
  EXPECT_FALSE(bacMrzInformation(MrzText{"short", "lines", ""}).isOk());
}

TEST(BacTest, KeySeedAndDocumentBasicAccessKeys) {
  const Bytes seed = bacKeySeed(kMrzInformation);
  EXPECT_EQ(seed, H(kSeed));
  EXPECT_EQ(deriveKey(seed, KeyPurpose::kEncryption), H(kKEnc));
  EXPECT_EQ(deriveKey(seed, KeyPurpose::kMac), H(kKMac));
  const BacKeys keys = deriveBacKeys(seed);
  EXPECT_EQ(keys.k_enc, H(kKEnc));
  EXPECT_EQ(keys.k_mac, H(kKMac));
}

TEST(BacTest, TripleDesAndRetailMacOfTheTerminalCryptogram) {
  const Bytes s = H(std::string(kRndIfd) + kRndIc + kKIfd);
  auto e = tripleDesEncrypt(H(kKEnc), s);
  ASSERT_TRUE(e.isOk()) << e.status().toString();
  EXPECT_EQ(e.value(), H(kEIfd));
  auto back = tripleDesDecrypt(H(kKEnc), e.value());
  ASSERT_TRUE(back.isOk());
  EXPECT_EQ(back.value(), s);
  auto m = retailMac(H(kKMac), padIso9797(e.value()));
  ASSERT_TRUE(m.isOk()) << m.status().toString();
  EXPECT_EQ(m.value(), H(kMIfd));
}

TEST(BacTest, PrimitivesRefuseBadSizes) {
  EXPECT_EQ(tripleDesEncrypt(H("0011"), Bytes(8)).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tripleDesEncrypt(H(kKEnc), Bytes(7)).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(retailMac(H(kKMac), Bytes()).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(padIso9797(Bytes(8, 1)).size(), 16u);
  EXPECT_EQ(padIso9797(Bytes(3, 1)), H("0101018000000000"));
  EXPECT_EQ(unpadIso9797(H("0101018000000000")).value(), H("010101"));
  EXPECT_EQ(unpadIso9797(H("0101010000000000")).status().code(), ErrorCode::kDataLoss);
}

TEST(BacTest, MutualAuthenticationAsInTheAppendix) {
  auto command = mutualAuthenticateData(exampleKeys(), H(kRndIc), exampleTerminal());
  ASSERT_TRUE(command.isOk()) << command.status().toString();
  EXPECT_EQ(command.value(), H(std::string(kEIfd) + kMIfd));

  auto chip =
      answerMutualAuthentication(exampleKeys(), ChipNonce{H(kRndIc), H(kKIc)}, command.value());
  ASSERT_TRUE(chip.isOk()) << chip.status().toString();
  EXPECT_EQ(chip->answer, H(std::string(kEIc) + kMIc));
  EXPECT_EQ(chip->session.ks_enc, H(kKsEnc));
  EXPECT_EQ(chip->session.ks_mac, H(kKsMac));
  EXPECT_EQ(chip->session.ssc, H(kSsc));

  auto session = completeMutualAuthentication(exampleKeys(), H(kRndIc), exampleTerminal(),
                                              H(std::string(kEIc) + kMIc));
  ASSERT_TRUE(session.isOk()) << session.status().toString();
  EXPECT_EQ(session->ks_enc, H(kKsEnc));
  EXPECT_EQ(session->ks_mac, H(kKsMac));
  EXPECT_EQ(session->ssc, H(kSsc));
}

TEST(BacTest, AnotherMrzIsRefusedByTheChipAndByTheTerminal) {
  auto other = bacMrzInformation("L898902D", "690806", "940623");
  ASSERT_TRUE(other.isOk());
  const BacKeys wrong = deriveBacKeys(bacKeySeed(other.value()));
  auto command = mutualAuthenticateData(wrong, H(kRndIc), exampleTerminal());
  ASSERT_TRUE(command.isOk());
  auto chip =
      answerMutualAuthentication(exampleKeys(), ChipNonce{H(kRndIc), H(kKIc)}, command.value());
  EXPECT_EQ(chip.status().code(), ErrorCode::kPermissionDenied);

  auto terminal = completeMutualAuthentication(wrong, H(kRndIc), exampleTerminal(),
                                               H(std::string(kEIc) + kMIc));
  EXPECT_EQ(terminal.status().code(), ErrorCode::kPermissionDenied);

  // The right keys but a stale challenge: the chip refuses too.
  auto right = mutualAuthenticateData(exampleKeys(), H("0000000000000000"), exampleTerminal());
  ASSERT_TRUE(right.isOk());
  EXPECT_EQ(answerMutualAuthentication(exampleKeys(), ChipNonce{H(kRndIc), H(kKIc)}, right.value())
                .status()
                .code(),
            ErrorCode::kPermissionDenied);
}

// Appendix D.4: SELECT EF.COM, READ BINARY of its first 4 bytes, READ BINARY of the remaining 18.
struct Step {
  CommandApdu plain;
  const char* protected_command;
  const char* protected_answer_data;  // without the status word 9000
  const char* plain_answer;
};

const Step kSteps[] = {
    {CommandApdu{0x00, 0xA4, 0x02, 0x0C, H("011E"), std::nullopt},
     "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "990290008E08FA855A5D4C50A8ED", ""},
    {CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, 4}, "0CB000000D9701048E08ED6705417E96BA5500",
     "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED", "60145F01"},
    {CommandApdu{0x00, 0xB0, 0x00, 0x04, {}, 18}, "0CB000040D9701128E082EA28A70F3C7B53500",
     "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D74",
     "04303130365F36063034303030305C026175"},
};

TEST(SecureMessagingTest, TerminalSideMatchesTheAppendix) {
  SecureMessaging sm(exampleSession());
  for (const Step& step : kSteps) {
    auto command = sm.protectCommand(step.plain);
    ASSERT_TRUE(command.isOk()) << command.status().toString();
    EXPECT_EQ(command.value(), H(step.protected_command));
    auto answer = sm.unprotectResponse(H(step.protected_answer_data), 0x9000);
    ASSERT_TRUE(answer.isOk()) << answer.status().toString();
    EXPECT_EQ(answer->sw, 0x9000);
    EXPECT_EQ(answer->data, H(step.plain_answer));
  }
  EXPECT_EQ(sm.ssc(), H("887022120C06C22C"));
}

TEST(SecureMessagingTest, ChipSideMatchesTheAppendix) {
  SecureMessaging sm(exampleSession());
  for (const Step& step : kSteps) {
    auto command = sm.unprotectCommand(H(step.protected_command));
    ASSERT_TRUE(command.isOk()) << command.status().toString();
    EXPECT_EQ(command->encode(), step.plain.encode());
    auto answer = sm.protectResponse(ResponseApdu{H(step.plain_answer), 0x9000});
    ASSERT_TRUE(answer.isOk()) << answer.status().toString();
    EXPECT_EQ(answer.value(), H(step.protected_answer_data));
  }
}

TEST(SecureMessagingTest, AlteredBytesAndReplaysAreRejected) {
  {
    SecureMessaging sm(exampleSession());
    Bytes command = H(kSteps[0].protected_command);
    command[8] ^= 0x01;  // inside DO'87'
    EXPECT_EQ(sm.unprotectCommand(command).status().code(), ErrorCode::kDataLoss);
  }
  {
    SecureMessaging sm(exampleSession());
    ASSERT_TRUE(sm.protectCommand(kSteps[0].plain).isOk());
    Bytes answer = H(kSteps[0].protected_answer_data);
    answer.back() ^= 0x01;  // the MAC
    EXPECT_EQ(sm.unprotectResponse(answer, 0x9000).status().code(), ErrorCode::kDataLoss);
  }
  {
    // The same protected command twice: the SSC has moved, the MAC no longer verifies.
    SecureMessaging sm(exampleSession());
    ASSERT_TRUE(sm.unprotectCommand(H(kSteps[0].protected_command)).isOk());
    ASSERT_TRUE(sm.protectResponse(ResponseApdu{{}, 0x9000}).isOk());
    EXPECT_EQ(sm.unprotectCommand(H(kSteps[0].protected_command)).status().code(),
              ErrorCode::kDataLoss);
  }
  {
    SecureMessaging sm(exampleSession());
    EXPECT_EQ(sm.unprotectCommand(H("00A4020C02011E")).status().code(), ErrorCode::kDataLoss);
  }
}

TEST(SecureMessagingTest, CommandApduRoundTrip) {
  for (const char* hex :
       {"00A4020C02011E", "00B0000004", "00B0000000", "0084000008",
        "0082000028"
        "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF0011223344556677"
        "28"}) {
    auto parsed = CommandApdu::parse(H(hex));
    ASSERT_TRUE(parsed.isOk()) << hex;
    EXPECT_EQ(parsed->encode(), H(hex));
  }
  EXPECT_FALSE(CommandApdu::parse(H("00A4020C05011E")).isOk());
  EXPECT_FALSE(CommandApdu::parse(H("00A4")).isOk());
}

}  // namespace
}  // namespace cardline
