// Command-line parsing on top of gflags' flag registry, with the spellings of
// exporter/flag_names.h (underscore spellings are accepted too). We parse
// ourselves (instead of gflags::ParseCommandLineFlags) so that a bad flag is
// one log line and exit 2. A duration flag (collectors/plugin/duration.h)
// takes units.
#pragma once

#include <string>
#include <vector>

#include "collectors/plugin/registry.h"
#include "exporter/flag_names.h"

namespace memwatch {

struct ParsedArgs {
  enum class Action { kRun, kHelp, kVersion, kCommand, kError };
  Action action = Action::kRun;
  std::string error;                      // for kError: one line
  std::string command;                    // for kCommand
  std::vector<std::string> command_args;  // for kCommand: args after its name
};

// Parses argv (without argv[0]): sets gflags and collector enable state in
// `registry`. A string flag whose help says "Repeatable" may be given several
// times; its values are joined with '\n'. A first argument without
// dashes that names a registered command dispatches to it with the rest
// untouched.
ParsedArgs ParseArgs(const std::vector<std::string>& args,
                     CollectorRegistry* registry);

// The last value given for `display_name` (e.g. "log.format") before any
// command name, or "" if none: read before the full parse so that a bad
// flag is already reported in the chosen log format.
std::string PrescanFlag(const std::vector<std::string>& args,
                        const std::string& display_name);

// --help text: usage, every flag of ours with default and help, collectors and
// commands.
std::string HelpText(const CollectorRegistry& registry);

}  // namespace memwatch
