#include "tests/e2e/line_scenarios.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/e2e/line_steps.h"

namespace cardline::e2e {

void runCrashScenario(const LineSettings& settings, int applications) {
  TempDir root;
  ASSERT_FALSE(root.path().empty());
  LineSettings line = settings;
  line.pii_key_file = root.path() + "/pii.key";
  const std::string key_dir = root.path() + "/devkeys";
  auto setup = writeNodeConfig(line, "node-1", root.path() + "/node-1");
  ASSERT_TRUE(setup.isOk()) << setup.status().toString();
  prepareLine(&line, root.path(), *setup, applications);
  if (::testing::Test::HasFatalFailure()) return;
  initPki(*setup);
  if (::testing::Test::HasFatalFailure()) return;
  enrollDevices(*setup, "d", key_dir);
  if (::testing::Test::HasFatalFailure()) return;
  auto opened = openTestStore(line, *setup);
  ASSERT_TRUE(opened.isOk()) << opened.status().toString();
  Store& store = *opened->store;
  // Blanks for every print, remakes and re-sends included.
  Status stocked = stockBlanks(store, "d-print", 5 * applications);
  ASSERT_TRUE(stocked.isOk()) << stocked.toString();

  NodeUnderTest node;
  node.setup = *setup;
  auto serve = startServe(node.setup, "tcp://127.0.0.1:*", node.setup.data_dir + "/serve-1.log");
  ASSERT_TRUE(serve.isOk()) << serve.status().toString();
  node.serve = std::move(serve).value();
  startDevices(&node, "d", key_dir, 1);
  if (::testing::Test::HasFatalFailure()) return;

  // Let a quarter of the backlog through, then kill the MES without warning.
  const int quarter = std::max(1, applications / 4);
  LineSnapshot before = waitFor(
      store, [&](const LineSnapshot& s) { return countFinal(s) >= quarter; }, "progress");
  ASSERT_GE(countFinal(before), quarter) << "serve log:\n" << lastLog(*node.serve.process);
  node.serve.process->killHard();
  auto at_kill = readSnapshot(store);
  ASSERT_TRUE(at_kill.isOk()) << at_kill.status().toString();
  ASSERT_LT(countFinal(*at_kill), applications)
      << "the line finished before the kill landed; the test proves nothing (raise the count)";
  auto leased_at_kill = countLeasedJobs(store);
  ASSERT_TRUE(leased_at_kill.isOk()) << leased_at_kill.status().toString();
  std::cout << "[ e2e      ] at the kill: " << describe(*at_kill) << "; " << *leased_at_kill
            << " jobs leased by the dead process" << std::endl;

  // Restart on the same device endpoint: the running devices reconnect and re-send what was
  // not acknowledged; leases of the dead process expire and are handed out again.
  auto again = startServe(node.setup, node.serve.device_endpoint,
                          node.setup.data_dir + "/serve-2.log");
  ASSERT_TRUE(again.isOk()) << again.status().toString();
  node.serve.process = std::move(again->process);

  LineSnapshot after = waitFor(
      store, [&](const LineSnapshot& s) { return countFinal(s) == applications; },
      "every application final after the restart");
  EXPECT_EQ(countFinal(after), applications) << "serve log:\n" << lastLog(*node.serve.process);
  std::cout << "[ e2e      ] after the restart: " << describe(after) << std::endl;
  const std::vector<std::string> problems = checkInvariants(after, applications);
  EXPECT_TRUE(problems.empty()) << failures(problems);
  expectSignerOnEncodedCards(after);
  expectNothingLeased(store);
  expectLedgersHold(node.setup, store, after);

  // Every station's device did work; the dispatch device (some application was not dispatched
  // at the kill) also after the restart, so it reconnected and was handed jobs again.
  auto doneBy = [](const LineSnapshot& s, const std::string& id) {
    int n = 0;
    for (const auto& [job, device] : completedJobs(s)) n += device == id;
    return n;
  };
  for (const std::string& station : kStations) {
    const std::string id = "d-" + station;
    EXPECT_GT(doneBy(after, id), 0) << id << " completed no job";
    std::cout << "[ e2e      ] " << id << ": " << doneBy(*at_kill, id) << " jobs before the kill, "
              << doneBy(after, id) << " in all" << std::endl;
  }
  EXPECT_GT(doneBy(after, "d-dispatch"), doneBy(*at_kill, "d-dispatch"));
  // The devices are still up (none gave up or crashed on what the restarted MES sent).
  for (auto& device : node.devices) EXPECT_TRUE(device->running()) << lastLog(*device);
  for (auto& device : node.devices) device->terminate(std::chrono::seconds(10));
  node.serve.process->terminate(std::chrono::seconds(30));
}

void runTwoNodeScenario(const LineSettings& settings, int applications) {
  TempDir root;
  ASSERT_FALSE(root.path().empty());
  LineSettings line = settings;
  line.pii_key_file = root.path() + "/pii.key";
  const std::string key_dir = root.path() + "/devkeys";
  auto setup_a = writeNodeConfig(line, "node-a", root.path() + "/node-a");
  ASSERT_TRUE(setup_a.isOk()) << setup_a.status().toString();
  auto setup_b = writeNodeConfig(line, "node-b", root.path() + "/node-b");
  ASSERT_TRUE(setup_b.isOk()) << setup_b.status().toString();
  prepareLine(&line, root.path(), *setup_a, applications);
  if (::testing::Test::HasFatalFailure()) return;
  initPki(*setup_a);
  if (::testing::Test::HasFatalFailure()) return;
  initPki(*setup_b);
  if (::testing::Test::HasFatalFailure()) return;
  enrollDevices(*setup_a, "a", key_dir);
  if (::testing::Test::HasFatalFailure()) return;
  enrollDevices(*setup_b, "b", key_dir);
  if (::testing::Test::HasFatalFailure()) return;
  auto opened = openTestStore(line, *setup_a);
  ASSERT_TRUE(opened.isOk()) << opened.status().toString();
  Store& store = *opened->store;
  for (const char* printer : {"a-print", "b-print"}) {
    Status stocked = stockBlanks(store, printer, 5 * applications);
    ASSERT_TRUE(stocked.isOk()) << stocked.toString();
  }

  NodeUnderTest a;
  NodeUnderTest b;
  a.setup = *setup_a;
  b.setup = *setup_b;
  for (NodeUnderTest* node : {&a, &b}) {
    auto serve = startServe(node->setup, "tcp://127.0.0.1:*", node->setup.data_dir + "/serve.log");
    ASSERT_TRUE(serve.isOk()) << serve.status().toString();
    node->serve = std::move(serve).value();
  }
  startDevices(&a, "a", key_dir, 1);
  if (::testing::Test::HasFatalFailure()) return;
  startDevices(&b, "b", key_dir, 2);
  if (::testing::Test::HasFatalFailure()) return;

  auto didWork = [](const LineSnapshot& s, const std::string& prefix) {
    int n = 0;
    for (const auto& [job, device] : completedJobs(s)) n += device.rfind(prefix, 0) == 0;
    return n;
  };
  // Both nodes' devices complete jobs of the one backlog.
  const int quarter = std::max(1, applications / 4);
  LineSnapshot shared = waitFor(
      store,
      [&](const LineSnapshot& s) {
        return countFinal(s) >= quarter && didWork(s, "a-") > 0 && didWork(s, "b-") > 0;
      },
      "both nodes working");
  ASSERT_GT(didWork(shared, "a-"), 0) << "node A's devices did nothing:\n"
                                      << lastLog(*a.serve.process);
  ASSERT_GT(didWork(shared, "b-"), 0) << "node B's devices did nothing:\n"
                                      << lastLog(*b.serve.process);

  // Node A dies with its devices' jobs leased.
  a.serve.process->killHard();
  auto at_kill = readSnapshot(store);
  ASSERT_TRUE(at_kill.isOk()) << at_kill.status().toString();
  ASSERT_LT(countFinal(*at_kill), applications)
      << "the line finished before the kill landed; the test proves nothing (raise the count)";
  const int b_before = didWork(*at_kill, "b-");
  auto leased_at_kill = countLeasedJobs(store);
  ASSERT_TRUE(leased_at_kill.isOk()) << leased_at_kill.status().toString();
  // The jobs node A's devices held: B must take them over once their leases expire.
  auto jobs_at_kill = allJobs(store, *at_kill);
  ASSERT_TRUE(jobs_at_kill.isOk()) << jobs_at_kill.status().toString();
  std::vector<StationJob> held_by_a;
  for (const StationJob& job : *jobs_at_kill) {
    if (job.state == JobState::kLeased && job.node_id == "node-a") held_by_a.push_back(job);
  }
  std::cout << "[ e2e      ] node A killed: " << describe(*at_kill) << "; jobs done by A's "
            << "devices " << didWork(*at_kill, "a-") << ", by B's " << b_before << "; "
            << *leased_at_kill << " jobs leased, " << held_by_a.size() << " of them by node A"
            << std::endl;

  LineSnapshot after = waitFor(
      store, [&](const LineSnapshot& s) { return countFinal(s) == applications; },
      "node B finishing the backlog");
  EXPECT_EQ(countFinal(after), applications) << "node B log:\n" << lastLog(*b.serve.process);
  EXPECT_GT(didWork(after, "b-"), b_before) << "node B did nothing after node A died";
  // Each job node A held was finished by node B's devices, under a later attempt (the lease
  // expired and was handed out again).
  expectFinishedBy(store, after, held_by_a, "b-", /*new_attempt=*/true);
  std::cout << "[ e2e      ] node B finished: " << describe(after) << "; jobs done by A's "
            << "devices " << didWork(after, "a-") << ", by B's " << didWork(after, "b-")
            << std::endl;
  const std::vector<std::string> problems = checkInvariants(after, applications);
  EXPECT_TRUE(problems.empty()) << failures(problems);
  expectSignerOnEncodedCards(after);
  expectNothingLeased(store);
  expectLedgersHold(a.setup, store, after);

  for (auto& device : b.devices) EXPECT_TRUE(device->running()) << lastLog(*device);
  for (NodeUnderTest* node : {&a, &b}) {
    for (auto& device : node->devices) device->terminate(std::chrono::seconds(10));
  }
  b.serve.process->terminate(std::chrono::seconds(30));
}

}  // namespace cardline::e2e
