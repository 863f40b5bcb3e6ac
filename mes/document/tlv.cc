#include "mes/document/tlv.h"

#include <string>

namespace cardline {
namespace {

std::string at(std::size_t offset) { return "TLV at offset " + std::to_string(offset) + ": "; }

std::string hexTag(std::uint32_t tag) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (int shift = 28; shift >= 0; shift -= 4) {
    const auto nibble = (tag >> shift) & 0xFu;
    if (out.empty() && nibble == 0 && shift > 4) continue;
    out += kDigits[nibble];
  }
  return out;
}

// Decodes one element starting at *pos; on success advances *pos past it. The position is an
// in/out cursor private to this file.
Result<Tlv> decodeAt(const Bytes& data, std::size_t& pos) {
  const std::size_t start = pos;
  if (pos >= data.size()) return invalidArgument(at(start) + "no tag byte");
  std::uint32_t tag = data[pos++];
  if ((tag & 0x1Fu) == 0x1Fu) {
    int extra = 0;
    while (true) {
      if (pos >= data.size()) return invalidArgument(at(start) + "truncated multi-byte tag");
      if (++extra > 3) return invalidArgument(at(start) + "tag longer than 4 bytes");
      const std::uint8_t b = data[pos++];
      tag = (tag << 8) | b;
      if ((b & 0x80u) == 0) break;
    }
  }
  if (pos >= data.size()) {
    return invalidArgument(at(start) + "tag " + hexTag(tag) + " has no length");
  }
  const std::uint8_t first = data[pos++];
  std::size_t length = 0;
  if (first < 0x80) {
    length = first;
  } else if (first == 0x80) {
    return invalidArgument(at(start) + "indefinite length is not supported");
  } else {
    const std::size_t count = first & 0x7Fu;
    if (count > 4) {
      return invalidArgument(at(start) + "length field of " + std::to_string(count) +
                             " bytes is too long");
    }
    if (data.size() - pos < count) return invalidArgument(at(start) + "truncated length");
    for (std::size_t i = 0; i < count; ++i) length = (length << 8) | data[pos++];
  }
  if (length > data.size() - pos) {
    return invalidArgument(at(start) + "tag " + hexTag(tag) + " declares length " +
                           std::to_string(length) + " but only " +
                           std::to_string(data.size() - pos) + " bytes remain");
  }
  Tlv out;
  out.tag = tag;
  out.value.assign(data.begin() + static_cast<std::ptrdiff_t>(pos),
                   data.begin() + static_cast<std::ptrdiff_t>(pos + length));
  pos += length;
  return out;
}

}  // namespace

bool Tlv::isConstructed() const {
  std::uint32_t first = tag;
  while (first > 0xFF) first >>= 8;
  return (first & 0x20u) != 0;
}

Bytes encodeTag(std::uint32_t tag) {
  Bytes out;
  bool started = false;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto b = static_cast<std::uint8_t>((tag >> shift) & 0xFFu);
    if (b != 0 || started || shift == 0) {
      out.push_back(b);
      started = true;
    }
  }
  return out;
}

Bytes encodeLength(std::size_t n) {
  if (n < 0x80) return Bytes{static_cast<std::uint8_t>(n)};
  Bytes digits;
  while (n > 0) {
    digits.insert(digits.begin(), static_cast<std::uint8_t>(n & 0xFFu));
    n >>= 8;
  }
  Bytes out{static_cast<std::uint8_t>(0x80u | digits.size())};
  out.insert(out.end(), digits.begin(), digits.end());
  return out;
}

Bytes encodeTlv(std::uint32_t tag, const Bytes& value) {
  Bytes out = encodeTag(tag);
  const Bytes length = encodeLength(value.size());
  out.insert(out.end(), length.begin(), length.end());
  out.insert(out.end(), value.begin(), value.end());
  return out;
}

Bytes encodeConstructed(std::uint32_t tag, const std::vector<Bytes>& children) {
  Bytes value;
  for (const Bytes& child : children) value.insert(value.end(), child.begin(), child.end());
  return encodeTlv(tag, value);
}

Result<Tlv> decodeSingleTlv(const Bytes& data) {
  std::size_t pos = 0;
  CARDLINE_ASSIGN_OR_RETURN(Tlv tlv, decodeAt(data, pos));
  if (pos != data.size()) {
    return invalidArgument(at(pos) + std::to_string(data.size() - pos) +
                           " unexpected bytes after the element");
  }
  return tlv;
}

Result<std::vector<Tlv>> decodeTlvSequence(const Bytes& data) {
  std::vector<Tlv> out;
  std::size_t pos = 0;
  while (pos < data.size()) {
    CARDLINE_ASSIGN_OR_RETURN(Tlv tlv, decodeAt(data, pos));
    out.push_back(std::move(tlv));
  }
  return out;
}

Result<Tlv> findChild(const Tlv& parent, std::uint32_t tag) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<Tlv> children, decodeTlvSequence(parent.value));
  for (Tlv& child : children) {
    if (child.tag == tag) return std::move(child);
  }
  return notFound("tag " + hexTag(tag) + " not found inside tag " + hexTag(parent.tag));
}

}  // namespace cardline
