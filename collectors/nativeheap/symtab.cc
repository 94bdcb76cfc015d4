#include "collectors/nativeheap/symtab.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>

namespace memwatch::nativeheap {
namespace {

// Symbols before the nearest one that may still contain an address (a
// function with an inner alias or a cold part listed before it).
constexpr size_t kLookBack = 8;

std::string Truncate(std::string s, size_t max_chars) {
  if (s.size() > max_chars) {
    s.resize(max_chars > 3 ? max_chars - 3 : 0);
    s += "...";
  }
  return s;
}

}  // namespace

bool FileOffsetToAddress(const std::vector<Segment>& segments,
                         uint64_t file_offset, uint64_t* address) {
  for (const Segment& s : segments) {
    if (file_offset >= s.offset && file_offset - s.offset < s.filesz) {
      *address = file_offset - s.offset + s.vaddr;
      return true;
    }
  }
  return false;
}

bool AddressToFileOffset(const std::vector<Segment>& segments, uint64_t address,
                         uint64_t* file_offset) {
  for (const Segment& s : segments) {
    if (address >= s.vaddr && address - s.vaddr < s.filesz) {
      *file_offset = address - s.vaddr + s.offset;
      return true;
    }
  }
  return false;
}

bool SymbolTable::Add(const Symbol& symbol) {
  if (symbols_.size() >= max_symbols_) {
    truncated_ = true;
    return false;
  }
  symbols_.push_back(symbol);
  return true;
}

void SymbolTable::Seal() {
  std::sort(symbols_.begin(), symbols_.end(),
            [](const Symbol& a, const Symbol& b) {
              if (a.address != b.address) return a.address < b.address;
              return a.size > b.size;  // the sized one first
            });
  symbols_.erase(std::unique(symbols_.begin(), symbols_.end(),
                             [](const Symbol& a, const Symbol& b) {
                               return a.address == b.address;
                             }),
                 symbols_.end());
  symbols_.shrink_to_fit();
}

const Symbol* SymbolTable::Lookup(uint64_t address) const {
  auto it = std::upper_bound(
      symbols_.begin(), symbols_.end(), address,
      [](uint64_t a, const Symbol& s) { return a < s.address; });
  if (it == symbols_.begin()) return nullptr;
  const Symbol* nearest = &*(it - 1);
  for (size_t i = 0; i < kLookBack && it != symbols_.begin(); ++i) {
    --it;
    if (it->size > 0 && address - it->address < it->size) return &*it;
  }
  return nearest->size == 0 ? nearest : nullptr;
}

std::string Demangle(std::string_view name, size_t max_chars) {
  if (name.substr(0, 2) != "_Z") return Truncate(std::string(name), max_chars);
  int status = 0;
  std::string mangled(name);
  char* out = abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status);
  if (status != 0 || out == nullptr) {
    std::free(out);
    return Truncate(std::move(mangled), max_chars);
  }
  std::string result(out);
  std::free(out);
  return Truncate(std::move(result), max_chars);
}

std::string FormatStack(const std::vector<std::string>& frames) {
  std::string out;
  for (const std::string& f : frames) {
    if (!out.empty()) out += " <- ";
    out += f;
  }
  return out.empty() ? "[no stack]" : out;
}

}  // namespace memwatch::nativeheap
