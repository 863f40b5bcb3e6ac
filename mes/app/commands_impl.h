#pragma once
// The run functions and usage texts of the subcommands, one .cc file each (cmd_*.cc).

#include <functional>
#include <string>
#include <vector>

#include "mes/app/command.h"
#include "mes/config/config.h"
#include "mes/config/config_loader.h"

namespace cardline::app {

extern const char kCheckUsage[];
int runCheck(const Args& args);
extern const char kMigrateUsage[];
int runMigrate(const Args& args);
extern const char kDemoUsage[];
int runDemo(const Args& args);
extern const char kBenchUsage[];
int runBench(const Args& args);
extern const char kServeUsage[];
int runServe(const Args& args);
extern const char kDeviceUsage[];
int runDevice(const Args& args);
extern const char kUserUsage[];
int runUser(const Args& args);
extern const char kImportUsage[];
int runImport(const Args& args);
extern const char kGenerateUsage[];
int runGenerate(const Args& args);
extern const char kPrepareUsage[];
int runPrepare(const Args& args);
extern const char kPkiUsage[];
int runPki(const Args& args);
extern const char kReportUsage[];
int runReport(const Args& args);
extern const char kTrackUsage[];
int runTrack(const Args& args);
extern const char kBlanksUsage[];
int runBlanks(const Args& args);
extern const char kAuditUsage[];
int runAudit(const Args& args);

// One validation `cardline check` runs after the configuration itself (workflows, templates).
struct CheckStep {
  std::string what;  // "workflows in DIR"
  std::function<std::vector<ConfigProblem>(const Config&)> run;
};
// The steps, in order. Defined in cmd_check_steps.cc.
std::vector<CheckStep> checkSteps();

}  // namespace cardline::app
