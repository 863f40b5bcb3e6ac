#include "devices/sim/iso7816_chip.h"

#include <algorithm>
#include <cstdio>

namespace cardline::sim {
namespace {

constexpr std::uint8_t kInsSelect = 0xA4;
constexpr std::uint8_t kInsReadBinary = 0xB0;
constexpr std::uint8_t kInsUpdateBinary = 0xD6;
constexpr std::uint8_t kInsActivate = 0x44;
constexpr std::uint8_t kInsPutData = 0xDA;
constexpr std::uint8_t kInsGetChallenge = 0x84;
constexpr std::uint8_t kInsMutualAuthenticate = 0x82;
constexpr std::uint8_t kClaSecureMessaging = 0x0C;
constexpr std::uint8_t kTagBacKeys = 0xBA;
constexpr std::size_t kBacKeysSize = 32;
constexpr std::size_t kChallengeSize = 8;
constexpr std::size_t kAuthenticationSize = 40;
// The largest READ BINARY chunk inside secure messaging: 223 bytes pad to 224, DO'87' (227),
// DO'99' (4) and DO'8E' (10) stay within a short response.
constexpr std::size_t kSecureChunk = 0xDF;
constexpr char kMagic[] = "SIMCHIP2";
constexpr std::size_t kMagicSize = 8;

Response sw(std::uint16_t word) { return Response{{}, word}; }

std::size_t offsetOf(const Bytes& apdu) {
  return static_cast<std::size_t>((apdu[2] & 0x7F) << 8 | apdu[3]);
}

void putU16(Bytes& out, std::size_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

Bytes apdu(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, const Bytes& data,
           std::optional<std::size_t> le) {
  Bytes out = {0x00, ins, p1, p2};
  if (!data.empty()) {
    out.push_back(static_cast<std::uint8_t>(data.size()));
    out.insert(out.end(), data.begin(), data.end());
  }
  if (le) out.push_back(static_cast<std::uint8_t>(*le == 256 ? 0 : *le));
  return out;
}

}  // namespace

const Bytes& ldsAid() {
  static const Bytes kAid = {0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01};
  return kAid;
}

std::string swText(std::uint16_t word) {
  char text[8];
  std::snprintf(text, sizeof text, "%04X", static_cast<unsigned>(word));
  return text;
}

SimChip::SimChip() {
  const std::pair<std::uint16_t, std::size_t> kFiles[] = {
      {kFidEfCom, 4096}, {kFidDg1, 4096}, {kFidDg2, 32767}, {kFidDg13, 4096}, {kFidEfSod, 4096}};
  for (const auto& [fid, size] : kFiles) efs_.push_back(Ef{fid, Bytes(size, 0x00)});
}

SimChip::Ef* SimChip::findEf(std::uint16_t fid) {
  for (Ef& ef : efs_) {
    if (ef.fid == fid) return &ef;
  }
  return nullptr;
}

Result<Response> SimChip::transmit(const Bytes& apdu_bytes) {
  if (health_ == ChipHealth::kMute) return unavailable("the chip does not answer");
  if (health_ == ChipHealth::kBroken) return sw(kSwNoDiagnosis);
  if (apdu_bytes.size() < 4) return sw(kSwWrongLength);
  if (apdu_bytes[0] == kClaSecureMessaging) return secure(apdu_bytes);
  if (apdu_bytes[0] != 0x00) return sw(kSwClaNotSupported);
  session_.reset();  // a plain command ends a BAC session
  return dispatch(apdu_bytes, Channel::kPlain);
}

Response SimChip::dispatch(const Bytes& a, Channel channel) {
  const bool locked = activated_ && channel == Channel::kPlain;
  switch (a[1]) {
    case kInsSelect:
      if (locked && a.size() > 2 && a[2] != 0x04) return sw(kSwSecurityNotSatisfied);
      return select(a);
    case kInsReadBinary:
      if (locked) return sw(kSwSecurityNotSatisfied);
      return readBinary(a);
    case kInsUpdateBinary:
      return updateBinary(a);
    case kInsPutData:
      return putData(a);
    case kInsGetChallenge:
      return getChallenge(a);
    case kInsMutualAuthenticate:
      return mutualAuthenticate(a);
    case kInsActivate:
      if (a.size() != 4) return sw(kSwWrongLength);
      if (!bac_keys_) return sw(kSwConditionsNotSatisfied);
      activated_ = true;
      return sw(kSwOk);
    default:
      return sw(kSwInsNotSupported);
  }
}

Response SimChip::secure(const Bytes& a) {
  if (!session_) return sw(kSwSecurityNotSatisfied);
  auto plain = session_->unprotectCommand(a);
  if (!plain.isOk()) {
    session_.reset();
    return sw(kSwSmDataObjectsIncorrect);
  }
  const std::uint8_t ins = plain->ins;
  if (ins != kInsSelect && ins != kInsReadBinary) {
    session_.reset();
    return sw(kSwSmDataObjectsIncorrect);
  }
  const Response answer = dispatch(plain->encode(), Channel::kSecure);
  auto wrapped = session_->protectResponse(ResponseApdu{answer.data, answer.sw});
  if (!wrapped.isOk()) {
    session_.reset();
    return sw(kSwNoDiagnosis);
  }
  return Response{std::move(wrapped.value()), answer.sw};
}

Response SimChip::putData(const Bytes& a) {
  if (a.size() != 5 + kBacKeysSize || a[4] != kBacKeysSize) return sw(kSwWrongLength);
  if (a[2] != 0x00 || a[3] != kTagBacKeys) return sw(kSwWrongP1P2);
  if (activated_) return sw(kSwSecurityNotSatisfied);
  bac_keys_ = BacKeys{Bytes(a.begin() + 5, a.begin() + 21), Bytes(a.begin() + 21, a.end())};
  return sw(kSwOk);
}

Response SimChip::getChallenge(const Bytes& a) {
  if (a.size() != 5 || a[4] != kChallengeSize) return sw(kSwWrongLength);
  if (!bac_keys_) return sw(kSwConditionsNotSatisfied);
  auto rnd = randomBytes(kChallengeSize);
  if (!rnd.isOk()) return sw(kSwNoDiagnosis);
  challenge_ = rnd.value();
  return Response{std::move(rnd.value()), kSwOk};
}

Response SimChip::mutualAuthenticate(const Bytes& a) {
  if (a.size() != 6 + kAuthenticationSize || a[4] != kAuthenticationSize ||
      a.back() != kAuthenticationSize) {
    return sw(kSwWrongLength);
  }
  if (!bac_keys_ || !challenge_) return sw(kSwConditionsNotSatisfied);
  const Bytes rnd_ic = *challenge_;
  challenge_.reset();  // one attempt per challenge
  auto k_ic = randomBytes(16);
  if (!k_ic.isOk()) return sw(kSwNoDiagnosis);
  auto answer = answerMutualAuthentication(*bac_keys_, ChipNonce{rnd_ic, k_ic.value()},
                                           Bytes(a.begin() + 5, a.end() - 1));
  if (!answer.isOk()) return sw(kSwAuthenticationFailed);
  session_.emplace(answer->session);
  return Response{answer->answer, kSwOk};
}

Response SimChip::select(const Bytes& a) {
  if (a.size() < 5 || a.size() != 5u + a[4]) return sw(kSwWrongLength);
  const Bytes data(a.begin() + 5, a.end());
  if (a[2] == 0x04) {
    if (data != ldsAid()) return sw(kSwFileNotFound);
    app_selected_ = true;
    current_ef_.reset();
    return sw(kSwOk);
  }
  if (a[2] == 0x02) {
    if (data.size() != 2) return sw(kSwWrongLength);
    if (!app_selected_) return sw(kSwFileNotFound);
    const auto fid = static_cast<std::uint16_t>(data[0] << 8 | data[1]);
    for (std::size_t i = 0; i < efs_.size(); ++i) {
      if (efs_[i].fid == fid) {
        current_ef_ = i;
        return sw(kSwOk);
      }
    }
    return sw(kSwFileNotFound);
  }
  return sw(kSwWrongP1P2);
}

Response SimChip::readBinary(const Bytes& a) {
  if (a.size() != 5) return sw(kSwWrongLength);
  if (a[2] & 0x80) return sw(kSwWrongP1P2);  // short-EF-id addressing is not supported
  if (!current_ef_) return sw(kSwNoCurrentEf);
  const Bytes& data = efs_[*current_ef_].data;
  const std::size_t offset = offsetOf(a);
  const std::size_t le = a[4] == 0 ? 256 : a[4];
  if (offset >= data.size()) return sw(kSwWrongOffset);
  const std::size_t n = std::min(le, data.size() - offset);
  Response r;
  r.data.assign(data.begin() + static_cast<std::ptrdiff_t>(offset),
                data.begin() + static_cast<std::ptrdiff_t>(offset + n));
  r.sw = n < le ? kSwEndOfFile : kSwOk;
  return r;
}

Response SimChip::updateBinary(const Bytes& a) {
  if (a.size() < 6 || a.size() != 5u + a[4] || a[4] == 0) return sw(kSwWrongLength);
  if (a[2] & 0x80) return sw(kSwWrongP1P2);
  if (!current_ef_) return sw(kSwNoCurrentEf);
  if (activated_) return sw(kSwSecurityNotSatisfied);
  Bytes& data = efs_[*current_ef_].data;
  const std::size_t offset = offsetOf(a);
  const std::size_t n = a[4];
  if (offset >= data.size()) return sw(kSwWrongOffset);
  if (offset + n > data.size()) return sw(kSwNotEnoughMemory);
  std::copy(a.begin() + 5, a.end(), data.begin() + static_cast<std::ptrdiff_t>(offset));
  return sw(kSwOk);
}

Status SimChip::flipByte(std::uint16_t fid, std::size_t offset) {
  Ef* ef = findEf(fid);
  if (ef == nullptr) return notFound("no EF " + swText(fid));
  if (offset >= ef->data.size()) return invalidArgument("offset outside EF " + swText(fid));
  ef->data[offset] = static_cast<std::uint8_t>(~ef->data[offset]);
  return Status::ok();
}

Bytes SimChip::serialize() const {
  Bytes out(kMagic, kMagic + kMagicSize);
  out.push_back(activated_ ? 1 : 0);
  out.push_back(static_cast<std::uint8_t>(health_));
  out.push_back(bac_keys_ ? 1 : 0);
  if (bac_keys_) {
    out.insert(out.end(), bac_keys_->k_enc.begin(), bac_keys_->k_enc.end());
    out.insert(out.end(), bac_keys_->k_mac.begin(), bac_keys_->k_mac.end());
  }
  out.push_back(static_cast<std::uint8_t>(efs_.size()));
  for (const Ef& ef : efs_) {
    putU16(out, ef.fid);
    putU16(out, ef.data.size());
    out.insert(out.end(), ef.data.begin(), ef.data.end());
  }
  return out;
}

Result<SimChip> SimChip::deserialize(const Bytes& image) {
  const auto bad = [] { return dataLoss("chip.bin is not a simulated chip image"); };
  if (image.size() < kMagicSize + 4 || !std::equal(kMagic, kMagic + kMagicSize, image.begin())) {
    return bad();
  }
  SimChip chip;
  chip.efs_.clear();
  std::size_t pos = kMagicSize;
  chip.activated_ = image[pos++] != 0;
  const std::uint8_t health = image[pos++];
  if (health > static_cast<std::uint8_t>(ChipHealth::kBroken)) return bad();
  chip.health_ = static_cast<ChipHealth>(health);
  const std::uint8_t has_keys = image[pos++];
  if (has_keys > 1) return bad();
  if (has_keys == 1) {
    if (pos + kBacKeysSize + 1 > image.size()) return bad();
    const auto at = [&](std::size_t offset) {
      return image.begin() + static_cast<std::ptrdiff_t>(pos + offset);
    };
    chip.bac_keys_ = BacKeys{Bytes(at(0), at(16)), Bytes(at(16), at(32))};
    pos += kBacKeysSize;
  }
  if (pos >= image.size()) return bad();
  const std::size_t count = image[pos++];
  for (std::size_t i = 0; i < count; ++i) {
    if (pos + 4 > image.size()) return bad();
    Ef ef;
    ef.fid = static_cast<std::uint16_t>(image[pos] << 8 | image[pos + 1]);
    const std::size_t size = static_cast<std::size_t>(image[pos + 2] << 8 | image[pos + 3]);
    pos += 4;
    if (pos + size > image.size()) return bad();
    ef.data.assign(image.begin() + static_cast<std::ptrdiff_t>(pos),
                   image.begin() + static_cast<std::ptrdiff_t>(pos + size));
    pos += size;
    chip.efs_.push_back(std::move(ef));
  }
  if (pos != image.size()) return bad();
  return chip;
}

Result<Response> ChipTerminal::send(const Bytes& a) {
  ++apdus_;
  if (!session_) return chip_.transmit(a);
  CARDLINE_ASSIGN_OR_RETURN(CommandApdu plain, CommandApdu::parse(a));
  CARDLINE_ASSIGN_OR_RETURN(Bytes wrapped, session_->protectCommand(plain));
  CARDLINE_ASSIGN_OR_RETURN(Response r, chip_.transmit(wrapped));
  if (r.sw == kSwNoDiagnosis && r.data.empty()) return r;  // a broken chip
  auto opened = session_->unprotectResponse(r.data, r.sw);
  if (!opened.isOk()) {
    session_.reset();
    return opened.status();
  }
  return Response{std::move(opened->data), opened->sw};
}

Status ChipTerminal::storeAccessKeys(const BacKeys& keys) {
  Bytes data = keys.k_enc;
  data.insert(data.end(), keys.k_mac.begin(), keys.k_mac.end());
  CARDLINE_ASSIGN_OR_RETURN(Response r, send(apdu(kInsPutData, 0x00, kTagBacKeys, data, {})));
  if (r.sw != kSwOk) return failedPrecondition("PUT DATA (BAC keys) answered " + swText(r.sw));
  return Status::ok();
}

Status ChipTerminal::authenticate(const BacKeys& keys) {
  session_.reset();
  CARDLINE_ASSIGN_OR_RETURN(Response challenge,
                            send(apdu(kInsGetChallenge, 0, 0, {}, kChallengeSize)));
  if (challenge.sw != kSwOk || challenge.data.size() != kChallengeSize) {
    return unavailable("GET CHALLENGE answered " + swText(challenge.sw));
  }
  CARDLINE_ASSIGN_OR_RETURN(Bytes rnd_ifd, randomBytes(kChallengeSize));
  CARDLINE_ASSIGN_OR_RETURN(Bytes k_ifd, randomBytes(16));
  const TerminalNonce terminal{rnd_ifd, k_ifd};
  CARDLINE_ASSIGN_OR_RETURN(Bytes data, mutualAuthenticateData(keys, challenge.data, terminal));
  CARDLINE_ASSIGN_OR_RETURN(Response answer,
                            send(apdu(kInsMutualAuthenticate, 0, 0, data, kAuthenticationSize)));
  if (answer.sw == kSwAuthenticationFailed) {
    return permissionDenied("MUTUAL AUTHENTICATE answered 6300: the chip holds other access keys");
  }
  if (answer.sw != kSwOk) return unavailable("MUTUAL AUTHENTICATE answered " + swText(answer.sw));
  CARDLINE_ASSIGN_OR_RETURN(BacSession session, completeMutualAuthentication(
                                                    keys, challenge.data, terminal, answer.data));
  session_.emplace(std::move(session));
  return Status::ok();
}

Status ChipTerminal::selectApplication() {
  CARDLINE_ASSIGN_OR_RETURN(Response r, send(apdu(kInsSelect, 0x04, 0x0C, ldsAid(), {})));
  if (r.sw != kSwOk) return unavailable("SELECT application answered " + swText(r.sw));
  return Status::ok();
}

Status ChipTerminal::activate() {
  CARDLINE_ASSIGN_OR_RETURN(Response r, send(apdu(kInsActivate, 0, 0, {}, {})));
  if (r.sw != kSwOk) return unavailable("ACTIVATE answered " + swText(r.sw));
  return Status::ok();
}

Status ChipTerminal::writeFile(std::uint16_t fid, const Bytes& content) {
  const Bytes id = {static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)};
  CARDLINE_ASSIGN_OR_RETURN(Response sel, send(apdu(kInsSelect, 0x02, 0x0C, id, {})));
  if (sel.sw != kSwOk) {
    return failedPrecondition("SELECT EF " + swText(fid) + " answered " + swText(sel.sw));
  }
  for (std::size_t offset = 0; offset < content.size(); offset += 255) {
    const std::size_t n = std::min<std::size_t>(255, content.size() - offset);
    if (offset > 0x7FFF) return failedPrecondition("EF " + swText(fid) + ": file too large");
    const Bytes chunk(content.begin() + static_cast<std::ptrdiff_t>(offset),
                      content.begin() + static_cast<std::ptrdiff_t>(offset + n));
    CARDLINE_ASSIGN_OR_RETURN(Response r,
                              send(apdu(kInsUpdateBinary, static_cast<std::uint8_t>(offset >> 8),
                                        static_cast<std::uint8_t>(offset), chunk, {})));
    if (r.sw != kSwOk) {
      return failedPrecondition("UPDATE BINARY EF " + swText(fid) + " at " +
                                std::to_string(offset) + " answered " + swText(r.sw));
    }
  }
  return Status::ok();
}

Result<Bytes> ChipTerminal::readFile(std::uint16_t fid) {
  const Bytes id = {static_cast<std::uint8_t>(fid >> 8), static_cast<std::uint8_t>(fid)};
  CARDLINE_ASSIGN_OR_RETURN(Response sel, send(apdu(kInsSelect, 0x02, 0x0C, id, {})));
  if (sel.sw == kSwFileNotFound) return notFound("EF " + swText(fid) + " not found");
  if (sel.sw == kSwSecurityNotSatisfied) {
    return permissionDenied("SELECT EF " + swText(fid) + " answered 6982 (access control)");
  }
  if (sel.sw != kSwOk) {
    return unavailable("SELECT EF " + swText(fid) + " answered " + swText(sel.sw));
  }
  CARDLINE_ASSIGN_OR_RETURN(Response head, send(apdu(kInsReadBinary, 0, 0, {}, 4)));
  if (head.sw == kSwSecurityNotSatisfied) {
    return permissionDenied("READ BINARY EF " + swText(fid) + " answered 6982 (access control)");
  }
  if (head.sw != kSwOk || head.data.size() != 4) {
    return unavailable("READ BINARY EF " + swText(fid) + " answered " + swText(head.sw));
  }
  // One-byte tag (all LDS1 file tags are), then a BER length of 1 to 3 bytes.
  std::size_t header = 0;
  std::size_t length = 0;
  const std::uint8_t l0 = head.data[1];
  if (l0 < 0x80) {
    header = 2;
    length = l0;
  } else if (l0 == 0x81) {
    header = 3;
    length = head.data[2];
  } else if (l0 == 0x82) {
    header = 4;
    length = static_cast<std::size_t>(head.data[2] << 8 | head.data[3]);
  } else {
    return dataLoss("EF " + swText(fid) + " does not start with a TLV header");
  }
  const std::size_t total = header + length;
  Bytes out = head.data;
  out.resize(std::min<std::size_t>(total, 4));
  while (out.size() < total) {
    const std::size_t offset = out.size();
    if (offset > 0x7FFF) return dataLoss("EF " + swText(fid) + " longer than 32767 bytes");
    const std::size_t n = std::min<std::size_t>(session_ ? kSecureChunk : 256, total - offset);
    CARDLINE_ASSIGN_OR_RETURN(Response r,
                              send(apdu(kInsReadBinary, static_cast<std::uint8_t>(offset >> 8),
                                        static_cast<std::uint8_t>(offset), {}, n)));
    if (r.sw == kSwWrongOffset || r.sw == kSwEndOfFile) {
      return dataLoss("EF " + swText(fid) + " is shorter than its TLV length");
    }
    if (r.sw != kSwOk) {
      return unavailable("READ BINARY EF " + swText(fid) + " answered " + swText(r.sw));
    }
    out.insert(out.end(), r.data.begin(), r.data.end());
  }
  return out;
}

}  // namespace cardline::sim
