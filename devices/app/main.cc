// cardline-device: hosts one device driver on a station PC and connects it to the MES over
// ZeroMQ (devices/protocol/PROTOCOL.md). The composition root of the device side.
#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "devices/app/device_config.h"
#include "devices/app/simulated_driver.h"
#include "devices/runtime/curve_keys.h"
#include "devices/runtime/device_runtime.h"
#include "devices/sim/sim_stations.h"
#include "mes/base/log.h"

namespace cardline {
namespace {

const char kUsage[] =
    "usage: cardline-device COMMAND [OPTIONS]\n\n"
    "Hosts one device driver and connects it to the cardline MES over ZeroMQ.\n\n"
    "commands:\n"
    "  run --config device.yaml        run the driver a device configuration names\n"
    "  simulate --station print|encode|qa|dispatch [OPTIONS]\n"
    "                                  run the simulated hardware (with --carrier: the card\n"
    "                                  simulation of devices/sim, see docs/qa.md)\n"
    "  keygen --id ID --key-dir DIR    create DIR/ID.key and DIR/ID.key_secret (CURVE)\n"
    "  help                            this text\n\n"
    "simulate options:\n"
    "  --id ID                 device id (default sim-STATION-1)\n"
    "  --connect ENDPOINT      the MES (default tcp://127.0.0.1:5570)\n"
    "  --server-key FILE|Z85   the MES public key (CURVE)\n"
    "  --key-dir DIR           holds ID.key_secret, this device's key pair (CURVE)\n"
    "  --plain                 plain TCP, no CURVE (development only)\n"
    "  --capacity N            jobs accepted at once (default 1)\n"
    "  --heartbeat-ms N        heartbeat until the MES says otherwise (default 1000)\n"
    "  --latency-ms N          time each job takes (default 0)\n"
    "  --latency-jitter-ms N   plus a uniform draw in 0..N per job (default 0)\n"
    "  --carrier DIR           the card carrier store shared by the simulated stations\n"
    "  --hopper FROM-TO        print: the blank serials in the hopper (BLK000001-BLK001000)\n"
    "  --hopper-file FILE      print: the blank serials, one a line\n"
    "  --defect CLASS=R        inject fault CLASS at rate R (repeatable; print: smudge,\n"
    "                          missing_field, qr_damage, wrong_card; encode: chip_dead,\n"
    "                          chip_corrupt, wrong_data_group, wrong_access_keys)\n"
    "  --defect-rate F         with --carrier: spread F over the station's fault classes;\n"
    "                          without: fraction of jobs answered defect, 0..1 (default 0)\n"
    "  --seed N                seed of the defect draw (default 1)\n"
    "  --crash-after N         exit in the middle of job N+1\n"
    "  --hang-after N          freeze (SIGSTOP) in job N+1\n"
    "  --disconnect-after N    drop the connection once, after N results\n"
    "  --jam-after N           job N+1 jams once: fault until an operator clears it\n"
    "  --garbage-every N       every N heartbeat intervals send one bad message (random\n"
    "                          bytes, wrong version, bad JSON, unknown command, ill-typed\n"
    "                          RESULT, RESULT for a job never sent to this device)\n";

// Parsed "--name value" options; flags take no value. A repeated option keeps every value in
// `repeated` (in order) and its last value in `values`.
struct Options {
  std::map<std::string, std::string> values;
  std::vector<std::pair<std::string, std::string>> repeated;
  std::vector<std::string> flags;
  bool has(const std::string& n) const {
    return values.count(n) > 0 || std::find(flags.begin(), flags.end(), n) != flags.end();
  }
  std::string get(const std::string& n, const std::string& fallback = "") const {
    auto it = values.find(n);
    return it == values.end() ? fallback : it->second;
  }
};

Result<Options> parseOptions(int argc, char** argv, const std::vector<std::string>& valued,
                             const std::vector<std::string>& flags) {
  Options o;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      o.flags.push_back(a);
    } else if (std::find(valued.begin(), valued.end(), a) != valued.end()) {
      if (i + 1 >= argc) return invalidArgument(a + " needs a value");
      o.values[a] = argv[++i];
      o.repeated.emplace_back(a, o.values[a]);
    } else {
      return invalidArgument("unknown option \"" + a + "\"");
    }
  }
  return o;
}

