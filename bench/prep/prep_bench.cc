// Prepared cards per second per core. For N cards (synthetic applications of both card models,
// alternating) it does what the MES does for one card before print and encode: prepareCard (the
// card values, MRZ, QR payload and the two-page print PDF with embedded fonts), then the encode
// payload (EF.COM, DG1, DG2, DG13 and EF.SOD signed by a throwaway test Document Signer). Runs
// on this thread and reports cards per second of wall time and per CPU-second of this thread
// (robust on a shared machine), plus the split between faces and chip.
//
// Usage: prep_bench [--cards N] [--dir DIR]       (default 200 cards, a fresh folder in /tmp)

#include <time.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "mes/base/clock.h"
#include "mes/config/template_loader.h"
#include "mes/document/pki/key_file_signer.h"
#include "mes/document/pki/test_pki.h"
#include "mes/prep/job_payloads.h"
#include "mes/prep/prepare.h"
#include "tests/unit/prep/prep_test_support.h"

namespace cardline {
namespace {

double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int fail(const std::string& what, const Status& status) {
  std::cerr << "prep_bench: " << what << ": " << status.toString() << "\n";
  return 1;
}

int run(int argc, char** argv) {
  int cards = 200;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--cards" && i + 1 < argc) {
      cards = std::atoi(argv[++i]);
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::cerr << "usage: prep_bench [--cards N] [--dir DIR]\n";
      return 2;
    }
  }
  if (cards < 1) {
    std::cerr << "prep_bench: --cards must be at least 1\n";
    return 2;
  }
  std::unique_ptr<prep_testing::TempDir> temp;
  if (dir.empty()) {
    temp = std::make_unique<prep_testing::TempDir>();
    dir = temp->path().string();
  }
  SystemClock clock;
  auto pki = initTestPki(dir + "/pki-data", TestPkiOptions{}, clock);
  if (!pki.isOk()) return fail("pki", pki.status());
  KeyFileSignerOptions signer_options;
  signer_options.pki_dir = pki->dir;
  auto signer = KeyFileSigner::open(signer_options, clock);
  if (!signer.isOk()) return fail("signer", signer.status());
  const std::filesystem::path templates = prep_testing::sourceDir() / "templates" / "cards";
  auto t2021 = loadCardTemplate((templates / "cccd-2021.yaml").string());
  auto t2024 = loadCardTemplate((templates / "can-cuoc-2024.yaml").string());
  if (!t2021.isOk()) return fail("template", t2021.status());
  if (!t2024.isOk()) return fail("template", t2024.status());
  const Application samples[] = {prep_testing::sample2021(), prep_testing::sample2024()};

  double faces_cpu = 0;
  double chip_cpu = 0;
  std::size_t pdf_bytes = 0;
  const auto started = std::chrono::steady_clock::now();
  const double cpu_started = threadCpuSeconds();
  for (int i = 0; i < cards; ++i) {
    Application app = samples[i % 2];
    app.id = "APP-BENCH-" + std::to_string(i);
    const CardTemplate& tmpl = i % 2 == 0 ? t2021.value() : t2024.value();
    const double t0 = threadCpuSeconds();
    auto card = prepareCard(app, tmpl);
    if (!card.isOk()) return fail("prepare", card.status());
    const double t1 = threadCpuSeconds();
    JobPayloadInput in;
    in.application = &app;
    in.card_template = &tmpl;
    in.signer = signer->get();
    in.prepared = &card.value();
    auto encode = buildJobPayload(StationType::kEncode, in);
    if (!encode.isOk()) return fail("encode payload", encode.status());
    const double t2 = threadCpuSeconds();
    faces_cpu += t1 - t0;
    chip_cpu += t2 - t1;
    pdf_bytes += card->pdf.size();
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double cpu = threadCpuSeconds() - cpu_started;
  std::cout << std::fixed << std::setprecision(1) << "prep_bench: " << cards
            << " cards prepared (faces + signed chip) in " << wall << " s wall, " << cpu
            << " s CPU\n"
            << "  " << cards / wall << " cards/s wall, " << cards / cpu
            << " cards per CPU-second (one core)\n"
            << std::setprecision(2) << "  per card: faces " << 1000 * faces_cpu / cards
            << " ms CPU (PDF " << pdf_bytes / cards / 1024 << " KiB), chip + signature "
            << 1000 * chip_cpu / cards << " ms CPU\n"
            << "  documents signed by " << (*signer)->signerId() << ": "
            << (*signer)->documentsSigned() << "\n";
  return 0;
}

}  // namespace
}  // namespace cardline

int main(int argc, char** argv) { return cardline::run(argc, argv); }
