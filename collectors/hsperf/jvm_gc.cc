#include "collectors/hsperf/jvm_gc.h"

#include <algorithm>
#include <cctype>

namespace memwatch::hsperf {
namespace {

constexpr int kMaxCollectors = 8;
constexpr int kMaxGenerations = 8;
constexpr int kMaxSpaces = 8;
constexpr size_t kMaxLabel = 32;
// 2^50: a PiB of heap, or 13 days of ns ticks x 1000; far above real values.
constexpr int64_t kMaxCounter = int64_t{1} << 50;
constexpr int64_t kMaxTicks = int64_t{1} << 62;
// Wall clock steps larger than this re-anchor the tick epoch (the hrt.ticks
// staleness is at most PerfDataSamplingInterval, 50 ms by default).
constexpr double kEpochSlackSeconds = 1.0;

// The file is written by the application: labels are cut to a safe alphabet.
std::string Label(const std::string& raw) {
  std::string s;
  for (char c : raw) {
    if (s.size() >= kMaxLabel) break;
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      s += static_cast<char>(std::tolower(u));
    } else if (!s.empty() && s.back() != '_') {
      s += '_';
    }
  }
  while (!s.empty() && s.back() == '_') s.pop_back();
  return s;
}

// The file is written by the application: counters are clamped to sane
// ranges so sums and differences cannot overflow.
int64_t Clamp(std::optional<int64_t> v, int64_t max = kMaxCounter) {
  return std::clamp<int64_t>(v.value_or(0), 0, max);
}

std::string Key(const std::string& prefix, int n, const char* field) {
  return prefix + std::to_string(n) + "." + field;
}

}  // namespace

bool JvmGcSnapshot::Generational() const {
  bool eden = false;
  for (const auto& s : spaces) eden = eden || s.eden;
  return eden && Collector(0) != nullptr && Collector(1) != nullptr;
}

bool JvmGcSnapshot::CollectionInProgress() const {
  for (const auto& c : collectors) {
    if (c.last_entry_ticks > c.last_exit_ticks) return true;
  }
  return false;
}

int64_t JvmGcSnapshot::HeapUsedBytes() const {
  int64_t sum = 0;
  for (const auto& s : spaces) {
    if (s.heap) sum += s.used;
  }
  return sum;
}

int64_t JvmGcSnapshot::HeapAfterBytes() const {
  int64_t sum = 0;
  for (const auto& s : spaces) {
    if (s.heap && !s.eden) sum += s.used;
  }
  return sum;
}

const JvmCollector* JvmGcSnapshot::Collector(int index) const {
  for (const auto& c : collectors) {
    if (c.index == index) return &c;
  }
  return nullptr;
}

std::optional<JvmGcSnapshot> ExtractJvmGc(const PerfData& data,
                                          std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error != nullptr) *error = "perf data: " + why;
    return std::nullopt;
  };
  JvmGcSnapshot s;
  auto ticks = data.Long("sun.os.hrt.ticks");
  auto freq = data.Long("sun.os.hrt.frequency");
  if (!ticks || !freq) return fail("no sun.os.hrt.ticks/frequency");
  if (*freq <= 0) return fail("bad sun.os.hrt.frequency");
  s.hrt_ticks = Clamp(ticks, kMaxTicks);
  s.hrt_frequency = *freq;

  for (int n = 0; n < kMaxCollectors; ++n) {
    const std::string p = "sun.gc.collector.";
    auto inv = data.Long(Key(p, n, "invocations"));
    if (!inv) continue;  // ZGC publishes only collector 2
    JvmCollector c;
    c.index = n;
    c.name = data.String(Key(p, n, "name")).value_or("");
    c.invocations = Clamp(inv);
    c.time_ticks = Clamp(data.Long(Key(p, n, "time")), kMaxTicks);
    c.last_entry_ticks =
        Clamp(data.Long(Key(p, n, "lastEntryTime")), kMaxTicks);
    c.last_exit_ticks = Clamp(data.Long(Key(p, n, "lastExitTime")), kMaxTicks);
    s.collectors.push_back(std::move(c));
  }
  if (s.collectors.empty()) return fail("no sun.gc.collector counters");

  for (int g = 0; g < kMaxGenerations; ++g) {
    const std::string gp = "sun.gc.generation." + std::to_string(g) + ".";
    auto gname = data.String(gp + "name");
    if (!gname) continue;  // ZGC publishes only generation 1
    s.generations.push_back({*gname, Clamp(data.Long(gp + "capacity"))});
    std::string glabel = Label(*gname);
    bool heap = glabel != "perm";  // JDK 7's class data, not heap
    int nspaces = static_cast<int>(std::clamp<int64_t>(
        data.Long(gp + "spaces").value_or(kMaxSpaces), 0, kMaxSpaces));
    std::vector<JvmSpace> gspaces;
    for (int n = 0; n < nspaces; ++n) {
      const std::string sp = gp + "space." + std::to_string(n) + ".";
      auto used = data.Long(sp + "used");
      if (!used) break;
      JvmSpace space;
      space.generation = g;
      space.heap = heap;
      std::string sname = Label(data.String(sp + "name").value_or(""));
      if (sname.empty()) sname = "space" + std::to_string(n);
      space.eden = g == 0 && sname == "eden";
      space.label = sname;
      space.used = Clamp(used);
      space.capacity = Clamp(data.Long(sp + "capacity"));
      gspaces.push_back(std::move(space));
    }
    if (g > 0) {
      for (auto& space : gspaces) {
        if (glabel.empty()) glabel = "gen" + std::to_string(g);
        space.label = gspaces.size() == 1 ? glabel : glabel + "_" + space.label;
      }
    }
    for (auto& space : gspaces) s.spaces.push_back(std::move(space));
  }
  // Names come from the file: two equal labels would make duplicate series.
  for (size_t i = 0; i < s.spaces.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (s.spaces[j].label == s.spaces[i].label) {
        s.spaces[i].label += "_" + std::to_string(i);
        break;
      }
    }
  }
  auto mused = data.Long("sun.gc.metaspace.used");
  if (mused) {
    JvmSpace m;
    m.label = "metaspace";
    m.heap = false;
    m.used = Clamp(mused);
    m.capacity = Clamp(data.Long("sun.gc.metaspace.capacity"));
    s.spaces.push_back(std::move(m));
  }
  return s;
}

