#pragma once
// Internal to mes/document and mes/document/pki: owning smart pointers for OpenSSL objects and
// the text of OpenSSL's error queue. Not part of the document API (other components never
// include OpenSSL headers through mes/document).

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "mes/base/bytes.h"
#include "mes/base/status.h"

namespace cardline::ossl {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using CmsPtr = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

// Drains OpenSSL's thread-local error queue into one line ("" when empty).
std::string drainErrors();

// kInternal with "what: <openssl errors>".
Status failure(const std::string& what);

// A read-only memory BIO over data (data must outlive the BIO).
BioPtr memoryBio(const Bytes& data);
BioPtr memoryBio(const std::string& data);
// A fresh writable memory BIO.
BioPtr emptyBio();
// Everything written to a memory BIO so far.
Bytes bioContents(BIO* bio);

// Parses every PEM certificate in pem; empty when there is none.
std::vector<X509Ptr> readCertificates(const std::string& pem);

// The certificate's subject as one RFC 2253 line.
std::string subjectLine(X509* cert);

}  // namespace cardline::ossl
