// cardline serve: runs one node of the line until SIGINT or SIGTERM.
#include <signal.h>

#include <ctime>
#include <iostream>

#include "mes/app/cli.h"
#include "mes/app/commands_impl.h"
#include "mes/app/line_node.h"
#include "mes/app/node.h"

namespace cardline::app {

const char kServeUsage[] =
    "usage: cardline serve [--config FILE] [--data-dir DIR] [--port P] [--devices ENDPOINT]\n\n"
    "Runs one node of the production line: the line controller, the ZeroMQ device link\n"
    "(CURVE, only enrolled devices; see `cardline device`) and the HTTP server with the REST\n"
    "API under /api/v1 and the web UI. The database must be migrated (`cardline migrate`).\n"
    "Stops cleanly on Ctrl-C or SIGTERM.\n\n"
    "  --port P            HTTP port (default from the configuration; 0 picks a free port)\n"
    "  --devices ENDPOINT  where devices connect (default devices.endpoint, e.g.\n"
    "                      tcp://127.0.0.1:5555; tcp://127.0.0.1:* picks a free port)\n";

int runServe(const Args& raw) {
  OptionSpec spec;
  addConfigOptions(&spec);
  spec.with_value.insert({"--port", "--devices"});
  auto args = parseArgs(raw, spec);
  if (!args.isOk()) return reportFailure("serve", args.status());
  auto config = loadNodeConfig(*args);
  if (!config) return 2;

  LineNodeOptions options;
  if (auto port = args->value("--port")) {
    try {
      options.http_port = std::stoi(*port);
    } catch (const std::exception&) {
      return reportFailure("serve", invalidArgument("--port must be a number"));
    }
  }
  if (auto devices = args->value("--devices")) options.device_endpoint = *devices;

  // Block the termination signals before threads start, so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto node = LineNode::open(*config, options);
  if (!node.isOk()) return reportFailure("serve", node.status());
  Status started = (*node)->start();
  if (!started.isOk()) return reportFailure("serve", started);
  std::cout << "cardline serve: node " << config->node_id << "\n"
            << "  devices connect to " << (*node)->deviceEndpoint() << "\n";
  if (!(*node)->serverPublicKey().empty()) {
    std::cout << "  MES public key " << (*node)->serverPublicKey() << " ("
              << config->deviceKeyDir() << "/mes.key)\n";
  }
  std::cout << "  web UI and API on http://" << config->http.bind << ":" << (*node)->httpPort()
            << "/\n"
            << std::flush;

  // Wait for a termination request, re-reading the enrolled device keys every 2 seconds and
  // doing the periodic logistics work every minute.
  for (int tick = 0;; ++tick) {
    timespec wait{2, 0};
    int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) break;
    Status synced = (*node)->syncAllowList();
    if (!synced.isOk()) std::cerr << "cardline serve: " << synced.message() << "\n";
    if (tick % 30 == 0) (*node)->housekeeping();
    if (tick % 10 == 0) (*node)->recordDeviceTime();  // availability rollups, every 20 s
  }
  std::cout << "cardline serve: stopping\n";
  (*node)->stop();
  return 0;
}

}  // namespace cardline::app