std::optional<double> JvmGcWatcher::UnixTimeOfTicks(int64_t ticks) const {
  if (!have_prev_) return std::nullopt;
  return epoch_ +
         static_cast<double>(ticks) / static_cast<double>(prev_.hrt_frequency);
}

JvmGcWatcher::Result JvmGcWatcher::Observe(const JvmGcSnapshot& snap,
                                           double read_unix) {
  Result r;
  if (!snap.Generational()) {
    r.status = Status::kUnsupported;
    return r;
  }
  if (snap.CollectionInProgress()) {
    r.status = Status::kRetry;
    return r;
  }
  const double freq = static_cast<double>(snap.hrt_frequency);
  // The newest tick the JVM has written: hrt.ticks may lag an exit time.
  int64_t now_ticks = snap.hrt_ticks;
  for (const auto& c : snap.collectors) {
    now_ticks = std::max(now_ticks, c.last_exit_ticks);
  }
  const double epoch = read_unix - static_cast<double>(now_ticks) / freq;

  bool reset = false;
  if (have_prev_) {
    if (snap.hrt_frequency != prev_.hrt_frequency ||
        snap.hrt_ticks < prev_.hrt_ticks ||
        snap.collectors.size() < prev_.collectors.size()) {
      reset = true;
    } else {
      for (size_t i = 0; i < prev_.collectors.size(); ++i) {
        if (snap.collectors[i].invocations < prev_.collectors[i].invocations) {
          reset = true;
        }
      }
    }
  }
  if (!have_prev_ || reset || epoch < epoch_ ||
      epoch > epoch_ + kEpochSlackSeconds) {
    epoch_ = epoch;
  }
  if (!have_prev_ || reset) {
    prev_ = snap;
    have_prev_ = true;
    r.status = reset ? Status::kReset : Status::kOk;
    return r;
  }

  const JvmCollector* latest = nullptr;
  for (int idx = 0; idx <= 1; ++idx) {  // 0 young, 1 full; 2+ are not GCs
    const JvmCollector* c = snap.Collector(idx);
    const JvmCollector* p = prev_.Collector(idx);
    if (c == nullptr) continue;
    int64_t delta = c->invocations - (p != nullptr ? p->invocations : 0);
    if (delta <= 0) continue;
    (idx == 0 ? r.young : r.full) += delta;
    r.collections += delta;
    if (latest == nullptr || c->last_exit_ticks >= latest->last_exit_ticks) {
      latest = c;
    }
  }
  if (latest != nullptr) {
    runtime::GcEvent e;
    e.kind = latest->index == 1 ? runtime::GcKind::kFull
                                : runtime::GcKind::kIncremental;
    e.time =
        std::min(read_unix,
                 epoch_ + static_cast<double>(latest->last_exit_ticks) / freq);
    e.pause_seconds = static_cast<double>(latest->last_exit_ticks -
                                          latest->last_entry_ticks) /
                      freq;
    e.heap_after_bytes = static_cast<double>(snap.HeapAfterBytes());
    e.detail = latest->name;
    if (r.collections > 1) {
      e.detail += " (" + std::to_string(r.collections) + " collections)";
    }
    r.events.push_back(std::move(e));
  }
  prev_ = snap;
  return r;
}

std::string CollectorLabel(int index) {
  switch (index) {
    case 0:
      return "young";
    case 1:
      return "full";
    case 2:
      return "concurrent";
    default:
      return "collector" + std::to_string(index);
  }
}

}  // namespace memwatch::hsperf
