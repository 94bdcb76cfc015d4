// Names for the code addresses of one process's stacks. The files behind its
// executable mappings are opened when the trace starts (through
// <procfs>/<pid>/root, so a process in another mount namespace works) and
// held, so stacks can still be named after the process has exited. ELF
// symbol tables are read only at the end, one file at a time, only for the
// files the top stacks pass through.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "collectors/nativeheap/elf_file.h"
#include "collectors/nativeheap/maps.h"

namespace memwatch::nativeheap {

struct SymbolizerOptions {
  size_t max_files = 512;                // held open at once
  uint64_t max_file_bytes = 4ull << 30;  // one ELF file
  ElfLimits elf;
};

class Symbolizer {
 public:
  // root_dir: "<procfs>/<pid>/root", the prefix of every mapped path.
  Symbolizer(std::string root_dir, SymbolizerOptions options);
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // Makes `mappings` the current address layout and opens the files of its
  // executable mappings not open yet (a file that cannot be opened, or whose
  // inode differs from the mapped one, is noted: its frames get offsets).
  void SetMappings(std::vector<Mapping> mappings);

  // One name per address (return addresses: each is looked up one byte
  // before, inside the call). "Func(args)" when a symbol covers it,
  // "libfoo.so+0x1a2b" when only the file is known, "[unknown]" otherwise.
  // Stops early (leaving "[unknown]") when *cancel becomes true.
  std::vector<std::string> Name(const std::vector<uint64_t>& addresses,
                                const std::atomic<bool>* cancel);

  // Files whose ELF tables could not be read, "path: reason" (bounded).
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  struct Held {
    int fd = -1;
    uint64_t inode = 0;
  };
  int OpenMapped(const Mapping& m);
  void NameInFile(const std::string& path,
                  const std::vector<std::pair<size_t, uint64_t>>& wanted,
                  std::vector<std::string>* names);
  void Problem(std::string text);

  const std::string root_dir_;
  const SymbolizerOptions options_;
  std::vector<Mapping> mappings_;
  std::map<std::string, Held> files_;  // by mapped path
  std::vector<std::string> problems_;
};

}  // namespace memwatch::nativeheap
