#include "mes/app/cli.h"

#include <iostream>

#include "mes/config/config_loader.h"

namespace cardline::app {

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

Result<ParsedArgs> parseArgs(const Args& args, const OptionSpec& spec) {
  ParsedArgs out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      std::string name = a, value;
      bool inline_value = false;
      auto eq = a.find('=');
      if (eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        inline_value = true;
      }
      if (spec.with_value.count(name)) {
        if (!inline_value) {
          if (i + 1 >= args.size()) return invalidArgument(name + " needs a value");
          value = args[++i];
        }
        out.values[name] = value;
      } else if (spec.flags.count(name) && !inline_value) {
        out.flags.insert(name);
      } else {
        return invalidArgument("unknown option " + name);
      }
      continue;
    }
    if (spec.max_positional >= 0 &&
        static_cast<int>(out.positional.size()) >= spec.max_positional) {
      return invalidArgument("unexpected argument \"" + a + "\"");
    }
    out.positional.push_back(a);
  }
  return out;
}

std::optional<Config> loadNodeConfig(const ParsedArgs& args) {
  Config config = defaultConfig();
  if (auto path = args.value("--config")) {
    ConfigLoadResult loaded = loadConfig(*path);
    if (!loaded.problems.empty()) {
      for (const auto& p : loaded.problems) std::cerr << p.toString() << "\n";
      std::cerr << loaded.problems.size() << " problem(s) in the configuration\n";
      return std::nullopt;
    }
    config = loaded.config;
  }
  if (auto dir = args.value("--data-dir")) {
    if (dir->empty()) {
      std::cerr << "--data-dir must not be empty\n";
      return std::nullopt;
    }
    config.data_dir = *dir;
  }
  return config;
}

int reportFailure(const std::string& command, const Status& status) {
  std::cerr << "cardline " << command << ": " << status.message() << "\n";
  return status.code() == ErrorCode::kInvalidArgument ? 2 : 1;
}

}  // namespace cardline::app
