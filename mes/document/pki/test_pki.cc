#include "mes/document/pki/test_pki.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "mes/document/openssl_util.h"

namespace cardline {
namespace {

using ossl::KeyPtr;
using ossl::X509Ptr;

Result<KeyPtr> newKey() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return ossl::failure("generating an EC P-256 key");
  return key;
}

Status addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return ossl::failure(std::string("building extension ") + value);
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (added != 1) return ossl::failure(std::string("adding extension ") + value);
  return Status::ok();
}

Status setName(X509_NAME* name, const TestPkiOptions& options, const std::string& common_name) {
  const std::pair<const char*, const std::string*> entries[] = {
      {"C", &options.country}, {"O", &options.organization}, {"CN", &common_name}};
  for (const auto& [field, value] : entries) {
    if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value->c_str()), -1, -1,
                                   0) != 1) {
      return ossl::failure(std::string("setting name field ") + field);
    }
  }
  return Status::ok();
}

struct CertSpec {
  const std::string* common_name;
  int validity_days;
  EVP_PKEY* subject_key;
  X509* issuer_cert;     // nullptr: self-signed
  EVP_PKEY* issuer_key;
  std::vector<std::pair<int, const char*>> extensions;
  X509_NAME* subject = nullptr;  // nullptr: from options and common_name
};

Result<X509Ptr> makeCertificate(const CertSpec& spec, const TestPkiOptions& options,
                                time_t not_before) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return ossl::failure("X509_new");
  std::unique_ptr<BIGNUM, ossl::Deleter<BIGNUM, BN_free>> serial(BN_new());
  if (!serial || BN_rand(serial.get(), 64, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return ossl::failure("making a serial number");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before) == nullptr ||
      ASN1_TIME_adj(X509_getm_notAfter(cert.get()), not_before, spec.validity_days, 0) ==
          nullptr) {
    return ossl::failure("setting the validity");
  }
  if (spec.subject != nullptr) {
    if (X509_set_subject_name(cert.get(), spec.subject) != 1) {
      return ossl::failure("setting the subject");
    }
  } else {
    CARDLINE_RETURN_IF_ERROR(
        setName(X509_get_subject_name(cert.get()), options, *spec.common_name));
  }
  X509* issuer = spec.issuer_cert != nullptr ? spec.issuer_cert : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) != 1 ||
      X509_set_pubkey(cert.get(), spec.subject_key) != 1) {
    return ossl::failure("setting issuer and public key");
  }
  for (const auto& [nid, value] : spec.extensions) {
    CARDLINE_RETURN_IF_ERROR(addExtension(cert.get(), issuer, nid, value));
  }
  if (X509_sign(cert.get(), spec.issuer_key, EVP_sha256()) <= 0) {
    return ossl::failure("signing the certificate");
  }
  return cert;
}

Result<std::string> certPem(X509* cert) {
  ossl::BioPtr bio = ossl::emptyBio();
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return ossl::failure("writing PEM");
  return toString(ossl::bioContents(bio.get()));
}

Result<std::string> keyPem(EVP_PKEY* key) {
  ossl::BioPtr bio = ossl::emptyBio();
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return ossl::failure("writing the private key");
  }
  return toString(ossl::bioContents(bio.get()));
}

// Writes text to path through a temporary file and rename, with the given mode.
Status writeFile(const std::string& path, const std::string& text, mode_t mode) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return unavailable("cannot create " + tmp + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0;
  std::size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(ok ? errno : saved);
    ::unlink(tmp.c_str());
    return unavailable("cannot write " + path + ": " + reason);
  }
  return Status::ok();
}

}  // namespace

PkiPaths pkiPaths(const std::string& data_dir) {
  const std::string dir = (std::filesystem::path(data_dir) / "pki").string();
  return PkiPaths{dir, dir + "/csca.pem", dir + "/csca.key", dir + "/ds.pem", dir + "/ds.key"};
}

