// QA inspections per second per core. Prepares a few synthetic applications of both card models
// (a throwaway test PKI signs the chips), prints and encodes N cards with the simulators into a
// carrier store, then runs the N QA inspections on this thread and reports inspections per
// second of wall time and per CPU-second of this thread (robust on a shared machine).
//
// Usage: qa_bench [--cards N] [--apps K] [--dir DIR] [--headers-only]
// Default: 300 cards from 4 applications under a fresh folder in /tmp.

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "devices/sim/sim_stations.h"
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

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

protocol::Job jobOf(std::int64_t id, StationType station, const std::string& application,
                    const std::vector<PayloadPart>& parts) {
  protocol::Job job;
  job.job = id;
  job.station = *protocol::parseStation(name(station));
  job.application = application;
  for (const PayloadPart& p : parts) job.parts.push_back({p.name, p.data});
  return job;
}

int fail(const std::string& what, const Status& status) {
  std::cerr << "qa_bench: " << what << ": " << status.toString() << "\n";
  return 1;
}

int run(int argc, char** argv) {
  int cards = 300;
  int apps = 4;
  std::string dir;
  PayloadArtefacts artefacts = PayloadArtefacts::kFull;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--cards" && i + 1 < argc) {
      cards = std::atoi(argv[++i]);
    } else if (a == "--apps" && i + 1 < argc) {
      apps = std::atoi(argv[++i]);
    } else if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--headers-only") {
      artefacts = PayloadArtefacts::kHeadersOnly;
    } else {
      std::cerr << "usage: qa_bench [--cards N] [--apps K] [--dir DIR] [--headers-only]\n";
      return 2;
    }
  }
  if (cards < 1 || apps < 1 || apps > 9) {
    std::cerr << "qa_bench: --cards >= 1, --apps 1..9\n";
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
  const std::string csca = prep_testing::readText(pki->csca_cert);
  const std::filesystem::path templates = prep_testing::sourceDir() / "templates" / "cards";
  auto t2021 = loadCardTemplate((templates / "cccd-2021.yaml").string());
  auto t2024 = loadCardTemplate((templates / "can-cuoc-2024.yaml").string());
  if (!t2021.isOk()) return fail("template", t2021.status());
  if (!t2024.isOk()) return fail("template", t2024.status());

  struct Prepared {
    Application app;
    const CardTemplate* tmpl;
    PreparedCard card;
    std::vector<PayloadPart> print, encode;
  };
  std::vector<Prepared> prepared;
  for (int i = 0; i < apps; ++i) {
    Application app = i % 2 == 0 ? prep_testing::sample2021() : prep_testing::sample2024();
    app.id = "APP-BENCH-" + std::to_string(i);
    app.personal_number.back() = static_cast<char>('0' + i);
    Prepared p{app, i % 2 == 0 ? &t2021.value() : &t2024.value(), {}, {}, {}};
    auto card = prepareCard(p.app, *p.tmpl);
    if (!card.isOk()) return fail("prepare", card.status());
    p.card = card.value();
    JobPayloadInput in;
    in.application = &p.app;
    in.card_template = p.tmpl;
    in.signer = signer->get();
    in.prepared = &p.card;
    in.artefacts = artefacts;
    auto print = buildJobPayload(StationType::kPrint, in);
    auto encode = buildJobPayload(StationType::kEncode, in);
    if (!print.isOk()) return fail("print payload", print.status());
    if (!encode.isOk()) return fail("encode payload", encode.status());
    p.print = print.value();
    p.encode = encode.value();
    prepared.push_back(std::move(p));
  }

  const std::string carrier_root = dir + "/carrier";
  auto hopper = sim::Hopper::fromRange("BLK0000001-BLK9999999");
  if (!hopper.isOk()) return fail("hopper", hopper.status());
  sim::PrintSimulator printer(sim::CardCarrier(carrier_root), hopper.value(), sim::FaultRates{});
  sim::EncodeSimulator encoder(sim::CardCarrier(carrier_root), sim::FaultRates{});
  sim::QaInspector qa(sim::CardCarrier(carrier_root), clock);

  // Print and encode every card; keep the QA jobs. One application may be in the tray once at a
  // time, so each card gets its own application id (same data, same payloads).
  std::vector<protocol::Job> qa_jobs;
  std::int64_t job_id = 0;
  const auto print_start = std::chrono::steady_clock::now();
  for (int n = 0; n < cards; ++n) {
    Prepared& p = prepared[static_cast<std::size_t>(n % apps)];
    const std::string id = p.app.id + "-" + std::to_string(n);
    auto printed = printer.perform(jobOf(++job_id, StationType::kPrint, id, p.print));
    if (!printed.isOk()) return fail("print", printed.status());
    auto encoded = encoder.perform(jobOf(++job_id, StationType::kEncode, id, p.encode));
    if (!encoded.isOk()) return fail("encode", encoded.status());
    Card card;
    card.serial = printed->blank;
    JobPayloadInput in;
    in.application = &p.app;
    in.card = &card;
    in.card_template = p.tmpl;
    in.csca_pem = csca;
    in.prepared = &p.card;
    in.artefacts = artefacts;
    auto parts = buildJobPayload(StationType::kQa, in);
    if (!parts.isOk()) return fail("qa payload", parts.status());
    qa_jobs.push_back(jobOf(++job_id, StationType::kQa, id, parts.value()));
  }
  const double print_encode_s = secondsSince(print_start);

  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = threadCpuSeconds();
  int rejects = 0;
  for (const protocol::Job& job : qa_jobs) {
    auto r = qa.perform(job);
    if (!r.isOk()) return fail("qa", r.status());
    rejects += r->outcome == protocol::Outcome::kOk ? 0 : 1;
  }
  const double cpu = threadCpuSeconds() - cpu_start;
  const double wall = secondsSince(start);
  std::printf("qa_bench: %d cards (%s), %d applications\n", cards,
              artefacts == PayloadArtefacts::kFull ? "full artefacts" : "headers only", apps);
  std::printf("print+encode: %.1f cards/s (wall)\n", cards / print_encode_s);
  std::printf(
      "qa: %.1f inspections/s wall, %.1f inspections per CPU-second (per core), "
      "%.2f ms CPU each, rejects %d\n",
      cards / wall, cards / cpu, 1000 * cpu / cards, rejects);
  return rejects == 0 ? 0 : 1;
}

}  // namespace
}  // namespace cardline

int main(int argc, char** argv) { return cardline::run(argc, argv); }
