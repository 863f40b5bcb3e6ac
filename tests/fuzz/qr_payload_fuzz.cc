// Fuzzes the national QR payload (mes/document/qr_payload.h). Two parts, both on every input:
// 1. The raw input as a payload for the built-in templates of both card models: parsing never
//    crashes, and a payload that parses renders back to the same bytes.
// 2. A template text and values made from the input: validation, rendering and, when rendering
//    succeeds, parsing the rendered payload gives back every value (the round trip is exact).
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "mes/document/qr_payload.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardline;
  const std::string_view whole = fuzz::asText(data, size);
  for (CardModel model : {CardModel::kCccd2021, CardModel::kCanCuoc2024}) {
    const QrTemplate& tmpl = defaultQrTemplate(model);
    auto values = parseQrPayload(tmpl, whole);
    if (!values.isOk()) continue;
    auto rendered = renderQrPayload(tmpl, values.value());
    fuzz::check(rendered.isOk(), "a parsed payload renders");
    fuzz::check(rendered.value() == whole, "render(parse(payload)) == payload");
  }

  FuzzedDataProvider in(data, size);
  QrTemplate tmpl;
  tmpl.id = "fuzz";
  tmpl.text = in.ConsumeRandomLengthString(200);
  const std::vector<std::string>& names = qrPlaceholderNames();
  QrValues values;
  for (const std::string& placeholder : names) {
    if (in.ConsumeBool()) values[placeholder] = in.ConsumeRandomLengthString(40);
  }
  const bool valid = validateQrTemplate(tmpl).isOk();
  auto rendered = renderQrPayload(tmpl, values);
  if (!rendered.isOk()) return 0;
  fuzz::check(valid, "only a valid template renders");
  auto parsed = parseQrPayload(tmpl, rendered.value());
  if (!parsed.isOk()) {
    std::fprintf(stderr, "template \"%s\" payload \"%s\": %s\n", tmpl.text.c_str(),
                 rendered->c_str(), parsed.status().message().c_str());
  }
  fuzz::check(parsed.isOk(), "a rendered payload parses");
  for (const auto& [key, value] : parsed.value()) {
    auto it = values.find(key);
    if (it == values.end() || it->second != value) {
      std::fprintf(stderr, "template \"%s\" payload \"%s\": {%s} parsed as \"%s\"\n",
                   tmpl.text.c_str(), rendered->c_str(), key.c_str(), value.c_str());
    }
    fuzz::check(it != values.end() && it->second == value, "parse(render(values)) == values");
  }
  return 0;
}
