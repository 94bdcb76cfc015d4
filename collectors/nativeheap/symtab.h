// Turning code addresses into names, the pure part: an ELF file's loadable
// segments (file offset -> the address symbols use), a sorted table of its
// function symbols, C++ demangling and the one-line stack format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memwatch::nativeheap {

// A PT_LOAD program header.
struct Segment {
  uint64_t offset = 0;  // p_offset
  uint64_t vaddr = 0;   // p_vaddr
  uint64_t filesz = 0;  // p_filesz
};

// The ELF address (what st_value means) of a file offset, or false when no
// segment loads that offset.
bool FileOffsetToAddress(const std::vector<Segment>& segments,
                         uint64_t file_offset, uint64_t* address);

// The file offset of an ELF address (the inverse), for uprobes.
bool AddressToFileOffset(const std::vector<Segment>& segments, uint64_t address,
                         uint64_t* file_offset);

struct Symbol {
  uint64_t address = 0;
  uint64_t size = 0;  // 0 when the symbol table does not say
  // Where the name is, for the table's owner (the ELF reader: the string
  // table's section index and the offset in it).
  uint32_t strtab = 0;
  uint32_t name = 0;
};

// Function symbols sorted by address, at most a fixed number. Lookups are
// binary searches. .symtab and .dynsym both feed it; duplicates (the same
// function in both) are merged on Seal().
class SymbolTable {
 public:
  explicit SymbolTable(size_t max_symbols) : max_symbols_(max_symbols) {}

  // False (and the symbol is dropped) once max_symbols were added.
  bool Add(const Symbol& symbol);
  // Sorts and merges; call once after the last Add.
  void Seal();

  // The symbol whose [address, address + size) holds `address`; a sized
  // symbol wins over an unsized one before it. For an unsized symbol the
  // nearest one below counts. Null when none.
  const Symbol* Lookup(uint64_t address) const;

  size_t size() const { return symbols_.size(); }
  bool truncated() const { return truncated_; }

 private:
  size_t max_symbols_;
  bool truncated_ = false;
  std::vector<Symbol> symbols_;
};

// abi::__cxa_demangle for "_Z..." names (others returned as they are), at
// most max_chars characters (longer names end in "...").
std::string Demangle(std::string_view name, size_t max_chars);

// "Insert <- main <- __libc_start_call_main": innermost frame first.
std::string FormatStack(const std::vector<std::string>& frames);

}  // namespace memwatch::nativeheap