Result<int> intOption(const Options& o, const std::string& n, int fallback, int min, int max) {
  if (!o.has(n)) return fallback;
  try {
    std::size_t used = 0;
    int v = std::stoi(o.get(n), &used);
    if (used == o.get(n).size() && v >= min && v <= max) return v;
  } catch (const std::exception&) {
  }
  return invalidArgument(n + " must be an integer in " + std::to_string(min) + ".." +
                         std::to_string(max));
}

Status addKeys(DeviceRuntimeOptions& options, const std::string& server_key,
               const std::string& key_dir) {
  if (options.security != LinkSecurity::kCurve) return Status::ok();
  if (server_key.empty() || key_dir.empty()) {
    return invalidArgument("CURVE needs --server-key and --key-dir (or --plain for development)");
  }
  CARDLINE_ASSIGN_OR_RETURN(options.server_public_key, publicKeyFrom(server_key));
  CARDLINE_ASSIGN_OR_RETURN(CurveKeyPair own,
                            readKeyFile(key_dir + "/" + options.device_id + ".key_secret"));
  if (own.secret_key.empty()) {
    return invalidArgument(key_dir + "/" + options.device_id + ".key_secret has no secret-key");
  }
  options.device_public_key = own.public_key;
  options.device_secret_key = own.secret_key;
  return Status::ok();
}

// Runs runtime until SIGINT or SIGTERM. Signals are blocked in every thread and taken by a
// sigwait thread, so no handler touches the runtime from signal context.
int runUntilSignal(DeviceRuntime& runtime) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != 0) runtime.requestStop();
  });
  Status status = runtime.run();
  // Wake the waiter if the runtime stopped on its own.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  if (!status.isOk()) {
    std::cerr << "cardline-device: " << status.message() << "\n";
    return 1;
  }
  return 0;
}

int usageError(const std::string& message) {
  std::cerr << "cardline-device: " << message << "\n\n" << kUsage;
  return 2;
}

// The devices/sim simulator for station, on the carrier store --carrier names.
Result<std::unique_ptr<Driver>> cardSimulator(const Options& o, protocol::Station station,
                                              const SimulatedFaults& faults, const Clock& clock) {
  sim::FaultRates rates;
  rates.seed = faults.seed;
  const bool injects =
      station == protocol::Station::kPrint || station == protocol::Station::kEncode;
  const sim::FaultStation fault_station =
      station == protocol::Station::kPrint ? sim::FaultStation::kPrint : sim::FaultStation::kEncode;
  if (o.has("--defect-rate")) {
    if (!injects) return invalidArgument("--defect-rate: only print and encode inject defects");
    sim::spreadDefectRate(rates, fault_station, faults.defect_rate);
  }
  for (const auto& [option, value] : o.repeated) {
    if (option != "--defect") continue;
    CARDLINE_RETURN_IF_ERROR(sim::addFaultRate(rates, value));
  }
  for (const auto& [fault, rate] : rates.rates) {
    if (rate > 0 && (!injects || sim::faultStation(fault) != fault_station)) {
      return invalidArgument(std::string("defect class ") + sim::name(fault) +
                             " is not injected by a " + protocol::name(station) + " station");
    }
  }
  sim::CardCarrier carrier(o.get("--carrier"));
  switch (station) {
    case protocol::Station::kPrint: {
      if (o.has("--hopper") == o.has("--hopper-file")) {
        return invalidArgument("a print station needs --hopper FROM-TO or --hopper-file FILE");
      }
      CARDLINE_ASSIGN_OR_RETURN(sim::Hopper hopper,
                                o.has("--hopper") ? sim::Hopper::fromRange(o.get("--hopper"))
                                                  : sim::Hopper::fromFile(o.get("--hopper-file")));
      return std::unique_ptr<Driver>(
          std::make_unique<sim::PrintSimulator>(carrier, std::move(hopper), rates));
    }
    case protocol::Station::kEncode:
      return std::unique_ptr<Driver>(std::make_unique<sim::EncodeSimulator>(carrier, rates));
    case protocol::Station::kQa:
      return std::unique_ptr<Driver>(std::make_unique<sim::QaInspector>(carrier, clock));
    case protocol::Station::kDispatch:
      return std::unique_ptr<Driver>(std::make_unique<sim::DispatchSimulator>(carrier));
  }
  return invalidArgument("unknown station");
}

