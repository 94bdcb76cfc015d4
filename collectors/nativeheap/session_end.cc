// Session::End and what surrounds it: reading the kernel maps back, naming
// the top stacks, the JSON, the option checks.
#include <algorithm>

#include "collectors/base/utf8.h"
#include "collectors/nativeheap/session.h"  // IWYU pragma: associated

namespace memwatch::nativeheap {
namespace {

constexpr char kUnknown[] = "[unknown]";

// The frame walk ends in garbage past the outermost frame with a frame
// pointer (e.g. after __libc_start_call_main): unnamed trailing frames go.
void TrimUnknownTail(std::vector<std::string>* frames) {
  while (frames->size() > 1 && frames->back() == kUnknown) frames->pop_back();
}

bool InRange(uint64_t v, uint64_t lo, uint64_t hi) {
  return v >= lo && v <= hi;
}

}  // namespace

bool ValidateOptions(const TraceOptions& o, Error* error) {
  const BpfOptions& b = o.bpf;
  const char* bad = nullptr;
  if (!InRange(b.sample_every, 1, 1u << 20)) {
    bad = "sample_every must be 1 to 1048576";
  } else if (!InRange(b.max_outstanding, 1, 1u << 24)) {
    bad = "max_outstanding must be 1 to 16777216";
  } else if (!InRange(b.max_stacks, 1, 1u << 20)) {
    bad = "max_stacks must be 1 to 1048576";
  } else if (!InRange(b.max_frames, 1, 126)) {
    bad = "max_frames must be 1 to 126";
  } else if (!InRange(o.max_details, 1, 10000)) {
    bad = "max_details must be 1 to 10000";
  } else if (!InRange(o.max_named, 1, 100000)) {
    bad = "max_named must be 1 to 100000";
  }
  return bad == nullptr || Fail(error, ErrorKind::kBadRequest, bad);
}

std::vector<NamedTotal> Session::NameStacks(
    const std::vector<StackTotal>& totals, const std::atomic<bool>* cancel) {
  const size_t named = std::min(totals.size(), options_.max_named);
  // Every address of the top stacks in one list, so each file is read once.
  std::vector<std::vector<uint64_t>> stacks(named);
  std::vector<uint64_t> all;
  for (size_t i = 0; i < named; ++i) {
    stacks[i] =
        StackFrames(totals[i].caller, tracer_->ReadStack(totals[i].stack_id),
                    options_.bpf.max_frames);
    all.insert(all.end(), stacks[i].begin(), stacks[i].end());
  }
  std::vector<std::string> names = symbolizer_->Name(all, cancel);
  std::vector<NamedTotal> out;
  size_t next = 0;
  for (size_t i = 0; i < named; ++i) {
    std::vector<std::string> frames(names.begin() + next,
                                    names.begin() + next + stacks[i].size());
    next += stacks[i].size();
    TrimUnknownTail(&frames);
    if (totals[i].stack_id < 0) frames.push_back("[stack not recorded]");
    // Names and paths come from the process's files: any bytes at all.
    out.push_back(
        {SanitizeUtf8(FormatStack(frames)), totals[i].bytes, totals[i].count});
  }
  NamedTotal rest{"[other stacks]", 0, 0};
  for (size_t i = named; i < totals.size(); ++i) {
    rest.bytes += totals[i].bytes;
    rest.count += totals[i].count;
  }
  if (rest.count > 0) out.push_back(rest);
  return out;
}

std::optional<TraceResult> Session::End(const std::atomic<bool>* cancel,
                                        Error* error) {
  if (tracer_ == nullptr) {
    Fail(error, ErrorKind::kInternal, "the trace has ended already");
    return std::nullopt;
  }
  TraceResult r;
  const bool ok = StopWindow(&r.stats, error) && Collect(cancel, &r, error);
  tracer_.reset();  // the probes are removed in the background
  if (!ok) return std::nullopt;
  return r;
}

bool Session::StopWindow(TraceStats* st, Error* error) {
  window_seconds_ = ElapsedSeconds();
  st->probes = tracer_->attached();
  tracer_->Stop();
  st->pid = pid_;
  st->seconds = window_seconds_;
  st->sample_every = options_.bpf.sample_every;
  st->libc = libc_;
  st->exited = !Alive();
  if (st->exited && !options_.report_exited) {
    return Fail(error, ErrorKind::kProcessExited,
                "pid " + std::to_string(pid_) +
                    " exited during the trace (after " +
                    std::to_string(static_cast<int>(window_seconds_)) +
                    " s): its memory went back to the system, nothing is "
                    "outstanding");
  }
  std::vector<Mapping> mappings;  // with libraries loaded during the window
  if (!st->exited && ReadCurrentMappings(&mappings, nullptr) &&
      !mappings.empty()) {
    symbolizer_->SetMappings(std::move(mappings));
  }
  return true;
}

bool Session::Collect(const std::atomic<bool>* cancel, TraceResult* r,
                      Error* error) {
  TraceStats& st = r->stats;
  std::vector<AllocRecord> records;
  if (!tracer_->ReadAllocs(options_.bpf.max_outstanding, cancel, &records,
                           error)) {
    return false;
  }
  st.counters = tracer_->ReadCounters();
  st.outstanding_sampled = records.size();
  std::vector<StackTotal> totals = SumByStack(records);
  st.stacks = totals.size();
  uint64_t bytes = 0;
  for (const AllocRecord& a : records) bytes += a.size;
  std::vector<NamedTotal> named = NameStacks(totals, cancel);
  if (cancel != nullptr && cancel->load()) {
    return Fail(error, ErrorKind::kCancelled, "cancelled");
  }
  st.symbol_problems = symbolizer_->problems();
  r->diff = BuildDiff(named, bytes, records.size(), st.sample_every,
                      options_.max_details);
  return true;
}

nlohmann::json ToJson(const TraceResult& result) {
  const TraceStats& s = result.stats;
  nlohmann::json j = diff::ToJson(result.diff);
  nlohmann::json problems = nlohmann::json::array();
  for (const std::string& p : s.symbol_problems) {
    problems.push_back(SanitizeUtf8(p));
  }
  j["by"] = "stack";
  j["trace"] = {{"pid", s.pid},
                {"seconds", s.seconds},
                {"sample_every", s.sample_every},
                {"probes", s.probes},
                {"libc", SanitizeUtf8(s.libc)},
                {"allocations_recorded", s.counters.recorded},
                {"allocations_dropped", s.counters.alloc_drops},
                {"stacks_dropped", s.counters.stack_drops},
                {"frees_matched", s.counters.frees},
                {"outstanding_sampled", s.outstanding_sampled},
                {"stacks", s.stacks},
                {"exited", s.exited},
                {"symbol_problems", problems}};
  return j;
}

nlohmann::json ErrorJson(const Error& error) {
  return {{"error", SanitizeUtf8(error.message)},
          {"kind", KindName(error.kind)},
          {"status", HttpStatus(error.kind)}};
}

}  // namespace memwatch::nativeheap
