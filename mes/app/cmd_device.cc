// cardline device add|remove|list: the allow-list of device CURVE keys.
#include <fstream>
#include <iostream>

#include "devices/runtime/curve_keys.h"
#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/node.h"
#include "mes/base/clock.h"
#include "mes/base/identifier.h"
#include "mes/security/audit_chain.h"

namespace cardline::app {

const char kDeviceUsage[] =
    "usage: cardline device add ID --station print|encode|qa|dispatch --key Z85|FILE\n"
    "       cardline device remove ID\n"
    "       cardline device list\n"
    "       (each also takes --config FILE / --data-dir DIR)\n\n"
    "Manages the devices allowed to connect: only a device whose CURVE public key is enrolled\n"
    "here may talk to the MES. --key takes the 40-character Z85 public key or a key file\n"
    "written by `cardline-device keygen`. A running `cardline serve` picks changes up within a\n"
    "few seconds. Every change is audited.\n";

int runDevice(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.with_value.insert({"--station", "--key", "--actor"});
  spec.max_positional = 2;
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("device", args.status());
  if (args->positional.empty()) {
    std::cerr << kDeviceUsage;
    return 2;
  }
  auto config = loadNodeConfig(*args);
  if (!config) return 2;
  auto pii = openPiiProtector(*config);
  if (!pii.isOk()) return reportFailure("device", pii.status());
  auto options = storeOptions(*config);
  if (!options.isOk()) return reportFailure("device", options.status());
  auto store = openStore(*options, **pii);
  if (!store.isOk()) return reportFailure("device", store.status());
  auto audit_key = openAuditKey(*config);
  if (!audit_key.isOk()) return reportFailure("device", audit_key.status());
  SystemClock clock;
  AuditTrail audit(**store, clock, **audit_key);
  const std::string actor = args->value("--actor").value_or("system");
  const std::string verb = args->positional[0];

  if (verb == "list") {
    std::vector<Device> devices;
    Status s = (*store)->transact([&](StoreTransaction& tx) {
      CARDLINE_ASSIGN_OR_RETURN(devices, tx.devices().list());
      return Status::ok();
    });
    if (!s.isOk()) return reportFailure("device", s);
    for (const Device& d : devices) {
      std::cout << d.id << "\t" << name(d.station) << "\t"
                << (d.public_key.empty() ? "(no key)" : d.public_key) << "\n";
    }
    if (devices.empty()) std::cout << "no devices enrolled\n";
    return 0;
  }
  if (args->positional.size() != 2) {
    return reportFailure("device", invalidArgument(verb + " needs a device id"));
  }
  const std::string id = args->positional[1];

  if (verb == "add") {
    Status valid_id = validateIdentifier("the device id", id);
    if (!valid_id.isOk()) return reportFailure("device", valid_id);
    auto station_name = args->value("--station");
    auto key_arg = args->value("--key");
    if (!station_name || !key_arg) {
      return reportFailure("device", invalidArgument("add needs --station and --key"));
    }
    auto station = parseStationType(*station_name);
    if (!station.isOk()) return reportFailure("device", station.status());
    std::string key = *key_arg;
    if (!isZ85Key(key)) {
      auto file = readKeyFile(key);
      if (!file.isOk()) {
        return reportFailure("device", invalidArgument("--key is neither a Z85 public key nor "
                                                       "a readable key file: " +
                                                       file.status().message()));
      }
      key = file->public_key;
    }
    Status s = (*store)->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_ASSIGN_OR_RETURN(std::vector<Device> enrolled, tx.devices().list());
      for (const Device& other : enrolled) {
        if (other.public_key == key && other.id != id) {
          return alreadyExists("that key is already enrolled for device " + other.id);
        }
      }
      Device d;
      auto existing = tx.devices().find(id);
      if (existing.isOk()) d = *existing;
      d.id = id;
      d.station = *station;
      d.public_key = key;
      CARDLINE_RETURN_IF_ERROR(tx.devices().upsert(d));
      return audit
          .appendIn(tx, actor, "device.add", id,
                    "{\"station\":" + jsonQuote(name(*station)) + ",\"public_key\":" +
                        jsonQuote(key) + "}")
          .status();
    });
    if (!s.isOk()) return reportFailure("device", s);
    std::cout << "enrolled " << id << " (" << name(*station) << ")\n";
    return 0;
  }
  if (verb == "remove") {
    Status s = (*store)->transact([&](StoreTransaction& tx) -> Status {
      CARDLINE_RETURN_IF_ERROR(tx.devices().remove(id));
      return audit.appendIn(tx, actor, "device.remove", id, "{}").status();
    });
    if (!s.isOk()) return reportFailure("device", s);
    std::cout << "removed " << id << "\n";
    return 0;
  }
  return reportFailure("device", invalidArgument("unknown verb \"" + verb +
                                                 "\" (expected add, remove or list)"));
}

}  // namespace cardline::app
