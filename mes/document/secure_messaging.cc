#include "mes/document/secure_messaging.h"

#include <cstdio>
#include <string>

#include "mes/document/tlv.h"

namespace cardline {
namespace {

constexpr std::uint8_t kClaSm = 0x0C;
constexpr std::uint32_t kTagEncryptedData = 0x87;
constexpr std::uint32_t kTagLe = 0x97;
constexpr std::uint32_t kTagStatus = 0x99;
constexpr std::uint32_t kTagMac = 0x8E;
constexpr std::uint8_t kPaddingIndicator = 0x01;
constexpr std::size_t kMacSize = 8;

void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

// The data objects of a protected APDU, each with its encoded form (the MAC covers those bytes).
struct DataObjects {
  std::optional<Tlv> encrypted;
  Bytes encrypted_raw;
  std::optional<Tlv> le;
  Bytes le_raw;
  std::optional<Tlv> status;
  Bytes status_raw;
  std::optional<Tlv> mac;
};

Result<DataObjects> splitDataObjects(const Bytes& data) {
  auto decoded = decodeTlvSequence(data);
  if (!decoded.isOk()) return dataLoss("secure messaging: " + decoded.status().message());
  DataObjects out;
  for (Tlv& tlv : decoded.value()) {
    const Bytes raw = encodeTlv(tlv.tag, tlv.value);
    if (out.mac) return dataLoss("secure messaging: data object after DO'8E'");
    switch (tlv.tag) {
      case kTagEncryptedData:
        out.encrypted = std::move(tlv);
        out.encrypted_raw = raw;
        break;
      case kTagLe:
        out.le = std::move(tlv);
        out.le_raw = raw;
        break;
      case kTagStatus:
        out.status = std::move(tlv);
        out.status_raw = raw;
        break;
      case kTagMac:
        out.mac = std::move(tlv);
        break;
      default:
        return dataLoss("secure messaging: unexpected data object " +
                        hexEncode(encodeTag(tlv.tag)));
    }
  }
  if (!out.mac) return dataLoss("secure messaging: no DO'8E' (MAC)");
  return out;
}

// The padded command header CLA INS P1 P2 80 00 00 00 with the SM class.
Bytes paddedHeader(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2) {
  return padIso9797(Bytes{kClaSm, ins, p1, p2});
}

}  // namespace

Bytes CommandApdu::encode() const {
  Bytes out = {cla, ins, p1, p2};
  if (!data.empty()) {
    out.push_back(static_cast<std::uint8_t>(data.size()));
    append(out, data);
  }
  if (le) out.push_back(static_cast<std::uint8_t>(*le == 256 ? 0 : *le));
  return out;
}

Result<CommandApdu> CommandApdu::parse(const Bytes& apdu) {
  if (apdu.size() < 4) return invalidArgument("an APDU has at least 4 bytes");
  CommandApdu c;
  c.cla = apdu[0];
  c.ins = apdu[1];
  c.p1 = apdu[2];
  c.p2 = apdu[3];
  const std::size_t rest = apdu.size() - 4;
  const auto leOf = [](std::uint8_t b) { return b == 0 ? std::size_t{256} : std::size_t{b}; };
  if (rest == 0) return c;
  if (rest == 1) {
    c.le = leOf(apdu[4]);
    return c;
  }
  const std::size_t lc = apdu[4];
  if (lc == 0 || (rest != 1 + lc && rest != 2 + lc)) {
    return invalidArgument("APDU length byte " + std::to_string(lc) + " does not match its " +
                           std::to_string(apdu.size()) + " bytes");
  }
  c.data.assign(apdu.begin() + 5, apdu.begin() + 5 + static_cast<std::ptrdiff_t>(lc));
  if (rest == 2 + lc) c.le = leOf(apdu.back());
  return c;
}

SecureMessaging::SecureMessaging(BacSession session) : session_(std::move(session)) {}

void SecureMessaging::incrementSsc() {
  for (std::size_t i = session_.ssc.size(); i-- > 0;) {
    if (++session_.ssc[i] != 0) break;
  }
}

Result<Bytes> SecureMessaging::mac(const Bytes& data_objects) {
  Bytes n = session_.ssc;
  append(n, data_objects);
  return retailMac(session_.ks_mac, padIso9797(n));
}

Result<Bytes> SecureMessaging::protectCommand(const CommandApdu& plain) {
  if (plain.ins & 1) return invalidArgument("secure messaging: odd INS is not supported");
  Bytes objects;
  if (!plain.data.empty()) {
    CARDLINE_ASSIGN_OR_RETURN(Bytes encrypted,
                              tripleDesEncrypt(session_.ks_enc, padIso9797(plain.data)));
    encrypted.insert(encrypted.begin(), kPaddingIndicator);
    append(objects, encodeTlv(kTagEncryptedData, encrypted));
  }
  if (plain.le) {
    append(objects,
           encodeTlv(kTagLe, Bytes{static_cast<std::uint8_t>(*plain.le == 256 ? 0 : *plain.le)}));
  }
  incrementSsc();
  Bytes covered = paddedHeader(plain.ins, plain.p1, plain.p2);
  append(covered, objects);
  CARDLINE_ASSIGN_OR_RETURN(Bytes cc, mac(covered));
  append(objects, encodeTlv(kTagMac, cc));
  if (objects.size() > 255) {
    return invalidArgument("secure messaging: command data too long for a short APDU");
  }
  Bytes out = {kClaSm, plain.ins, plain.p1, plain.p2, static_cast<std::uint8_t>(objects.size())};
  append(out, objects);
  out.push_back(0x00);
  return out;
}

Result<ResponseApdu> SecureMessaging::unprotectResponse(const Bytes& data, std::uint16_t sw) {
  incrementSsc();
  if (data.empty()) {
    char text[5];
    std::snprintf(text, sizeof text, "%04X", static_cast<unsigned>(sw));
    return dataLoss(std::string("secure messaging: the chip answered ") + text +
                    " without secure messaging");
  }
  CARDLINE_ASSIGN_OR_RETURN(DataObjects dos, splitDataObjects(data));
  if (!dos.status || dos.status->value.size() != 2) {
    return dataLoss("secure messaging: no DO'99' (status word) in the answer");
  }
  Bytes covered = dos.encrypted_raw;
  append(covered, dos.status_raw);
  CARDLINE_ASSIGN_OR_RETURN(Bytes cc, mac(covered));
  if (cc != dos.mac->value) return dataLoss("secure messaging: the answer's MAC does not verify");
  ResponseApdu out;
  out.sw = static_cast<std::uint16_t>(dos.status->value[0] << 8 | dos.status->value[1]);
  if (dos.encrypted) {
    const Bytes& v = dos.encrypted->value;
    if (v.size() < 1 + 8 || v[0] != kPaddingIndicator) {
      return dataLoss("secure messaging: malformed DO'87' in the answer");
    }
    auto plain = tripleDesDecrypt(session_.ks_enc, Bytes(v.begin() + 1, v.end()));
    if (!plain.isOk()) return dataLoss("secure messaging: " + plain.status().message());
    CARDLINE_ASSIGN_OR_RETURN(out.data, unpadIso9797(plain.value()));
  }
  return out;
}

Result<CommandApdu> SecureMessaging::unprotectCommand(const Bytes& apdu) {
  incrementSsc();
  auto parsed = CommandApdu::parse(apdu);
  if (!parsed.isOk()) return dataLoss("secure messaging: " + parsed.status().message());
  const CommandApdu& wrapped = parsed.value();
  if (wrapped.cla != kClaSm) return dataLoss("secure messaging: CLA is not 0C");
  CARDLINE_ASSIGN_OR_RETURN(DataObjects dos, splitDataObjects(wrapped.data));
  if (dos.status) return dataLoss("secure messaging: DO'99' in a command");
  Bytes covered = paddedHeader(wrapped.ins, wrapped.p1, wrapped.p2);
  append(covered, dos.encrypted_raw);
  append(covered, dos.le_raw);
  CARDLINE_ASSIGN_OR_RETURN(Bytes cc, mac(covered));
  if (dos.mac->value.size() != kMacSize || cc != dos.mac->value) {
    return dataLoss("secure messaging: the command's MAC does not verify");
  }
  CommandApdu plain;
  plain.ins = wrapped.ins;
  plain.p1 = wrapped.p1;
  plain.p2 = wrapped.p2;
  if (dos.encrypted) {
    const Bytes& v = dos.encrypted->value;
    if (v.size() < 1 + 8 || v[0] != kPaddingIndicator) {
      return dataLoss("secure messaging: malformed DO'87' in the command");
    }
    auto data = tripleDesDecrypt(session_.ks_enc, Bytes(v.begin() + 1, v.end()));
    if (!data.isOk()) return dataLoss("secure messaging: " + data.status().message());
    CARDLINE_ASSIGN_OR_RETURN(plain.data, unpadIso9797(data.value()));
  }
  if (dos.le) {
    if (dos.le->value.size() != 1) return dataLoss("secure messaging: DO'97' is not one byte");
    plain.le = dos.le->value[0] == 0 ? 256 : dos.le->value[0];
  }
  return plain;
}

Result<Bytes> SecureMessaging::protectResponse(const ResponseApdu& plain) {
  Bytes objects;
  if (!plain.data.empty()) {
    CARDLINE_ASSIGN_OR_RETURN(Bytes encrypted,
                              tripleDesEncrypt(session_.ks_enc, padIso9797(plain.data)));
    encrypted.insert(encrypted.begin(), kPaddingIndicator);
    append(objects, encodeTlv(kTagEncryptedData, encrypted));
  }
  append(objects, encodeTlv(kTagStatus, Bytes{static_cast<std::uint8_t>(plain.sw >> 8),
                                              static_cast<std::uint8_t>(plain.sw)}));
  incrementSsc();
  CARDLINE_ASSIGN_OR_RETURN(Bytes cc, mac(objects));
  append(objects, encodeTlv(kTagMac, cc));
  return objects;
}

}  // namespace cardline
