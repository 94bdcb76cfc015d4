#include "collectors/process/values.h"

#include <algorithm>

namespace memwatch::process {
namespace {

std::optional<double> AsDouble(std::optional<uint64_t> v) {
  if (!v) return std::nullopt;
  return static_cast<double>(*v);
}

}  // namespace

Combine CombineOf(Series s) {
  switch (s) {
    case kCpuUser:
    case kCpuSystem:
    case kMinorFaults:
    case kMajorFaults:
    case kVoluntarySwitches:
    case kInvoluntarySwitches:
    case kReadBytes:
    case kWrittenBytes:
      return Combine::kCounter;
    case kOldestStart:
      return Combine::kMin;
    case kWorstFdRatio:
    case kMaxFds:
    case kResidentPeak:
      return Combine::kMax;
    default:
      return Combine::kSum;
  }
}

Values ComputeValues(const ProcessSample& s, const procfs::SystemParams& params,
                     std::optional<double> boot_time_s) {
  Values v;
  if (!s.stat) return v;
  const procfs::Stat& st = *s.stat;
  const double hz = static_cast<double>(params.clock_ticks_per_second);
  v[kCpuUser] = st.utime_ticks / hz;
  v[kCpuSystem] = st.stime_ticks / hz;
  v[kResident] = static_cast<double>(std::max<int64_t>(st.rss_pages, 0)) *
                 static_cast<double>(params.page_size_bytes);
  v[kMinorFaults] = static_cast<double>(st.minflt);
  v[kMajorFaults] = static_cast<double>(st.majflt);
  v[kThreads] = static_cast<double>(st.num_threads);
  if (boot_time_s) v[kOldestStart] = *boot_time_s + st.starttime_ticks / hz;
  if (s.status) {
    const procfs::StatusFields& f = *s.status;
    v[kResidentAnon] = AsDouble(f.rss_anon_bytes);
    v[kResidentShmem] = AsDouble(f.rss_shmem_bytes);
    v[kResidentPeak] = AsDouble(f.vm_hwm_bytes);
    v[kData] = AsDouble(f.vm_data_bytes);
    v[kSwap] = AsDouble(f.vm_swap_bytes);
    v[kVoluntarySwitches] = AsDouble(f.voluntary_ctxt_switches);
    v[kInvoluntarySwitches] = AsDouble(f.nonvoluntary_ctxt_switches);
  }
  if (s.pss_bytes) v[kPss] = static_cast<double>(*s.pss_bytes);
  if (s.limits) v[kMaxFds] = AsDouble(s.limits->max_open_files_soft);
  if (s.open_fds) {
    v[kOpenFds] = static_cast<double>(*s.open_fds);
    if (s.limits && s.limits->max_open_files_soft &&
        *s.limits->max_open_files_soft > 0) {
      v[kWorstFdRatio] = static_cast<double>(*s.open_fds) /
                         static_cast<double>(*s.limits->max_open_files_soft);
    }
  }
  if (s.io) {
    v[kReadBytes] = AsDouble(s.io->Get("read_bytes"));
    v[kWrittenBytes] = AsDouble(s.io->Get("write_bytes"));
  }
  return v;
}

Values TargetAccumulator::Update(const std::map<ProcessKey, Values>& live) {
  if (!live.empty()) {
    // Before last_ forgets the processes that left.
    const bool kept_one =
        std::any_of(live.begin(), live.end(),
                    [&](const auto& kv) { return last_.count(kv.first) != 0; });
    if (had_processes_ && !kept_one) ++restarts_;
    had_processes_ = true;
  }
  // Processes seen before and gone now leave their last counters behind.
  for (auto it = last_.begin(); it != last_.end();) {
    if (live.count(it->first) != 0) {
      ++it;
      continue;
    }
    for (int s = 0; s < kSeriesCount; ++s) {
      if (IsCounter(static_cast<Series>(s)) && it->second[s]) {
        retired_[s] += *it->second[s];
      }
    }
    it = last_.erase(it);
  }
  Values out;
  for (const auto& [key, values] : live) {
    Values& last = last_[key];
    for (int s = 0; s < kSeriesCount; ++s) {
      const Combine how = CombineOf(static_cast<Series>(s));
      if (values[s]) {
        // A counter of one process never goes down; guard against a bad read.
        if (how != Combine::kCounter || !last[s] || *values[s] >= *last[s]) {
          last[s] = values[s];
        }
      }
      if (!values[s]) continue;  // present only when read now
      switch (how) {
        case Combine::kMin:
          out[s] = out[s] ? std::min(*out[s], *values[s]) : *values[s];
          break;
        case Combine::kMax:
          out[s] = out[s] ? std::max(*out[s], *values[s]) : *values[s];
          break;
        case Combine::kSum:
          out[s] = out[s].value_or(0) + *values[s];
          break;
        case Combine::kCounter:
          out[s] = 0;  // filled below from last_, which includes stale values
          break;
      }
    }
  }
  for (int s = 0; s < kSeriesCount; ++s) {
    if (!IsCounter(static_cast<Series>(s)) || !out[s]) continue;
    double total = retired_[s];
    for (const auto& kv : live) {
      const Values& last = last_[kv.first];
      if (last[s]) total += *last[s];
    }
    out[s] = total;
  }
  return out;
}

}  // namespace memwatch::process
