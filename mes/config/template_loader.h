#pragma once
// templates/cards/*.yaml → CardTemplate (mes/prep/card_template.h), with the position of every
// value, and the `cardline check` entry point for card templates. The schema is documented in
// templates/README.md. Stateless functions; safe to call from any thread.

#include <map>
#include <string>
#include <vector>

#include "mes/base/status.h"
#include "mes/config/config_loader.h"
#include "mes/core/domain.h"
#include "mes/prep/card_template.h"

namespace cardline {

struct TemplateLoadResult {
  CardTemplate card_template;           // usable only when problems is empty
  std::vector<ConfigProblem> problems;  // every problem, sorted by position
};

// Parses YAML text (syntax, types, unknown/duplicate/missing keys, bad numbers and colours) and
// then validates the template (validateCardTemplate: page size, fonts, geometry, bindings,
// overlaps, fixed texts that do not fit). `file` names the text in problems; relative font and
// picture paths are resolved against `base_dir`.
TemplateLoadResult parseCardTemplateText(const std::string& text, const std::string& file,
                                         const std::string& base_dir);

// Reads one file and does what parseCardTemplateText does; an unreadable file is one problem
// without a position.
TemplateLoadResult loadCardTemplateFile(const std::string& path);

// `cardline check` for card templates: every problem of every file, in path order; also reports
// two files with the same card_model and version. Empty when all files are valid.
std::vector<ConfigProblem> checkTemplateFiles(const std::vector<std::string>& paths);

// The *.yaml files directly in `dir`, sorted by name. kNotFound if dir is not a folder.
Result<std::vector<std::string>> templateFilesIn(const std::string& dir);

// Loads a valid template. kInvalidArgument listing every problem ("file:line:col: message"
// lines) when there is one.
Result<CardTemplate> loadCardTemplate(const std::string& path);

// The template to print `model` with: among the files of `dir`, the one for that card model with
// the highest version. kNotFound when there is none; kInvalidArgument when any file for that
// model has problems.
Result<CardTemplate> loadTemplateForModel(const std::string& dir, CardModel model);

}  // namespace cardline
