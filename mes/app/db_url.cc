#include "mes/app/db_url.h"

#include <cctype>

namespace cardline::app {
namespace {

constexpr const char kScheme[] = "mysql://";
constexpr const char kShape[] = " (expected mysql://USER@HOST:PORT/SCHEMA)";

Status bad(const std::string& url, const std::string& what) {
  return invalidArgument("--db " + url + ": " + what + kShape);
}

bool isIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

}  // namespace

Result<MysqlUrl> parseMysqlUrl(const std::string& url) {
  const std::string scheme(kScheme);
  if (url.compare(0, scheme.size(), scheme) != 0) {
    const auto colon = url.find("://");
    if (colon != std::string::npos) {
      return bad(url, "unsupported scheme \"" + url.substr(0, colon) + "\"");
    }
    return bad(url, "not a database URL");
  }
  const std::string rest = url.substr(scheme.size());
  const auto at = rest.find('@');
  if (at == std::string::npos) return bad(url, "no user (USER@ before the host)");
  MysqlUrl out;
  out.user = rest.substr(0, at);
  if (out.user.empty()) return bad(url, "the user before @ is empty");
  if (out.user.find(':') != std::string::npos) {
    return bad(url, std::string("the URL must not contain the password; use "
                                "--db-password-file FILE or the environment variable ") +
                        kDbPasswordEnv);
  }
  const std::string after_user = rest.substr(at + 1);
  const auto slash = after_user.find('/');
  if (slash == std::string::npos) return bad(url, "no schema (/SCHEMA after the host)");
  std::string host_port = after_user.substr(0, slash);
  out.schema = after_user.substr(slash + 1);
  const auto colon = host_port.rfind(':');
  if (colon != std::string::npos) {
    const std::string port = host_port.substr(colon + 1);
    host_port = host_port.substr(0, colon);
    if (port.empty() || port.size() > 5) return bad(url, "the port \"" + port + "\" is invalid");
    for (char c : port) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
        return bad(url, "the port \"" + port + "\" is not a number");
      }
    }
    out.port = std::stoi(port);
    if (out.port < 1 || out.port > 65535) {
      return bad(url, "the port " + port + " is outside 1..65535");
    }
  }
  if (host_port.empty()) return bad(url, "no host");
  for (char c : host_port) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '_') {
      return bad(url, "the host \"" + host_port + "\" is not a host name or IPv4 address");
    }
  }
  out.host = host_port;
  if (out.schema.empty()) return bad(url, "the schema after / is empty");
  if (out.schema.size() > 64) return bad(url, "the schema name is longer than 64 characters");
  for (char c : out.schema) {
    if (!isIdentifierChar(c)) {
      return bad(url, "the schema \"" + out.schema +
                          "\" is not a plain identifier (letters, digits, _ and $ only)");
    }
  }
  return out;
}

Status applyDatabaseUrl(const std::string& db, const std::string& password_file,
                        Config* config) {
  if (db == "sqlite") {
    if (!password_file.empty()) {
      return invalidArgument("--db-password-file is for --db mysql://...; the embedded "
                             "database has no password");
    }
    config->database.backend = DatabaseBackend::kSqlite;
    return Status::ok();
  }
  CARDLINE_ASSIGN_OR_RETURN(MysqlUrl url, parseMysqlUrl(db));
  MysqlSettings& my = config->database.mysql;
  config->database.backend = DatabaseBackend::kMysql;
  my.url = "tcp://" + url.host + ":" + std::to_string(url.port);
  my.user = url.user;
  my.schema = url.schema;
  my.password_file = password_file;
  my.password_env = kDbPasswordEnv;
  return Status::ok();
}

std::string describeDatabase(const Config& config) {
  if (config.database.backend == DatabaseBackend::kSqlite) return "sqlite";
  const MysqlSettings& my = config.database.mysql;
  const std::string tcp = "tcp://";
  if (my.url.compare(0, tcp.size(), tcp) == 0) {
    return "mysql://" + my.user + "@" + my.url.substr(tcp.size()) + "/" + my.schema;
  }
  return "mysql " + my.user + "@" + my.url + " schema " + my.schema;
}

}  // namespace cardline::app
