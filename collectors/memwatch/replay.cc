#include "collectors/memwatch/replay.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "collectors/detect/detector.h"
#include "collectors/detect/engine.h"
#include "collectors/detect/events.h"
#include "collectors/detect/tracker.h"
#include "collectors/memwatch/replay_csv.h"

namespace memwatch::memwatch_plugin {

const char kReplayUsage[] =
    "usage: memwatch_exporter replay --input FILE|- [--compactions] "
    "[--no-stats]\n"
    "  [--leak-gcs N] [--min-growth BYTES] [--min-cycle S] [--max-cycle S]\n"
    "  [--warmup S] [--drop-bytes BYTES] [--drop-fraction F]\n"
    "FILE is CSV `time,bytes[,cpu_seconds[,pid]]` (seconds, bytes, the\n"
    "process's CPU time, its pid: rows of one time with several pids are\n"
    "one sample of a multi-process target; header line optional). With\n"
    "--compactions each row is a compaction `time,heap_after` (no detector).\n"
    "Options default to the --memwatch.* flags. Prints JSON lines: stats\n"
    "(per compaction), leak events, verdicts, and a final summary.\n";

bool ParseReplayArgs(const std::vector<std::string>& args, ReplayOptions* o,
                     std::string* error) {
  // Numeric options and where they go.
  std::map<std::string, double*> numbers = {
      {"min-growth", &o->config.engine.min_growth},
      {"min-cycle", &o->config.detector.min_cycle},
      {"max-cycle", &o->config.detector.max_cycle},
      {"warmup", &o->config.detector.warmup},
      {"drop-bytes", &o->config.detector.drop_bytes},
      {"drop-fraction", &o->config.detector.drop_fraction},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      *error = "unexpected argument " + a;
      return false;
    }
    std::string name = a.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (name.rfind("memwatch.", 0) == 0) name = name.substr(9);
    if (name == "help" || name == "compactions" || name == "no-stats") {
      if (has_value) {
        *error = "--" + name + " takes no value";
        return false;
      }
      if (name == "help") o->help = true;
      if (name == "compactions") o->compactions = true;
      if (name == "no-stats") o->stats = false;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        *error = "--" + name + " needs a value";
        return false;
      }
      value = args[++i];
    }
    double x = 0;
    if (name == "input") {
      o->input = value;
    } else if (name == "leak-gcs") {
      if (!ParseNumber(value, &x) || x != std::floor(x)) {
        *error = "--leak-gcs must be a whole number, got " + value;
        return false;
      }
      o->config.engine.leak_gcs = static_cast<int>(x);
    } else if (auto it = numbers.find(name); it != numbers.end()) {
      if (!ParseNumber(value, &x)) {
        *error = "--" + name + " must be a number, got " + value;
        return false;
      }
      *it->second = x;
    } else {
      *error = "unknown option --" + name;
      return false;
    }
  }
  if (o->help) return true;
  if (o->input.empty()) {
    *error = "--input FILE is required";
    return false;
  }
  // A recorded series has no sampling interval of its own to check.
  Config check = o->config;
  check.sample_interval = std::min(1.0, check.detector.max_cycle);
  if (check.sample_interval < 0.01) check.sample_interval = 0.01;
  *error = Validate(check);
  return error->empty();
}

