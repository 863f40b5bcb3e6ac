#include "mes/document/bac.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>

#include "mes/document/openssl_util.h"

namespace cardline {
namespace {

constexpr std::size_t kBlock = 8;
constexpr std::size_t kKeySize = 16;
constexpr std::size_t kNonceSize = 8;
constexpr std::size_t kCryptogramSize = 32;
constexpr std::size_t kMacSize = 8;

using CipherCtxPtr =
    std::unique_ptr<EVP_CIPHER_CTX, ossl::Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;

enum class Direction { kEncrypt = 1, kDecrypt = 0 };

// One EVP pass without padding; the caller checks the sizes.
Result<Bytes> cipher(const EVP_CIPHER* type, const Bytes& key, const Bytes& data,
                     Direction direction) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  const unsigned char zero_iv[kBlock] = {};
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), type, nullptr, key.data(), zero_iv,
                        static_cast<int>(direction)) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) {
    return ossl::failure("3DES initialisation failed");
  }
  Bytes out(data.size() + kBlock);
  int n = 0;
  int tail = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n, data.data(), static_cast<int>(data.size())) !=
          1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) != 1) {
    return ossl::failure("3DES failed");
  }
  out.resize(static_cast<std::size_t>(n + tail));
  return out;
}

Status checkBlocks(const Bytes& key, const Bytes& data) {
  if (key.size() != kKeySize) {
    return invalidArgument("a 3DES key is 16 bytes, got " + std::to_string(key.size()));
  }
  if (data.size() % kBlock != 0) {
    return invalidArgument("3DES data must be a multiple of 8 bytes, got " +
                           std::to_string(data.size()));
  }
  return Status::ok();
}

std::uint8_t withOddParity(std::uint8_t b) {
  int ones = 0;
  for (int bit = 1; bit < 8; ++bit) ones += (b >> bit) & 1;
  return static_cast<std::uint8_t>((b & 0xFE) | (ones % 2 == 0 ? 1 : 0));
}

Bytes concat(std::initializer_list<const Bytes*> parts) {
  Bytes out;
  for (const Bytes* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

Bytes slice(const Bytes& b, std::size_t from, std::size_t n) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(from),
               b.begin() + static_cast<std::ptrdiff_t>(from + n));
}

// Constant-time comparison of two MACs of equal length.
bool sameMac(const Bytes& a, const Bytes& b) {
  if (a.size() != b.size()) return false;
  std::uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<std::uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

Status checkLength(const char* what, const Bytes& b, std::size_t want) {
  if (b.size() == want) return Status::ok();
  return invalidArgument(std::string(what) + " is " + std::to_string(want) + " bytes, got " +
                         std::to_string(b.size()));
}

// E || MAC(E) over plain (32 bytes).
Result<Bytes> cryptogram(const BacKeys& keys, const Bytes& plain) {
  CARDLINE_ASSIGN_OR_RETURN(Bytes e, tripleDesEncrypt(keys.k_enc, plain));
  CARDLINE_ASSIGN_OR_RETURN(Bytes m, retailMac(keys.k_mac, padIso9797(e)));
  return concat({&e, &m});
}

// Checks MAC(E) and decrypts E. kPermissionDenied on a wrong MAC.
Result<Bytes> openCryptogram(const BacKeys& keys, const Bytes& data, const char* what) {
  CARDLINE_RETURN_IF_ERROR(checkLength(what, data, kCryptogramSize + kMacSize));
  const Bytes e = slice(data, 0, kCryptogramSize);
  CARDLINE_ASSIGN_OR_RETURN(Bytes mac, retailMac(keys.k_mac, padIso9797(e)));
  if (!sameMac(mac, slice(data, kCryptogramSize, kMacSize))) {
    return permissionDenied(std::string(what) + ": MAC does not verify (other access keys)");
  }
  return tripleDesDecrypt(keys.k_enc, e);
}

}  // namespace

