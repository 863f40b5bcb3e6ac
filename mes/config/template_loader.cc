#include "mes/config/template_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "mes/prep/pdf_card_renderer.h"

namespace cardline {

namespace {

SourcePos posOf(const YAML::Mark& mark) {
  if (mark.line < 0 || mark.column < 0) return SourcePos{};
  return SourcePos{mark.line + 1, mark.column + 1};
}

SourcePos posOf(const YAML::Node& node) {
  if (!node.IsDefined()) return SourcePos{};
  return posOf(node.Mark());
}

std::string typeOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      return "undefined";
  }
  return "unknown";
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

// The keys each element type accepts (besides "type").
const std::map<ElementKind, std::vector<std::string>>& keysByKind() {
  static const std::vector<std::string> kText = {"box",       "text",  "font", "size",
                                                 "min_size",  "align", "wrap", "max_lines",
                                                 "transform", "color"};
  static const std::vector<std::string> kField = {"box",       "binding", "font", "size",
                                                  "min_size",  "align",   "wrap", "max_lines",
                                                  "transform", "color"};
  static const std::map<ElementKind, std::vector<std::string>> kKeys = {
      {ElementKind::kText, kText},
      {ElementKind::kField, kField},
      {ElementKind::kImage, {"box", "binding", "optional"}},
      {ElementKind::kQr, {"box", "quiet_zone", "color"}},
      {ElementKind::kMrz, {"box", "font", "size", "min_size", "color"}},
      {ElementKind::kRect, {"box", "fill", "stroke", "stroke_width"}},
      {ElementKind::kLine, {"from", "to", "stroke", "stroke_width"}},
      {ElementKind::kEllipse, {"box", "fill", "stroke", "stroke_width"}},
      {ElementKind::kStar, {"box", "points", "fill", "stroke", "stroke_width"}},
      {ElementKind::kPicture, {"box", "file"}},
  };
  return kKeys;
}

const std::map<ElementKind, std::vector<std::string>>& requiredByKind() {
  static const std::map<ElementKind, std::vector<std::string>> kRequired = {
      {ElementKind::kText, {"box", "text", "font", "size"}},
      {ElementKind::kField, {"box", "binding", "font", "size"}},
      {ElementKind::kImage, {"box", "binding"}},
      {ElementKind::kQr, {"box"}},
      {ElementKind::kMrz, {"box", "font", "size"}},
      {ElementKind::kRect, {"box"}},
      {ElementKind::kLine, {"from", "to"}},
      {ElementKind::kEllipse, {"box"}},
      {ElementKind::kStar, {"box"}},
      {ElementKind::kPicture, {"box", "file"}},
  };
  return kRequired;
}

class Parser {
 public:
  Parser(std::string file, std::string base_dir)
      : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

  std::vector<ConfigProblem>& problems() { return problems_; }

  void add(SourcePos at, std::string message) {
    problems_.push_back(ConfigProblem{file_, at.line, at.col, std::move(message)});
  }

  // Reads the document; returns false when it is not worth validating further.
  bool parse(const YAML::Node& root, CardTemplate& tmpl) {
    if (!root.IsMap()) {
      add(posOf(root), "a card template must be a mapping, not " + typeOf(root));
      return false;
    }
    static const std::vector<std::string> kTopKeys = {"name", "version", "card_model",
                                                      "page", "fonts",   "faces"};
    std::set<std::string> seen;
    for (auto it = root.begin(); it != root.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      const SourcePos key_at = posOf(it->first);
      const YAML::Node value = it->second;
      if (!seen.insert(key).second) {
        add(key_at, "duplicate key '" + key + "'");
        continue;
      }
      tmpl.key_at[key] = posOf(value);
      if (key == "name") {
        readString(value, tmpl.name);
      } else if (key == "version") {
        readInt(value, tmpl.version);
      } else if (key == "card_model") {
        std::string model;
        if (readString(value, model)) {
          Result<CardModel> parsed = parseCardModel(model);
          if (parsed.isOk()) {
            tmpl.card_model = *parsed;
          } else {
            add(posOf(value), parsed.status().message());
          }
        }
      } else if (key == "page") {
        readPage(value, tmpl);
      } else if (key == "fonts") {
        readFonts(value, tmpl);
      } else if (key == "faces") {
        readFaces(value, tmpl);
      } else {
        add(key_at, "unknown key '" + key + "' (expected one of: " + joined(kTopKeys) + ")");
      }
    }
    for (const std::string& required : kTopKeys) {
      if (seen.count(required) == 0) {
        add(posOf(root), "missing key '" + required + "'");
      }
    }
    return true;
  }

