// HotSpot's dynamic attach from outside the JVM, in our own code: what
// `jcmd <pid> GC.class_histogram` does, container-aware (the JVM's files are
// reached through <procfs>/<pid>/root and /cwd, its pid in its own namespace
// comes from NSpid), bounded in bytes and time, cancellable. connect.h says
// how the listener is started and reached, and with which credentials.
//
// Nothing here is sent to a process that is not a HotSpot JVM handling
// SIGQUIT (SIGQUIT kills any other), nor to a JVM whose flags disable attach.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/jvmattach/connect.h"
#include "collectors/jvmattach/error.h"
#include "collectors/jvmattach/histogram.h"

namespace memwatch::jvmattach {

struct AttachOptions {
  // Everything: starting the listener, connecting, the command, its output.
  double timeout_seconds = 60;
  // Waiting for the listener's socket after SIGQUIT (the JDK waits 10 s).
  double listener_start_seconds = 10;
  // The command's answer; a longer one is an error, not a truncation.
  size_t max_output_bytes = size_t{32} << 20;
  // Checked every 50 ms; set, the attach ends with kCancelled within ~1 s.
  const std::atomic<bool>* cancel = nullptr;
  // Class histograms: live objects only (GC.class_histogram, which runs a
  // full GC first) or every object (-all: no GC, garbage counted too).
  bool live_only = true;
  HistogramLimits histogram;
  // Tests: who sends SIGQUIT (connect.h).
  SendQuitFn send_quit = nullptr;
  void* send_quit_arg = nullptr;
};

// Runs one attach operation, e.g. ("jcmd", {"GC.class_histogram"}) or
// ("properties", {}), and returns its output when the JVM answers status 0.
// nullopt and *error otherwise (kCommandFailed carries the JVM's message).
std::optional<std::string> RunAttachCommand(
    const std::string& procfs_root, int pid, std::string_view command,
    const std::vector<std::string>& args, const AttachOptions& options,
    AttachError* error);

// The jcmd line of a histogram: "GC.class_histogram" or "... -all".
std::string HistogramCommand(bool live_only);

// `jcmd <pid> GC.class_histogram` through the "jcmd" attach operation (the
// diagnostic command framework: one stable operation with its own argument
// parsing and error reporting since JDK 8), parsed. A live histogram stops
// the JVM for a full GC: see docs/heapdiff.md for the pause and rate limit.
std::optional<ClassHistogram> TakeClassHistogram(const std::string& procfs_root,
                                                 int pid,
                                                 const AttachOptions& options,
                                                 AttachError* error);

}  // namespace memwatch::jvmattach
