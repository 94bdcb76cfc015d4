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

bool StartsWith(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

GcAlgorithm AlgorithmOf(const JvmGcSnapshot& s) {
  if (s.collectors.empty()) {
    // Epsilon: no collector, one generation "Heap" (Shenandoah also calls
    // its generation "Heap" but has collectors).
    for (const auto& g : s.generations) {
      if (g.name == "Heap") return GcAlgorithm::kEpsilon;
    }
    return GcAlgorithm::kUnknown;
  }
  for (const auto& c : s.collectors) {
    const std::string& n = c.name;
    if (StartsWith(n, "G1 ")) return GcAlgorithm::kG1;
    if (StartsWith(n, "Serial ") || n == "Copy" || n == "MarkSweepCompact") {
      return GcAlgorithm::kSerial;
    }
    if (StartsWith(n, "Parallel ") || n == "PSScavenge" ||
        n == "PSParallelCompact") {
      return GcAlgorithm::kParallel;
    }
    if (StartsWith(n, "ZGC ")) return GcAlgorithm::kZgcGenerational;
    if (StartsWith(n, "Z ")) return GcAlgorithm::kZgc;
    if (StartsWith(n, "Shenandoah")) return GcAlgorithm::kShenandoah;
  }
  return GcAlgorithm::kUnknown;
}

}  // namespace

const char* GcAlgorithmName(GcAlgorithm a) {
  switch (a) {
    case GcAlgorithm::kG1:
      return "g1";
    case GcAlgorithm::kSerial:
      return "serial";
    case GcAlgorithm::kParallel:
      return "parallel";
    case GcAlgorithm::kZgc:
      return "zgc";
    case GcAlgorithm::kZgcGenerational:
      return "zgc_generational";
    case GcAlgorithm::kShenandoah:
      return "shenandoah";
    case GcAlgorithm::kEpsilon:
      return "epsilon";
    case GcAlgorithm::kUnknown:
      break;
  }
  return "unknown";
}

bool JvmGcSnapshot::Concurrent() const {
  return algorithm == GcAlgorithm::kZgc ||
         algorithm == GcAlgorithm::kZgcGenerational ||
         algorithm == GcAlgorithm::kShenandoah;
}

bool JvmGcSnapshot::Idle() const {
  return !CollectionInProgress() && (cause.empty() || cause == "No GC");
}

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

namespace {

// The JVM's tick clock; false with *why when the file has none.
bool ReadClock(const PerfData& data, JvmGcSnapshot* s, std::string* why) {
  auto ticks = data.Long("sun.os.hrt.ticks");
  auto freq = data.Long("sun.os.hrt.frequency");
  auto begin = data.Long("sun.rt.createVmBeginTime");
  if (!freq) {
    *why = "no sun.os.hrt.frequency";
    return false;
  }
  if (!ticks && !(begin && *begin > 0)) {
    *why = "no sun.os.hrt.ticks nor sun.rt.createVmBeginTime";
    return false;
  }
  if (*freq <= 0) {
    *why = "bad sun.os.hrt.frequency";
    return false;
  }
  s->hrt_frequency = *freq;
  if (begin && *begin > 0 && *begin < kMaxCounter) {
    s->vm_begin_unix = static_cast<double>(*begin) / 1000;
  }
  if (ticks) {
    s->hrt_ticks = Clamp(ticks, kMaxTicks);
  } else {
    s->has_hrt_ticks = false;
    s->hrt_ticks = Clamp(data.Long("sun.rt.applicationTime"), kMaxTicks) +
                   Clamp(data.Long("sun.rt.safepointTime"), kMaxTicks);
  }
  return true;
}

void ReadCollectors(const PerfData& data, JvmGcSnapshot* s) {
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
    s->collectors.push_back(std::move(c));
  }
}

// The spaces of generation `g` (prefix `gp`), labelled by their names.
std::vector<JvmSpace> ReadSpaces(const PerfData& data, int g,
                                 const std::string& gp, bool heap) {
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
  return gspaces;
}

void ReadGenerations(const PerfData& data, JvmGcSnapshot* s) {
  for (int g = 0; g < kMaxGenerations; ++g) {
    const std::string gp = "sun.gc.generation." + std::to_string(g) + ".";
    auto gname = data.String(gp + "name");
    if (!gname) continue;  // ZGC publishes only generation 1
    s->generations.push_back({*gname, Clamp(data.Long(gp + "capacity"))});
    std::string glabel = Label(*gname);
    bool heap = glabel != "perm";  // JDK 7's class data, not heap
    std::vector<JvmSpace> gspaces = ReadSpaces(data, g, gp, heap);
    if (g > 0) {
      for (auto& space : gspaces) {
        if (glabel.empty()) glabel = "gen" + std::to_string(g);
        space.label = gspaces.size() == 1 ? glabel : glabel + "_" + space.label;
      }
    }
    for (auto& space : gspaces) s->spaces.push_back(std::move(space));
  }
  // Names come from the file: two equal labels would make duplicate series.
  for (size_t i = 0; i < s->spaces.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (s->spaces[j].label == s->spaces[i].label) {
        s->spaces[i].label += "_" + std::to_string(i);
        break;
      }
    }
  }
}

void ReadMetaspace(const PerfData& data, JvmGcSnapshot* s) {
  auto mused = data.Long("sun.gc.metaspace.used");
  if (!mused) return;
  JvmSpace m;
  m.label = "metaspace";
  m.heap = false;
  m.used = Clamp(mused);
  m.capacity = Clamp(data.Long("sun.gc.metaspace.capacity"));
  s->spaces.push_back(std::move(m));
}

}  // namespace

std::optional<JvmGcSnapshot> ExtractJvmGc(const PerfData& data,
                                          std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error != nullptr) *error = "perf data: " + why;
    return std::nullopt;
  };
  JvmGcSnapshot s;
  std::string why;
  if (!ReadClock(data, &s, &why)) return fail(why);
  ReadCollectors(data, &s);
  ReadGenerations(data, &s);
  ReadMetaspace(data, &s);
  if (auto cause = data.String("sun.gc.cause")) {
    s.cause = cause->substr(0, 64);
  }
  s.algorithm = AlgorithmOf(s);
  if (!s.has_hrt_ticks) {
    for (const auto& c : s.collectors) {
      s.hrt_ticks = std::max(s.hrt_ticks, c.last_exit_ticks);
    }
  }
  if (s.collectors.empty() && s.algorithm != GcAlgorithm::kEpsilon) {
    return fail("no sun.gc.collector counters");
  }
  return s;
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
