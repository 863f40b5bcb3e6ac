#include "mes/config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <climits>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace cardline {

const char* name(DatabaseBackend v) { return v == DatabaseBackend::kSqlite ? "sqlite" : "mysql"; }
const char* name(DeviceLinkSecurity v) {
  return v == DeviceLinkSecurity::kCurve ? "curve" : "plain";
}
const char* name(JobPayloadMode v) { return v == JobPayloadMode::kFull ? "full" : "headers"; }
const char* name(SignerBackend v) { return v == SignerBackend::kKeyFile ? "key_file" : "pkcs11"; }

std::string ConfigProblem::toString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " + message;
}

Config defaultConfig() {
  Config c;
  c.source = "(defaults)";
  c.data_dir = "var/demo";
#ifdef CARDLINE_RESOURCE_DIR
  c.resources_dir = CARDLINE_RESOURCE_DIR;
#else
  c.resources_dir = ".";
#endif
  return c;
}

namespace {

std::string folderOf(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  return base + "/" + path;
}

// Walks one YAML document against the known schema and records every problem with its position.
class ConfigReader {
 public:
  ConfigReader(std::string file, std::vector<ConfigProblem>* problems)
      : file_(std::move(file)), problems_(problems) {}

  void problem(const YAML::Node& node, const std::string& message) {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) {
      problems_->push_back({file_, 0, 0, message});
    } else {
      problems_->push_back({file_, mark.line + 1, mark.column + 1, message});
    }
  }

  using Field = std::function<void(const YAML::Node&)>;

  // Applies `fields` to the keys of `map`; unknown keys and non-map nodes are problems.
  void readMap(const YAML::Node& map, const std::string& where,
               const std::map<std::string, Field>& fields) {
    if (!map.IsMap()) {
      problem(map, where + " must be a mapping of keys to values");
      return;
    }
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      auto it = fields.find(key);
      if (it == fields.end()) {
        std::string known;
        for (const auto& f : fields) known += (known.empty() ? "" : ", ") + f.first;
        problem(entry.first, "unknown key \"" + key + "\" in " + where + " (known: " + known + ")");
        continue;
      }
      it->second(entry.second);
    }
  }

  Field text(std::string* out, const std::string& key) {
    return [this, out, key](const YAML::Node& node) {
      if (!node.IsScalar()) {
        problem(node, key + " must be a text value");
        return;
      }
      *out = node.Scalar();
    };
  }

  Field integer(int* out, const std::string& key, int min, int max) {
    return [this, out, key, min, max](const YAML::Node& node) {
      long long value = 0;
      if (!node.IsScalar() || !parseInteger(node.Scalar(), &value)) {
        problem(node, key + " must be a whole number");
        return;
      }
      if (value < min || value > max) {
        problem(node, key + " must be between " + std::to_string(min) + " and " +
                          std::to_string(max) + ", got " + node.Scalar());
        return;
      }
      *out = static_cast<int>(value);
    };
  }

  template <typename E>
  Field choice(E* out, const std::string& key, const std::vector<std::pair<std::string, E>>& table) {
    return [this, out, key, table](const YAML::Node& node) {
      std::string names;
      for (const auto& entry : table) {
        if (node.IsScalar() && node.Scalar() == entry.first) {
          *out = entry.second;
          return;
        }
        names += (names.empty() ? "" : ", ") + entry.first;
      }
      problem(node, key + " must be one of: " + names);
    };
  }

 private:
  static bool parseInteger(const std::string& s, long long* out) {
    if (s.empty() || s.size() > 12) return false;
    std::size_t i = 0;
    bool negative = false;
    if (s[0] == '-') {
      negative = true;
      i = 1;
    }
    if (i == s.size()) return false;
    long long v = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = negative ? -v : v;
    return true;
  }

  std::string file_;
  std::vector<ConfigProblem>* problems_;
};

}  // namespace

int parseClockTime(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') return -1;
  for (int i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return -1;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return -1;
  return hours * 60 + minutes;
}

ConfigLoadResult loadConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    ConfigLoadResult result;
    result.config = defaultConfig();
    result.config.source = path;
    result.problems.push_back({path, 0, 0, "cannot open the configuration file"});
    return result;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parseConfigText(text.str(), path);
}

