#pragma once
// Where the tests find the repository's files (ctest sets CARDLINE_SOURCE_DIR).

#include <cstdlib>
#include <string>

namespace cardline::testing {

inline std::string sourceDir() {
  const char* dir = std::getenv("CARDLINE_SOURCE_DIR");
  return dir ? dir : ".";
}
inline std::string intakeDataDir() { return sourceDir() + "/tests/data/intake"; }
inline std::string referenceDir() { return sourceDir() + "/etc/reference"; }

}  // namespace cardline::testing
