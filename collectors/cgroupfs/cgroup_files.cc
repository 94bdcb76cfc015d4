#include "collectors/cgroupfs/cgroup_files.h"

#include <initializer_list>
#include <map>

#include "collectors/procfs/parse_util.h"

namespace memwatch::cgroupfs {
namespace {

using procfs::internal::Lines;
using procfs::internal::NextToken;
using procfs::internal::ParseU64;

bool Fail(std::string* error, std::string msg) {
  if (error != nullptr) *error = std::move(msg);
  return false;
}

// The values of `keys` in a "key value" file. Other keys are ignored (kernels
// add new ones); a wanted key with a value that is not a number, a line over
// the cap, or a key given twice is an error naming the file.
bool ParseKeyed(std::string_view text, const char* file,
                std::initializer_list<std::string_view> keys,
                std::map<std::string_view, uint64_t>* out, std::string* error) {
  size_t n = 0;
  for (std::string_view line : Lines(text)) {
    if (++n > kMaxKeyedLines) {
      return Fail(error, std::string(file) + ": more than " +
                             std::to_string(kMaxKeyedLines) + " lines");
    }
    std::string_view rest = line;
    std::string_view key = NextToken(&rest);
    bool wanted = false;
    for (std::string_view k : keys) wanted = wanted || k == key;
    if (!wanted) continue;
    std::string_view value = NextToken(&rest);
    auto v = ParseU64(value);
    if (!v || !NextToken(&rest).empty()) {
      return Fail(error, std::string(file) + ": bad value of " +
                             std::string(key) + " in line " +
                             std::to_string(n));
    }
    if (!out->emplace(key, *v).second) {
      return Fail(error,
                  std::string(file) + ": " + std::string(key) + " twice");
    }
  }
  return true;
}

std::optional<uint64_t> Get(const std::map<std::string_view, uint64_t>& m,
                            std::string_view key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::optional<MemoryStat> ParseMemoryStat(std::string_view text, bool v1,
                                          std::string* error) {
  const std::string_view key = v1 ? "total_inactive_file" : "inactive_file";
  std::map<std::string_view, uint64_t> m;
  if (!ParseKeyed(text, "memory.stat", {key}, &m, error)) return std::nullopt;
  return MemoryStat{Get(m, key)};
}

uint64_t WorkingSetBytes(uint64_t usage, uint64_t inactive_file) {
  return usage < inactive_file ? 0 : usage - inactive_file;
}

std::optional<MemoryEvents> ParseMemoryEvents(std::string_view text,
                                              std::string* error) {
  std::map<std::string_view, uint64_t> m;
  if (!ParseKeyed(text, "memory.events", {"high", "max", "oom", "oom_kill"}, &m,
                  error)) {
    return std::nullopt;
  }
  if (m.count("oom") == 0 || m.count("oom_kill") == 0) {
    Fail(error, "memory.events: no oom or oom_kill line");
    return std::nullopt;
  }
  MemoryEvents e;
  e.high = Get(m, "high").value_or(0);
  e.max = Get(m, "max").value_or(0);
  e.oom = m["oom"];
  e.oom_kill = m["oom_kill"];
  return e;
}

std::optional<OomControl> ParseOomControl(std::string_view text,
                                          std::string* error) {
  std::map<std::string_view, uint64_t> m;
  if (!ParseKeyed(text, "memory.oom_control",
                  {"oom_kill_disable", "under_oom", "oom_kill"}, &m, error)) {
    return std::nullopt;
  }
  if (m.count("under_oom") == 0) {
    Fail(error, "memory.oom_control: no under_oom line");
    return std::nullopt;
  }
  OomControl c;
  c.oom_kill_disable = Get(m, "oom_kill_disable").value_or(0) != 0;
  c.under_oom = m["under_oom"] != 0;
  c.oom_kill = Get(m, "oom_kill");
  return c;
}

std::optional<CpuStat> ParseCpuStat(std::string_view text, std::string* error) {
  std::map<std::string_view, uint64_t> m;
  if (!ParseKeyed(
          text, "cpu.stat",
          {"nr_periods", "nr_throttled", "throttled_usec", "throttled_time"},
          &m, error)) {
    return std::nullopt;
  }
  CpuStat s;
  s.periods = Get(m, "nr_periods");
  s.throttled_periods = Get(m, "nr_throttled");
  if (auto us = Get(m, "throttled_usec")) {
    s.throttled_seconds = static_cast<double>(*us) / 1e6;
  } else if (auto ns = Get(m, "throttled_time")) {
    s.throttled_seconds = static_cast<double>(*ns) / 1e9;
  }
  return s;
}

std::optional<Pressure> ParsePressure(std::string_view text,
                                      std::string* error) {
  Pressure p;
  size_t n = 0;
  for (std::string_view line : Lines(text)) {
    if (++n > 2 + 8) {  // "some" and "full"; room for future lines
      Fail(error, "pressure: too many lines");
      return std::nullopt;
    }
    std::string_view rest = line;
    std::string_view kind = NextToken(&rest);
    std::optional<double>* slot = kind == "some"   ? &p.some_seconds
                                  : kind == "full" ? &p.full_seconds
                                                   : nullptr;
    if (slot == nullptr) continue;
    for (std::string_view tok = NextToken(&rest); !tok.empty();
         tok = NextToken(&rest)) {
      if (tok.substr(0, 6) != "total=") continue;
      auto us = ParseU64(tok.substr(6));
      if (!us || slot->has_value()) {
        Fail(error, "pressure: bad or repeated " + std::string(kind) +
                        " total in line " + std::to_string(n));
        return std::nullopt;
      }
      *slot = static_cast<double>(*us) / 1e6;
    }
  }
  if (!p.some_seconds) {
    Fail(error, "pressure: no \"some ... total=\" line");
    return std::nullopt;
  }
  return p;
}

}  // namespace memwatch::cgroupfs