Result<std::string> bacMrzInformation(std::string_view document_number,
                                      std::string_view birth_yymmdd,
                                      std::string_view expiry_yymmdd) {
  if (document_number.empty() || document_number.size() > 9) {
    return invalidArgument("BAC: the document number must have 1 to 9 characters");
  }
  if (birth_yymmdd.size() != 6 || expiry_yymmdd.size() != 6) {
    return invalidArgument("BAC: dates are YYMMDD (6 characters)");
  }
  std::string number(document_number);
  number.resize(9, '<');
  std::string out;
  for (std::string_view field : {std::string_view(number), birth_yymmdd, expiry_yymmdd}) {
    CARDLINE_ASSIGN_OR_RETURN(char check, mrzCheckDigit(field));
    out += std::string(field) + check;
  }
  return out;
}

Result<std::string> bacMrzInformation(const MrzText& td1) {
  if (td1.line1.size() != 30 || td1.line2.size() != 30) {
    return invalidArgument("BAC: TD1 lines 1 and 2 must have 30 characters");
  }
  return td1.line1.substr(5, 10) + td1.line2.substr(0, 7) + td1.line2.substr(8, 7);
}

Bytes bacKeySeed(std::string_view mrz_information) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(mrz_information.data()), mrz_information.size(),
       digest);
  return Bytes(digest, digest + kKeySize);
}

Bytes deriveKey(const Bytes& seed, KeyPurpose purpose) {
  Bytes d = seed;
  const auto c = static_cast<std::uint32_t>(purpose);
  for (int shift = 24; shift >= 0; shift -= 8) d.push_back(static_cast<std::uint8_t>(c >> shift));
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(d.data(), d.size(), digest);
  Bytes key(digest, digest + kKeySize);
  for (std::uint8_t& b : key) b = withOddParity(b);
  return key;
}

BacKeys deriveBacKeys(const Bytes& seed) {
  return BacKeys{deriveKey(seed, KeyPurpose::kEncryption), deriveKey(seed, KeyPurpose::kMac)};
}

Result<BacKeys> bacKeysFromMrz(const MrzText& td1) {
  CARDLINE_ASSIGN_OR_RETURN(std::string info, bacMrzInformation(td1));
  return deriveBacKeys(bacKeySeed(info));
}

Result<Bytes> tripleDesEncrypt(const Bytes& key, const Bytes& data) {
  CARDLINE_RETURN_IF_ERROR(checkBlocks(key, data));
  return cipher(EVP_des_ede_cbc(), key, data, Direction::kEncrypt);
}

Result<Bytes> tripleDesDecrypt(const Bytes& key, const Bytes& data) {
  CARDLINE_RETURN_IF_ERROR(checkBlocks(key, data));
  return cipher(EVP_des_ede_cbc(), key, data, Direction::kDecrypt);
}

Bytes padIso9797(const Bytes& data) {
  Bytes out = data;
  out.push_back(0x80);
  while (out.size() % kBlock != 0) out.push_back(0x00);
  return out;
}

Result<Bytes> unpadIso9797(const Bytes& data) {
  std::size_t end = data.size();
  while (end > 0 && data[end - 1] == 0x00) --end;
  if (end == 0 || data[end - 1] != 0x80 || data.size() - end >= kBlock) {
    return dataLoss("the data does not end in ISO/IEC 9797-1 padding method 2");
  }
  return slice(data, 0, end - 1);
}

Result<Bytes> retailMac(const Bytes& key, const Bytes& padded) {
  CARDLINE_RETURN_IF_ERROR(checkBlocks(key, padded));
  if (padded.empty()) return invalidArgument("retail MAC over no data");
  // Single DES with K1 is 3DES-EDE with K1 || K1; the output transformation D_K2 then E_K1
  // of the last CBC block is 3DES-EDE (K1, K2) of the last block's input.
  const Bytes k1 = slice(key, 0, kBlock);
  const Bytes k1k1 = concat({&k1, &k1});
  Bytes last_input = slice(padded, padded.size() - kBlock, kBlock);
  if (padded.size() > kBlock) {
    CARDLINE_ASSIGN_OR_RETURN(
        Bytes chain, cipher(EVP_des_ede_cbc(), k1k1, slice(padded, 0, padded.size() - kBlock),
                            Direction::kEncrypt));
    for (std::size_t i = 0; i < kBlock; ++i) last_input[i] ^= chain[chain.size() - kBlock + i];
  }
  return cipher(EVP_des_ede_ecb(), key, last_input, Direction::kEncrypt);
}

