#pragma once
// Basic Access Control (ICAO Doc 9303 part 11, sections 4.3 and 9.7, appendix D): the keys a
// reader derives from the MRZ, the cryptographic primitives BAC uses (two-key 3DES in CBC mode
// with a zero IV, ISO/IEC 9797-1 MAC algorithm 3 with padding method 2) and both halves of the
// mutual authentication (the terminal's and the chip's). Secure messaging over the session keys
// is in secure_messaging.h. Random numbers are parameters, so the worked example of appendix D
// can be replayed byte for byte; randomBytes() draws real ones. Pure functions; thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

#include "mes/base/bytes.h"
#include "mes/base/status.h"
#include "mes/document/mrz.h"

namespace cardline {

// The two 16-byte two-key 3DES keys (K1 || K2), parity bits adjusted.
struct BacKeys {
  Bytes k_enc;
  Bytes k_mac;
};

// The MRZ information BAC keys are derived from: document number (padded with '<' to 9
// characters) + its check digit + date of birth YYMMDD + check digit + date of expiry YYMMDD +
// check digit, e.g. "L898902C<369080619406236". Fails with kInvalidArgument when a field has
// characters outside the MRZ alphabet, the number is empty or longer than 9 characters, or a
// date is not 6 characters.
Result<std::string> bacMrzInformation(std::string_view document_number,
                                      std::string_view birth_yymmdd,
                                      std::string_view expiry_yymmdd);

// The same string cut from a TD1 MRZ exactly as printed (line 1 positions 6-15, line 2
// positions 1-7 and 9-15), as a phone's camera reads it. A card without expiry keeps its filler
// characters. Fails with kInvalidArgument when a line is not 30 characters.
Result<std::string> bacMrzInformation(const MrzText& td1);

// K_seed: the first 16 bytes of SHA-1 over the MRZ information.
Bytes bacKeySeed(std::string_view mrz_information);

// Which key a seed is expanded to (the 32-bit counter c of 9303-11 section 9.7.1).
enum class KeyPurpose { kEncryption = 1, kMac = 2 };

// The first 16 bytes of SHA-1(seed || c) with the DES parity bits adjusted (odd parity).
Bytes deriveKey(const Bytes& seed, KeyPurpose purpose);

// K_enc and K_mac of a seed.
BacKeys deriveBacKeys(const Bytes& seed);

// The document basic access keys of a TD1 MRZ (bacMrzInformation, then the seed). Fails as
// bacMrzInformation.
Result<BacKeys> bacKeysFromMrz(const MrzText& td1);

// Two-key 3DES (EDE) in CBC mode with a zero IV and no padding. Fail with kInvalidArgument
// when the key is not 16 bytes or the data is not a multiple of 8 bytes, kInternal on an
// OpenSSL failure.
Result<Bytes> tripleDesEncrypt(const Bytes& key, const Bytes& data);
Result<Bytes> tripleDesDecrypt(const Bytes& key, const Bytes& data);

// ISO/IEC 9797-1 padding method 2: 0x80 then zero bytes up to a multiple of 8 (always adds at
// least one byte).
Bytes padIso9797(const Bytes& data);
// Removes that padding. Fails with kDataLoss when data does not end in it.
Result<Bytes> unpadIso9797(const Bytes& data);

// ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") with DES: CBC-DES with K1 over every block,
// then decrypt with K2 and encrypt with K1 the last one; 8 bytes. `padded` must already be
// padded (padIso9797). Fails with kInvalidArgument on a key that is not 16 bytes or data that
// is not a non-empty multiple of 8 bytes.
Result<Bytes> retailMac(const Bytes& key, const Bytes& padded);

// n cryptographically random bytes (OpenSSL RAND_bytes). Fails with kInternal when the
// generator is not seeded.
Result<Bytes> randomBytes(std::size_t n);

// The session after a successful mutual authentication.
struct BacSession {
  Bytes ks_enc;  // 16 bytes
  Bytes ks_mac;  // 16 bytes
  Bytes ssc;     // 8 bytes: the last 4 bytes of RND.IC || the last 4 bytes of RND.IFD
};

// The terminal's nonces and key share (RND.IFD 8 bytes, K.IFD 16 bytes).
struct TerminalNonce {
  Bytes rnd_ifd;
  Bytes k_ifd;
};

// The chip's nonce (RND.IC, answered to GET CHALLENGE) and key share K.IC (16 bytes).
struct ChipNonce {
  Bytes rnd_ic;
  Bytes k_ic;
};

// Terminal, step 1: the MUTUAL AUTHENTICATE command data E.IFD || M.IFD (40 bytes) for the
// chip's challenge rnd_ic. Fails with kInvalidArgument on wrong lengths.
Result<Bytes> mutualAuthenticateData(const BacKeys& keys, const Bytes& rnd_ic,
                                     const TerminalNonce& terminal);

// Terminal, step 2: checks the chip's answer E.IC || M.IC (40 bytes) and derives the session.
// Fails with kPermissionDenied when the MAC is wrong or the nonces in it are not RND.IC and
// RND.IFD (the chip does not hold the keys of this MRZ), kInvalidArgument on wrong lengths.
Result<BacSession> completeMutualAuthentication(const BacKeys& keys, const Bytes& rnd_ic,
                                                const TerminalNonce& terminal,
                                                const Bytes& chip_answer);

// What the chip answers to a valid MUTUAL AUTHENTICATE.
struct ChipAuthentication {
  Bytes answer;  // E.IC || M.IC, 40 bytes
  BacSession session;
};

// Chip: checks the terminal's command data E.IFD || M.IFD against its keys and its last
// challenge, answers and derives the same session. Fails with kPermissionDenied when the MAC is
// wrong or the decrypted RND.IC is not the challenge (a reader with another card's MRZ),
// kInvalidArgument on wrong lengths.
Result<ChipAuthentication> answerMutualAuthentication(const BacKeys& keys, const ChipNonce& chip,
                                                      const Bytes& command_data);

// The session keys and SSC from both key shares and both nonces (9303-11 section 9.7.4).
BacSession deriveBacSession(const Bytes& k_ifd, const Bytes& k_ic, const Bytes& rnd_ic,
                            const Bytes& rnd_ifd);

}  // namespace cardline
