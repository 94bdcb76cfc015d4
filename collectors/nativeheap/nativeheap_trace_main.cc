// nativeheap_trace: traces a process's native allocations for a window and
// prints the stacks holding the most unfreed bytes as memwatch's HeapDiff
// JSON (by=stack). For integration tests and by hand; the exporter's API
// uses the same library.
//
// Exit codes: 0 the diff on stdout; 1 an error, as {"error", "kind",
// "status"} JSON on stdout; 2 a usage error on stderr. "tracing pid N" on
// stderr once the probes are attached; SIGINT/SIGTERM cancel.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include "collectors/nativeheap/session.h"

namespace {

using memwatch::nativeheap::TraceOptions;

std::atomic<bool> cancelled{false};

void OnSignal(int) { cancelled.store(true); }

const char kUsage[] =
    "usage: nativeheap_trace --pid N [--seconds S] [--sample-every K]\n"
    "  [--max-outstanding N] [--max-stacks N] [--max-frames N]\n"
    "  [--max-details N] [--path.procfs DIR] [--report-exited]\n"
    "Traces the pid's glibc malloc/free with eBPF uprobes for S seconds\n"
    "(default 10) and prints the allocation stacks holding the most bytes\n"
    "allocated in that window and not freed, as HeapDiff JSON.\n";

bool ParseNumber(const std::string& v, double lo, double hi, double* out) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(d >= lo && d <= hi)) return false;
  *out = d;
  return true;
}

struct Args {
  int pid = 0;
  double seconds = 10;
  std::string procfs = "/proc";
  TraceOptions options;
};

// Sets one numeric option; false on a bad value.
bool SetOption(const std::string& name, const std::string& v, Args* a) {
  double d = 0;
  auto set = [&](double lo, double hi, auto* field) {
    if (!ParseNumber(v, lo, hi, &d)) return false;
    *field = static_cast<std::remove_pointer_t<decltype(field)>>(d);
    return true;
  };
  if (name == "--pid") return set(1, 1 << 30, &a->pid);
  if (name == "--seconds") return set(0, 86400, &a->seconds);
  if (name == "--sample-every") {
    return set(1, 1 << 20, &a->options.bpf.sample_every);
  }
  if (name == "--max-outstanding") {
    return set(1, 1 << 24, &a->options.bpf.max_outstanding);
  }
  if (name == "--max-stacks")
    return set(1, 1 << 20, &a->options.bpf.max_stacks);
  if (name == "--max-frames") return set(1, 126, &a->options.bpf.max_frames);
  if (name == "--max-details") return set(1, 10000, &a->options.max_details);
  return false;
}

int Usage(const std::string& why) {
  std::cerr << "nativeheap_trace: " << why << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (arg == "--report-exited") {
      a.options.report_exited = true;
      continue;
    }
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return Usage(arg + " needs a value");
    }
    if (arg == "--path.procfs") {
      a.procfs = value;
    } else if (!SetOption(arg, value, &a)) {
      return Usage("bad option or value: " + arg + " " + value);
    }
  }
  if (a.pid == 0) return Usage("--pid is required");
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  memwatch::nativeheap::Error error;
  auto result = memwatch::nativeheap::Trace(
      a.procfs, a.pid, a.seconds, a.options, &cancelled, &error, [&a] {
        std::cerr << "nativeheap_trace: tracing pid " << a.pid << std::endl;
      });
  if (!result) {
    std::cout << memwatch::nativeheap::ErrorJson(error).dump() << "\n";
    return 1;
  }
  std::cout << memwatch::nativeheap::ToJson(*result).dump(2) << "\n";
  return 0;
}
