// Fuzzes the BER-TLV decoder and the LDS file parsers (mes/document/tlv.h, lds.h, sod.h) on
// arbitrary bytes: decodeSingleTlv, decodeTlvSequence, findChild, parseEfCom, parseDg1,
// parseDg2, parseDg13, unwrapEfSod and parseLdsSecurityObject. Properties: no crash or
// out-of-bounds read; a decoded TLV re-encodes to an element that decodes to the same tag and
// value; every file that parses is rebuilt by its builder into bytes that parse to the same
// content.
#include <cstddef>
#include <cstdint>

#include "mes/base/bytes.h"
#include "mes/document/lds.h"
#include "mes/document/sod.h"
#include "mes/document/tlv.h"
#include "tests/fuzz/fuzz_support.h"

namespace cardline {
namespace {

void checkTlvRoundTrip(const Tlv& tlv) {
  auto again = decodeSingleTlv(encodeTlv(tlv.tag, tlv.value));
  fuzz::check(again.isOk(), "an encoded TLV decodes");
  fuzz::check(again->tag == tlv.tag && again->value == tlv.value, "TLV round trip");
}

void fuzzTlv(const Bytes& bytes) {
  auto single = decodeSingleTlv(bytes);
  if (single.isOk()) {
    checkTlvRoundTrip(single.value());
    if (single->isConstructed()) {
      auto children = decodeTlvSequence(single->value);
      if (children.isOk() && !children->empty()) {
        auto first = findChild(single.value(), children->front().tag);
        fuzz::check(first.isOk(), "findChild finds the first child's tag");
      }
    }
  }
  auto sequence = decodeTlvSequence(bytes);
  if (sequence.isOk()) {
    std::vector<Bytes> encoded;
    for (const Tlv& tlv : sequence.value()) {
      checkTlvRoundTrip(tlv);
      encoded.push_back(encodeTlv(tlv.tag, tlv.value));
    }
    auto again = decodeTlvSequence(encodeConstructed(0x30, encoded));
    fuzz::check(again.isOk() && again->size() == 1, "a wrapped sequence decodes as one element");
  }
}

void fuzzFiles(const Bytes& bytes) {
  if (auto com = parseEfCom(bytes); com.isOk()) {
    auto again = parseEfCom(buildEfCom(com.value()));
    fuzz::check(again.isOk(), "a rebuilt EF.COM parses");
    fuzz::check(again->lds_version == com->lds_version &&
                    again->unicode_version == com->unicode_version &&
                    again->tag_list == com->tag_list,
                "EF.COM round trip");
  }
  if (auto mrz = parseDg1(bytes); mrz.isOk()) {
    auto again = parseDg1(buildDg1(mrz.value()));
    fuzz::check(again.isOk(), "a rebuilt DG1 parses");
    fuzz::check(again->joined() == mrz->joined(), "DG1 round trip");
  }
  if (auto jpeg = parseDg2(bytes); jpeg.isOk()) {
    auto rebuilt = buildDg2(jpeg.value());
    if (rebuilt.isOk()) {
      auto again = parseDg2(rebuilt.value());
      fuzz::check(again.isOk() && again.value() == jpeg.value(), "DG2 round trip");
    }
  }
  if (auto national = parseDg13(bytes); national.isOk()) {
    auto again = parseDg13(buildDg13(national.value()));
    fuzz::check(again.isOk(), "a rebuilt DG13 parses");
    fuzz::check(again.value() == national.value(), "DG13 round trip");
  }
  if (auto cms = unwrapEfSod(bytes); cms.isOk()) {
    auto again = unwrapEfSod(wrapEfSod(cms.value()));
    fuzz::check(again.isOk() && again.value() == cms.value(), "EF.SOD wrapper round trip");
  }
  (void)parseLdsSecurityObject(bytes);
}

}  // namespace
}  // namespace cardline

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const cardline::Bytes bytes(data, data + size);
  cardline::fuzzTlv(bytes);
  cardline::fuzzFiles(bytes);
  return 0;
}
