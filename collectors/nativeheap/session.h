// A native allocation trace of one process: which allocation stacks hold the
// most bytes allocated during a window and not freed by its end.
//
//   Error error;
//   auto session = Session::Start("/proc", pid, options, &gate, &error);
//   ... (the window: the lead's store keeps the session between requests)
//   auto result = session->End(&cancel, &error);   // detaches, reads, names
//   nlohmann::json body = ToJson(*result);
//
// or, in one call with the window and cancellation: Trace(...). Everything is
// bounded by TraceOptions; a session not ended is detached when destroyed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "collectors/base/mutex.h"
#include "collectors/base/thread_annotations.h"
#include "collectors/diff/diff_result.h"
#include "collectors/nativeheap/error.h"
#include "collectors/nativeheap/maps.h"
#include "collectors/nativeheap/symbolizer.h"
#include "collectors/nativeheap/tracer.h"

namespace memwatch::nativeheap {

struct TraceOptions {
  BpfOptions bpf;
  size_t max_details = 50;       // stacks returned
  size_t max_named = 500;        // top stacks symbolized before merging
  size_t max_mappings = 200000;  // of /proc/<pid>/maps
  size_t max_maps_bytes = 32u << 20;
  // End() after the process exited: the stacks it held at exit instead of a
  // kProcessExited error (its memory went back to the system with it).
  bool report_exited = false;
  SymbolizerOptions symbolizer;
};

// kBadRequest with the reason when an option is out of range.
bool ValidateOptions(const TraceOptions& options, Error* error);

struct TraceStats {
  int pid = 0;
  double seconds = 0;  // the window, start to detach
  uint32_t sample_every = 1;
  size_t probes = 0;  // uprobes and uretprobes attached
  std::string libc;
  Counters counters;
  uint64_t outstanding_sampled = 0;  // allocations read from the map
  size_t stacks = 0;                 // distinct stacks among them
  bool exited = false;               // the process exited during the window
  std::vector<std::string> symbol_problems;
};

struct TraceResult {
  diff::DiffResult diff;
  TraceStats stats;
};

// diff::ToJson(diff) plus "by": "stack" and "trace": the stats.
nlohmann::json ToJson(const TraceResult& result);
// {"error": ..., "kind": ..., "status": ...}
nlohmann::json ErrorJson(const Error& error);

// At most a number of traces at once, one per pid (two would double the cost
// on that process and could not tell their allocations apart).
class SessionGate {
 public:
  explicit SessionGate(size_t max_sessions) : max_sessions_(max_sessions) {}
  bool Enter(int pid, Error* error) EXCLUDES(mu_);
  void Leave(int pid) EXCLUDES(mu_);

 private:
  const size_t max_sessions_;
  Mutex mu_;
  std::set<int> pids_ GUARDED_BY(mu_);
};

class Session {
 public:
  // Reads the process's maps, checks its allocator, opens its files for the
  // symbolizer, loads the BPF program and attaches the probes. gate may be
  // null. Errors: kNoSuchProcess, kForbidden, kUnsupportedTarget, kBusy,
  // kBpfPermission, kBpfUnavailable, kBadRequest, kInternal.
  static std::unique_ptr<Session> Start(const std::string& procfs_root, int pid,
                                        const TraceOptions& options,
                                        SessionGate* gate, Error* error);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Still the process the trace started on (not exited, pid not reused).
  bool Alive() const;
  double ElapsedSeconds() const;

  // Stops the probes, reads the maps and names the top stacks. kProcessExited
  // when the process exited (unless options.report_exited), kCancelled when
  // *cancel became true. Call once.
  std::optional<TraceResult> End(const std::atomic<bool>* cancel, Error* error);

 private:
  Session(std::string procfs_root, int pid, const TraceOptions& options);
  bool Prepare(SessionGate* gate, Error* error);
  bool AttachProbes(const Allocator& allocator, Error* error);
  bool ReadCurrentMappings(std::vector<Mapping>* out, Error* error) const;
  // End's two halves: switch the probes off and check the process; read the
  // maps back, name the stacks, build the diff.
  bool StopWindow(TraceStats* stats, Error* error);
  bool Collect(const std::atomic<bool>* cancel, TraceResult* result,
               Error* error);
  std::vector<NamedTotal> NameStacks(const std::vector<StackTotal>& totals,
                                     const std::atomic<bool>* cancel);

  const std::string procfs_root_;
  const std::string dir_;  // "<procfs>/<pid>"
  const int pid_;
  const TraceOptions options_;
  SessionGate* gate_ = nullptr;  // entered, left on destruction
  uint64_t start_ticks_ = 0;
  std::string libc_;
  std::chrono::steady_clock::time_point started_;
  double window_seconds_ = -1;  // set at End
  std::unique_ptr<Symbolizer> symbolizer_;
  std::unique_ptr<BpfTracer> tracer_;
};

// Start, a window of `seconds` (cut short when the process exits), End.
// Returns within ~0.1 s of *cancel becoming true (kCancelled). `started`, if
// given, is called once the probes are attached.
std::optional<TraceResult> Trace(const std::string& procfs_root, int pid,
                                 double seconds, const TraceOptions& options,
                                 const std::atomic<bool>* cancel, Error* error,
                                 const std::function<void()>& started = {});

}  // namespace memwatch::nativeheap