Result<Bytes> randomBytes(std::size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    return ossl::failure("no random bytes");
  }
  return out;
}

BacSession deriveBacSession(const Bytes& k_ifd, const Bytes& k_ic, const Bytes& rnd_ic,
                            const Bytes& rnd_ifd) {
  Bytes seed(kKeySize);
  for (std::size_t i = 0; i < kKeySize; ++i) seed[i] = k_ifd[i] ^ k_ic[i];
  BacSession session;
  session.ks_enc = deriveKey(seed, KeyPurpose::kEncryption);
  session.ks_mac = deriveKey(seed, KeyPurpose::kMac);
  const Bytes ic_tail = slice(rnd_ic, 4, 4);
  const Bytes ifd_tail = slice(rnd_ifd, 4, 4);
  session.ssc = concat({&ic_tail, &ifd_tail});
  return session;
}

Result<Bytes> mutualAuthenticateData(const BacKeys& keys, const Bytes& rnd_ic,
                                     const TerminalNonce& terminal) {
  CARDLINE_RETURN_IF_ERROR(checkLength("RND.IC", rnd_ic, kNonceSize));
  CARDLINE_RETURN_IF_ERROR(checkLength("RND.IFD", terminal.rnd_ifd, kNonceSize));
  CARDLINE_RETURN_IF_ERROR(checkLength("K.IFD", terminal.k_ifd, kKeySize));
  return cryptogram(keys, concat({&terminal.rnd_ifd, &rnd_ic, &terminal.k_ifd}));
}

Result<BacSession> completeMutualAuthentication(const BacKeys& keys, const Bytes& rnd_ic,
                                                const TerminalNonce& terminal,
                                                const Bytes& chip_answer) {
  CARDLINE_RETURN_IF_ERROR(checkLength("RND.IC", rnd_ic, kNonceSize));
  CARDLINE_RETURN_IF_ERROR(checkLength("RND.IFD", terminal.rnd_ifd, kNonceSize));
  CARDLINE_RETURN_IF_ERROR(checkLength("K.IFD", terminal.k_ifd, kKeySize));
  CARDLINE_ASSIGN_OR_RETURN(Bytes r, openCryptogram(keys, chip_answer, "the chip's answer"));
  if (slice(r, 0, kNonceSize) != rnd_ic || slice(r, kNonceSize, kNonceSize) != terminal.rnd_ifd) {
    return permissionDenied("the chip's answer does not hold RND.IC || RND.IFD");
  }
  return deriveBacSession(terminal.k_ifd, slice(r, 2 * kNonceSize, kKeySize), rnd_ic,
                          terminal.rnd_ifd);
}

Result<ChipAuthentication> answerMutualAuthentication(const BacKeys& keys, const ChipNonce& chip,
                                                      const Bytes& command_data) {
  CARDLINE_RETURN_IF_ERROR(checkLength("RND.IC", chip.rnd_ic, kNonceSize));
  CARDLINE_RETURN_IF_ERROR(checkLength("K.IC", chip.k_ic, kKeySize));
  CARDLINE_ASSIGN_OR_RETURN(Bytes s, openCryptogram(keys, command_data, "MUTUAL AUTHENTICATE"));
  if (slice(s, kNonceSize, kNonceSize) != chip.rnd_ic) {
    return permissionDenied("MUTUAL AUTHENTICATE does not answer the chip's challenge");
  }
  const Bytes rnd_ifd = slice(s, 0, kNonceSize);
  const Bytes k_ifd = slice(s, 2 * kNonceSize, kKeySize);
  ChipAuthentication out;
  CARDLINE_ASSIGN_OR_RETURN(out.answer,
                            cryptogram(keys, concat({&chip.rnd_ic, &rnd_ifd, &chip.k_ic})));
  out.session = deriveBacSession(k_ifd, chip.k_ic, chip.rnd_ic, rnd_ifd);
  return out;
}

}  // namespace cardline
