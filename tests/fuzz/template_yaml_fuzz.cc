// Fuzzes the card template loader (templates/cards/*.yaml schema) on YAML text: syntax, schema,
// and validateCardTemplate with text fitting (fonts are the Noto files the seeds name).
// Properties: never crashes or throws; problems are sorted by position and name the file.
// Inputs naming /dev/, /proc/ or /sys/ are skipped: opening a device as a font or picture would
// only test the machine, not the parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "mes/config/template_loader.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cardline;
  const std::string text(fuzz::asText(data, size));
  for (const char* special : {"/dev", "/proc", "/sys"}) {
    if (text.find(special) != std::string::npos) return 0;
  }
  const std::string file = "fuzz.yaml";
  TemplateLoadResult loaded = parseCardTemplateText(text, file, "/nonexistent/fuzz");
  for (std::size_t i = 0; i < loaded.problems.size(); ++i) {
    const ConfigProblem& problem = loaded.problems[i];
    fuzz::check(problem.file == file, "a problem names the file");
    fuzz::check(!problem.message.empty(), "a problem says what is wrong");
    if (i > 0) {
      const ConfigProblem& before = loaded.problems[i - 1];
      fuzz::check(std::make_pair(before.line, before.col) <= std::make_pair(problem.line,
                                                                             problem.col),
                  "problems are sorted by position");
    }
  }
  return 0;
}
