// memwatch_exporter: parse flags, then serve (or run a subcommand).
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "collectors/plugin/log.h"
#include "collectors/plugin/registry.h"
#include "exporter/app.h"
#include "exporter/flag_parser.h"
#include "exporter/flags.h"
#include "exporter/version.h"

// Defined with the other --log.* flags in exporter/flags.cc.
DECLARE_string(log_format);

int main(int argc, char** argv) {
  using memwatch::ParsedArgs;
  // Block the stop signals before any thread exists so that only the main
  // thread's sigwait receives them; a closed scrape connection must not kill
  // us.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto& registry = memwatch::CollectorRegistry::Global();
  std::vector<std::string> args(argv + 1, argv + argc);
  ParsedArgs parsed = memwatch::ParseArgs(args, &registry);
  switch (parsed.action) {
    case ParsedArgs::Action::kError:
      std::fprintf(stderr, "memwatch_exporter: %s\n", parsed.error.c_str());
      return 2;
    case ParsedArgs::Action::kHelp:
      std::fputs(memwatch::HelpText(registry).c_str(), stdout);
      return 0;
    case ParsedArgs::Action::kVersion:
      std::printf("memwatch_exporter version %s (revision %s)\n",
                  memwatch::kVersion, memwatch::kRevision);
      return 0;
    case ParsedArgs::Action::kCommand: {
      // Subcommands run in the foreground; let Ctrl-C stop them.
      pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
      return registry.FindCommand(parsed.command)->run(parsed.command_args);
    }
    case ParsedArgs::Action::kRun:
      break;
  }
  if (!memwatch::SetLogLevel(FLAGS_log_level)) {
    std::fprintf(stderr,
                 "memwatch_exporter: invalid --log.level '%s': expected debug, "
                 "info, warn or error\n",
                 FLAGS_log_level.c_str());
    return 2;
  }
  if (!memwatch::SetLogFormat(FLAGS_log_format)) {
    std::fprintf(stderr,
                 "memwatch_exporter: invalid --log.format '%s': expected "
                 "logfmt or json\n",
                 FLAGS_log_format.c_str());
    return 2;
  }
  return memwatch::RunExporter();
}
