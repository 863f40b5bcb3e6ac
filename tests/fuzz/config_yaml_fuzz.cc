// Fuzzes the configuration loader (etc/cardline.yaml schema) on YAML text: parseConfigText is
// loadConfig without the file. Properties: never crashes or throws; every problem names the file
// and has a position that is either 0:0 or 1-based.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mes/config/config_loader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardline;
  const std::string text(fuzz::asText(data, size));
  const std::string path = "/nonexistent/fuzz/cardline.yaml";
  ConfigLoadResult result = parseConfigText(text, path);
  for (const ConfigProblem& problem : result.problems) {
    fuzz::check(problem.file == path, "a problem names the file");
    fuzz::check(!problem.message.empty(), "a problem says what is wrong");
    fuzz::check((problem.line == 0) == (problem.col == 0), "line and column come together");
    fuzz::check(problem.line >= 0 && problem.col >= 0, "positions are not negative");
  }
  if (result.problems.empty()) {
    fuzz::check(!result.config.data_dir.empty(), "a valid configuration has a data_dir");
  }
  return 0;
}
