#include "collectors/nativeheap/tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "collectors/base/log.h"
#include "collectors/nativeheap/nativeheap.skel.h"
#include "collectors/nativeheap/nativeheap_bpf.h"

namespace memwatch::nativeheap {
namespace {

constexpr char kPermissionHint[] =
    "needs CAP_BPF and CAP_PERFMON (kernel 5.8+) or CAP_SYS_ADMIN";

// libbpf's last warning on this thread: the reason behind a failed load.
thread_local std::string last_libbpf_warning;

int LibbpfPrint(enum libbpf_print_level level, const char* format,
                va_list args) {
  char buf[512];
  std::vsnprintf(buf, sizeof(buf), format, args);
  std::string line(buf);
  while (!line.empty() && line.back() == '\n') line.pop_back();
  if (level == LIBBPF_WARN) last_libbpf_warning = line;
  LogDebug("libbpf", {{"line", line}});
  return 0;
}

void InitLibbpfOnce() {
  static std::once_flag once;
  std::call_once(once, [] { libbpf_set_print(LibbpfPrint); });
}

// An errno from loading or attaching, as an error kind and a reason.
bool FailErrno(Error* error, int err, const std::string& what) {
  std::string reason = what + ": " + std::strerror(err);
  if (err == EPERM || err == EACCES) {
    return Fail(error, ErrorKind::kBpfPermission,
                reason + " (" + kPermissionHint + ")");
  }
  if (err == ESRCH) return Fail(error, ErrorKind::kNoSuchProcess, reason);
  if (!last_libbpf_warning.empty()) reason += " (" + last_libbpf_warning + ")";
  return Fail(error, ErrorKind::kBpfUnavailable, reason);
}

bpf_program* ProgramFor(nativeheap_bpf* skel, ProbeSpec::Kind kind) {
  switch (kind) {
    case ProbeSpec::kMalloc:
      return skel->progs.malloc_enter;
    case ProbeSpec::kCalloc:
      return skel->progs.calloc_enter;
    case ProbeSpec::kRealloc:
      return skel->progs.realloc_enter;
    case ProbeSpec::kMemalign:
      return skel->progs.memalign_enter;
    case ProbeSpec::kPosixMemalign:
      return skel->progs.posix_memalign_enter;
    case ProbeSpec::kValloc:
      return skel->progs.valloc_enter;
    case ProbeSpec::kNew:
      return skel->progs.new_enter;
    case ProbeSpec::kFree:
      return skel->progs.free_enter;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> LibcFunctions() {
  return {"malloc",        "calloc",   "realloc", "free",   "posix_memalign",
          "aligned_alloc", "memalign", "valloc",  "pvalloc"};
}

std::vector<std::string> LibstdcxxFunctions() {
  return {"_Znwm",
          "_Znam",
          "_ZnwmRKSt9nothrow_t",
          "_ZnamRKSt9nothrow_t",
          "_ZnwmSt11align_val_t",
          "_ZnamSt11align_val_t",
          "_ZnwmSt11align_val_tRKSt9nothrow_t",
          "_ZnamSt11align_val_tRKSt9nothrow_t"};
}

ProbeSpec::Kind KindOf(const std::string& f) {
  static const std::map<std::string, ProbeSpec::Kind> kKinds = {
      {"malloc", ProbeSpec::kMalloc},
      {"calloc", ProbeSpec::kCalloc},
      {"realloc", ProbeSpec::kRealloc},
      {"free", ProbeSpec::kFree},
      {"posix_memalign", ProbeSpec::kPosixMemalign},
      {"aligned_alloc", ProbeSpec::kMemalign},
      {"memalign", ProbeSpec::kMemalign},
      {"valloc", ProbeSpec::kValloc},
      {"pvalloc", ProbeSpec::kValloc}};
  auto it = kKinds.find(f);
  return it == kKinds.end() ? ProbeSpec::kNew : it->second;
}

BpfTracer::BpfTracer(nativeheap_bpf* skel, const TargetIds& target,
                     const BpfOptions& options)
    : skel_(skel), target_(target), options_(options) {}

BpfTracer::~BpfTracer() {
  Stop();
  // Detached: a cancelled trace must not wait the seconds this takes. The
  // kernel closes whatever is left if the exporter exits first.
  auto release = [links = std::move(links_), skel = skel_] {
    for (bpf_link* link : links) bpf_link__destroy(link);
    nativeheap_bpf__destroy(skel);
  };
  try {
    std::thread(release).detach();
  } catch (const std::system_error&) {  // no thread to be had: wait here
    release();
  }
}

std::unique_ptr<BpfTracer> BpfTracer::Load(const TargetIds& target,
                                           const BpfOptions& options,
                                           Error* error) {
  InitLibbpfOnce();
  last_libbpf_warning.clear();
  nativeheap_bpf* skel = nativeheap_bpf__open();
  if (skel == nullptr) {
    FailErrno(error, errno, "opening the BPF object");
    return nullptr;
  }
  std::unique_ptr<BpfTracer> t(new BpfTracer(skel, target, options));
  skel->rodata->target_tgid = target.ns_tgid;
  skel->rodata->pidns_dev = target.pidns_dev;
  skel->rodata->pidns_ino = target.pidns_ino;
  skel->rodata->sample_every = options.sample_every;
  bpf_map__set_max_entries(skel->maps.allocs, options.max_outstanding);
  bpf_map__set_max_entries(skel->maps.stacks, options.max_stacks);
  // The first walked frame is the traced function itself: one more.
  bpf_map__set_value_size(skel->maps.stacks,
                          (options.max_frames + 1) * sizeof(uint64_t));
  if (int err = nativeheap_bpf__load(skel); err != 0) {
    FailErrno(error, -err, "loading the BPF program");
    return nullptr;
  }
  return t;
}

bool BpfTracer::AttachOne(const std::string& binary, const ProbeSpec& probe,
                          bool retprobe, Error* error) {
  LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe);
  bpf_program* prog =
      retprobe ? skel_->progs.alloc_exit : ProgramFor(skel_, probe.kind);
  bpf_link* link = bpf_program__attach_uprobe_opts(
      prog, target_.pid, binary.c_str(), probe.file_offset, &opts);
  if (link == nullptr) {
    return FailErrno(error, errno,
                     std::string(retprobe ? "uretprobe on " : "uprobe on ") +
                         probe.function);
  }
  links_.push_back(link);
  return true;
}

bool BpfTracer::Attach(const std::string& binary,
                       const std::vector<ProbeSpec>& probes, Error* error) {
  std::set<uint64_t> seen;
  for (const ProbeSpec& p : probes) {
    if (!seen.insert(p.file_offset).second) continue;  // an alias
    if (!AttachOne(binary, p, false, error)) return false;
    const bool has_return =
        p.kind != ProbeSpec::kNew && p.kind != ProbeSpec::kFree;
    if (has_return && !AttachOne(binary, p, true, error)) return false;
  }
  return true;
}

void BpfTracer::Stop() {
  if (skel_->bss != nullptr) skel_->bss->stopped = 1;
}

bool BpfTracer::ReadAllocs(size_t max, const std::atomic<bool>* cancel,
                           std::vector<AllocRecord>* out, Error* error) const {
  const int fd = bpf_map__fd(skel_->maps.allocs);
  uint64_t key = 0, next = 0;
  const void* prev = nullptr;
  while (out->size() < max && bpf_map_get_next_key(fd, prev, &next) == 0) {
    nativeheap_alloc a;
    if (bpf_map_lookup_elem(fd, &next, &a) == 0) {
      out->push_back({a.size, a.caller, a.stack_id});
    }
    key = next;
    prev = &key;
    if (out->size() % 4096 == 0 && cancel != nullptr && cancel->load()) {
      return Fail(error, ErrorKind::kCancelled, "cancelled");
    }
  }
  return true;
}

std::vector<uint64_t> BpfTracer::ReadStack(int32_t stack_id) const {
  std::vector<uint64_t> ips(options_.max_frames + 1, 0);
  if (stack_id < 0 || bpf_map_lookup_elem(bpf_map__fd(skel_->maps.stacks),
                                          &stack_id, ips.data()) != 0) {
    return {};
  }
  return ips;
}

Counters BpfTracer::ReadCounters() const {
  const int cpus = libbpf_num_possible_cpus();
  Counters c;
  if (cpus <= 0) return c;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(cpus));
  uint64_t* slots[] = {&c.recorded, &c.alloc_drops, &c.stack_drops, &c.frees};
  const int fd = bpf_map__fd(skel_->maps.counters);
  for (uint32_t i = 0; i < NATIVEHEAP_COUNTERS; ++i) {
    if (bpf_map_lookup_elem(fd, &i, per_cpu.data()) != 0) continue;
    for (uint64_t v : per_cpu) *slots[i] += v;
  }
  return c;
}

}  // namespace memwatch::nativeheap
