#include "collectors/nativeheap/session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "collectors/base/read.h"
#include "collectors/nativeheap/elf_file.h"
#include "collectors/procfs/procfs.h"
#include "collectors/procfs/stat.h"

namespace memwatch::nativeheap {
namespace {

ErrorKind KindOfErrno(int err) {
  if (err == ENOENT || err == ESRCH) return ErrorKind::kNoSuchProcess;
  if (err == EACCES || err == EPERM) return ErrorKind::kForbidden;
  return ErrorKind::kInternal;
}

// The start time that tells this process from a later one with its pid.
bool ReadStartTicks(const std::string& procfs_root, int pid, uint64_t* ticks,
                    Error* error) {
  std::string text, why;
  int err = 0;
  procfs::ProcFs fs(procfs_root);
  if (!fs.ReadFile(std::to_string(pid) + "/stat", &text, &why, &err)) {
    return Fail(error, KindOfErrno(err),
                "pid " + std::to_string(pid) + ": " + why);
  }
  auto stat = procfs::ParseStat(text, &why);
  if (!stat) return Fail(error, ErrorKind::kNoSuchProcess, why);
  // A zombie has exited: its maps are empty, its memory is gone.
  if (stat->state == 'Z' || stat->state == 'X') {
    return Fail(error, ErrorKind::kNoSuchProcess,
                "pid " + std::to_string(pid) + " has exited");
  }
  *ticks = stat->starttime_ticks;
  return true;
}

}  // namespace

bool Session::ReadCurrentMappings(std::vector<Mapping>* out,
                                  Error* error) const {
  std::string text, why;
  int err = 0;
  if (!ReadFile(dir_ + "/maps", &text, &why, &err, options_.max_maps_bytes)) {
    std::string hint = err == EACCES || err == EPERM
                           ? " (another user's process: needs CAP_SYS_PTRACE)"
                           : "";
    return Fail(error, KindOfErrno(err), why + hint);
  }
  auto maps = ParseMaps(text, options_.max_mappings, &why);
  if (!maps) return Fail(error, ErrorKind::kInternal, dir_ + "/maps: " + why);
  *out = std::move(*maps);
  return true;
}

namespace {

// The process's pid in its own namespace and that namespace's identity, for
// the BPF filter (bpf_get_ns_current_pid_tgid).
bool ReadTargetIds(const std::string& procfs_root, int pid, TargetIds* ids,
                   Error* error) {
  ids->pid = pid;
  std::string text, why;
  int err = 0;
  procfs::ProcFs fs(procfs_root);
  if (!fs.ReadFile(std::to_string(pid) + "/status", &text, &why, &err)) {
    return Fail(error, KindOfErrno(err), why);
  }
  ids->ns_tgid = InnermostNsPid(text).value_or(static_cast<uint32_t>(pid));
  const std::string ns = procfs_root + "/" + std::to_string(pid) + "/ns/pid";
  struct stat st;
  if (::stat(ns.c_str(), &st) != 0) {
    err = errno;
    return Fail(error, KindOfErrno(err), ns + ": " + std::strerror(err));
  }
  // The kernel compares its own dev_t encoding (MKDEV: major << 20 | minor).
  ids->pidns_dev =
      (static_cast<uint64_t>(major(st.st_dev)) << 20) | minor(st.st_dev);
  ids->pidns_ino = st.st_ino;
  return true;
}

// The functions of `names` defined in the file, as uprobe specs.
bool ProbesIn(const std::string& path, const std::vector<std::string>& names,
              std::vector<ProbeSpec>* out, Error* error) {
  std::string why;
  int err = 0;
  UniqueFd fd = OpenFile(path, &why, &err);
  if (!fd.ok()) return Fail(error, KindOfErrno(err), why);
  auto elf = ElfFile::Read(fd.get(), ElfLimits(), &why);
  std::map<std::string, uint64_t> offsets;
  if (elf != nullptr) offsets = elf->FunctionOffsets(names);
  if (elf == nullptr) {
    return Fail(error, ErrorKind::kUnsupportedTarget, path + ": " + why);
  }
  for (const auto& [name, offset] : offsets) {
    out->push_back({name, offset, KindOf(name)});
  }
  return true;
}

}  // namespace

bool SessionGate::Enter(int pid, Error* error) {
  MutexLock lock(&mu_);
  if (pids_.count(pid) != 0) {
    return Fail(error, ErrorKind::kBusy,
                "pid " + std::to_string(pid) + " is being traced already");
  }
  if (pids_.size() >= max_sessions_) {
    return Fail(error, ErrorKind::kBusy,
                "too many native allocation traces at once (" +
                    std::to_string(max_sessions_) + ")");
  }
  pids_.insert(pid);
  return true;
}

void SessionGate::Leave(int pid) {
  MutexLock lock(&mu_);
  pids_.erase(pid);
}

Session::Session(std::string procfs_root, int pid, const TraceOptions& options)
    : procfs_root_(std::move(procfs_root)),
      dir_(procfs_root_ + "/" + std::to_string(pid)),
      pid_(pid),
      options_(options),
      started_(std::chrono::steady_clock::now()) {}

Session::~Session() {
  tracer_.reset();  // detach before the pid is free for another trace
  if (gate_ != nullptr) gate_->Leave(pid_);
}

std::unique_ptr<Session> Session::Start(const std::string& procfs_root, int pid,
                                        const TraceOptions& options,
                                        SessionGate* gate, Error* error) {
  if (!ValidateOptions(options, error)) return nullptr;
  if (pid <= 0) {
    Fail(error, ErrorKind::kBadRequest, "pid must be positive");
    return nullptr;
  }
  std::unique_ptr<Session> s(new Session(procfs_root, pid, options));
  if (!s->Prepare(gate, error)) return nullptr;
  return s;
}

bool Session::Prepare(SessionGate* gate, Error* error) {
  if (gate != nullptr) {
    if (!gate->Enter(pid_, error)) return false;
    gate_ = gate;
  }
  if (!ReadStartTicks(procfs_root_, pid_, &start_ticks_, error)) return false;
  std::vector<Mapping> mappings;
  if (!ReadCurrentMappings(&mappings, error)) return false;
  std::string why;
  auto allocator = FindAllocator(mappings, &why);
  if (!allocator) {
    return Fail(error, ErrorKind::kUnsupportedTarget,
                "pid " + std::to_string(pid_) + ": " + why);
  }
  libc_ = allocator->libc;
  symbolizer_ =
      std::make_unique<Symbolizer>(dir_ + "/root", options_.symbolizer);
  symbolizer_->SetMappings(std::move(mappings));
  if (!AttachProbes(*allocator, error)) return false;
  started_ = std::chrono::steady_clock::now();
  return true;
}

bool Session::AttachProbes(const Allocator& allocator, Error* error) {
  const std::string root = dir_ + "/root";
  std::vector<ProbeSpec> libc, cxx;
  if (!ProbesIn(root + allocator.libc, LibcFunctions(), &libc, error)) {
    return false;
  }
  for (const char* required : {"malloc", "calloc", "realloc", "free"}) {
    bool found = false;
    for (const ProbeSpec& p : libc) found = found || p.function == required;
    if (!found) {
      return Fail(
          error, ErrorKind::kUnsupportedTarget,
          allocator.libc + " defines no " + required + ": not glibc's malloc");
    }
  }
  if (!allocator.libstdcxx.empty() &&
      !ProbesIn(root + allocator.libstdcxx, LibstdcxxFunctions(), &cxx,
                error)) {
    return false;
  }
  TargetIds ids;
  if (!ReadTargetIds(procfs_root_, pid_, &ids, error)) return false;
  tracer_ = BpfTracer::Load(ids, options_.bpf, error);
  if (tracer_ == nullptr) return false;
  if (!tracer_->Attach(root + allocator.libc, libc, error)) return false;
  return cxx.empty() || tracer_->Attach(root + allocator.libstdcxx, cxx, error);
}

bool Session::Alive() const {
  uint64_t ticks = 0;
  return ReadStartTicks(procfs_root_, pid_, &ticks, nullptr) &&
         ticks == start_ticks_;
}

double Session::ElapsedSeconds() const {
  if (window_seconds_ >= 0) return window_seconds_;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       started_)
      .count();
}

