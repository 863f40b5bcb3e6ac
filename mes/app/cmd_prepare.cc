// cardline prepare.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/node.h"
#include "mes/app/signer_factory.h"
#include "mes/config/reference_loader.h"
#include "mes/base/clock.h"
#include "mes/config/template_loader.h"
#include "mes/document/chip.h"
#include "mes/document/pki/test_pki.h"
#include "mes/intake/record_reader.h"
#include "mes/intake/reference_data.h"
#include "mes/intake/validation.h"
#include "mes/prep/prepare.h"
#include "mes/prep/proof_renderer.h"

namespace cardline::app {
namespace {

Status writeFile(const std::string& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) return unavailable("cannot write " + path);
  return Status::ok();
}

}  // namespace

const char kPrepareUsage[] =
    "usage: cardline prepare APPLICATION.json --out DIR [--data-dir DIR] [--config FILE]\n\n"
    "Prepares one application (one JSON object in the intake format, docs/intake.md; photo\n"
    "paths are relative to the file) and writes into --out: card.pdf (front and back),\n"
    "front.png and back.png (300 dpi proofs), mrz.txt, qr.txt, expiry.txt (YYYY-MM-DD or\n"
    "none) and chip/ with EF.COM, DG1, DG2, DG13, EF.SOD and signer.pem. The Document Signer\n"
    "comes from signer.backend (key files in pki/: `cardline pki init`; or a PKCS#11 token).\n";

int runPrepare(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.with_value.insert("--out");
  spec.max_positional = 1;
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("prepare", args.status());
  auto out_dir = args->value("--out");
  if (args->positional.size() != 1 || !out_dir) {
    return reportFailure("prepare", invalidArgument("give APPLICATION.json and --out DIR"));
  }
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  const std::string input = args->positional[0];
  std::ifstream in(input, std::ios::binary);
  if (!in) return reportFailure("prepare", notFound("cannot read " + input));
  std::stringstream text;
  text << in.rdbuf();

  auto reference = loadReferenceData(config->referenceDir());
  if (!reference.isOk()) return reportFailure("prepare", reference.status());
  SystemClock clock;
  ValidationOptions validation;
  validation.image_directory = std::filesystem::path(input).parent_path().string();
  if (validation.image_directory->empty()) validation.image_directory = ".";
  validation.now = clock.now();
  ValidatedRecord record = validateRecord(parseJsonRecord(text.str(), 1), *reference, validation);
  if (!record.application) {
    for (const auto& p : record.problems) {
      std::cerr << input << ": " << p.field << ": " << p.message << "\n";
    }
    return 1;
  }
  const Application& application = *record.application;

  auto tmpl = loadTemplateForModel(config->templatesDir() + "/cards", application.card_model);
  if (!tmpl.isOk()) return reportFailure("prepare", tmpl.status());
  auto card = prepareCard(application, *tmpl);
  if (!card.isOk()) return reportFailure("prepare", card.status());
  Status written = writePreparedCard(*card, *out_dir);
  if (written.isOk()) written = writeProofs(card->pdf, *out_dir);
  if (!written.isOk()) return reportFailure("prepare", written);

  if (application.person.photo.format != "jpeg" && application.person.photo.format != "jpg") {
    return reportFailure("prepare", invalidArgument("the chip's DG2 needs the face as JPEG; the "
                                                    "photo is " +
                                                    application.person.photo.format));
  }
  auto signer = openConfiguredSigner(*config, clock);
  if (!signer.isOk()) return reportFailure("prepare", signer.status());
  auto chip = buildChipFiles(card->values.mrz, application.person.photo.data,
                             nationalDataFor(application, card->values.expiry), **signer);
  if (!chip.isOk()) return reportFailure("prepare", chip.status());
  const std::string chip_dir = *out_dir + "/chip";
  std::error_code ec;
  std::filesystem::create_directories(chip_dir, ec);
  for (const auto& [file, data] : std::vector<std::pair<std::string, const Bytes*>>{
           {"EF.COM", &chip->ef_com}, {"DG1", &chip->dg1}, {"DG2", &chip->dg2},
           {"DG13", &chip->dg13}, {"EF.SOD", &chip->ef_sod}}) {
    if (data->empty()) continue;  // no photo: no DG2
    Status s = writeFile(chip_dir + "/" + file, *data);
    if (!s.isOk()) return reportFailure("prepare", s);
  }
  if (config->signer.backend == SignerBackend::kKeyFile) {  // a token's certificate is in EF.SOD
    std::filesystem::copy_file(pkiPaths(config->data_dir).ds_cert, chip_dir + "/signer.pem",
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) {
      return reportFailure("prepare", unavailable("cannot write signer.pem: " + ec.message()));
    }
  }
  std::cout << "prepared " << application.id << " into " << *out_dir << " (signed by "
            << chip->signer_id << ")\n";
  return 0;
}

}  // namespace cardline::app