ConfigLoadResult parseConfigText(const std::string& text, const std::string& path) {
  ConfigLoadResult result;
  result.config = defaultConfig();
  Config& c = result.config;
  c.source = path;

  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    result.problems.push_back({path, e.mark.line + 1, e.mark.column + 1, e.msg});
    return result;
  }
  if (!root || root.IsNull()) {
    result.problems.push_back({path, 0, 0, "the configuration file is empty"});
    return result;
  }

  ConfigReader r(path, &result.problems);
  std::string data_dir, resources_dir;
  r.readMap(root, "the configuration", {
    {"data_dir", r.text(&data_dir, "data_dir")},
    {"node_id", r.text(&c.node_id, "node_id")},
    {"resources_dir", r.text(&resources_dir, "resources_dir")},
    {"database", [&](const YAML::Node& n) {
       r.readMap(n, "database", {
         {"backend", r.choice(&c.database.backend, "database.backend",
                              std::vector<std::pair<std::string, DatabaseBackend>>{
                                  {"sqlite", DatabaseBackend::kSqlite},
                                  {"mysql", DatabaseBackend::kMysql}})},
         {"sqlite", [&](const YAML::Node& s) {
            r.readMap(s, "database.sqlite",
                      {{"path", r.text(&c.database.sqlite.path, "database.sqlite.path")}});
          }},
         {"mysql", [&](const YAML::Node& m) {
            MysqlSettings& my = c.database.mysql;
            r.readMap(m, "database.mysql", {
              {"url", r.text(&my.url, "database.mysql.url")},
              {"user", r.text(&my.user, "database.mysql.user")},
              {"password_file", r.text(&my.password_file, "database.mysql.password_file")},
              {"password_env", r.text(&my.password_env, "database.mysql.password_env")},
              {"schema", r.text(&my.schema, "database.mysql.schema")},
              {"pool_size", r.integer(&my.pool_size, "database.mysql.pool_size", 1, 256)},
            });
          }},
       });
     }},
    {"security", [&](const YAML::Node& n) {
       r.readMap(n, "security", {
         {"pii_key_file", r.text(&c.security.pii_key_file, "security.pii_key_file")},
         {"pii_key_protection",
          r.choice(&c.security.pii_key_protection, "security.pii_key_protection",
                   std::vector<std::pair<std::string, PiiKeyProtection>>{
                       {"file", PiiKeyProtection::kFile},
                       {"pkcs11", PiiKeyProtection::kPkcs11}})},
         {"audit_key_file", r.text(&c.security.audit_key_file, "security.audit_key_file")},
       });
     }},
    {"signer", [&](const YAML::Node& n) {
       SignerSettings& sg = c.signer;
       r.readMap(n, "signer", {
         {"backend", r.choice(&sg.backend, "signer.backend",
                              std::vector<std::pair<std::string, SignerBackend>>{
                                  {"key_file", SignerBackend::kKeyFile},
                                  {"pkcs11", SignerBackend::kPkcs11}})},
         {"max_documents",
          r.integer(&sg.max_documents, "signer.max_documents", 1, 100000000)},
         {"pkcs11", [&](const YAML::Node& p) {
            Pkcs11Settings& hsm = sg.pkcs11;
            r.readMap(p, "signer.pkcs11", {
              {"module", r.text(&hsm.module, "signer.pkcs11.module")},
              {"token_label", r.text(&hsm.token_label, "signer.pkcs11.token_label")},
              {"pin_file", r.text(&hsm.pin_file, "signer.pkcs11.pin_file")},
              {"pin_env", r.text(&hsm.pin_env, "signer.pkcs11.pin_env")},
              {"pin", [&](const YAML::Node& v) {
                 r.problem(v, "signer.pkcs11.pin must not be written in the configuration; name "
                              "a pin_file or a pin_env variable instead");
               }},
            });
          }},
       });
     }},
    {"http", [&](const YAML::Node& n) {
       r.readMap(n, "http", {
         {"bind", r.text(&c.http.bind, "http.bind")},
         {"port", r.integer(&c.http.port, "http.port", 0, 65535)},
       });
     }},
    {"devices", [&](const YAML::Node& n) {
       DeviceLinkSettings& d = c.devices;
       r.readMap(n, "devices", {
         {"endpoint", r.text(&d.endpoint, "devices.endpoint")},
         {"security", r.choice(&d.security, "devices.security",
                               std::vector<std::pair<std::string, DeviceLinkSecurity>>{
                                   {"curve", DeviceLinkSecurity::kCurve},
                                   {"plain", DeviceLinkSecurity::kPlain}})},
         {"heartbeat_ms", r.integer(&d.heartbeat_ms, "devices.heartbeat_ms", 50, 60000)},
         {"liveness", r.integer(&d.liveness, "devices.liveness", 1, 100)},
         {"lease_seconds", r.integer(&d.lease_seconds, "devices.lease_seconds", 1, 86400)},
         {"payload", r.choice(&d.payload, "devices.payload",
                              std::vector<std::pair<std::string, JobPayloadMode>>{
                                  {"full", JobPayloadMode::kFull},
                                  {"headers", JobPayloadMode::kHeaders}})},
         {"payload_workers", r.integer(&d.payload_workers, "devices.payload_workers", 1, 64)},
       });
     }},
    {"logistics", [&](const YAML::Node& n) {
       LogisticsSettings& l = c.logistics;
       r.readMap(n, "logistics", {
         {"box_capacity", r.integer(&l.box_capacity, "logistics.box_capacity", 1, 10000)},
         {"cutoff", [&](const YAML::Node& v) {
            int minutes = -1;
            if (v.IsScalar()) minutes = parseClockTime(v.Scalar());
            if (minutes < 0) {
              r.problem(v, "logistics.cutoff must be a time of day as HH:MM");
              return;
            }
            l.cutoff = v.Scalar();
          }},
         {"utc_offset_minutes",
          r.integer(&l.utc_offset_minutes, "logistics.utc_offset_minutes", -840, 840)},
         {"retention_days", r.integer(&l.retention_days, "logistics.retention_days", 1, 36500)},
         {"delivery_service_level_hours",
          r.integer(&l.delivery_service_level_hours, "logistics.delivery_service_level_hours", 1,
                    8760)},
       });
     }},
    {"service_levels", [&](const YAML::Node& n) {
       ServiceLevels& s = c.service_levels;
       r.readMap(n, "service_levels", {
         {"receipt_to_print_hours",
          r.integer(&s.receipt_to_print_hours, "service_levels.receipt_to_print_hours", 1, 8760)},
         {"print_to_dispatch_hours",
          r.integer(&s.print_to_dispatch_hours, "service_levels.print_to_dispatch_hours", 1, 8760)},
       });
     }},
  });

  // Paths in the file are relative to the file's own folder.
  const std::string base = folderOf(path);
  if (!data_dir.empty()) c.data_dir = resolve(base, data_dir);
  if (!resources_dir.empty()) c.resources_dir = resolve(base, resources_dir);
  if (!c.database.mysql.password_file.empty()) {
    c.database.mysql.password_file = resolve(base, c.database.mysql.password_file);
  }
  if (c.data_dir.empty()) result.problems.push_back({path, 0, 0, "data_dir must not be empty"});
  if (c.signer.backend == SignerBackend::kPkcs11) {
    if (c.signer.pkcs11.module.empty()) {
      result.problems.push_back({path, 0, 0, "signer.backend is pkcs11 but signer.pkcs11.module "
                                             "(the PKCS#11 module path) is not set"});
    }
    if (c.signer.pkcs11.pin_file.empty() && c.signer.pkcs11.pin_env.empty()) {
      result.problems.push_back({path, 0, 0, "signer.backend is pkcs11 but neither "
                                             "signer.pkcs11.pin_file nor pin_env is set"});
    }
  }
  return result;
}

}  // namespace cardline
