#pragma once
// Secure messaging with the BAC session keys (ICAO Doc 9303 part 11, section 9.8, appendix D.4):
// a command's data travels encrypted in DO'87', its Le in DO'97', the answer's status word in
// DO'99', and DO'8E' holds a retail MAC over the send sequence counter (SSC, incremented before
// every command and every response) and the data objects. One SecureMessaging object is one
// side of one session: the terminal uses protectCommand/unprotectResponse, the chip
// unprotectCommand/protectResponse. Only short APDUs with even INS are supported (DO'85' of odd
// INS and extended length are not needed by the LDS1 reads). Not thread-safe (the SSC moves with
// every call), as a session is used by one reader at a time.

#include <cstdint>
#include <optional>

#include "mes/base/bytes.h"
#include "mes/base/status.h"
#include "mes/document/bac.h"

namespace cardline {

// A short command APDU (ISO/IEC 7816-4): header, optional data (1-255 bytes), optional Le
// (1-256; 256 is written 00).
struct CommandApdu {
  std::uint8_t cla = 0x00;
  std::uint8_t ins = 0x00;
  std::uint8_t p1 = 0x00;
  std::uint8_t p2 = 0x00;
  Bytes data;
  std::optional<std::size_t> le;

  Bytes encode() const;
  // Parses a short APDU (cases 1-4). Fails with kInvalidArgument when the length bytes do not
  // match the APDU's size.
  static Result<CommandApdu> parse(const Bytes& apdu);
};

// A response APDU's data and status word.
struct ResponseApdu {
  Bytes data;
  std::uint16_t sw = 0x9000;
};

class SecureMessaging {
 public:
  // keys: a session from completeMutualAuthentication (terminal) or answerMutualAuthentication
  // (chip).
  explicit SecureMessaging(BacSession session);

  // The current send sequence counter (8 bytes).
  const Bytes& ssc() const { return session_.ssc; }

  // Terminal: the protected form of a plain command (CLA with the SM bits 0C, Lc, DO'87',
  // DO'97', DO'8E', Le 00). Fails with kInvalidArgument when the plain command has an odd INS
  // or data that does not fit a short APDU once protected.
  Result<Bytes> protectCommand(const CommandApdu& plain);

  // Terminal: checks and opens the chip's answer to the last protected command (data = the
  // response data field, sw = its status word). Fails with kDataLoss when DO'99' or DO'8E' is
  // missing, the MAC does not verify or the padding is wrong: the session must then be
  // abandoned (the chip has ended it).
  Result<ResponseApdu> unprotectResponse(const Bytes& data, std::uint16_t sw);

  // Chip: checks and opens a protected command. Fails with kDataLoss when the CLA is not 0C,
  // DO'8E' is missing or does not verify, or the data objects are malformed; the chip then
  // answers 6987/6988 in the clear and ends the session.
  Result<CommandApdu> unprotectCommand(const Bytes& apdu);

  // Chip: the protected answer (data field: DO'87' when there is data, DO'99', DO'8E'); the
  // outer status word is plain.sw. Fails with kInternal only on an OpenSSL failure.
  Result<Bytes> protectResponse(const ResponseApdu& plain);

 private:
  void incrementSsc();
  Result<Bytes> mac(const Bytes& data_objects_with_ssc);

  BacSession session_;
};

}  // namespace cardline