namespace {

constexpr char kReplayTarget[] = "replay";

// Rows of one time into the tracker: compactions (heap after; the held floor
// is judged once a second in between, as the exporter's ticks do) or one
// sample of one or several processes (pid column: one bad worker among many).
void Feed(bool compactions, const std::vector<Row>& rows,
          std::optional<double>* last_tick, detect::Tracker* tracker) {
  if (rows.empty()) return;
  const double t = rows.front().t;
  if (compactions) {
    // Ticks since the previous row, at most a day of them per gap.
    if (*last_tick) {
      for (double k = **last_tick + 1; k < t && k < **last_tick + 86400; ++k) {
        tracker->Observe(k, {});
      }
    }
    for (const Row& row : rows) {
      runtime::GcEvent gc;
      gc.time = t;
      gc.heap_after_bytes = row.v;
      tracker->OnGc(kReplayTarget, detect::kSourceGcLog, gc);
    }
    tracker->Observe(t, {});
    *last_tick = t;
    return;
  }
  detect::TargetSample r;
  r.name = kReplayTarget;
  r.identity = kReplayTarget;
  r.present = true;
  for (const Row& row : rows) {
    r.bytes += row.v;
    detect::ProcessSample p;
    p.pid = row.pid;
    p.identity = std::to_string(row.pid);
    p.bytes = row.v;
    p.cpu_seconds = row.cpu;
    r.processes.push_back(p);
  }
  // Processes come and go: the sum's identity is not one process's, so the
  // cycle and trend rules (which judge the sum) start over on a change.
  if (rows.size() > 1 || rows.front().pid != 0) {
    r.identity.clear();
    for (const Row& row : rows) r.identity += std::to_string(row.pid) + ",";
  }
  tracker->Observe(t, {r});
}

nlohmann::json Summary(const std::string& input_name, const ReplayOptions& o,
                       uint64_t rows, std::optional<double> first_leak,
                       const detect::Stats& s) {
  nlohmann::json summary;
  summary["event"] = "summary";
  summary["input"] = input_name;
  summary[o.compactions ? "compactions_read" : "samples"] = rows;
  summary["num_full_gc"] = s.num_full_gc;
  summary["heap_compactions"] = s.heap_compactions;
  summary["leak_events"] = s.leak_events;
  summary["first_leak_at"] =
      first_leak ? nlohmann::json(*first_leak) : nlohmann::json(nullptr);
  summary["leak_gcs"] = o.config.engine.leak_gcs;
  summary["min_growth"] = o.config.engine.min_growth;
  if (!o.compactions) {
    summary["min_cycle"] = o.config.detector.min_cycle;
    summary["max_cycle"] = o.config.detector.max_cycle;
    summary["warmup"] = o.config.detector.warmup;
    summary["drop_bytes"] = o.config.detector.drop_bytes;
    summary["drop_fraction"] = o.config.detector.drop_fraction;
  }
  return summary;
}

}  // namespace

int RunReplay(std::istream& in, const std::string& input_name,
              const ReplayOptions& o, std::ostream& out, std::ostream& err) {
  std::optional<double> first_leak, first_verdict;
  uint64_t verdicts = 0;
  // The same tracker the collector feeds: replay judges exactly as the
  // exporter would (cycle and trend rules for samples).
  Config config = o.config;
  config.log_stats = o.stats;
  detect::Tracker tracker(config, [&](const detect::Event& e) {
    out << detect::ToJson(e).dump() << "\n";
    if (e.type == detect::Event::Type::kLeak && !first_leak)
      first_leak = e.time;
    if (e.type == detect::Event::Type::kVerdict) {
      ++verdicts;
      if (!first_verdict) first_verdict = e.time;
    }
  });
  RowReader reader(in, input_name, err);
  uint64_t rows = 0;
  std::vector<Row> tick;
  std::optional<double> last_tick;
  Row row;
  for (RowResult r; (r = reader.Next(&row)) != RowResult::kEof;) {
    if (r == RowResult::kBad) return 2;
    ++rows;
    if (!tick.empty() && tick.front().t != row.t) {
      Feed(o.compactions, tick, &last_tick, &tracker);
      tick.clear();
    }
    // A bounded tick: a pid listed twice in one second is one process.
    if (tick.size() < 4096) tick.push_back(row);
  }
  Feed(o.compactions, tick, &last_tick, &tracker);
  auto snapshots = tracker.SeriesStates();
  const detect::Stats s =
      snapshots.empty() ? detect::Stats() : snapshots.front().stats;
  nlohmann::json summary = Summary(input_name, o, rows, first_leak, s);
  summary["verdicts"] = verdicts;
  summary["first_verdict_at"] =
      first_verdict ? nlohmann::json(*first_verdict) : nlohmann::json(nullptr);
  out << summary.dump() << "\n";
  return 0;
}

int ReplayMain(const std::vector<std::string>& args) {
  ReplayOptions o;
  o.config = ConfigFromFlags();
  std::string error;
  if (!ParseReplayArgs(args, &o, &error)) {
    std::cerr << "replay: " << error << "\n" << kReplayUsage;
    return 2;
  }
  if (o.help) {
    std::cout << kReplayUsage;
    return 0;
  }
  if (o.input == "-")
    return RunReplay(std::cin, "<stdin>", o, std::cout, std::cerr);
  // Only regular files: a FIFO would block and a device never ends.
  struct stat st;
  if (stat(o.input.c_str(), &st) != 0) {
    std::cerr << "replay: cannot open " << o.input << ": "
              << std::strerror(errno) << "\n";
    return 2;
  }
  if (!S_ISREG(st.st_mode)) {
    std::cerr << "replay: " << o.input
              << " is not a regular file (use --input - to read stdin)\n";
    return 2;
  }
  std::ifstream f(o.input);
  if (!f) {
    std::cerr << "replay: cannot open " << o.input << "\n";
    return 2;
  }
  return RunReplay(f, o.input, o, std::cout, std::cerr);
}

}  // namespace memwatch::memwatch_plugin