int simulate(int argc, char** argv) {
  auto parsed =
      parseOptions(argc, argv,
                   {"--station", "--id", "--connect", "--server-key", "--key-dir", "--capacity",
                    "--heartbeat-ms", "--latency-ms", "--latency-jitter-ms", "--defect-rate",
                    "--seed", "--crash-after", "--hang-after", "--disconnect-after", "--jam-after",
                    "--garbage-every",
                    "--carrier",
                    "--hopper", "--hopper-file", "--defect"},
                   {"--plain"});
  if (!parsed.isOk()) return usageError(parsed.status().message());
  const Options& o = parsed.value();
  if (!o.has("--station")) return usageError("simulate needs --station");
  auto station = protocol::parseStation(o.get("--station"));
  if (!station.isOk()) return usageError(station.status().message());
  DeviceRuntimeOptions options;
  options.device_id = o.get("--id", std::string("sim-") + protocol::name(station.value()) + "-1");
  options.endpoint = o.get("--connect", "tcp://127.0.0.1:5570");
  options.security = o.has("--plain") ? LinkSecurity::kPlain : LinkSecurity::kCurve;
  options.software = "cardline-device simulate";
  SimulatedFaults faults;
  auto capacity = intOption(o, "--capacity", 1, 1, 64);
  auto heartbeat = intOption(o, "--heartbeat-ms", 1000, 10, 60000);
  auto latency = intOption(o, "--latency-ms", 0, 0, 3600000);
  auto jitter = intOption(o, "--latency-jitter-ms", 0, 0, 3600000);
  auto seed = intOption(o, "--seed", 1, 0, 2147483647);
  auto crash = intOption(o, "--crash-after", -1, 0, 2147483647);
  auto hang = intOption(o, "--hang-after", -1, 0, 2147483647);
  auto disconnect = intOption(o, "--disconnect-after", -1, 1, 2147483647);
  auto jam = intOption(o, "--jam-after", -1, 0, 2147483647);
  auto garbage = intOption(o, "--garbage-every", 0, 0, 2147483647);
  for (const Status* s :
       {&capacity.status(), &heartbeat.status(), &latency.status(), &jitter.status(),
        &seed.status(), &crash.status(), &hang.status(), &disconnect.status(), &jam.status(),
        &garbage.status()}) {
    if (!s->isOk()) return usageError(s->message());
  }
  options.capacity = capacity.value();
  options.heartbeat_ms = heartbeat.value();
  options.garbage_every = garbage.value();
  faults.latency_ms = latency.value();
  faults.latency_jitter_ms = jitter.value();
  faults.seed = static_cast<std::uint64_t>(seed.value());
  faults.crash_after = crash.value();
  faults.hang_after = hang.value();
  faults.disconnect_after = disconnect.value();
  faults.jam_after = jam.value();
  if (o.has("--defect-rate")) {
    try {
      faults.defect_rate = std::stod(o.get("--defect-rate"));
    } catch (const std::exception&) {
      faults.defect_rate = -1;
    }
    if (!(faults.defect_rate >= 0 && faults.defect_rate <= 1)) {
      return usageError("--defect-rate must be a number in 0..1");
    }
  }
  Status keys = addKeys(options, o.get("--server-key"), o.get("--key-dir"));
  if (!keys.isOk()) return usageError(keys.message());
  SystemClock clock;
  std::unique_ptr<Driver> card_work;
  if (o.has("--carrier")) {
    auto built = cardSimulator(o, station.value(), faults, clock);
    if (!built.isOk()) return usageError(built.status().message());
    card_work = std::move(built.value());
    faults.defect_rate = 0;  // the card simulation injects its own defects
  } else if (o.has("--defect") || o.has("--hopper") || o.has("--hopper-file")) {
    return usageError("--defect, --hopper and --hopper-file need --carrier");
  }
  std::unique_ptr<DeviceRuntime> runtime;
  SimulatedDriver driver(
      station.value(), options.device_id, faults, [&runtime] { runtime->requestReconnect(); },
      std::move(card_work));
  runtime = std::make_unique<DeviceRuntime>(options, driver, clock);
  if (options.security == LinkSecurity::kPlain) {
    logWarning("device", "plain TCP: no encryption, no authentication (development only)");
  }
  return runUntilSignal(*runtime);
}

