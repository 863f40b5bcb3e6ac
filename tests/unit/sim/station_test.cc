// The simulated line end to end without sockets: mes/prep builds each station's JOB payload,
// the print, encode, QA and dispatch simulators perform it through the Driver interface on one
// card carrier store. Each injected fault class alone must be detected and classified with
// its QA code; clean cards must pass (no false rejects).

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "devices/sim/iso7816_chip.h"
#include "devices/sim/sim_stations.h"
#include "mes/base/clock.h"
#include "mes/config/template_loader.h"
#include "mes/document/bac.h"
#include "mes/document/lds.h"
#include "mes/document/pki/key_file_signer.h"
#include "mes/document/pki/test_pki.h"
#include "mes/prep/job_payloads.h"
#include "mes/prep/prepare.h"
#include "tests/unit/prep/prep_test_support.h"

namespace cardline::sim {
namespace {

using prep_testing::readText;
using prep_testing::sourceDir;
using prep_testing::TempDir;

protocol::Job jobOf(std::int64_t id, StationType station, const std::string& application,
                    const std::vector<PayloadPart>& parts) {
  protocol::Job job;
  job.job = id;
  job.station = *protocol::parseStation(name(station));
  job.application = application;
  for (const PayloadPart& p : parts) job.parts.push_back({p.name, p.data});
  return job;
}

// The shared, expensive things: a test PKI, a signer, the shipped templates.
struct World {
  TempDir dir;
  SystemClock clock;
  std::string csca_pem;
  std::string other_csca_pem;
  std::unique_ptr<KeyFileSigner> signer;
  CardTemplate t2021;
  CardTemplate t2024;
};

World& world() {
  static std::unique_ptr<World> w = [] {
    auto made = std::make_unique<World>();
    auto pki = initTestPki((made->dir.path() / "a").string(), TestPkiOptions{}, made->clock);
    EXPECT_TRUE(pki.isOk()) << pki.status().toString();
    auto other = initTestPki((made->dir.path() / "b").string(), TestPkiOptions{}, made->clock);
    EXPECT_TRUE(other.isOk()) << other.status().toString();
    made->csca_pem = readText(pki->csca_cert);
    made->other_csca_pem = readText(other->csca_cert);
    KeyFileSignerOptions options;
    options.pki_dir = pki->dir;
    auto signer = KeyFileSigner::open(options, made->clock);
    EXPECT_TRUE(signer.isOk()) << signer.status().toString();
    made->signer = std::move(signer.value());
    made->t2021 =
        loadCardTemplate((sourceDir() / "templates/cards/cccd-2021.yaml").string()).value();
    made->t2024 =
        loadCardTemplate((sourceDir() / "templates/cards/can-cuoc-2024.yaml").string()).value();
    return made;
  }();
  return *w;
}

// The payloads of one application, built once.
struct Prepared {
  Application app;
  std::vector<PayloadPart> print, encode;
  const CardTemplate* tmpl = nullptr;
  std::shared_ptr<PreparedCard> prepared;  // reused by every QA payload
};

Prepared prepare(Application app, PayloadArtefacts artefacts) {
  World& w = world();
  Prepared p;
  p.app = std::move(app);
  p.tmpl = p.app.card_model == CardModel::kCccd2021 ? &w.t2021 : &w.t2024;
  JobPayloadInput in;
  in.application = &p.app;
  in.card_template = p.tmpl;
  in.signer = w.signer.get();
  in.artefacts = artefacts;
  auto prepared = prepareCard(p.app, *p.tmpl);
  EXPECT_TRUE(prepared.isOk()) << prepared.status().toString();
  p.prepared = std::make_shared<PreparedCard>(prepared.value());
  auto print = buildJobPayload(StationType::kPrint, in);
  EXPECT_TRUE(print.isOk()) << print.status().toString();
  auto encode = buildJobPayload(StationType::kEncode, in);
  EXPECT_TRUE(encode.isOk()) << encode.status().toString();
  p.print = print.value();
  p.encode = encode.value();
  return p;
}

std::vector<PayloadPart> qaPayload(const Prepared& p, const Card& card, PayloadArtefacts artefacts,
                                   const std::string& csca) {
  JobPayloadInput in;
  in.application = &p.app;
  in.card = &card;
  in.card_template = p.tmpl;
  in.csca_pem = csca;
  in.artefacts = artefacts;
  in.prepared = p.prepared.get();
  auto qa = buildJobPayload(StationType::kQa, in);
  EXPECT_TRUE(qa.isOk()) << qa.status().toString();
  return qa.isOk() ? qa.value() : std::vector<PayloadPart>{};
}

// One line: a printer, an encoder and a QA station on one carrier.
class Line {
 public:
  Line(const std::string& root, FaultRates print_faults, FaultRates encode_faults)
      : printer_(CardCarrier(root), Hopper::fromRange("BLK000001-BLK009999").value(),
                 std::move(print_faults)),
        encoder_(CardCarrier(root), std::move(encode_faults)),
        qa_(CardCarrier(root), world().clock),
        dispatch_(CardCarrier(root)) {}

