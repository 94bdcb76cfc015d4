// memwatch_exporter: parse flags, then serve (or run a subcommand).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "collectors/base/log.h"
#include "collectors/plugin/registry.h"
#include "exporter/app.h"
#include "exporter/flag_parser.h"
#include "exporter/flags.h"
#include "exporter/version.h"

// Defined with the other --log.* flags in exporter/flags.cc.
DECLARE_string(log_format);

namespace {

// glibc's per-thread cache keeps up to 7 freed chunks per small size in every
// thread that ever allocated: about 22 KiB in each civetweb worker that served
// a scrape, 9 MiB of RSS with 428 workers and never given back
// (docs/reliability.md). It can only be turned off by a tunable read at
// start-up, so the server re-executes itself once with it set; no CPU cost
// measurable per scrape. A GLIBC_TUNABLES that already names tcache_count
// is the operator's choice and left alone (also what stops the loop).
void TuneMalloc(char** argv) {
#if defined(__GLIBC__)
  const char* env = std::getenv("GLIBC_TUNABLES");
  const std::string tunables = env != nullptr ? env : "";
  if (tunables.find("tcache_count") == std::string::npos) {
    std::string value = "glibc.malloc.tcache_count=0";
    if (!tunables.empty()) value = tunables + ":" + value;
    // The binary's own path, not /proc/self/exe: the process name (comm)
    // is taken from the file name executed.
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0 && setenv("GLIBC_TUNABLES", value.c_str(), 1) == 0) {
      self[n] = '\0';
      execv(self, argv);
      // No /proc/self/exe or the binary was replaced (its link then ends in
      // " (deleted)"): run with the default cache.
      if (env != nullptr) {
        setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
      } else {
        unsetenv("GLIBC_TUNABLES");
      }
    }
  }
  // The arena cap and mmap threshold are set by the Scraper
  // (TuneMallocForLongRunning).
#else
  (void)argv;
#endif
}

}  // namespace

int main(int argc, char** argv) {
  using memwatch::ParsedArgs;
  // Block the stop and reload signals before any thread exists so that only
  // the main thread's sigwait receives them (SIGHUP's default action would
  // end us); a closed scrape connection must not kill us.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto& registry = memwatch::CollectorRegistry::Global();
  std::vector<std::string> args(argv + 1, argv + argc);
  // The log format first, wherever it stands, so that a bad flag before it
  // is reported in the format the user chose (an unknown format: logfmt).
  memwatch::SetLogFormat(memwatch::PrescanFlag(args, "log.format"));
  ParsedArgs parsed = memwatch::ParseArgs(args, &registry);
  switch (parsed.action) {
    case ParsedArgs::Action::kError:
      memwatch::LogError("invalid command line", {{"err", parsed.error}});
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
      return registry.FindCommand(parsed.command)
          ->run(memwatch::CommandContext{FLAGS_path_procfs},
                parsed.command_args);
    }
    case ParsedArgs::Action::kRun:
      break;
  }
  // Before any thread exists (the exec would end them).
  TuneMalloc(argv);
  if (!memwatch::SetLogFormat(FLAGS_log_format)) {
    memwatch::LogError("invalid command line",
                       {{"err", "invalid value '" + FLAGS_log_format +
                                    "' for --log.format: expected logfmt or "
                                    "json"}});
    return 2;
  }
  if (!memwatch::SetLogLevel(FLAGS_log_level)) {
    memwatch::LogError("invalid command line",
                       {{"err", "invalid value '" + FLAGS_log_level +
                                    "' for --log.level: expected debug, "
                                    "info, warn or error"}});
    return 2;
  }
  return memwatch::RunExporter();
}
