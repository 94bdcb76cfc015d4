// `memwatch_exporter replay --input FILE [options]`: runs the synthetic
// detector and the engine over a recorded CSV of `time,bytes` samples and
// prints the stats and leak events as JSON lines, then a summary line, so users
// can tune the thresholds on their own data.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "collectors/memwatch/config.h"

namespace memwatch::memwatch_plugin {

struct ReplayOptions {
  Config config;             // starts from the --memwatch.* flags
  std::string input;         // path, "-" for stdin
  bool compactions = false;  // rows are compactions (time,heap_after) already
  bool stats = true;         // print a stats line per compaction
  bool help = false;
};

extern const char kReplayUsage[];

// False with a one-line error in *error.
bool ParseReplayArgs(const std::vector<std::string>& args, ReplayOptions* o,
                     std::string* error);

// Exit code: 0, or 2 for a malformed line (reported with its line number).
int RunReplay(std::istream& in, const std::string& input_name,
              const ReplayOptions& o, std::ostream& out, std::ostream& err);

// The subcommand: parse, open, run.
int ReplayMain(const std::vector<std::string>& args);

}  // namespace memwatch::memwatch_plugin
