#pragma once
// The one typed configuration of a cardline node (etc/cardline.yaml). Built once at start-up
// by loadConfig() (config_loader.h) or defaultConfig(), then passed into constructors. Plain
// data, no third-party types; every field has the documented default below.

#include <cstdint>
#include <string>

namespace cardline {

enum class DatabaseBackend { kSqlite, kMysql };     // "sqlite", "mysql"
enum class DeviceLinkSecurity { kCurve, kPlain };   // "curve", "plain" (development only)
// What a JOB carries: "full" artefacts (print PDF, signed chip files, QA expectations) or
// "headers" only (small metadata, for throughput runs with simulated devices).
enum class JobPayloadMode { kFull, kHeaders };
// Where the Document Signer key lives: PEM files in <data_dir>/pki ("key_file", the embedded
// default) or a PKCS#11 token ("pkcs11", an HSM; docs/pki.md).
enum class SignerBackend { kKeyFile, kPkcs11 };

struct SqliteSettings {
  std::string path;  // database file; empty = <data_dir>/cardline.db; relative = under data_dir
};

struct MysqlSettings {
  std::string url = "tcp://127.0.0.1:3306";  // or unix:///path/to/socket
  std::string user = "cardline";
  std::string password_file;  // file whose first line is the password; or
  std::string password_env = "CARDLINE_MYSQL_PASSWORD";  // environment variable
  std::string schema = "cardline";
  int pool_size = 8;
};

struct DatabaseSettings {
  DatabaseBackend backend = DatabaseBackend::kSqlite;
  SqliteSettings sqlite;
  MysqlSettings mysql;
};

// How the personal-data key file is kept: "file" (the key itself, hex) or "pkcs11" (the key
// wrapped by an AES key in the token of signer.pkcs11; `cardline pki wrap-pii-key` converts).
enum class PiiKeyProtection { kFile, kPkcs11 };

struct SecuritySettings {
  // 32-byte key for personal data at rest (AES-256-GCM). Empty = <data_dir>/keys/pii.key,
  // generated on first use when absent; relative = under data_dir. Never inside the repository
  // or the database.
  std::string pii_key_file;
  PiiKeyProtection pii_key_protection = PiiKeyProtection::kFile;
  // 32-byte key that seals the audit trail (HMAC-SHA-256). Empty = <data_dir>/keys/audit.key,
  // generated for the embedded database when absent (like the personal-data key); relative =
  // under data_dir. Never in the database: whoever can write the database must not hold it.
  std::string audit_key_file;
};

// The PKCS#11 token holding the Document Signer keys. The PIN is never in this file: it comes
// from pin_file (first line) or, when that is empty, the environment variable pin_env.
struct Pkcs11Settings {
  std::string module;  // the vendor's module (.so), e.g. /usr/lib/softhsm/libsofthsm2.so
  std::string token_label = "cardline";
  std::string pin_file;                    // relative = under data_dir; or
  std::string pin_env = "CARDLINE_HSM_PIN";
};

struct SignerSettings {
  SignerBackend backend = SignerBackend::kKeyFile;
  int max_documents = 100000;  // per Document Signer key (ICAO practice)
  Pkcs11Settings pkcs11;
};

struct HttpSettings {
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0 picks a free port
};

struct DeviceLinkSettings {
  std::string endpoint = "tcp://127.0.0.1:5555";  // where the MES ROUTER binds
  DeviceLinkSecurity security = DeviceLinkSecurity::kCurve;
  int heartbeat_ms = 1000;
  int liveness = 3;       // missed heartbeats before a device counts as lost
  int lease_seconds = 30; // a job's lease on a device
  JobPayloadMode payload = JobPayloadMode::kFull;
  int payload_workers = 2;  // threads building job payloads (PDF, chip signing)
};

struct LogisticsSettings {
  int box_capacity = 50;              // cards per box; a full box closes itself
  std::string cutoff = "16:00";       // local time at which open boxes close
  int utc_offset_minutes = 420;       // the factory's local time (Vietnam: UTC+7)
  int retention_days = 90;            // personal data kept this long after delivery
  int delivery_service_level_hours = 72;  // hand-over → delivered, else overdue
};

struct ServiceLevels {
  int receipt_to_print_hours = 48;   // about 2 working days (DOMAIN.md)
  int print_to_dispatch_hours = 72;  // 3 days
};

struct Config {
  std::string source;    // the file it was loaded from, or "(defaults)"
  std::string data_dir;  // embedded database, generated keys, PKI, reports; default ./var/demo
  std::string node_id = "node-1";  // names this serve process in leases
  std::string resources_dir;  // holds workflows/, templates/, etc/reference/; default: the
                              // source tree this binary was built from
  DatabaseSettings database;
  SecuritySettings security;
  SignerSettings signer;
  HttpSettings http;
  DeviceLinkSettings devices;
  ServiceLevels service_levels;
  LogisticsSettings logistics;

  // Effective locations. Data files live under data_dir unless given as absolute paths.
  std::string sqlitePath() const { return underDataDir(database.sqlite.path, "cardline.db"); }
  std::string piiKeyFile() const { return underDataDir(security.pii_key_file, "keys/pii.key"); }
  std::string auditKeyFile() const {
    return underDataDir(security.audit_key_file, "keys/audit.key");
  }
  std::string pkiDir() const { return data_dir + "/pki"; }
  std::string deviceKeyDir() const { return data_dir + "/keys"; }
  std::string underDataDir(const std::string& path, const std::string& fallback) const {
    if (path.empty()) return data_dir + "/" + fallback;
    if (path[0] == '/') return path;
    return data_dir + "/" + path;
  }
  // Resource locations (resources_dir-relative).
  std::string workflowsDir() const { return resources_dir + "/workflows"; }
  std::string templatesDir() const { return resources_dir + "/templates"; }
  std::string referenceDir() const { return resources_dir + "/etc/reference"; }
};

const char* name(DatabaseBackend v);
const char* name(DeviceLinkSecurity v);
const char* name(JobPayloadMode v);
const char* name(SignerBackend v);

}  // namespace cardline
