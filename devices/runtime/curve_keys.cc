#include "devices/runtime/curve_keys.h"

#include <sys/stat.h>
#include <zmq.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "devices/protocol/message.h"

namespace cardline {
namespace {

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  std::size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<CurveKeyPair> generateCurveKeyPair() {
  char pub[41];
  char sec[41];
  if (zmq_curve_keypair(pub, sec) != 0) {
    return unavailable(std::string("zmq_curve_keypair: ") + zmq_strerror(zmq_errno()));
  }
  return CurveKeyPair{std::string(pub, 40), std::string(sec, 40)};
}

bool isZ85Key(const std::string& text) {
  if (text.size() != 40) return false;
  std::uint8_t out[32];
  return zmq_z85_decode(out, text.c_str()) != nullptr;
}

Status writeKeyFiles(const std::string& dir, const std::string& name, const CurveKeyPair& pair) {
  if (!protocol::isValidToken(name)) return invalidArgument("bad key name \"" + name + "\"");
  if (!isZ85Key(pair.public_key) || !isZ85Key(pair.secret_key)) {
    return invalidArgument("not a Z85 CURVE key pair");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return unavailable("creating " + dir + ": " + ec.message());
  std::string pub_path = dir + "/" + name + ".key";
  std::string sec_path = dir + "/" + name + ".key_secret";
  if (std::filesystem::exists(pub_path) || std::filesystem::exists(sec_path)) {
    return alreadyExists("key files for " + name + " already exist in " + dir);
  }
  {
    std::ofstream out(pub_path);
    out << "# CURVE public key of " << name << " (share it: cardline device add)\n"
        << "public-key = " << pair.public_key << "\n";
    if (!out) return unavailable("writing " + pub_path);
  }
  {
    std::ofstream out(sec_path);
    out << "# CURVE key pair of " << name << ": keep secret\n"
        << "public-key = " << pair.public_key << "\n"
        << "secret-key = " << pair.secret_key << "\n";
    if (!out) return unavailable("writing " + sec_path);
  }
  if (chmod(sec_path.c_str(), 0600) != 0) return unavailable("chmod 0600 " + sec_path);
  return Status::ok();
}

Result<CurveKeyPair> readKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return notFound("cannot open key file " + path);
  CurveKeyPair pair;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    std::size_t eq = t.find('=');
    std::string where = path + ":" + std::to_string(number) + ": ";
    if (eq == std::string::npos) return invalidArgument(where + "expected \"name = value\"");
    std::string key = trim(t.substr(0, eq));
    std::string value = trim(t.substr(eq + 1));
    if (key != "public-key" && key != "secret-key") {
      return invalidArgument(where + "unknown entry \"" + key + "\"");
    }
    if (!isZ85Key(value)) return invalidArgument(where + key + " is not a 40-character Z85 key");
    (key == "public-key" ? pair.public_key : pair.secret_key) = value;
  }
  if (pair.public_key.empty()) return invalidArgument(path + ": no public-key line");
  return pair;
}

Result<std::string> publicKeyFrom(const std::string& text) {
  std::error_code ec;
  if (!text.empty() && std::filesystem::is_regular_file(text, ec)) {
    CARDLINE_ASSIGN_OR_RETURN(CurveKeyPair pair, readKeyFile(text));
    return pair.public_key;
  }
  if (isZ85Key(text)) return text;
  return invalidArgument("\"" + text +
                         "\" is neither a key file nor a 40-character Z85 CURVE public key");
}

}  // namespace cardline
