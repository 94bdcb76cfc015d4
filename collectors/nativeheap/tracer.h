// The kernel side of a native allocation trace: the BPF program (compiled by
// clang in the build, embedded as a bpftool skeleton) loaded with libbpf,
// its uprobes attached to one process's libc and libstdc++, and its maps read
// back. One owner; not thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "collectors/nativeheap/aggregate.h"
#include "collectors/nativeheap/error.h"

struct nativeheap_bpf;
struct bpf_link;

namespace memwatch::nativeheap {

struct BpfOptions {
  uint32_t sample_every = 1;          // trace 1 in N allocations
  uint32_t max_outstanding = 131072;  // allocations held in the kernel map
  uint32_t max_stacks = 8192;         // distinct stacks in the kernel map
  uint32_t max_frames = 32;           // walked frames per stack (<= 126)
};

// Who to trace: the pid as this process's procfs names it (for the uprobes'
// perf events) and the same process as its own pid namespace sees it (for
// the BPF filter: bpf_get_ns_current_pid_tgid).
struct TargetIds {
  int pid = 0;
  uint32_t ns_tgid = 0;
  uint64_t pidns_dev = 0;  // kernel dev_t of nsfs
  uint64_t pidns_ino = 0;
};

// A traced function: where it is and which program runs there.
struct ProbeSpec {
  std::string function;
  uint64_t file_offset = 0;
  enum Kind {
    kMalloc,
    kCalloc,
    kRealloc,
    kMemalign,
    kPosixMemalign,
    kValloc,
    kNew,
    kFree
  } kind = kMalloc;
};

struct Counters {
  uint64_t recorded = 0;     // sampled allocations put in the map
  uint64_t alloc_drops = 0;  // lost: allocation map full
  uint64_t stack_drops = 0;  // stacks lost: stack map full or unwalkable
  uint64_t frees = 0;        // frees of recorded allocations
};

class BpfTracer {
 public:
  // Opens and loads the program with the target and limits set.
  static std::unique_ptr<BpfTracer> Load(const TargetIds& target,
                                         const BpfOptions& options,
                                         Error* error);
  ~BpfTracer();  // stops; detaches and frees the maps in the background
  BpfTracer(const BpfTracer&) = delete;
  BpfTracer& operator=(const BpfTracer&) = delete;

  // Attaches the probes of one file (as this process opens it, e.g.
  // "<procfs>/<pid>/root/usr/lib/.../libc.so.6"); two functions at the same
  // offset (aliases) get one probe.
  bool Attach(const std::string& binary, const std::vector<ProbeSpec>& probes,
              Error* error);
  // Ends the window: the programs return at once from then on. Removing
  // the probes takes ~0.1 s each (an RCU grace period, serialized in the
  // kernel), so the destructor hands them to a background thread instead.
  void Stop();
  size_t attached() const { return links_.size(); }

  // Outstanding allocations, at most `max`; checks *cancel every few
  // thousand entries.
  bool ReadAllocs(size_t max, const std::atomic<bool>* cancel,
                  std::vector<AllocRecord>* out, Error* error) const;
  // The walked frames of a stack id (empty when unknown).
  std::vector<uint64_t> ReadStack(int32_t stack_id) const;
  Counters ReadCounters() const;

 private:
  BpfTracer(nativeheap_bpf* skel, const TargetIds& target,
            const BpfOptions& options);
  bool AttachOne(const std::string& binary, const ProbeSpec& probe,
                 bool retprobe, Error* error);

  nativeheap_bpf* skel_;
  const TargetIds target_;
  const BpfOptions options_;
  std::vector<bpf_link*> links_;
};

// The glibc and libstdc++ functions traced, by name.
std::vector<std::string> LibcFunctions();
std::vector<std::string> LibstdcxxFunctions();
ProbeSpec::Kind KindOf(const std::string& function);

}  // namespace memwatch::nativeheap
