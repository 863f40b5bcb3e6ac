#pragma once
// Shared helpers of the libFuzzer targets in tests/fuzz (docs/fuzzing.md). Test code only.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace cardline::fuzz {

// The fuzzer's input as text (bytes kept as they are, including NUL).
inline std::string_view asText(const std::uint8_t* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// Stops the run with `what` on stderr when a property does not hold: libFuzzer records the
// input as a crash. Used for properties (round trips, invariants), never for expected errors.
inline void check(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

// Splits text at every occurrence of `separator` (an input with k separators gives k + 1
// pieces). Used to carry several values (frames, fields) in one fuzzer input.
inline std::vector<std::string> split(std::string_view text, std::string_view separator) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (true) {
    std::size_t at = text.find(separator, start);
    if (at == std::string_view::npos) {
      pieces.emplace_back(text.substr(start));
      return pieces;
    }
    pieces.emplace_back(text.substr(start, at - start));
    start = at + separator.size();
  }
}

}  // namespace cardline::fuzz
