// Sampled memory (the synthetic source): a target's memory field summed over
// its processes, and their CPU time for the verdict's load test, read from
// procfs on the sampler thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "collectors/detect/tracker.h"
#include "collectors/procfs/procfs.h"
#include "collectors/targets/resolver.h"

namespace memwatch::memwatch_plugin {

class MemoryReader {
 public:
  // `memory_field` is a key of /proc/<pid>/status; CPU time is read only
  // with `verdict_rule`.
  MemoryReader(const std::string& procfs_root, std::string memory_field,
               bool verdict_rule);

  // The memory field summed over the target's processes. A target whose
  // processes cannot all be read this time is not present, since a partial
  // sum would look like a collection. *gone: a process has exited (resolve
  // again).
  detect::TargetSample Read(const targets::Target& target, double now,
                            bool* gone);
  // After a tick's reads: CPU entries of processes not read in it go.
  void EndTick();
  // After a resolution: files held for processes not in `live` are closed.
  void KeepOnly(const std::set<std::pair<int, uint64_t>>& live);
  // A target that went away: its one-time warning may come again.
  void ForgetTarget(const std::string& name) { warned_.erase(name); }

 private:
  void ReadBootTime();
  // The sampled field of one process, in bytes; nullopt with *gone when the
  // process cannot be read (exited), without it when the field is missing.
  std::optional<uint64_t> ReadField(const targets::ProcessRef& p,
                                    std::string* err, bool* gone);
  std::optional<uint64_t> ReadFieldFromStatm(const targets::ProcessRef& p,
                                             std::string* err, bool* gone);
  // Reads statm through a held descriptor when the budget allows; false
  // when no held file serves the read (without *gone: read it plainly).
  bool ReadHeldStatm(const targets::ProcessRef& p, const std::string& relative,
                     std::string* err, bool* gone);
  double ReadCpuSeconds(const targets::ProcessRef& p, double now);
  void WarnOnce(const std::string& name, const std::string& msg,
                const std::string& detail);

  const procfs::ProcFs fs_;
  const procfs::SystemParams params_;
  const std::string memory_field_;
  const bool verdict_rule_;
  // The sampled field is one statm has (VmRSS, RssAnon, VmSize): read that
  // file, a tenth of status's cost.
  const bool use_statm_;
  std::set<std::string> warned_;
  std::optional<double> boot_time_;  // /proc/stat btime, read once
  // Each target process's statm kept open (HeldFile), by pid; entries of
  // processes that left the targets are closed at each resolution. At most
  // held_budget_ of them (a quarter of RLIMIT_NOFILE), so sockets and the
  // scrape's reads always have descriptors; the rest are opened per read.
  struct Held {
    uint64_t start_ticks = 0;
    procfs::HeldFile file;
  };
  std::unordered_map<int, Held> held_;
  size_t held_budget_ = 256;
  std::string text_;  // reused read buffer
  // The verdict's load test wants CPU time over bins of a minute and more:
  // each process's stat is read every kCpuEvery seconds, not every sample
  // (at 1000 targets that read was most of the sampler's CPU). By pid and
  // start time; entries of processes not read in a tick are dropped.
  struct Cpu {
    double seconds = 0;
    double read_at = 0;
    bool seen = false;  // in this tick
  };
  std::map<std::pair<int, uint64_t>, Cpu> cpu_;
};

}  // namespace memwatch::memwatch_plugin