int run(int argc, char** argv) {
  auto parsed = parseOptions(argc, argv, {"--config"}, {});
  if (!parsed.isOk()) return usageError(parsed.status().message());
  if (!parsed->has("--config")) return usageError("run needs --config device.yaml");
  auto config = loadDeviceConfig(parsed->get("--config"));
  if (!config.isOk()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  const DeviceConfig& c = config.value();
  DeviceRuntimeOptions options;
  options.device_id = c.device;
  options.endpoint = c.connect;
  options.security = c.security;
  options.capacity = c.capacity;
  options.heartbeat_ms = c.heartbeat_ms;
  options.reconnect_max_ms = c.reconnect_max_ms;
  options.software = "cardline-device run";
  Status keys = addKeys(options, c.server_key, c.key_dir);
  if (!keys.isOk()) {
    std::cerr << parsed->get("--config") << ": " << keys.message() << "\n";
    return 1;
  }
  // Drivers by name; hardware adapters (devices/print, encode, qa, dispatch) join this table.
  std::unique_ptr<DeviceRuntime> runtime;
  SimulatedDriver driver(protocol::parseStation(c.station).value(), c.device, SimulatedFaults{},
                         [&runtime] { runtime->requestReconnect(); });
  SystemClock clock;
  runtime = std::make_unique<DeviceRuntime>(options, driver, clock);
  return runUntilSignal(*runtime);
}

int keygen(int argc, char** argv) {
  auto parsed = parseOptions(argc, argv, {"--id", "--key-dir"}, {});
  if (!parsed.isOk()) return usageError(parsed.status().message());
  if (!parsed->has("--id") || !parsed->has("--key-dir")) {
    return usageError("keygen needs --id and --key-dir");
  }
  auto pair = generateCurveKeyPair();
  Status written = pair.isOk()
                       ? writeKeyFiles(parsed->get("--key-dir"), parsed->get("--id"), pair.value())
                       : pair.status();
  if (!written.isOk()) {
    std::cerr << "cardline-device: " << written.message() << "\n";
    return 1;
  }
  std::cout << pair->public_key << "\n";
  return 0;
}

}  // namespace
}  // namespace cardline

int main(int argc, char** argv) {
  using namespace cardline;
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string command = argv[1];
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  // One table of subcommands, exact match.
  static const std::map<std::string, int (*)(int, char**)> kCommands = {
      {"run", run}, {"simulate", simulate}, {"keygen", keygen}};
  auto it = kCommands.find(command);
  if (it == kCommands.end()) return usageError("unknown command \"" + command + "\"");
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") {
      std::cout << kUsage;
      return 0;
    }
  }
  return it->second(argc, argv);
}
