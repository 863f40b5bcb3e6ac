#pragma once
// The `--db` option of `cardline demo` and `cardline bench`: a database named by one URL,
// turned into the configuration's database section (so the rest of the program has one path,
// Config → storeOptions(), whichever way the database was named).
//
//   sqlite                              the embedded database, <data_dir>/cardline.db
//   mysql://USER@HOST[:PORT]/SCHEMA     MariaDB/MySQL over TCP (PORT defaults to 3306)
//
// The password is never part of the URL: it comes from a file (--db-password-file FILE, first
// line) or, without one, from the environment variable CARDLINE_DB_PASSWORD.

#include <string>

#include "mes/base/status.h"
#include "mes/config/config.h"

namespace cardline::app {

// The environment variable a `--db mysql://` URL takes its password from.
inline constexpr const char kDbPasswordEnv[] = "CARDLINE_DB_PASSWORD";

// A parsed mysql:// URL.
struct MysqlUrl {
  std::string user;
  std::string host;
  int port = 3306;
  std::string schema;
};

// Parses "mysql://USER@HOST[:PORT]/SCHEMA". kInvalidArgument names what is wrong: another
// scheme, a missing user, host or schema, a password inside the URL, a port that is not a
// number in 1..65535, a schema that is not a plain identifier ([A-Za-z0-9_$], at most 64), or
// anything after the schema (query strings and further path parts are not supported).
Result<MysqlUrl> parseMysqlUrl(const std::string& url);

// Sets config->database from a --db value. "sqlite" selects the embedded database (keeping
// the configured sqlite settings); a mysql:// URL selects MariaDB with url tcp://HOST:PORT,
// the user and the schema of the URL, and the password from `password_file` when non-empty,
// else from kDbPasswordEnv (read later, by storeOptions()). kInvalidArgument for any other
// value (see parseMysqlUrl) and for a password file given with "sqlite". Nothing is changed
// on failure.
Status applyDatabaseUrl(const std::string& db, const std::string& password_file, Config* config);

// "sqlite" or "mysql://USER@HOST:PORT/SCHEMA" for the configured database (for reports; never
// contains the password).
std::string describeDatabase(const Config& config);

}  // namespace cardline::app
