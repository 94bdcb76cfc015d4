// The target flags. main turns them into one TargetConfig and one resolver
// that every collector shares (one /proc scan per Resolve, not one per
// collector).
#include <gflags/gflags.h>

#include "collectors/base/read.h"
#include "collectors/targets/resolver.h"

DEFINE_string(pid, "",
              "Process to watch: N or name=N (named pid-N by default). "
              "Repeatable; also a ',' or newline separated list.");
DEFINE_string(pidfile, "",
              "File holding the pid to watch, re-read on every scrape: PATH "
              "(named after the file, /run/api.pid -> api) or name=PATH. "
              "Repeatable; also a ',' or newline separated list.");
DEFINE_bool(self, false,
            "Watch the exporter itself, as target \"self\"; also lets "
            "matchers match the exporter.");
DEFINE_string(match, "",
              "Process matcher: name=N,comm=C,exe=PATH,cmdline=REGEX (name and "
              "at least one condition; all given must hold). Repeatable; also "
              "';' or newline separated.");
DEFINE_string(targets_config, "",
              "YAML file listing targets (see collectors/process/README.md).");

namespace memwatch::targets {

bool TargetConfigFromFlags(TargetConfig* config, std::string* error) {
  config->self = FLAGS_self;
  if (!ParsePidFlag(FLAGS_pid, &config->specs, error) ||
      !ParsePidfileFlag(FLAGS_pidfile, &config->specs, error) ||
      !ParseMatchFlag(FLAGS_match, &config->specs, error)) {
    return false;
  }
  if (FLAGS_targets_config.empty()) return true;
  std::string text;
  if (!ReadFile(FLAGS_targets_config, &text, error, nullptr, kMaxConfigBytes)) {
    *error = "--targets.config: " + *error;
    return false;
  }
  return ParseTargetsYaml(text, FLAGS_targets_config, &config->specs, error);
}

}  // namespace memwatch::targets