  // Runs print, encode and QA; returns the QA result. qa_edit may change the QA parts.
  protocol::JobResult run(const Prepared& p, PayloadArtefacts artefacts, const std::string& csca,
                          void (*qa_edit)(std::vector<PayloadPart>&) = nullptr) {
    Result<protocol::JobResult> printed =
        printer_.perform(jobOf(++job_, StationType::kPrint, p.app.id, p.print));
    EXPECT_TRUE(printed.isOk()) << printed.status().toString();
    EXPECT_EQ(printed->outcome, protocol::Outcome::kOk);
    EXPECT_FALSE(printed->blank.empty());
    card_.serial = printed->blank;
    card_.application_id = p.app.id;
    Result<protocol::JobResult> encoded =
        encoder_.perform(jobOf(++job_, StationType::kEncode, p.app.id, p.encode));
    EXPECT_TRUE(encoded.isOk()) << encoded.status().toString();
    EXPECT_EQ(encoded->outcome, protocol::Outcome::kOk) << encoded->detail;
    std::vector<PayloadPart> qa = qaPayload(p, card_, artefacts, csca);
    if (qa_edit != nullptr) qa_edit(qa);
    Result<protocol::JobResult> inspected =
        qa_.perform(jobOf(++job_, StationType::kQa, p.app.id, qa));
    EXPECT_TRUE(inspected.isOk()) << inspected.status().toString();
    return inspected.isOk() ? inspected.value() : protocol::JobResult{};
  }

  DispatchSimulator& dispatch() { return dispatch_; }
  const Card& card() const { return card_; }

