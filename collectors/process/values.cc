#include "collectors/process/values.h"

#include <algorithm>

namespace memwatch::process {
namespace {

std::optional<double> AsDouble(std::optional<uint64_t> v) {
  if (!v) return std::nullopt;
  return static_cast<double>(*v);
}

}  // namespace

bool IsCounter(Series s) {
  switch (s) {
    case kCpuUser:
    case kCpuSystem:
    case kMinorFaults:
    case kMajorFaults:
    case kVoluntarySwitches:
    case kInvoluntarySwitches:
    case kReadBytes:
    case kWrittenBytes:
      return true;
    default:
      return false;
  }
}

Values ComputeValues(const ProcessSample& s, const procfs::SystemParams& params,
                     std::optional<double> uptime_s,
                     std::optional<double> boot_time_s) {
  Values v;
  if (!s.stat) return v;
  const procfs::Stat& st = *s.stat;
  const double hz = static_cast<double>(params.clock_ticks_per_second);
  v[kCpuUser] = st.utime_ticks / hz;
  v[kCpuSystem] = st.stime_ticks / hz;
  if (uptime_s) {
    double alive_s = *uptime_s - st.starttime_ticks / hz;
    v[kCpuSinceStart] =
        alive_s > 0 ? (st.utime_ticks + st.stime_ticks) / hz / alive_s : 0.0;
  }
  v[kResident] = static_cast<double>(std::max<int64_t>(st.rss_pages, 0)) *
                 static_cast<double>(params.page_size_bytes);
  v[kVirtual] = static_cast<double>(st.vsize_bytes);
  v[kMinorFaults] = static_cast<double>(st.minflt);
  v[kMajorFaults] = static_cast<double>(st.majflt);
  v[kThreads] = static_cast<double>(st.num_threads);
  if (boot_time_s) v[kStartTime] = *boot_time_s + st.starttime_ticks / hz;
  if (s.status) {
    v[kResidentAnon] = AsDouble(s.status->Bytes("RssAnon"));
    v[kResidentFile] = AsDouble(s.status->Bytes("RssFile"));
    v[kResidentShmem] = AsDouble(s.status->Bytes("RssShmem"));
    v[kResidentPeak] = AsDouble(s.status->Bytes("VmHWM"));
    v[kData] = AsDouble(s.status->Bytes("VmData"));
    v[kSwap] = AsDouble(s.status->Bytes("VmSwap"));
    v[kVoluntarySwitches] =
        AsDouble(s.status->Counter("voluntary_ctxt_switches"));
    v[kInvoluntarySwitches] =
        AsDouble(s.status->Counter("nonvoluntary_ctxt_switches"));
  }
  if (s.pss_bytes) v[kPss] = static_cast<double>(*s.pss_bytes);
  if (s.open_fds) v[kOpenFds] = static_cast<double>(*s.open_fds);
  if (s.limits) v[kMaxFds] = AsDouble(s.limits->max_open_files_soft);
  if (s.io) {
    v[kReadBytes] = AsDouble(s.io->Get("read_bytes"));
    v[kWrittenBytes] = AsDouble(s.io->Get("write_bytes"));
  }
  return v;
}

Values TargetAccumulator::Update(const std::map<ProcessKey, Values>& live) {
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
      const bool counter = IsCounter(static_cast<Series>(s));
      if (values[s]) {
        // A counter of one process never goes down; guard against a bad read.
        if (!counter || !last[s] || *values[s] >= *last[s]) last[s] = values[s];
      }
      if (!values[s]) continue;  // present only when read now
      if (s == kStartTime) {
        out[s] = out[s] ? std::min(*out[s], *values[s]) : *values[s];
      } else if (!counter) {
        out[s] = out[s].value_or(0) + *values[s];
      } else {
        out[s] = 0;  // filled below from last_, which includes stale values
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
