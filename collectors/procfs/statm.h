// /proc/<pid>/statm, see proc(5): seven page counts on one line. The memwatch
// sampler reads it instead of status when the sampled field can be computed
// from it: the kernel prints it from the same mm counters as status's VmRSS
// and RssAnon, for about a tenth of status's cost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memwatch::procfs {

struct Statm {
  uint64_t size_pages = 0;      // total_vm = status VmSize
  uint64_t resident_pages = 0;  // anon + file + shmem = status VmRSS
  uint64_t shared_pages = 0;    // file + shmem = status RssFile + RssShmem
};

// Fails (nullopt + *error if given) unless the text starts with at least
// three decimal numbers.
std::optional<Statm> ParseStatm(std::string_view text, std::string* error);

// True for the status keys StatmBytes can compute: "VmRSS", "RssAnon",
// "VmSize".
bool StatmHasField(std::string_view status_key);

// The value of a status key in bytes, from statm. nullopt for other keys and
// for a process without memory (kernel thread, zombie: all counts 0), whose
// status has no such line either.
std::optional<uint64_t> StatmBytes(const Statm& statm,
                                   std::string_view status_key,
                                   int64_t page_size_bytes);

}  // namespace memwatch::procfs
