// Document Signer signatures per second: the same EF.SOD (DG1 + DG13) signed N times by the
// key-file signer (ECDSA P-256 in OpenSSL) and by the PKCS#11 signer on a throwaway SoftHSM2
// token (ECDSA P-256 in the token; CMS by OpenSSL). Reports signatures per second of wall time
// and per CPU-second of this thread (SoftHSM2 runs in this process, so its work is counted).
// Each signature also persists the document count (write, fsync, rename), as in production.
//
// Usage: signer_bench [--signatures N] [--module PATH]   (default 500, SoftHSM2's module)
// Needs softhsm2 (softhsm2-util and libsofthsm2.so).

#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "mes/base/clock.h"
#include "mes/document/lds.h"
#include "mes/document/pki/key_file_signer.h"
#include "mes/document/pki/pkcs11_signer.h"
#include "mes/document/pki/test_pki.h"
#include "mes/document/sod.h"

namespace cardline {
namespace {

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int fail(const std::string& what, const Status& status) {
  std::cerr << "signer_bench: " << what << ": " << status.toString() << "\n";
  return 1;
}

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Signs `count` EF.SODs; prints one line. Returns false on the first failure.
bool measure(const std::string& name, Signer& signer, int count) {
  DataGroups groups;
  groups[1] = buildDg1(MrzText{"IDVNM0990123459001099012345<<0", "9903159M2403155VNM<<<<<<<<<<<2",
                               "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<"});
  NationalData national;
  national.full_name = "Nguyen Van A";
  groups[13] = buildDg13(national);
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = threadCpuSeconds();
  for (int i = 0; i < count; ++i) {
    Result<EfSod> sod = buildEfSod(groups, signer);
    if (!sod.isOk()) {
      std::cerr << "signer_bench: " << name << ": " << sod.status().toString() << "\n";
      return false;
    }
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const double cpu = threadCpuSeconds() - cpu_start;
  std::cout << std::left << std::setw(22) << name << std::right << std::fixed
            << std::setprecision(0) << std::setw(8) << count / wall << " signatures/s wall"
            << std::setw(8) << count / cpu << " per CPU-second" << std::setprecision(2)
            << std::setw(8) << 1000.0 * wall / count << " ms each\n";
  return true;
}

int run(int argc, char** argv) {
  int count = 500;
  std::string module = "/usr/lib/softhsm/libsofthsm2.so";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--signatures" && i + 1 < argc) {
      count = std::atoi(argv[++i]);
    } else if (a == "--module" && i + 1 < argc) {
      module = argv[++i];
    } else {
      std::cerr << "usage: signer_bench [--signatures N] [--module PATH]\n";
      return 2;
    }
  }
  if (count < 1) return fail("--signatures", invalidArgument("must be at least 1"));
  std::string pattern =
      (std::filesystem::temp_directory_path() / "cardline-signer-bench-XXXXXX").string();
  const std::filesystem::path dir = ::mkdtemp(pattern.data());
  SystemClock clock;
  auto pki = initTestPki(dir.string(), TestPkiOptions(), clock);
  if (!pki.isOk()) return fail("test PKI", pki.status());

  KeyFileSignerOptions file_options;
  file_options.pki_dir = pki->dir;
  file_options.max_documents = 100000000;
  auto file_signer = KeyFileSigner::open(file_options, clock);
  if (!file_signer.isOk()) return fail("key-file signer", file_signer.status());

  // A throwaway SoftHSM2 token.
  std::filesystem::create_directories(dir / "tokens");
  const std::string conf = (dir / "softhsm2.conf").string();
  std::ofstream(conf) << "directories.tokendir = " << (dir / "tokens").string()
                      << "\nobjectstore.backend = file\nlog.level = ERROR\n";
  ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  if (std::system("softhsm2-util --init-token --free --label bench --so-pin 1234 --pin 5678 "
                  ">/dev/null 2>&1") != 0) {
    return fail("softhsm2-util --init-token", unavailable("failed (is softhsm2 installed?)"));
  }
  auto token = Pkcs11Token::open(Pkcs11TokenOptions{module, "bench", "5678"});
  if (!token.isOk()) return fail("token", token.status());
  auto request = generateSignerKey(**token, "ds-bench", SignerSubject());
  if (!request.isOk()) return fail("generate-key", request.status());
  auto cert = issueSignerCertificate(request->csr_pem, readAll(pki->csca_cert),
                                     readAll(pki->csca_key), 90, clock);
  if (!cert.isOk()) return fail("certificate", cert.status());
  auto imported = importSignerCertificate(**token, *cert, readAll(pki->csca_cert));
  if (!imported.isOk()) return fail("import", imported.status());
  Pkcs11SignerOptions token_options;
  token_options.counter_dir = pki->dir;
  token_options.max_documents = 100000000;
  auto token_signer = Pkcs11Signer::open(**token, token_options, clock);
  if (!token_signer.isOk()) return fail("PKCS#11 signer", token_signer.status());

  std::cout << count << " EF.SOD signatures each (ECDSA P-256, SHA-256, CMS; count fsynced)\n";
  const bool ok = measure("key file (OpenSSL)", **file_signer, count) &&
                  measure("PKCS#11 (SoftHSM2)", **token_signer, count);
  token_signer->reset();
  token->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace cardline

int main(int argc, char** argv) { return cardline::run(argc, argv); }
