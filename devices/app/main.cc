// cardline-device: hosts one device driver on a station PC.
#include <iostream>
#include <string>

namespace {

const char kUsage[] =
    "usage: cardline-device COMMAND [OPTIONS]\n\n"
    "Hosts one device driver and connects it to the cardline MES over ZeroMQ.\n\n"
    "commands:\n"
    "  run --config device.yaml        run the driver a device configuration names\n"
    "  simulate --station print|encode|qa|dispatch [--id ID] [--connect ENDPOINT]\n"
    "                                  run the built-in simulated hardware\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    (argc < 2 ? std::cerr : std::cout) << kUsage;
    return argc < 2 ? 2 : 0;
  }
  std::cerr << "cardline-device: unknown command \"" << argv[1] << "\"\n" << kUsage;
  return 2;
}