std::optional<TraceResult> Trace(const std::string& procfs_root, int pid,
                                 double seconds, const TraceOptions& options,
                                 const std::atomic<bool>* cancel, Error* error,
                                 const std::function<void()>& started) {
  if (!(seconds >= 0 && seconds <= 86400)) {
    Fail(error, ErrorKind::kBadRequest, "seconds must be 0 to 86400");
    return std::nullopt;
  }
  auto session = Session::Start(procfs_root, pid, options, nullptr, error);
  if (session == nullptr) return std::nullopt;
  if (started) started();
  constexpr double kTick = 0.1, kAliveEvery = 0.5;
  double next_alive_check = kAliveEvery;
  while (session->ElapsedSeconds() < seconds) {
    if (cancel != nullptr && cancel->load()) {
      Fail(error, ErrorKind::kCancelled, "cancelled");
      return std::nullopt;
    }
    const double elapsed = session->ElapsedSeconds();
    if (elapsed >= next_alive_check) {
      if (!session->Alive()) break;  // End says so
      next_alive_check = elapsed + kAliveEvery;
    }
    std::this_thread::sleep_for(
        std::chrono::duration<double>(std::min(kTick, seconds - elapsed)));
  }
  return session->End(cancel, error);
}

}  // namespace memwatch::nativeheap
