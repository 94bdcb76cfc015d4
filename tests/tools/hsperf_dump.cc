// hsperf_dump --pid N [--procfs /proc] [--interval 0.2] [--count 0]
//             [--metrics name]
//
// Polls a JVM's perf data and prints one JSON line per read that has news:
// {"type":"snapshot",...} first, then {"type":"gc",...} per collection seen,
// and {"type":"status",...} when the status changes. With --metrics NAME it
// prints the memwatch_jvm_* families of one read in the text format instead.
// For the live test and for looking at a JVM by hand. Exit 2 on bad flags.
#include <prometheus/text_serializer.h>
#include <time.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "collectors/hsperf/jvm_source.h"
#include "collectors/memwatch/jvm_metrics.h"

namespace {

using memwatch::hsperf::JvmGcSnapshot;
using memwatch::hsperf::JvmSource;

double NowUnix() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

nlohmann::json SnapshotJson(const JvmGcSnapshot& s) {
  nlohmann::json j = {{"type", "snapshot"},
                      {"hrt_ticks", s.hrt_ticks},
                      {"hrt_frequency", s.hrt_frequency},
                      {"heap_used_bytes", s.HeapUsedBytes()},
                      {"heap_after_bytes", s.HeapAfterBytes()}};
  for (const auto& c : s.collectors) {
    j["collectors"].push_back({{"index", c.index},
                               {"name", c.name},
                               {"invocations", c.invocations},
                               {"time_ticks", c.time_ticks}});
  }
  for (const auto& sp : s.spaces) {
    j["spaces"].push_back(
        {{"space", sp.label}, {"used", sp.used}, {"capacity", sp.capacity}});
  }
  return j;
}

bool ParseDouble(const char* s, double* out) {
  char* end = nullptr;
  *out = std::strtod(s, &end);
  return end != s && *end == '\0';
}

int Usage(const std::string& why) {
  std::cerr << "hsperf_dump: " << why
            << "\nusage: hsperf_dump --pid N [--procfs /proc] "
               "[--interval 0.2] [--count 0] [--metrics NAME]\n";
  return 2;
}

int Run(int argc, char** argv) {
  int pid = 0;
  std::string procfs = "/proc";
  double interval = 0.2, count = 0;
  std::string metrics_name;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return Usage("missing value for " + a);
    const char* v = argv[++i];
    double d;
    if (a == "--pid" && ParseDouble(v, &d) && d >= 1 && d < 1 << 30) {
      pid = static_cast<int>(d);
    } else if (a == "--procfs") {
      procfs = v;
    } else if (a == "--interval" && ParseDouble(v, &d) && d >= 0.001 &&
               d <= 60) {
      interval = d;
    } else if (a == "--metrics" && *v != '\0') {
      metrics_name = v;
    } else if (a == "--count" && ParseDouble(v, &d) && d >= 0) {
      count = d;
    } else {
      return Usage("bad flag " + a + " " + v);
    }
  }
  if (pid == 0) return Usage("--pid is required");

  JvmSource source(procfs, pid);
  bool first = true;
  std::string last_status;
  for (long n = 0; count == 0 || n < count; ++n) {
    std::vector<memwatch::runtime::GcEvent> events;
    JvmGcSnapshot snap;
    std::string err;
    double now = NowUnix();
    JvmSource::Status st = source.Poll(now, &events, &snap, &err);
    std::string name = memwatch::hsperf::JvmSourceStatusName(st);
    if (st == JvmSource::Status::kRetry) {
      // A collection is being written: read again shortly.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (name != last_status && metrics_name.empty()) {
      std::cout << nlohmann::json({{"type", "status"},
                                   {"status", name},
                                   {"error", err},
                                   {"time", now}})
                       .dump()
                << std::endl;
      last_status = name;
    }
    if (st == JvmSource::Status::kNoProcess) return 1;
    if (!metrics_name.empty()) {
      if (st != JvmSource::Status::kOk &&
          st != JvmSource::Status::kUnsupportedCollector) {
        std::cerr << "hsperf_dump: " << name << ": " << err << "\n";
        return 1;
      }
      std::vector<prometheus::MetricFamily> families;
      memwatch::memwatch_plugin::AppendJvmFamilies({{metrics_name, snap}},
                                                   &families);
      std::cout << prometheus::TextSerializer().Serialize(families);
      return 0;
    }
    if (st == JvmSource::Status::kOk ||
        st == JvmSource::Status::kUnsupportedCollector) {
      if (first || source.last_poll_reset()) {
        auto j = SnapshotJson(snap);
        j["time"] = now;
        j["path"] = source.path();
        std::cout << j.dump() << std::endl;
        first = false;
      }
      std::vector<int64_t> invocations;
      for (const auto& c : snap.collectors)
        invocations.push_back(c.invocations);
      for (const auto& e : events) {
        std::cout << nlohmann::json(
                         {{"type", "gc"},
                          {"time", e.time},
                          {"read_time", now},
                          {"kind", memwatch::runtime::GcKindName(e.kind)},
                          {"heap_after_bytes", e.heap_after_bytes.value_or(-1)},
                          {"pause_seconds", e.pause_seconds.value_or(-1)},
                          {"collections", source.last_collections()},
                          {"invocations", invocations},
                          {"detail", e.detail}})
                         .dump()
                  << std::endl;
      }
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(interval));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "hsperf_dump: " << e.what() << "\n";
    return 1;
  }
}
