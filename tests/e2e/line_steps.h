#pragma once
// The steps the end-to-end scenarios are made of (line_scenarios.cc, fault_scenarios.cc):
// preparing a line, enrolling and starting devices, waiting on the store, and the checks each
// run ends with. Failures are reported through GoogleTest assertions; a step that fails
// fatally leaves ::testing::Test::HasFatalFailure() set for the caller to return on.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace cardline::e2e {

// The station types of the line, one simulated device each: "<prefix>-<station>".
extern const std::vector<std::string> kStations;

// Simulated hardware: 20 ms per job so a kill lands mid-run; QA rejects 10 % of the cards so
// remakes (spoiled cards with their events) happen.
std::vector<std::string> deviceOptions(const std::string& station, int seed);

// One node of a line under test with its serve process and its devices.
struct NodeUnderTest {
  NodeSetup setup;
  ServeProcess serve;
  std::vector<std::unique_ptr<ChildProcess>> devices;
};

// The first 30 problems, one per line, for a failure message.
std::string failures(const std::vector<std::string>& problems);
// The last 4,000 characters of a child's log.
std::string lastLog(const ChildProcess& process);

// Prepares the shared database: a fresh schema (MariaDB: every table dropped), the PII key
// every node uses, `applications` generated (seed 42) and imported through `first`.
void prepareLine(LineSettings* line, const std::string& root, const NodeSetup& first,
                 int applications);
// The node's test PKI (Document Signer for the chip files of the job payloads).
void initPki(const NodeSetup& node);
// Enrolls "<prefix>-<station>" for every station, keys in key_dir.
void enrollDevices(const NodeSetup& node, const std::string& prefix, const std::string& key_dir);
// Starts "<prefix>-<station>" for every station with deviceOptions(station, seed).
void startDevices(NodeUnderTest* node, const std::string& prefix, const std::string& key_dir,
                  int seed);

// Every card that passed encode and QA carries the Document Signer of its chip (the line
// runs with full payloads: the chip is signed when the encode job is built).
void expectSignerOnEncodedCards(const LineSnapshot& snapshot);

// Reads the line until `done` holds for a snapshot (bounded by kDeadline). Returns the last
// snapshot read; fails the test if the deadline passed.
LineSnapshot waitFor(Store& store, const std::function<bool(const LineSnapshot&)>& done,
                     const std::string& what);

// No station job is left ready or leased.
void expectNothingLeased(Store& store);

// Each job of `held` is done with an applied result from a device whose id starts with
// `by_prefix`; with `new_attempt` under a later attempt than in `held` (it was handed out again).
void expectFinishedBy(Store& store, const LineSnapshot& after, const std::vector<StationJob>& held,
                      const std::string& by_prefix, bool new_attempt);

// The ledgers of a finished run hold: `cardline audit verify` passes on the node's database
// (the hash chain is unbroken), and the blank reconciliation over all time balances and agrees
// with the cards: every blank consumed is exactly one card (received - on hand = cards), every
// spoiled blank a spoiled card, none lost, sampled, returned or destroyed.
void expectLedgersHold(const NodeSetup& node, Store& store, const LineSnapshot& snapshot);

}  // namespace cardline::e2e
