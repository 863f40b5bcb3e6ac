#pragma once
// A simulated contact/contactless chip: an ISO/IEC 7816-4 file system with one application DF
// (the eMRTD LDS1 application, AID A0 00 00 02 47 10 01) holding transparent EFs of fixed size,
// driven by short APDUs, protected by Basic Access Control (ICAO 9303-11) once activated.
// Commands (CLA 00 unless marked):
//   SELECT       00 A4 04 0C Lc AID      select the application DF (always in the clear)
//                00 A4 02 0C 02 FID      select an EF of the current DF by file id
//   READ BINARY  00 B0 P1 P2 Le          read Le bytes (00 = 256) at offset P1P2 (15 bit)
//   UPDATE BINARY 00 D6 P1 P2 Lc data    write at offset P1P2
//   PUT DATA     00 DA 00 BA 20 Kenc||Kmac  store the BAC keys (personalisation; proprietary
//                                        tag BA, as real chips use their own commands here)
//   ACTIVATE     00 44 00 00             end of personalisation: refused (6985) until the BAC keys
//                                        are stored; UPDATE BINARY and PUT DATA are refused after
//   GET CHALLENGE 00 84 00 00 08         RND.IC (activated chips)
//   MUTUAL AUTHENTICATE 00 82 00 00 28 E.IFD||M.IFD 28   answers E.IC||M.IC, opens the session
//   0C ...       any of SELECT EF / READ BINARY wrapped in secure messaging (DO'87'/'97'/'8E')
// Before ACTIVATE every command works in the clear (the encoder writes and may read back). After
// it, SELECT EF and READ BINARY are answered only inside secure messaging after MUTUAL
// AUTHENTICATE; in the clear they get 6982. A failed MUTUAL AUTHENTICATE answers 6300; a
// protected command whose MAC does not verify, or any plain command during a session, ends the
// session (the former answers 6988).
// Status words: 9000 ok; 6282 end of file before Le bytes; 6300 authentication failed; 6700
// wrong length; 6982 security status not satisfied; 6985 conditions of use not satisfied (no
// challenge, no keys); 6986 no current EF; 6988 incorrect secure messaging data objects; 6A82
// file or application not found; 6A84 data does not fit the EF; 6A86 wrong P1/P2; 6B00 offset
// outside the EF; 6D00 unknown INS; 6E00 unknown CLA; 6F00 no precise diagnosis (a broken chip).
// Not thread-safe; one reader at a time, as with a real card.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/status.h"
#include "mes/document/bac.h"
#include "mes/document/secure_messaging.h"

namespace cardline::sim {

// File ids of the LDS1 application (ICAO 9303-10).
inline constexpr std::uint16_t kFidEfCom = 0x011E;
inline constexpr std::uint16_t kFidDg1 = 0x0101;
inline constexpr std::uint16_t kFidDg2 = 0x0102;
inline constexpr std::uint16_t kFidDg13 = 0x010D;
inline constexpr std::uint16_t kFidEfSod = 0x011D;
// The eMRTD application identifier.
const Bytes& ldsAid();

// Status words.
inline constexpr std::uint16_t kSwOk = 0x9000;
inline constexpr std::uint16_t kSwEndOfFile = 0x6282;
inline constexpr std::uint16_t kSwAuthenticationFailed = 0x6300;
inline constexpr std::uint16_t kSwWrongLength = 0x6700;
inline constexpr std::uint16_t kSwSecurityNotSatisfied = 0x6982;
inline constexpr std::uint16_t kSwConditionsNotSatisfied = 0x6985;
inline constexpr std::uint16_t kSwNoCurrentEf = 0x6986;
inline constexpr std::uint16_t kSwSmDataObjectsIncorrect = 0x6988;
inline constexpr std::uint16_t kSwFileNotFound = 0x6A82;
inline constexpr std::uint16_t kSwNotEnoughMemory = 0x6A84;
inline constexpr std::uint16_t kSwWrongP1P2 = 0x6A86;
inline constexpr std::uint16_t kSwWrongOffset = 0x6B00;
inline constexpr std::uint16_t kSwInsNotSupported = 0x6D00;
inline constexpr std::uint16_t kSwClaNotSupported = 0x6E00;
inline constexpr std::uint16_t kSwNoDiagnosis = 0x6F00;

// How a broken chip behaves.
enum class ChipHealth {
  kGood,
  kMute,    // no answer at all (transmit fails with kUnavailable)
  kBroken,  // answers every command with 6F00
};

// A response APDU: data then SW1 SW2.
struct Response {
  Bytes data;
  std::uint16_t sw = kSwOk;
};

class SimChip {
 public:
  // A blank chip as the card manufacturer delivers it: the application DF with its five EFs
  // (EF.COM 4096 B, DG1 4096 B, DG2 32767 B, DG13 4096 B, EF.SOD 4096 B), all bytes 00, no BAC
  // keys, not activated, healthy.
  SimChip();

