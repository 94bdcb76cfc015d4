// An ELF file's loadable segments and function symbols (.symtab and .dynsym),
// read with Debian's libelf from a descriptor the caller opened. Bounded: the
// symbol and string sections are read only up to a size, the table holds at
// most a number of symbols. Reads with pread (ELF_C_READ), not mmap, so a
// file truncated under us is an error, not a SIGBUS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collectors/nativeheap/symtab.h"

namespace memwatch::nativeheap {

struct ElfLimits {
  size_t max_symbols = 1 << 20;            // per file (24 bytes each)
  uint64_t max_section_bytes = 64u << 20;  // one symbol or string table
  size_t max_name_chars = 256;             // one demangled name
};

class ElfFile {
 public:
  // Reads the headers and symbol tables of the ELF file open on fd (not
  // taken: the caller closes it after this object is gone).
  static std::unique_ptr<ElfFile> Read(int fd, const ElfLimits& limits,
                                       std::string* error);
  ~ElfFile();
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;

  // The demangled function name at a file offset, or "" when no segment
  // loads it or no symbol covers it.
  std::string NameAtOffset(uint64_t file_offset) const;

  // File offsets of the named functions defined in this file (by .dynsym
  // and .symtab), for uprobes. Names not found are absent.
  std::map<std::string, uint64_t> FunctionOffsets(
      const std::vector<std::string>& names) const;

  const std::vector<Segment>& segments() const { return segments_; }
  const SymbolTable& symbols() const { return symbols_; }

 private:
  ElfFile(void* elf, const ElfLimits& limits);
  bool ReadSegments(std::string* error);
  void ReadSymbols();

  void* elf_;  // Elf*, kept open for the names (elf_strptr)
  ElfLimits limits_;
  std::vector<Segment> segments_;
  SymbolTable symbols_;
};

}  // namespace memwatch::nativeheap
