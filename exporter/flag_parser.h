// Command-line parsing on top of gflags' flag registry.
//
// gflags names cannot hold '.' or '-', but Prometheus exporters spell flags
// `--web.listen-address`. A gflag named `web_listen_address` is shown and
// accepted as
// `--web.listen-address`: the first '_' reads as '.', later ones as '-'.
// Underscore spellings are accepted too. We parse ourselves (instead of
// gflags::ParseCommandLineFlags) so that a bad flag is one line on stderr and
// exit 2.
#pragma once

#include <string>
#include <vector>

#include "collectors/plugin/registry.h"

namespace memwatch {

// `web_listen_address` -> `web.listen-address`.
std::string DisplayFlagName(const std::string& gflag_name);
// `web.listen-address` / `web-listen_address` -> `web_listen_address`.
std::string GflagName(const std::string& display_name);

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

// --help text: usage, every flag of ours with default and help, collectors and
// commands.
std::string HelpText(const CollectorRegistry& registry);

}  // namespace memwatch