  // Processes one command APDU. Malformed APDUs get a status word, never an error. Fails with
  // kUnavailable only when the chip is mute (ChipHealth::kMute): no answer to anything.
  Result<Response> transmit(const Bytes& apdu);

  ChipHealth health() const { return health_; }
  void setHealth(ChipHealth health) { health_ = health; }
  bool activated() const { return activated_; }
  // True while a BAC session is open (after MUTUAL AUTHENTICATE, until an error or power-off).
  bool inSecureMessaging() const { return session_.has_value(); }

  // Raw access for fault injection (a physical defect, not an APDU): flips every bit of the
  // byte at offset of EF fid. Fails with kNotFound for an unknown EF, kInvalidArgument for an
  // offset outside it.
  Status flipByte(std::uint16_t fid, std::size_t offset);

  // The persistent form (the carrier store's chip.bin: files, BAC keys, activation, health; not
  // the session, which a power-off ends) and back. deserialize fails with kDataLoss when the
  // bytes are not a chip image this class wrote.
  Bytes serialize() const;
  static Result<SimChip> deserialize(const Bytes& image);

 private:
  struct Ef {
    std::uint16_t fid = 0;
    Bytes data;  // fixed size
  };
  // A command in the clear or, from secure(), an unwrapped one.
  enum class Channel { kPlain, kSecure };
  Response dispatch(const Bytes& apdu, Channel channel);
  Response secure(const Bytes& apdu);
  Response select(const Bytes& apdu);
  Response readBinary(const Bytes& apdu);
  Response updateBinary(const Bytes& apdu);
  Response putData(const Bytes& apdu);
  Response getChallenge(const Bytes& apdu);
  Response mutualAuthenticate(const Bytes& apdu);
  Ef* findEf(std::uint16_t fid);

  std::vector<Ef> efs_;
  bool app_selected_ = false;
  std::optional<std::size_t> current_ef_;
  bool activated_ = false;
  ChipHealth health_ = ChipHealth::kGood;
  std::optional<BacKeys> bac_keys_;
  std::optional<Bytes> challenge_;          // RND.IC of the last GET CHALLENGE
  std::optional<SecureMessaging> session_;  // open BAC session
};

// The terminal side: whole-file reads and writes through APDUs; after authenticate() every
// command goes through secure messaging, as a phone or border reader does it.
class ChipTerminal {
 public:
  explicit ChipTerminal(SimChip& chip) : chip_(chip) {}

  // PUT DATA of the BAC keys (personalisation, before activate()). Fails as writeFile.
  Status storeAccessKeys(const BacKeys& keys);
  // Basic Access Control with the keys of the MRZ the reader holds: GET CHALLENGE, MUTUAL
  // AUTHENTICATE with fresh random RND.IFD and K.IFD, then secure messaging for every later
  // command. Fails with kPermissionDenied when the chip refuses (6300) or its answer does not
  // verify (the keys are not this chip's), kUnavailable on no answer or another status word.
  Status authenticate(const BacKeys& keys);

  // SELECT the LDS application. Fails with kUnavailable when the chip does not answer or
  // answers another status word than 9000 (the message holds it).
  Status selectApplication();
  // SELECT EF fid then UPDATE BINARY in chunks of at most 255 bytes. Fails with kUnavailable
  // on no answer, kFailedPrecondition on a refusing status word (message holds it).
  Status writeFile(std::uint16_t fid, const Bytes& content);
  // SELECT EF fid, READ BINARY its first 4 bytes, takes the BER-TLV length from them and reads
  // the rest in chunks of at most 256 bytes (223 inside secure messaging, so that the protected
  // answer fits a short response). Fails with kUnavailable on no answer or 6F00, kNotFound on
  // 6A82, kPermissionDenied on 6982 (an activated chip read without BAC), kDataLoss when the
  // header is not a valid TLV, the file is shorter than its TLV says, or a protected answer does
  // not verify.
  Result<Bytes> readFile(std::uint16_t fid);
  // ACTIVATE. Fails as selectApplication.
  Status activate();

  // APDUs sent so far.
  int apdus() const { return apdus_; }

 private:
  // Sends one command, wrapped in secure messaging once authenticated. A protected answer that
  // does not verify fails with kDataLoss.
  Result<Response> send(const Bytes& apdu);
  SimChip& chip_;
  int apdus_ = 0;
  std::optional<SecureMessaging> session_;
};

// "6A82" for a status word.
std::string swText(std::uint16_t sw);

}  // namespace cardline::sim