 private:
  bool readString(const YAML::Node& node, std::string& out) {
    if (!node.IsScalar()) {
      add(posOf(node), "must be a text, not " + typeOf(node));
      return false;
    }
    out = node.Scalar();
    return true;
  }

  bool readNumber(const YAML::Node& node, double& out) {
    if (!node.IsScalar()) {
      add(posOf(node), "must be a number, not " + typeOf(node));
      return false;
    }
    const std::string& text = node.Scalar();
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(value)) {
      add(posOf(node), "must be a number, not '" + text + "'");
      return false;
    }
    out = value;
    return true;
  }

  bool readInt(const YAML::Node& node, int& out) {
    double value = 0;
    if (!readNumber(node, value)) return false;
    if (value != std::floor(value) || std::fabs(value) > 1e6) {
      add(posOf(node), "must be a whole number, not '" + node.Scalar() + "'");
      return false;
    }
    out = static_cast<int>(value);
    return true;
  }

  bool readBool(const YAML::Node& node, bool& out) {
    if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
      out = node.Scalar() == "true";
      return true;
    }
    add(posOf(node), "must be true or false");
    return false;
  }

  // A list of exactly `count` numbers, e.g. a box [x, y, w, h] or a point [x, y].
  bool readNumbers(const YAML::Node& node, std::size_t count, const char* shape,
                   std::vector<double>& out) {
    if (!node.IsSequence() || node.size() != count) {
      add(posOf(node), std::string("must be a list ") + shape);
      return false;
    }
    out.assign(count, 0.0);
    bool ok = true;
    for (std::size_t i = 0; i < count; ++i) ok = readNumber(node[i], out[i]) && ok;
    return ok;
  }

  bool readColor(const YAML::Node& node, Rgb& out) {
    std::string text;
    if (!readString(node, text)) return false;
    const bool shape_ok =
        text.size() == 7 && text[0] == '#' && std::all_of(text.begin() + 1, text.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) != 0;
        });
    if (!shape_ok) {
      add(posOf(node), "must be a colour \"#RRGGBB\", not '" + text + "'");
      return false;
    }
    const unsigned long value = std::strtoul(text.c_str() + 1, nullptr, 16);
    out = Rgb{static_cast<int>((value >> 16) & 0xff), static_cast<int>((value >> 8) & 0xff),
              static_cast<int>(value & 0xff)};
    return true;
  }

  std::string resolve(const std::string& path) const {
    const std::filesystem::path p(path);
    if (p.is_absolute() || base_dir_.empty()) return path;
    return (std::filesystem::path(base_dir_) / p).lexically_normal().string();
  }

  void readPage(const YAML::Node& node, CardTemplate& tmpl) {
    if (!node.IsMap()) {
      add(posOf(node), "page must be a mapping with width_mm and height_mm");
      return;
    }
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (!seen.insert(key).second) {
        add(posOf(it->first), "duplicate key '" + key + "'");
      } else if (key == "width_mm") {
        tmpl.key_at["page.width_mm"] = posOf(it->second);
        readNumber(it->second, tmpl.width_mm);
      } else if (key == "height_mm") {
        tmpl.key_at["page.height_mm"] = posOf(it->second);
        readNumber(it->second, tmpl.height_mm);
      } else {
        add(posOf(it->first), "unknown key '" + key + "' (expected one of: width_mm, height_mm)");
      }
    }
  }

  void readFonts(const YAML::Node& node, CardTemplate& tmpl) {
    if (!node.IsMap()) {
      add(posOf(node), "fonts must be a mapping of font name to TrueType file");
      return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (tmpl.fonts.count(key) != 0) {
        add(posOf(it->first), "duplicate font '" + key + "'");
        continue;
      }
      std::string path;
      if (!readString(it->second, path)) continue;
      tmpl.fonts[key] = FontSpec{resolve(path), posOf(it->second)};
    }
  }

  void readFaces(const YAML::Node& node, CardTemplate& tmpl) {
    if (!node.IsMap()) {
      add(posOf(node), "faces must be a mapping with front and back");
      return;
    }
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (!seen.insert(key).second) {
        add(posOf(it->first), "duplicate key '" + key + "'");
        continue;
      }
      CardFace* face = key == "front" ? &tmpl.front : key == "back" ? &tmpl.back : nullptr;
      if (face == nullptr) {
        add(posOf(it->first), "unknown face '" + key + "' (expected one of: front, back)");
        continue;
      }
      face->at = posOf(it->first);
      readElements(it->second, *face);
    }
    for (const char* required : {"front", "back"}) {
      if (seen.count(required) == 0)
        add(posOf(node), std::string("missing face '") + required + "'");
    }
  }

  void readElements(const YAML::Node& node, CardFace& face) {
    if (!node.IsSequence()) {
      add(posOf(node), "a face must be a list of elements, not " + typeOf(node));
      return;
    }
    if (node.size() == 0) add(posOf(node), "a face needs at least one element");
    for (std::size_t i = 0; i < node.size(); ++i) {
      CardElement element;
      if (readElement(node[i], element)) face.elements.push_back(std::move(element));
    }
  }

  bool readElement(const YAML::Node& node, CardElement& e) {
    e.at = posOf(node);
    if (!node.IsMap()) {
      add(e.at, "an element must be a mapping, not " + typeOf(node));
      return false;
    }
    const YAML::Node type = node["type"];
    if (!type.IsDefined()) {
      add(e.at, "element without 'type'");
      return false;
    }
    std::string type_name;
    if (!readString(type, type_name)) return false;
    Result<ElementKind> kind = parseElementKind(type_name);
    if (!kind.isOk()) {
      add(posOf(type), kind.status().message());
      return false;
    }
    e.kind = *kind;
    const std::vector<std::string>& allowed = keysByKind().at(e.kind);
    std::set<std::string> seen;
    bool ok = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      const YAML::Node value = it->second;
      if (!seen.insert(key).second) {
        add(posOf(it->first), "duplicate key '" + key + "'");
        ok = false;
        continue;
      }
      if (key == "type") continue;
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        add(posOf(it->first), "unknown key '" + key + "' for a " + type_name +
                                  " element (expected one of: type, " + joined(allowed) + ")");
        ok = false;
        continue;
      }
      e.key_at[key] = posOf(value);
      ok = readElementKey(key, value, e) && ok;
    }
    for (const std::string& required : requiredByKind().at(e.kind)) {
      if (seen.count(required) == 0) {
        add(e.at, "missing key '" + required + "' for a " + type_name + " element");
        ok = false;
      }
    }
    return ok;
  }

  bool readElementKey(const std::string& key, const YAML::Node& value, CardElement& e) {
    std::vector<double> numbers;
    if (key == "box") {
      if (!readNumbers(value, 4, "[x, y, width, height] in mm", numbers)) return false;
      e.box = BoxMm{numbers[0], numbers[1], numbers[2], numbers[3]};
      return true;
    }
    if (key == "from" || key == "to") {
      if (!readNumbers(value, 2, "[x, y] in mm", numbers)) return false;
      (key == "from" ? e.from : e.to) = PointMm{numbers[0], numbers[1]};
      return true;
    }
    if (key == "text") return readString(value, e.text);
    if (key == "binding") return readString(value, e.binding);
    if (key == "font") return readString(value, e.font);
    if (key == "size") return readNumber(value, e.size);
    if (key == "min_size") return readNumber(value, e.min_size);
    if (key == "stroke_width") return readNumber(value, e.stroke_width);
    if (key == "max_lines") return readInt(value, e.max_lines);
    if (key == "quiet_zone") return readInt(value, e.quiet_zone);
    if (key == "points") return readInt(value, e.points);
    if (key == "color") return readColor(value, e.color);
    if (key == "fill" || key == "stroke") {
      Rgb colour;
      if (!readColor(value, colour)) return false;
      (key == "fill" ? e.fill : e.stroke) = colour;
      return true;
    }
    if (key == "optional") return readBool(value, e.optional);
    if (key == "wrap") {
      bool wrap = false;
      if (!readBool(value, wrap)) return false;
      e.wrap = wrap ? WrapMode::kWords : WrapMode::kNone;
      return true;
    }
    if (key == "align" || key == "transform") {
      std::string text;
      if (!readString(value, text)) return false;
      if (key == "align") {
        Result<TextAlign> align = parseTextAlign(text);
        if (!align.isOk()) add(posOf(value), align.status().message());
        if (align.isOk()) e.align = *align;
        return align.isOk();
      }
      Result<TextTransform> transform = parseTextTransform(text);
      if (!transform.isOk()) add(posOf(value), transform.status().message());
      if (transform.isOk()) e.transform = *transform;
      return transform.isOk();
    }
    if (key == "file") {
      std::string path;
      if (!readString(value, path)) return false;
      e.file = resolve(path);
      return true;
    }
    return true;
  }

  std::string file_;
  std::string base_dir_;
  std::vector<ConfigProblem> problems_;
};

