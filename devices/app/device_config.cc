#include "devices/app/device_config.h"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "devices/protocol/message.h"

namespace cardline {
namespace {

bool parseInt(const std::string& s, int min, int max, int& out) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < min || v > max) return false;
  out = v;
  return true;
}

}  // namespace

Result<DeviceConfig> parseDeviceConfig(const std::string& path, const std::string& text) {
  DeviceConfig config;
  std::vector<std::string> problems;
  std::set<std::string> seen;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  auto problem = [&](std::size_t col, const std::string& what) {
    problems.push_back(path + ":" + std::to_string(number) + ":" + std::to_string(col + 1) +
                       ": " + what);
  };
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line[start] == '#') continue;
    if (line.find('\t') != std::string::npos) {
      problem(line.find('\t'), "tabs are not allowed");
      continue;
    }
    if (start != 0) {
      problem(start, "nested values are not supported in device.yaml");
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) {
      problem(0, "expected \"key: value\"");
      continue;
    }
    std::string key = line.substr(0, colon);
    while (!key.empty() && key.back() == ' ') key.pop_back();
    std::size_t vstart = line.find_first_not_of(' ', colon + 1);
    std::string value;
    if (vstart != std::string::npos) {
      char q = line[vstart];
      if (q == '"' || q == '\'') {
        std::size_t close = line.find(q, vstart + 1);
        if (close == std::string::npos) {
          problem(vstart, "unterminated quoted value");
          continue;
        }
        value = line.substr(vstart + 1, close - vstart - 1);
        std::size_t rest = line.find_first_not_of(' ', close + 1);
        if (rest != std::string::npos && line[rest] != '#') {
          problem(rest, "unexpected text after the quoted value");
          continue;
        }
      } else {
        std::size_t hash = line.find(" #", vstart);
        value = line.substr(vstart, hash == std::string::npos ? std::string::npos : hash - vstart);
        while (!value.empty() && value.back() == ' ') value.pop_back();
        if (value == "|" || value == ">" || value[0] == '[' || value[0] == '{' ||
            value[0] == '&' || value[0] == '*') {
          problem(vstart, "only plain scalar values are supported in device.yaml");
          continue;
        }
      }
    }
    if (!seen.insert(key).second) {
      problem(0, "\"" + key + "\" is set twice");
      continue;
    }
    std::size_t col = vstart == std::string::npos ? colon + 1 : vstart;
    if (key == "device") {
      if (!protocol::isValidToken(value)) problem(col, "device must match [A-Za-z0-9._-]{1,64}");
      config.device = value;
    } else if (key == "station") {
      auto s = protocol::parseStation(value);
      if (!s.isOk()) problem(col, s.status().message());
      config.station = value;
    } else if (key == "driver") {
      if (value != "simulated") {
        problem(col, "unknown driver \"" + value + "\" (built in: simulated)");
      }
      config.driver = value;
    } else if (key == "connect") {
      if (value.rfind("tcp://", 0) != 0 && value.rfind("ipc://", 0) != 0) {
        problem(col, "connect must be a tcp:// or ipc:// endpoint");
      }
      config.connect = value;
    } else if (key == "security") {
      if (value == "curve") {
        config.security = LinkSecurity::kCurve;
      } else if (value == "plain") {
        config.security = LinkSecurity::kPlain;
      } else {
        problem(col, "security must be \"curve\" or \"plain\"");
      }
    } else if (key == "server_key") {
      config.server_key = value;
    } else if (key == "key_dir") {
      config.key_dir = value;
    } else if (key == "capacity") {
      if (!parseInt(value, 1, 64, config.capacity)) problem(col, "capacity must be 1..64");
    } else if (key == "heartbeat_ms") {
      if (!parseInt(value, 10, 60000, config.heartbeat_ms)) {
        problem(col, "heartbeat_ms must be 10..60000");
      }
    } else if (key == "reconnect_max_ms") {
      if (!parseInt(value, 1000, 600000, config.reconnect_max_ms)) {
        problem(col, "reconnect_max_ms must be 1000..600000");
      }
    } else {
      problem(0, "unknown key \"" + key + "\"");
    }
  }
  number = 0;
  auto required = [&](const char* key, const std::string& value) {
    if (value.empty() && seen.count(key) == 0) {
      problems.push_back(path + ": missing \"" + key + "\"");
    }
  };
  required("device", config.device);
  required("station", config.station);
  required("connect", config.connect);
  if (config.security == LinkSecurity::kCurve) {
    required("server_key", config.server_key);
    required("key_dir", config.key_dir);
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
    return invalidArgument(all);
  }
  return config;
}

Result<DeviceConfig> loadDeviceConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return notFound("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parseDeviceConfig(path, text.str());
}

}  // namespace cardline
