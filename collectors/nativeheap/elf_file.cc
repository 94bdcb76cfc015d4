#include "collectors/nativeheap/elf_file.h"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <mutex>

namespace memwatch::nativeheap {
namespace {

Elf* AsElf(void* p) { return static_cast<Elf*>(p); }

void InitLibelfOnce() {
  static std::once_flag once;
  std::call_once(once, [] { elf_version(EV_CURRENT); });
}

bool IsFunction(const GElf_Sym& sym) {
  int type = GELF_ST_TYPE(sym.st_info);
  return (type == STT_FUNC || type == STT_GNU_IFUNC) &&
         sym.st_shndx != SHN_UNDEF && sym.st_value != 0;
}

}  // namespace

ElfFile::ElfFile(void* elf, const ElfLimits& limits)
    : elf_(elf), limits_(limits), symbols_(limits.max_symbols) {}

ElfFile::~ElfFile() { elf_end(AsElf(elf_)); }

std::unique_ptr<ElfFile> ElfFile::Read(int fd, const ElfLimits& limits,
                                       std::string* error) {
  InitLibelfOnce();
  Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
  if (elf == nullptr) {
    *error = std::string("not readable as ELF: ") + elf_errmsg(-1);
    return nullptr;
  }
  std::unique_ptr<ElfFile> file(new ElfFile(elf, limits));
  if (elf_kind(elf) != ELF_K_ELF) {
    *error = "not an ELF file";
    return nullptr;
  }
  if (!file->ReadSegments(error)) return nullptr;
  file->ReadSymbols();
  return file;
}

bool ElfFile::ReadSegments(std::string* error) {
  size_t count = 0;
  if (elf_getphdrnum(AsElf(elf_), &count) != 0) {
    *error = std::string("no program headers: ") + elf_errmsg(-1);
    return false;
  }
  for (size_t i = 0; i < count && i < 4096; ++i) {
    GElf_Phdr ph;
    if (gelf_getphdr(AsElf(elf_), static_cast<int>(i), &ph) == nullptr) {
      continue;
    }
    if (ph.p_type == PT_LOAD) {
      segments_.push_back({ph.p_offset, ph.p_vaddr, ph.p_filesz});
    }
  }
  return true;
}

void ElfFile::ReadSymbols() {
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(AsElf(elf_), scn)) != nullptr) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr) continue;
    if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) continue;
    if (sh.sh_size > limits_.max_section_bytes || sh.sh_entsize == 0) {
      continue;
    }
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) continue;
    const size_t n = sh.sh_size / sh.sh_entsize;
    for (size_t i = 0; i < n; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) break;
      if (!IsFunction(sym)) continue;
      if (!symbols_.Add({sym.st_value, sym.st_size,
                         static_cast<uint32_t>(sh.sh_link), sym.st_name})) {
        break;
      }
    }
  }
  symbols_.Seal();
}

std::map<std::string, uint64_t> ElfFile::FunctionOffsets(
    const std::vector<std::string>& names) const {
  std::map<std::string, uint64_t> out;
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(AsElf(elf_), scn)) != nullptr) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr ||
        (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
        sh.sh_size > limits_.max_section_bytes || sh.sh_entsize == 0) {
      continue;
    }
    Elf_Data* data = elf_getdata(scn, nullptr);
    const size_t n = data == nullptr ? 0 : sh.sh_size / sh.sh_entsize;
    for (size_t i = 0; i < n; ++i) {
      GElf_Sym sym;
      if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) break;
      if (!IsFunction(sym)) continue;
      const char* name = elf_strptr(AsElf(elf_), sh.sh_link, sym.st_name);
      uint64_t offset = 0;
      if (name == nullptr || out.count(name) != 0 ||
          std::find(names.begin(), names.end(), name) == names.end() ||
          !AddressToFileOffset(segments_, sym.st_value, &offset)) {
        continue;
      }
      out[name] = offset;
    }
  }
  return out;
}

std::string ElfFile::NameAtOffset(uint64_t file_offset) const {
  uint64_t address = 0;
  if (!FileOffsetToAddress(segments_, file_offset, &address)) return "";
  const Symbol* sym = symbols_.Lookup(address);
  if (sym == nullptr) return "";
  // elf_strptr reads the string section once; refuse a huge one.
  Elf_Scn* strtab = elf_getscn(AsElf(elf_), sym->strtab);
  GElf_Shdr sh;
  if (strtab == nullptr || gelf_getshdr(strtab, &sh) == nullptr ||
      sh.sh_size > limits_.max_section_bytes) {
    return "";
  }
  const char* name = elf_strptr(AsElf(elf_), sym->strtab, sym->name);
  if (name == nullptr || *name == '\0') return "";
  return Demangle(name, limits_.max_name_chars);
}

}  // namespace memwatch::nativeheap
