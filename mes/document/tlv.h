#pragma once
// BER-TLV as used by ISO 7816-4 and ICAO 9303 LDS files, and the DER subset used by the LDS
// security object. Multi-byte tags (5F1F, 7F61) are held as one integer with the tag bytes in
// order (0x5F1F). Lengths are encoded in the shortest definite form (DER); the decoder accepts
// definite lengths up to 4 length bytes and rejects the indefinite form.
//
// The decoder is bounds-checked on every step and returns errors instead of reading past the
// input (it is fuzzed). Pure functions; thread-safe.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline {

// One decoded element. For constructed tags, value holds the encoded children.
struct Tlv {
  std::uint32_t tag = 0;
  Bytes value;

  // True when bit 6 (0x20) of the first tag byte is set.
  bool isConstructed() const;
};

// The tag bytes of tag (1 to 4 bytes, leading zero bytes dropped; tag 0 encodes as 0x00).
Bytes encodeTag(std::uint32_t tag);
// The DER length octets for n.
Bytes encodeLength(std::size_t n);
// tag + length + value.
Bytes encodeTlv(std::uint32_t tag, const Bytes& value);
// tag + length + concatenation of children (already encoded TLVs).
Bytes encodeConstructed(std::uint32_t tag, const std::vector<Bytes>& children);

// Decodes data that must hold exactly one TLV. Fails with kInvalidArgument (message names the
// byte offset) on a truncated tag, a tag longer than 4 bytes, an indefinite or over-long length
// form, a length past the end of the input, or bytes left after the element.
Result<Tlv> decodeSingleTlv(const Bytes& data);

// Decodes a concatenation of TLVs (e.g. the value of a constructed element) until the input is
// consumed. Errors as decodeSingleTlv; an empty input gives an empty list. Padding bytes 0x00
// and 0xFF between elements are not skipped (they are reported as errors) because LDS files
// written by this system never contain them.
Result<std::vector<Tlv>> decodeTlvSequence(const Bytes& data);

// The first element with `tag` among the children of a constructed element. Fails with
// kInvalidArgument when the children do not decode and kNotFound when no child has the tag.
Result<Tlv> findChild(const Tlv& parent, std::uint32_t tag);

}  // namespace cardline