Result<PkiPaths> initTestPki(const std::string& data_dir, const TestPkiOptions& options,
                             const Clock& clock) {
  if (options.csca_validity_days <= 0 || options.ds_validity_days <= 0 ||
      options.ds_validity_days > options.csca_validity_days) {
    return invalidArgument("validity days must be positive and the DS validity (" +
                           std::to_string(options.ds_validity_days) +
                           ") must not exceed the CSCA validity (" +
                           std::to_string(options.csca_validity_days) + ")");
  }
  const PkiPaths paths = pkiPaths(data_dir);
  if (options.overwrite == PkiOverwrite::kRefuse) {
    for (const std::string* file : {&paths.csca_cert, &paths.csca_key, &paths.ds_cert,
                                    &paths.ds_key}) {
      std::error_code ec;
      if (std::filesystem::exists(*file, ec)) {
        return alreadyExists(*file + " already exists; refusing to overwrite the PKI (force to "
                             "replace it)");
      }
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(paths.dir, ec);
  if (ec) return unavailable("cannot create " + paths.dir + ": " + ec.message());
  std::filesystem::permissions(paths.dir, std::filesystem::perms::owner_all, ec);

  const time_t now = static_cast<time_t>(clock.now().seconds());
  CARDLINE_ASSIGN_OR_RETURN(KeyPtr csca_key, newKey());
  CARDLINE_ASSIGN_OR_RETURN(KeyPtr ds_key, newKey());
  CertSpec csca_spec{&options.csca_common_name,
                     options.csca_validity_days,
                     csca_key.get(),
                     nullptr,
                     csca_key.get(),
                     {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                      {NID_key_usage, "critical,keyCertSign,cRLSign"},
                      {NID_subject_key_identifier, "hash"},
                      {NID_authority_key_identifier, "keyid:always"}}};
  CARDLINE_ASSIGN_OR_RETURN(X509Ptr csca, makeCertificate(csca_spec, options, now));
  CertSpec ds_spec{&options.ds_common_name,
                   options.ds_validity_days,
                   ds_key.get(),
                   csca.get(),
                   csca_key.get(),
                   {{NID_key_usage, "critical,digitalSignature"},
                    {NID_subject_key_identifier, "hash"},
                    {NID_authority_key_identifier, "keyid:always"}}};
  CARDLINE_ASSIGN_OR_RETURN(X509Ptr ds, makeCertificate(ds_spec, options, now));

  CARDLINE_ASSIGN_OR_RETURN(std::string csca_pem, certPem(csca.get()));
  CARDLINE_ASSIGN_OR_RETURN(std::string ds_pem, certPem(ds.get()));
  CARDLINE_ASSIGN_OR_RETURN(std::string csca_key_pem, keyPem(csca_key.get()));
  CARDLINE_ASSIGN_OR_RETURN(std::string ds_key_pem, keyPem(ds_key.get()));
  CARDLINE_RETURN_IF_ERROR(writeFile(paths.csca_key, csca_key_pem, 0600));
  CARDLINE_RETURN_IF_ERROR(writeFile(paths.ds_key, ds_key_pem, 0600));
  CARDLINE_RETURN_IF_ERROR(writeFile(paths.csca_cert, csca_pem, 0644));
  CARDLINE_RETURN_IF_ERROR(writeFile(paths.ds_cert, ds_pem, 0644));
  return paths;
}

Result<std::string> issueSignerCertificate(const std::string& request_pem,
                                           const std::string& csca_cert_pem,
                                           const std::string& csca_key_pem, int validity_days,
                                           const Clock& clock) {
  if (validity_days <= 0) return invalidArgument("validity days must be positive");
  ossl::BioPtr request_bio = ossl::memoryBio(request_pem);
  std::unique_ptr<X509_REQ, ossl::Deleter<X509_REQ, X509_REQ_free>> request(
      PEM_read_bio_X509_REQ(request_bio.get(), nullptr, nullptr, nullptr));
  if (!request) {
    ossl::drainErrors();
    return invalidArgument("the request is not a PEM certificate request (PKCS#10)");
  }
  EVP_PKEY* subject_key = X509_REQ_get0_pubkey(request.get());
  if (subject_key == nullptr || X509_REQ_verify(request.get(), subject_key) != 1) {
    ossl::drainErrors();
    return invalidArgument("the request's signature does not verify (no proof of possession)");
  }
  std::vector<X509Ptr> csca = ossl::readCertificates(csca_cert_pem);
  if (csca.empty()) return invalidArgument("the CSCA certificate file holds no PEM certificate");
  ossl::BioPtr key_bio = ossl::memoryBio(csca_key_pem);
  KeyPtr csca_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!csca_key || X509_check_private_key(csca.front().get(), csca_key.get()) != 1) {
    ossl::drainErrors();
    return invalidArgument("the CSCA key is unreadable or does not belong to the CSCA "
                           "certificate");
  }
  const std::string unused;
  CertSpec spec{&unused,
                validity_days,
                subject_key,
                csca.front().get(),
                csca_key.get(),
                {{NID_key_usage, "critical,digitalSignature"},
                 {NID_subject_key_identifier, "hash"},
                 {NID_authority_key_identifier, "keyid:always"}},
                X509_REQ_get_subject_name(request.get())};
  CARDLINE_ASSIGN_OR_RETURN(
      X509Ptr cert,
      makeCertificate(spec, TestPkiOptions(), static_cast<time_t>(clock.now().seconds())));
  return certPem(cert.get());
}

}  // namespace cardline