 private:
  PrintSimulator printer_;
  EncodeSimulator encoder_;
  QaInspector qa_;
  DispatchSimulator dispatch_;
  std::int64_t job_ = 0;
  Card card_;
};

FaultRates only(SimFault fault) {
  FaultRates rates;
  rates.rates[fault] = 1.0;
  rates.seed = 7;
  return rates;
}

double measurement(const protocol::JobResult& r, const std::string& key) {
  for (const auto& [k, v] : r.measurements) {
    if (k == key) return v;
  }
  return -1;
}

TEST(SimStationTest, CleanCardsOfBothModelsPassEveryCheck) {
  TempDir dir;
  Line line(dir.path().string(), FaultRates{}, FaultRates{});
  for (const Application& app : {prep_testing::sample2021(), prep_testing::sample2024()}) {
    Prepared p = prepare(app, PayloadArtefacts::kFull);
    protocol::JobResult r = line.run(p, PayloadArtefacts::kFull, world().csca_pem);
    EXPECT_EQ(r.outcome, protocol::Outcome::kOk) << r.defect << " " << r.detail;
    EXPECT_EQ(measurement(r, "pa_ok"), 1);
    EXPECT_EQ(measurement(r, "mrz_check_digits_ok"), 1);
    EXPECT_EQ(measurement(r, "qr_symbols"), 1);
    EXPECT_EQ(measurement(r, "serial_match"), 1);
    // The card on disk: the print, the faces, the chip.
    const CardCarrier carrier(dir.path().string());
    for (const char* file : {"card.pdf", "front.png", "back.png", "chip.bin"}) {
      EXPECT_TRUE(carrier.getFile(line.card().serial, file).isOk()) << file;
    }
  }
}

// The encoded chip on disk answers a plain reader 6982 and a phone with the card's MRZ.
TEST(SimStationTest, TheEncodedChipOpensOnlyWithBasicAccessControl) {
  TempDir dir;
  Line line(dir.path().string(), FaultRates{}, FaultRates{});
  Prepared p = prepare(prep_testing::sample2024(), PayloadArtefacts::kFull);
  protocol::JobResult r = line.run(p, PayloadArtefacts::kFull, world().csca_pem);
  ASSERT_EQ(r.outcome, protocol::Outcome::kOk) << r.detail;
  EXPECT_EQ(measurement(r, "bac_ok"), 1);
  auto image = CardCarrier(dir.path().string()).getFile(line.card().serial, "chip.bin");
  ASSERT_TRUE(image.isOk());
  auto chip = SimChip::deserialize(image.value());
  ASSERT_TRUE(chip.isOk());
  EXPECT_TRUE(chip->activated());
  ChipTerminal plain(chip.value());
  ASSERT_TRUE(plain.selectApplication().isOk());
  EXPECT_EQ(plain.readFile(kFidDg13).status().code(), ErrorCode::kPermissionDenied);
  ChipTerminal phone(chip.value());
  ASSERT_TRUE(phone.selectApplication().isOk());
  ASSERT_TRUE(phone.authenticate(bacKeysFromMrz(p.prepared->values.mrz).value()).isOk());
  auto dg1 = phone.readFile(kFidDg1);
  ASSERT_TRUE(dg1.isOk()) << dg1.status().toString();
  EXPECT_EQ(parseDg1(dg1.value())->joined(), p.prepared->values.mrz.joined());
}

// DOMAIN.md: a child under 6 on the 2024 model has no photo. The chip then has no DG2 (EF.COM
// and the SOD list DG1 and DG13 only), and the whole card still passes QA.
TEST(SimStationTest, AChildWithoutAPhotoGetsAChipWithoutDg2AndPasses) {
  TempDir dir;
  Line line(dir.path().string(), FaultRates{}, FaultRates{});
  Application child = prep_testing::sample2024();
  child.person.photo.data.clear();
  Prepared p = prepare(child, PayloadArtefacts::kFull);
  protocol::JobResult r = line.run(p, PayloadArtefacts::kFull, world().csca_pem);
  EXPECT_EQ(r.outcome, protocol::Outcome::kOk) << r.defect << " " << r.detail;
  EXPECT_EQ(measurement(r, "pa_ok"), 1);
  EXPECT_EQ(measurement(r, "dg_hash_mismatches"), 0);
}

class FaultTest : public ::testing::TestWithParam<SimFault> {};

TEST_P(FaultTest, EachInjectedFaultAloneIsDetectedAndClassified) {
  const SimFault fault = GetParam();
  TempDir dir;
  const bool at_print = faultStation(fault) == FaultStation::kPrint;
  Line line(dir.path().string(), at_print ? only(fault) : FaultRates{},
            at_print ? FaultRates{} : only(fault));
  Prepared p = prepare(prep_testing::sample2021(), PayloadArtefacts::kFull);
  protocol::JobResult r = line.run(p, PayloadArtefacts::kFull, world().csca_pem);
  EXPECT_EQ(r.outcome, protocol::Outcome::kDefect) << r.detail;
  EXPECT_EQ(r.defect, name(expectedQaDefect(fault))) << r.detail;
  EXPECT_GE(measurement(r, "defects"), 1);
  // A print fault is the only thing wrong with the card; so are another card's access keys (the
  // chip cannot be read at all, nothing else is judged).
  if (at_print || fault == SimFault::kWrongAccessKeys) {
    EXPECT_EQ(measurement(r, "defects"), 1) << r.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(AllFaults, FaultTest, ::testing::ValuesIn(allSimFaults()),
                         [](const ::testing::TestParamInfo<SimFault>& param) {
                           return std::string(name(param.param));
                         });

TEST(SimStationTest, FaultsAreClassifiedInHeadersOnlyModeToo) {
  for (SimFault fault : allSimFaults()) {
    TempDir dir;
    const bool at_print = faultStation(fault) == FaultStation::kPrint;
    Line line(dir.path().string(), at_print ? only(fault) : FaultRates{},
              at_print ? FaultRates{} : only(fault));
    Prepared p = prepare(prep_testing::sample2024(), PayloadArtefacts::kHeadersOnly);
    ASSERT_EQ(p.print.size(), 1u);  // meta.txt only
    protocol::JobResult r = line.run(p, PayloadArtefacts::kHeadersOnly, world().csca_pem);
    EXPECT_EQ(r.defect, name(expectedQaDefect(fault))) << name(fault) << ": " << r.detail;
  }
  TempDir dir;
  Line line(dir.path().string(), FaultRates{}, FaultRates{});
  Prepared p = prepare(prep_testing::sample2024(), PayloadArtefacts::kHeadersOnly);
  EXPECT_EQ(line.run(p, PayloadArtefacts::kHeadersOnly, world().csca_pem).outcome,
            protocol::Outcome::kOk);
}

TEST(SimStationTest, QrMismatchNamesTheDifferingField) {
  TempDir dir;
  Line line(dir.path().string(), FaultRates{}, FaultRates{});
  Prepared p = prepare(prep_testing::sample2021(), PayloadArtefacts::kFull);
  // The record says another name than the card carries.
  protocol::JobResult r =
      line.run(p, PayloadArtefacts::kFull, world().csca_pem, [](std::vector<PayloadPart>& parts) {
        for (PayloadPart& part : parts) {
          if (part.name != "qr.txt") continue;
          const auto at = part.data.find("Như");
          part.data.replace(at, 4, "Nhu");
        }
      });
  EXPECT_EQ(r.defect, "qr_mismatch") << r.detail;
  EXPECT_EQ(measurement(r, "qr_fields_mismatched"), 1);
  EXPECT_NE(r.detail.find("full_name"), std::string::npos) << r.detail;
}

TEST(SimStationTest, MrzDifferentFromTheRecordIsAnMrzMismatch) {
  TempDir dir;
  Line line(dir.path().string(), FaultRates{}, FaultRates{});
  Prepared p = prepare(prep_testing::sample2021(), PayloadArtefacts::kFull);
  protocol::JobResult r =
      line.run(p, PayloadArtefacts::kFull, world().csca_pem, [](std::vector<PayloadPart>& parts) {
        for (PayloadPart& part : parts) {
          if (part.name == "mrz.txt") part.data[40] = 'X';
        }
      });
  EXPECT_EQ(r.defect, "mrz_mismatch") << r.detail;
}

TEST(SimStationTest, ChipSignedUnderAnotherCscaIsSignatureInvalid) {
  TempDir dir;
  Line line(dir.path().string(), FaultRates{}, FaultRates{});
  Prepared p = prepare(prep_testing::sample2021(), PayloadArtefacts::kFull);
  protocol::JobResult r = line.run(p, PayloadArtefacts::kFull, world().other_csca_pem);
  EXPECT_EQ(r.defect, "signature_invalid") << r.detail;
  EXPECT_EQ(measurement(r, "pa_ok"), 0);
}

TEST(SimStationTest, DispatchPacksTheCardThatTravelsWithTheApplication) {
  TempDir dir;
  Line line(dir.path().string(), FaultRates{}, FaultRates{});
  Prepared p = prepare(prep_testing::sample2024(), PayloadArtefacts::kHeadersOnly);
  ASSERT_EQ(line.run(p, PayloadArtefacts::kHeadersOnly, world().csca_pem).outcome,
            protocol::Outcome::kOk);
  JobPayloadInput in;
  in.application = &p.app;
  in.card = &line.card();
  in.receiving_unit = "CA-HN-01";
  auto parts = buildJobPayload(StationType::kDispatch, in);
  ASSERT_TRUE(parts.isOk());
  auto r = line.dispatch().perform(jobOf(99, StationType::kDispatch, p.app.id, parts.value()));
  ASSERT_TRUE(r.isOk());
  EXPECT_EQ(r->outcome, protocol::Outcome::kOk) << r->detail;
  EXPECT_EQ(CardCarrier(dir.path().string()).readRecord(line.card().serial)->dispatched_to,
            "CA-HN-01");
  Application stranger = p.app;
  stranger.id = "APP-NOBODY";
  in.application = &stranger;
  auto none = line.dispatch().perform(jobOf(100, StationType::kDispatch, stranger.id,
                                            buildJobPayload(StationType::kDispatch, in).value()));
  ASSERT_TRUE(none.isOk());
  EXPECT_EQ(none->outcome, protocol::Outcome::kAborted);
}

// A line at a 5 % defect rate (spread over every print and encode fault class) with the rework
// rule of the workflow: a rejected card is spoiled, the application goes back to print with a new
// blank, after kMaxAttempts it is held. Every application ends good or held, and every blank
// taken from the hopper is accounted for: good, spoiled (the serial print reported), or the
// physical card of a wrong-card print (which names the spoiled serial in reported_as).
TEST(SimStationTest, FivePercentDefectRunEndsGoodOrHeldWithEveryBlankAccountedFor) {
  constexpr int kApplications = 400;
  constexpr int kMaxAttempts = 3;
  TempDir dir;
  FaultRates print_faults, encode_faults;
  spreadDefectRate(print_faults, FaultStation::kPrint, 0.05);
  spreadDefectRate(encode_faults, FaultStation::kEncode, 0.05);
  print_faults.seed = 11;
  encode_faults.seed = 12;
  Line line(dir.path().string(), print_faults, encode_faults);
  Prepared base = prepare(prep_testing::sample2024(), PayloadArtefacts::kHeadersOnly);
  std::set<std::string> good, spoiled;
  std::map<std::string, int> codes;
  int held = 0;
  for (int i = 0; i < kApplications; ++i) {
    Prepared p = base;
    p.app.id = "APP-LINE-" + std::to_string(i);
    bool done = false;
    for (int attempt = 1; attempt <= kMaxAttempts && !done; ++attempt) {
      protocol::JobResult r = line.run(p, PayloadArtefacts::kHeadersOnly, world().csca_pem);
      if (r.outcome == protocol::Outcome::kOk) {
        good.insert(line.card().serial);
        done = true;
      } else {
        ASSERT_EQ(r.outcome, protocol::Outcome::kDefect);
        ASSERT_TRUE(parseQaDefect(r.defect).isOk()) << r.defect;
        spoiled.insert(line.card().serial);
        ++codes[r.defect];
      }
    }
    if (!done) ++held;
  }
  EXPECT_EQ(static_cast<int>(good.size()) + held, kApplications);
  // Roughly 10 % of the cards are bad (5 % print + 5 % encode); at least some of each station.
  EXPECT_GT(spoiled.size(), 10u);
  EXPECT_GT(codes["wrong_card"] + codes["print_smudge"] + codes["qr_unreadable"] +
                codes["print_missing_field"],
            0);
  EXPECT_GT(codes["chip_dead"] + codes["chip_data_mismatch"] + codes["chip_wrong_file"] +
                codes["chip_access_denied"],
            0);
  const CardCarrier carrier(dir.path().string());
  for (const std::string& serial : carrier.serials()) {
    CardRecord record = carrier.readRecord(serial).value();
    const bool accounted = good.count(serial) != 0 || spoiled.count(serial) != 0 ||
                           (record.reported_as != serial && spoiled.count(record.reported_as) != 0);
    EXPECT_TRUE(accounted) << serial << " reported_as " << record.reported_as;
  }
  EXPECT_EQ(carrier.serials().size(),
            good.size() + spoiled.size() + static_cast<std::size_t>(codes["wrong_card"]));
}

// No false rejects over many clean cards: a few applications with different serials, each
// printed, encoded and inspected many times on fresh blanks. kCleanCards is 1,000 (see
// docs/qa.md for the run time).
constexpr int kCleanCards = 1000;

TEST(SimStationTest, NoFalseRejectsOverManyCleanCards) {
  TempDir dir;
  Line line(dir.path().string(), FaultRates{}, FaultRates{});
  std::vector<Prepared> apps;
  const char* numbers[] = {"001190012345", "001190012346", "079205001234", "079205001235"};
  for (int i = 0; i < 4; ++i) {
    Application app = i < 2 ? prep_testing::sample2021() : prep_testing::sample2024();
    app.id = "APP-CLEAN-" + std::to_string(i);
    app.personal_number = numbers[i];
    apps.push_back(prepare(app, PayloadArtefacts::kFull));
  }
  int rejects = 0;
  std::string first;
  for (int n = 0; n < kCleanCards; ++n) {
    protocol::JobResult r = line.run(apps[static_cast<std::size_t>(n) % apps.size()],
                                     PayloadArtefacts::kFull, world().csca_pem);
    if (r.outcome != protocol::Outcome::kOk) {
      ++rejects;
      if (first.empty()) first = r.defect + ": " + r.detail;
    }
    // Keep the disk small: the card has been inspected.
    std::filesystem::remove_all(CardCarrier(dir.path().string()).cardDir(line.card().serial));
  }
  EXPECT_EQ(rejects, 0) << first;
}

}  // namespace
}  // namespace cardline::sim
