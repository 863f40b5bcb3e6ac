#include "mes/document/openssl_util.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <limits>

namespace cardline::ossl {

std::string drainErrors() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Status failure(const std::string& what) {
  const std::string errors = drainErrors();
  return internalError(errors.empty() ? what : what + ": " + errors);
}

BioPtr memoryBio(const Bytes& data) {
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

BioPtr memoryBio(const std::string& data) {
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

BioPtr emptyBio() { return BioPtr(BIO_new(BIO_s_mem())); }

Bytes bioContents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (length <= 0 || data == nullptr) return {};
  return Bytes(data, data + length);
}

std::vector<X509Ptr> readCertificates(const std::string& pem) {
  std::vector<X509Ptr> out;
  BioPtr bio = memoryBio(pem);
  if (!bio) return out;
  while (true) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    out.push_back(std::move(cert));
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return out;
}

std::string subjectLine(X509* cert) {
  BioPtr bio = emptyBio();
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
    return "";
  }
  return toString(bioContents(bio.get()));
}

}  // namespace cardline::ossl
