#include "collectors/memwatch/memory_reader.h"

#include <sys/resource.h>

#include <algorithm>

#include "collectors/base/log.h"
#include "collectors/detect/floor_rule.h"
#include "collectors/procfs/files.h"
#include "collectors/procfs/stat.h"
#include "collectors/procfs/statm.h"
#include "collectors/procfs/status.h"

namespace memwatch::memwatch_plugin {

MemoryReader::MemoryReader(const std::string& procfs_root,
                           std::string memory_field, bool verdict_rule)
    : fs_(procfs_root),
      params_(procfs::SystemParams::FromSysconf()),
      memory_field_(std::move(memory_field)),
      verdict_rule_(verdict_rule),
      use_statm_(procfs::StatmHasField(memory_field_)) {
  struct rlimit nofile;
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
      nofile.rlim_cur != RLIM_INFINITY) {
    held_budget_ = static_cast<size_t>(nofile.rlim_cur / 4);
  }
}

void MemoryReader::ReadBootTime() {
  if (boot_time_) return;
  if (!fs_.ReadFile("stat", &text_, nullptr)) return;
  if (auto b = procfs::ParseBootTime(text_, nullptr)) {
    boot_time_ = static_cast<double>(*b);
  }
}

detect::TargetSample MemoryReader::Read(const targets::Target& target,
                                        double now, bool* gone_any) {
  detect::TargetSample r;
  r.name = target.name;
  r.present = !target.processes.empty();
  ReadBootTime();
  if (boot_time_ && r.present) {
    uint64_t oldest = target.processes.front().start_ticks;
    for (const auto& p : target.processes) {
      oldest = std::min(oldest, p.start_ticks);
    }
    r.process_start =
        *boot_time_ + static_cast<double>(oldest) /
                          static_cast<double>(params_.clock_ticks_per_second);
  }
  for (const targets::ProcessRef& p : target.processes) {
    const std::string identity =
        std::to_string(p.pid) + ":" + std::to_string(p.start_ticks);
    if (!r.identity.empty()) r.identity += ",";
    r.identity += identity;
    std::string err;
    bool gone = false;
    std::optional<uint64_t> bytes = ReadField(p, &err, &gone);
    if (!gone && bytes) {
      detect::ProcessSample ps;
      ps.pid = p.pid;
      ps.identity = identity;
      ps.bytes = static_cast<double>(*bytes);
      ps.cpu_seconds = ReadCpuSeconds(p, now);
      r.processes.push_back(std::move(ps));
    }
    if (gone) {
      LogDebug("memwatch: read failed",
               {{"name", target.name}, {"error", err}});
      r.present = false;
      *gone_any = true;
      continue;
    }
    if (!bytes) {
      WarnOnce(target.name, "memwatch: memory field missing in status",
               err.empty() ? memory_field_ : err);
      r.present = false;
      continue;
    }
    r.bytes += static_cast<double>(*bytes);
  }
  return r;
}

void MemoryReader::EndTick() {
  for (auto it = cpu_.begin(); it != cpu_.end();) {
    it = it->second.seen ? std::next(it) : cpu_.erase(it);
  }
  for (auto& [key, cpu] : cpu_) cpu.seen = false;
}

void MemoryReader::KeepOnly(const std::set<std::pair<int, uint64_t>>& live) {
  for (auto it = held_.begin(); it != held_.end();) {
    it = live.count({it->first, it->second.start_ticks}) ? std::next(it)
                                                         : held_.erase(it);
  }
}

// utime + stime of the process, for the verdict's load test, read at most
// every kCpuEvery seconds (the value of the last read in between); NaN when
// unreadable (the verdict then judges without it).
double MemoryReader::ReadCpuSeconds(const targets::ProcessRef& p, double now) {
  constexpr double kCpuEvery = 5;
  if (!verdict_rule_) return detect::FloorRule::kNoCpu;
  auto cached = cpu_.find({p.pid, p.start_ticks});
  if (cached != cpu_.end() && now - cached->second.read_at < kCpuEvery &&
      now >= cached->second.read_at) {
    cached->second.seen = true;
    return cached->second.seconds;
  }
  if (!fs_.ReadPidFile(p.pid, "stat", &text_, nullptr)) {
    return detect::FloorRule::kNoCpu;
  }
  auto stat = procfs::ParseStat(text_, nullptr);
  if (!stat || stat->starttime_ticks != p.start_ticks) {
    return detect::FloorRule::kNoCpu;  // another process under the pid
  }
  const double seconds =
      static_cast<double>(stat->utime_ticks + stat->stime_ticks) /
      static_cast<double>(params_.clock_ticks_per_second);
  cpu_[{p.pid, p.start_ticks}] = Cpu{seconds, now, true};
  return seconds;
}

std::optional<uint64_t> MemoryReader::ReadField(const targets::ProcessRef& p,
                                                std::string* err, bool* gone) {
  if (use_statm_) {
    if (auto bytes = ReadFieldFromStatm(p, err, gone)) return bytes;
    if (*gone) return std::nullopt;
    err->clear();
  }
  // status: any field, and the answer for what statm cannot tell (a process
  // without memory, a fixture tree without statm).
  if (!fs_.ReadFile(std::to_string(p.pid) + "/status", &text_, err)) {
    *gone = true;
    return std::nullopt;
  }
  auto bytes = procfs::StatusBytes(text_, memory_field_);
  if (!bytes && !procfs::StatusBytes(text_, "VmRSS")) {
    // No memory lines at all: a zombie or exiting process whose memory is
    // already gone, a normal race for short-lived targets, not a format
    // problem (logged at debug by the caller).
    *err = "process exiting: no memory lines in status";
    *gone = true;
  }
  return bytes;
}

bool MemoryReader::ReadHeldStatm(const targets::ProcessRef& p,
                                 const std::string& relative, std::string* err,
                                 bool* gone) {
  if (!fs_.is_procfs()) return false;
  auto it = held_.find(p.pid);
  if (it != held_.end() && it->second.start_ticks != p.start_ticks) {
    held_.erase(it);  // a new process under the pid
    it = held_.end();
  }
  if (it == held_.end() && held_.size() < held_budget_) {
    procfs::HeldFile file;
    if (!file.Open(fs_, relative, err)) {
      *gone = true;
      return false;
    }
    it = held_.emplace(p.pid, Held{p.start_ticks, std::move(file)}).first;
  }
  if (it == held_.end()) return false;
  if (!it->second.file.Read(&text_, err)) {
    held_.erase(it);
    *gone = true;
    return false;
  }
  return true;
}

// nullopt without *gone: statm does not answer, ask status.
std::optional<uint64_t> MemoryReader::ReadFieldFromStatm(
    const targets::ProcessRef& p, std::string* err, bool* gone) {
  const std::string relative = std::to_string(p.pid) + "/statm";
  const bool read = ReadHeldStatm(p, relative, err, gone);
  if (*gone) return std::nullopt;
  if (!read && !fs_.ReadFile(relative, &text_, nullptr)) return std::nullopt;
  auto statm = procfs::ParseStatm(text_, nullptr);
  if (!statm) return std::nullopt;
  return procfs::StatmBytes(*statm, memory_field_, params_.page_size_bytes);
}

void MemoryReader::WarnOnce(const std::string& name, const std::string& msg,
                            const std::string& detail) {
  if (!warned_.insert(name).second) return;
  LogWarn(msg, {{"name", name}, {"field", detail}});
}

}  // namespace memwatch::memwatch_plugin
