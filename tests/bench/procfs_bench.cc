// Each /proc parser on a typical text, and the reads themselves on this
// process's own files (the floor the parsers sit on).
#include <benchmark/benchmark.h>

#include <string>

#include "collectors/procfs/cgroup.h"
#include "collectors/procfs/files.h"
#include "collectors/procfs/procfs.h"
#include "collectors/procfs/stat.h"
#include "collectors/procfs/statm.h"
#include "collectors/procfs/status.h"

namespace memwatch::procfs {
namespace {

const char kStat[] =
    "4242 (node worker) S 1 4242 4242 0 -1 4194560 123456 0 12 0 5123 1234 0 "
    "0 20 0 11 0 987654 1234567890 45678 18446744073709551615 1 1 0 0 0 0 0 "
    "4096 134234626 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

const char kStatus[] =
    "Name:\tnode\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\n"
    "Pid:\t4242\nPPid:\t1\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
    "FDSize:\t64\nGroups:\t0\nNStgid:\t4242\nNSpid:\t4242\nNSpgid:\t4242\n"
    "NSsid:\t4242\nKthread:\t0\nVmPeak:\t 1234567 kB\nVmSize:\t 1200000 kB\n"
    "VmLck:\t       0 kB\nVmPin:\t       0 kB\nVmHWM:\t  182340 kB\n"
    "VmRSS:\t  178220 kB\nRssAnon:\t  150000 kB\nRssFile:\t   28000 kB\n"
    "RssShmem:\t     220 kB\nVmData:\t  400000 kB\nVmStk:\t     132 kB\n"
    "VmExe:\t   80000 kB\nVmLib:\t    6000 kB\nVmPTE:\t     900 kB\n"
    "VmSwap:\t       0 kB\nHugetlbPages:\t       0 kB\nCoreDumping:\t0\n"
    "THP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\nThreads:\t11\n"
    "SigQ:\t0/95038\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
    "SigBlk:\t0000000000000000\nSigIgn:\t0000000001001000\n"
    "SigCgt:\t0000000188004602\nCapInh:\t0000000000000000\n"
    "CapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
    "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\n"
    "Seccomp:\t0\nSeccomp_filters:\t0\nSpeculation_Store_Bypass:\tthread "
    "vulnerable\nSpeculationIndirectBranch:\tconditional enabled\n"
    "Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\n"
    "Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t1234\n"
    "nonvoluntary_ctxt_switches:\t56\n";

const char kIo[] =
    "rchar: 123456789\nwchar: 98765432\nsyscr: 12345\nsyscw: 6789\n"
    "read_bytes: 4096000\nwrite_bytes: 8192000\ncancelled_write_bytes: 0\n";

const char kLimits[] =
    "Limit                     Soft Limit           Hard Limit           Units "
    "    \nMax cpu time              unlimited            unlimited            "
    "seconds   \nMax file size             unlimited            unlimited      "
    "      bytes     \nMax data size             unlimited            "
    "unlimited            bytes     \nMax stack size            8388608       "
    "       unlimited            bytes     \nMax core file size        0       "
    "             unlimited            bytes     \nMax resident set          "
    "unlimited            unlimited            bytes     \nMax processes       "
    "      95038                95038                processes \nMax open "
    "files            1048576              1048576              files     \n";

const char kCgroup[] = "0::/system.slice/node-api.service\n";

void BM_ParseStat(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseStat(kStat, nullptr));
}
BENCHMARK(BM_ParseStat);

void BM_ParseStatusAndLookups(benchmark::State& state) {
  // What the process collector asks of one status file.
  for (auto _ : state) {
    auto s = ParseStatus(kStatus, nullptr);
    for (const char* key :
         {"RssAnon", "RssFile", "RssShmem", "VmHWM", "VmData", "VmSwap"}) {
      benchmark::DoNotOptimize(s->Bytes(key));
    }
    benchmark::DoNotOptimize(s->Counter("voluntary_ctxt_switches"));
    benchmark::DoNotOptimize(s->Counter("nonvoluntary_ctxt_switches"));
  }
}
BENCHMARK(BM_ParseStatusAndLookups);

void BM_StatusBytesNoCopy(benchmark::State& state) {
  // The memwatch sampler's per-second question, without copying the text.
  for (auto _ : state) benchmark::DoNotOptimize(StatusBytes(kStatus, "VmRSS"));
}
BENCHMARK(BM_StatusBytesNoCopy);

void BM_ParseIo(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseIo(kIo, nullptr));
}
BENCHMARK(BM_ParseIo);

void BM_ParseLimits(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseLimits(kLimits, nullptr));
}
BENCHMARK(BM_ParseLimits);

void BM_ParseCgroupFile(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(ParseCgroupFile(kCgroup, nullptr));
}
BENCHMARK(BM_ParseCgroupFile);

void BM_ReadOwnFile(benchmark::State& state, const char* file) {
  ProcFs fs("/proc");
  std::string text;
  for (auto _ : state) {
    bool ok = fs.ReadFile(file, &text, nullptr);
    benchmark::DoNotOptimize(ok);
  }
  state.counters["bytes"] = static_cast<double>(text.size());
}
BENCHMARK_CAPTURE(BM_ReadOwnFile, stat, "self/stat");
BENCHMARK_CAPTURE(BM_ReadOwnFile, status, "self/status");
BENCHMARK_CAPTURE(BM_ReadOwnFile, io, "self/io");
BENCHMARK_CAPTURE(BM_ReadOwnFile, limits, "self/limits");
BENCHMARK_CAPTURE(BM_ReadOwnFile, cgroup, "self/cgroup");
BENCHMARK_CAPTURE(BM_ReadOwnFile, statm, "self/statm");

void BM_ParseStatmRssAnon(benchmark::State& state) {
  // The memwatch sampler's per-process parse.
  for (auto _ : state) {
    auto s = ParseStatm("43661 34625 4707 5427 0 33198 0\n", nullptr);
    benchmark::DoNotOptimize(StatmBytes(*s, "RssAnon", 4096));
  }
}
BENCHMARK(BM_ParseStatmRssAnon);

void BM_HeldFileRead(benchmark::State& state, const char* file) {
  // The memwatch sampler's per-process read: one pread on a kept-open file.
  ProcFs fs("/proc");
  HeldFile f;
  std::string text;
  if (!f.Open(fs, file, nullptr)) {
    state.SkipWithError("cannot open");
    return;
  }
  for (auto _ : state) {
    bool ok = f.Read(&text, nullptr);
    benchmark::DoNotOptimize(ok);
  }
  state.counters["bytes"] = static_cast<double>(text.size());
}
BENCHMARK_CAPTURE(BM_HeldFileRead, statm, "self/statm");
BENCHMARK_CAPTURE(BM_HeldFileRead, status, "self/status");

void BM_CountFds(benchmark::State& state) {
  ProcFs fs("/proc");
  int64_t n = 0;
  for (auto _ : state) {
    bool ok = fs.CountDirEntries("self/fd", &n, nullptr);
    benchmark::DoNotOptimize(ok);
  }
  state.counters["fds"] = static_cast<double>(n);
}
BENCHMARK(BM_CountFds);

}  // namespace
}  // namespace memwatch::procfs