void sortByPosition(std::vector<ConfigProblem>& problems) {
  std::stable_sort(problems.begin(), problems.end(),
                   [](const ConfigProblem& a, const ConfigProblem& b) {
                     return std::make_pair(a.line, a.col) < std::make_pair(b.line, b.col);
                   });
}

std::string listProblems(const std::vector<ConfigProblem>& problems) {
  std::string text;
  for (const ConfigProblem& problem : problems) {
    if (!text.empty()) text += "\n";
    text += problem.toString();
  }
  return text;
}

}  // namespace

TemplateLoadResult parseCardTemplateText(const std::string& text, const std::string& file,
                                         const std::string& base_dir) {
  TemplateLoadResult result;
  result.card_template.source = file;
  Parser parser(file, base_dir);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    parser.add(posOf(error.mark), "YAML syntax: " + error.msg);
    result.problems = std::move(parser.problems());
    return result;
  }
  const bool read = parser.parse(root, result.card_template);
  result.problems = std::move(parser.problems());
  if (!read) return result;
  Result<std::unique_ptr<PdfTextMeasurer>> measurer = PdfTextMeasurer::create(result.card_template);
  if (!measurer.isOk()) {
    result.problems.push_back(ConfigProblem{file, 0, 0, measurer.status().message()});
  }
  TextMeasurer* usable = measurer.isOk() ? measurer->get() : nullptr;
  for (const TemplateProblem& problem : validateCardTemplate(result.card_template, usable)) {
    result.problems.push_back(
        ConfigProblem{file, problem.at.line, problem.at.col, problem.message});
  }
  sortByPosition(result.problems);
  return result;
}

