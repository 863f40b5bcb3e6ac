#pragma once
// A simulated contact/contactless chip: an ISO/IEC 7816-4 file system with one application DF
// (the eMRTD LDS1 application, AID A0 00 00 02 47 10 01) holding transparent EFs of fixed size,
// driven by short APDUs. Supported commands (CLA 00):
//   SELECT       00 A4 04 0C Lc AID      select the application DF
//                00 A4 02 0C 02 FID      select an EF of the current DF by file id
//   READ BINARY  00 B0 P1 P2 Le          read Le bytes (00 = 256) at offset P1P2 (15 bit)
//   UPDATE BINARY 00 D6 P1 P2 Lc data    write at offset P1P2
//   ACTIVATE     00 44 00 00             end of personalisation: UPDATE BINARY is refused after
// Status words: 9000 ok; 6282 end of file before Le bytes; 6700 wrong length; 6982 security
// status not satisfied (UPDATE after ACTIVATE); 6986 no current EF; 6A82 file or application
// not found; 6A84 data does not fit the EF; 6A86 wrong P1/P2; 6B00 offset outside the EF;
// 6D00 unknown INS; 6E00 unknown CLA; 6F00 no precise diagnosis (a broken chip).
// Not thread-safe; one reader at a time, as with a real card.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

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
inline constexpr std::uint16_t kSwWrongLength = 0x6700;
inline constexpr std::uint16_t kSwSecurityNotSatisfied = 0x6982;
inline constexpr std::uint16_t kSwNoCurrentEf = 0x6986;
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
  // (EF.COM 4096 B, DG1 4096 B, DG2 32767 B, DG13 4096 B, EF.SOD 4096 B), all bytes 00, not
  // activated, healthy.
  SimChip();

  // Processes one command APDU. Malformed APDUs get a status word, never an error. Fails with
  // kUnavailable only when the chip is mute (ChipHealth::kMute): no answer to anything.
  Result<Response> transmit(const Bytes& apdu);

  ChipHealth health() const { return health_; }
  void setHealth(ChipHealth health) { health_ = health; }
  bool activated() const { return activated_; }

  // Raw access for fault injection (a physical defect, not an APDU): flips every bit of the
  // byte at offset of EF fid. Fails with kNotFound for an unknown EF, kInvalidArgument for an
  // offset outside it.
  Status flipByte(std::uint16_t fid, std::size_t offset);

  // The persistent form (the carrier store's chip.bin) and back. deserialize fails with
  // kDataLoss when the bytes are not a chip image this class wrote.
  Bytes serialize() const;
  static Result<SimChip> deserialize(const Bytes& image);

 private:
  struct Ef {
    std::uint16_t fid = 0;
    Bytes data;  // fixed size
  };
  Response select(const Bytes& apdu);
  Response readBinary(const Bytes& apdu);
  Response updateBinary(const Bytes& apdu);
  Ef* findEf(std::uint16_t fid);

  std::vector<Ef> efs_;
  bool app_selected_ = false;
  std::optional<std::size_t> current_ef_;
  bool activated_ = false;
  ChipHealth health_ = ChipHealth::kGood;
};

// The terminal side: whole-file reads and writes through APDUs.
class ChipTerminal {
 public:
  explicit ChipTerminal(SimChip& chip) : chip_(chip) {}

  // SELECT the LDS application. Fails with kUnavailable when the chip does not answer or
  // answers another status word than 9000 (the message holds it).
  Status selectApplication();
  // SELECT EF fid then UPDATE BINARY in chunks of at most 255 bytes. Fails with kUnavailable
  // on no answer, kFailedPrecondition on a refusing status word (message holds it).
  Status writeFile(std::uint16_t fid, const Bytes& content);
  // SELECT EF fid, READ BINARY its first 4 bytes, takes the BER-TLV length from them and reads
  // the rest in chunks of at most 256 bytes. Fails with kUnavailable on no answer or 6F00,
  // kNotFound on 6A82, kDataLoss when the header is not a valid TLV or the file is shorter
  // than its TLV says.
  Result<Bytes> readFile(std::uint16_t fid);
  // ACTIVATE. Fails as selectApplication.
  Status activate();

  // APDUs sent so far.
  int apdus() const { return apdus_; }

 private:
  Result<Response> send(const Bytes& apdu);
  SimChip& chip_;
  int apdus_ = 0;
};

// "6A82" for a status word.
std::string swText(std::uint16_t sw);

}  // namespace cardline::sim
