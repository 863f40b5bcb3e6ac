#include "mes/app/demo_hsm.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mes/app/signer_factory.h"
#include "mes/document/pki/pkcs11_signer.h"
#include "mes/document/pki/test_pki.h"

namespace cardline::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDemoToken = "cardline-demo";

std::string softHsmModule() {
  for (const char* path :
       {"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"}) {
    if (fs::exists(path)) return path;
  }
  return "";
}

std::string shellQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Result<std::string> readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return notFound("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Status writeSecret(const std::string& path, const std::string& text) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return unavailable("cannot write " + path);
  }
  if (::chmod(path.c_str(), 0600) != 0) return unavailable("cannot restrict " + path);
  return Status::ok();
}

}  // namespace

Result<std::vector<std::string>> setUpDemoToken(Config* config, const Clock& clock) {
  std::vector<std::string> done;
  const std::string module = softHsmModule();
  if (module.empty()) {
    return notFound("--hsm needs SoftHSM2 (libsofthsm2.so not found; apt-get install softhsm2)");
  }
  const fs::path dir = fs::absolute(fs::path(config->data_dir) / "hsm");
  const fs::path tokens = dir / "tokens";
  std::error_code ec;
  fs::create_directories(tokens, ec);
  if (ec) return unavailable("cannot create " + tokens.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, ec);
  const std::string conf = (dir / "softhsm2.conf").string();
  {
    std::ofstream out(conf, std::ios::trunc);
    out << "directories.tokendir = " << tokens.string()
        << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    if (!out) return unavailable("cannot write " + conf);
  }
  ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  const std::string pin_file = (dir / "pin").string();
  if (!fs::exists(pin_file)) {
    CARDLINE_RETURN_IF_ERROR(writeSecret(pin_file, "4827\n"));
    CARDLINE_RETURN_IF_ERROR(writeSecret((dir / "so-pin").string(), "93516\n"));
    const std::string command = "softhsm2-util --init-token --free --label " +
                                std::string(kDemoToken) + " --so-pin 93516 --pin 4827 >" +
                                shellQuoted((dir / "init.log").string()) + " 2>&1";
    if (std::system(command.c_str()) != 0) {
      fs::remove(pin_file, ec);
      return unavailable("softhsm2-util --init-token failed (see " + (dir / "init.log").string() +
                         "; is softhsm2 installed?)");
    }
    done.push_back("initialised the SoftHSM2 token \"" + std::string(kDemoToken) + "\" in " +
                   tokens.string());
  }
  config->signer.backend = SignerBackend::kPkcs11;
  config->signer.pkcs11.module = module;
  config->signer.pkcs11.token_label = kDemoToken;
  config->signer.pkcs11.pin_file = pin_file;

  CARDLINE_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11Token> token, openConfiguredToken(*config));
  CARDLINE_ASSIGN_OR_RETURN(std::vector<SignerKeyInfo> keys, listSignerKeys(*token));
  for (const SignerKeyInfo& key : keys) {
    if (key.state() == "ready") {
      done.push_back("Document Signer " + key.signer_id + " in the token");
      return done;
    }
  }
  SignerSubject subject;
  subject.common_name = "cardline demo Document Signer (HSM)";
  CARDLINE_ASSIGN_OR_RETURN(
      SignerKeyRequest request,
      generateSignerKey(*token, "ds-demo-" + std::to_string(keys.size() + 1), subject));
  const PkiPaths pki = pkiPaths(config->data_dir);
  CARDLINE_ASSIGN_OR_RETURN(std::string csca_cert, readAll(pki.csca_cert));
  CARDLINE_ASSIGN_OR_RETURN(std::string csca_key, readAll(pki.csca_key));
  CARDLINE_ASSIGN_OR_RETURN(
      std::string cert, issueSignerCertificate(request.csr_pem, csca_cert, csca_key, 90, clock));
  CARDLINE_ASSIGN_OR_RETURN(std::string signer_id,
                            importSignerCertificate(*token, cert, csca_cert));
  done.push_back("generated Document Signer " + signer_id +
                 " inside the token (the test CSCA "
                 "certified it)");
  return done;
}

}  // namespace cardline::app