TemplateLoadResult loadCardTemplateFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    TemplateLoadResult result;
    result.problems.push_back(ConfigProblem{path, 0, 0, "cannot read the file"});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parseCardTemplateText(text.str(), path,
                               std::filesystem::path(path).parent_path().string());
}

std::vector<ConfigProblem> checkTemplateFiles(const std::vector<std::string>& paths) {
  std::vector<ConfigProblem> problems;
  std::map<std::pair<CardModel, int>, std::string> seen;
  for (const std::string& path : paths) {
    TemplateLoadResult loaded = loadCardTemplateFile(path);
    const bool valid = loaded.problems.empty();
    problems.insert(problems.end(), loaded.problems.begin(), loaded.problems.end());
    if (!valid) continue;
    const CardTemplate& tmpl = loaded.card_template;
    auto [it, inserted] = seen.emplace(std::make_pair(tmpl.card_model, tmpl.version), path);
    if (!inserted) {
      const SourcePos at =
          tmpl.key_at.count("version") != 0 ? tmpl.key_at.at("version") : SourcePos{};
      problems.push_back(ConfigProblem{path, at.line, at.col,
                                       std::string(name(tmpl.card_model)) + " version " +
                                           std::to_string(tmpl.version) + " is also defined in " +
                                           it->second});
    }
  }
  return problems;
}

Result<std::vector<std::string>> templateFilesIn(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return notFound("'" + dir + "' is not a folder");
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path().string());
    }
  }
  if (error) return unavailable("cannot list '" + dir + "': " + error.message());
  std::sort(files.begin(), files.end());
  return files;
}

Result<CardTemplate> loadCardTemplate(const std::string& path) {
  TemplateLoadResult loaded = loadCardTemplateFile(path);
  if (!loaded.problems.empty()) return invalidArgument(listProblems(loaded.problems));
  return std::move(loaded.card_template);
}

Result<CardTemplate> loadTemplateForModel(const std::string& dir, CardModel model) {
  CARDLINE_ASSIGN_OR_RETURN(std::vector<std::string> files, templateFilesIn(dir));
  std::optional<CardTemplate> best;
  for (const std::string& path : files) {
    TemplateLoadResult loaded = loadCardTemplateFile(path);
    const bool for_model = loaded.card_template.card_model == model &&
                           loaded.card_template.key_at.count("card_model") != 0;
    if (!for_model) continue;
    if (!loaded.problems.empty()) return invalidArgument(listProblems(loaded.problems));
    if (!best || loaded.card_template.version > best->version) {
      best = std::move(loaded.card_template);
    }
  }
  if (!best) return notFound(std::string("no card template for ") + name(model) + " in " + dir);
  return std::move(*best);
}

}  // namespace cardline
