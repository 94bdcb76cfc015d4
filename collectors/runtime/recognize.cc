#include "collectors/runtime/recognize.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "collectors/base/read.h"
#include "collectors/procfs/files.h"
#include "collectors/procfs/procfs.h"

namespace memwatch::runtime {
namespace {

constexpr size_t kMaxSections = 1024;
constexpr size_t kMaxNames = 64 * 1024;
constexpr size_t kMaxMaps = 512 * 1024;  // libraries come early in maps

uint64_t Le(const std::string& b, size_t off, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(b[off + i]))
         << (8 * i);
  }
  return v;
}

bool StartsWith(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

}  // namespace

const char* RuntimeName(Runtime r) {
  switch (r) {
    case Runtime::kJvm:
      return "jvm";
    case Runtime::kNode:
      return "node";
    case Runtime::kGo:
      return "go";
    case Runtime::kPython:
      return "python";
    case Runtime::kNative:
      return "native";
    case Runtime::kUnknown:
      return "unknown";
  }
  return "unknown";
}

Runtime RuntimeFromExeName(std::string_view name) {
  if (name == "java" || name == "javaw") return Runtime::kJvm;
  if (name == "node" || name == "nodejs") return Runtime::kNode;
  if (StartsWith(name, "python") || StartsWith(name, "pypy"))
    return Runtime::kPython;
  return Runtime::kUnknown;
}

Runtime RuntimeFromMaps(std::string_view maps) {
  if (maps.find("/libjvm.so") != std::string_view::npos) return Runtime::kJvm;
  if (maps.find("/libnode.so") != std::string_view::npos) return Runtime::kNode;
  if (maps.find("/libpython") != std::string_view::npos)
    return Runtime::kPython;
  return Runtime::kUnknown;
}

bool ElfIsGo(const ReadAt& read) {
  std::string h;
  if (!read(0, 64, &h) || h.size() < 64) return false;
  // ELF64 (class 2), little-endian (data 1): what Go builds for linux/amd64
  // and arm64.
  if (h.compare(0, 4,
                "\x7f"
                "ELF") != 0 ||
      h[4] != 2 || h[5] != 1) {
    return false;
  }
  const uint64_t shoff = Le(h, 0x28, 8);
  const uint64_t shentsize = Le(h, 0x3a, 2);
  const uint64_t shnum = Le(h, 0x3c, 2);
  const uint64_t shstrndx = Le(h, 0x3e, 2);
  if (shentsize < 64 || shnum == 0 || shnum > kMaxSections ||
      shstrndx >= shnum) {
    return false;
  }
  std::string table;
  if (!read(shoff, shentsize * shnum, &table) ||
      table.size() < shentsize * shnum) {
    return false;
  }
  const size_t str = shstrndx * shentsize;
  const uint64_t names_off = Le(table, str + 0x18, 8);
  const uint64_t names_size =
      std::min<uint64_t>(Le(table, str + 0x20, 8), kMaxNames);
  std::string names;
  if (!read(names_off, names_size, &names)) return false;
  for (uint64_t i = 0; i < shnum; ++i) {
    const uint64_t name = Le(table, i * shentsize, 4);
    if (name >= names.size()) continue;
    const char* s = names.c_str() + name;
    const size_t len = strnlen(s, names.size() - name);
    std::string_view n(s, len);
    if (n == ".go.buildinfo" || n == ".gopclntab" || n == ".note.go.buildid") {
      return true;
    }
  }
  return false;
}

Runtime RecognizeRuntime(const std::string& procfs_root, int pid) {
  procfs::ProcFs fs(procfs_root);
  const std::string dir = std::to_string(pid);
  std::string link;
  if (fs.ReadLink(dir + "/exe", &link, nullptr)) {
    std::string path = procfs::CleanExePath(link);
    auto slash = path.rfind('/');
    std::string_view base(path);
    if (slash != std::string::npos) base.remove_prefix(slash + 1);
    if (auto r = RuntimeFromExeName(base); r != Runtime::kUnknown) return r;
  }
  std::string maps;
  if (ReadFilePrefix(procfs_root + "/" + dir + "/maps", kMaxMaps, &maps,
                     nullptr)) {
    if (auto r = RuntimeFromMaps(maps); r != Runtime::kUnknown) return r;
  }
  // Opening <pid>/exe opens the executable itself, wherever it is (also
  // inside another mount namespace), with the same permission as readlink.
  UniqueFd fd = OpenFile(procfs_root + "/" + dir + "/exe", nullptr);
  if (!fd.ok()) return Runtime::kUnknown;
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Runtime::kUnknown;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  ReadAt read = [&fd, size](uint64_t off, size_t len, std::string* out) {
    if (off > size || len > size - off) return false;
    return memwatch::ReadAt(fd.get(), off, len, out);
  };
  std::string magic;
  if (!read(0, 4, &magic) || magic !=
                                 "\x7f"
                                 "ELF")
    return Runtime::kUnknown;
  return ElfIsGo(read) ? Runtime::kGo : Runtime::kNative;
}

}  // namespace memwatch::runtime
