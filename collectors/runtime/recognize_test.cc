#include "collectors/runtime/recognize.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace memwatch::runtime {
namespace {

TEST(Recognize, ExeNames) {
  EXPECT_EQ(RuntimeFromExeName("java"), Runtime::kJvm);
  EXPECT_EQ(RuntimeFromExeName("node"), Runtime::kNode);
  EXPECT_EQ(RuntimeFromExeName("python3.11"), Runtime::kPython);
  EXPECT_EQ(RuntimeFromExeName("postgres"), Runtime::kUnknown);
}

TEST(Recognize, Maps) {
  EXPECT_EQ(RuntimeFromMaps("7f00-7f01 r-xp 0 08:01 1 "
                            "/usr/lib/jvm/java-17/lib/server/libjvm.so\n"),
            Runtime::kJvm);
  EXPECT_EQ(RuntimeFromMaps("... /usr/lib/libpython3.11.so.1.0\n"),
            Runtime::kPython);
  EXPECT_EQ(RuntimeFromMaps("... /usr/lib/libc.so.6\n"), Runtime::kUnknown);
}

// A reader over an in-memory file.
ReadAt Over(const std::string& file) {
  return [file](uint64_t off, size_t n, std::string* out) {
    if (off > file.size() || n > file.size() - off) return false;
    *out = file.substr(off, n);
    return true;
  };
}

void PutLe(std::string* b, size_t off, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i)
    (*b)[off + i] = static_cast<char>(v >> (8 * i));
}

// A minimal ELF64 with a section-name table naming `section`.
std::string Elf(const std::string& section) {
  std::string names = std::string("\0.shstrtab\0", 11) + section + '\0';
  std::string f(64, '\0');
  f.replace(0, 4,
            "\x7f"
            "ELF");
  f[4] = 2;
  f[5] = 1;
  const size_t names_off = f.size();
  f += names;
  const size_t shoff = f.size();
  f += std::string(64 * 3, '\0');
  PutLe(&f, 0x28, shoff, 8);
  PutLe(&f, 0x3a, 64, 2);
  PutLe(&f, 0x3c, 3, 2);
  PutLe(&f, 0x3e, 1, 2);
  PutLe(&f, shoff + 64 + 0, 1, 4);  // section 1: .shstrtab
  PutLe(&f, shoff + 64 + 0x18, names_off, 8);
  PutLe(&f, shoff + 64 + 0x20, names.size(), 8);
  PutLe(&f, shoff + 128 + 0, 11, 4);  // section 2: `section`
  return f;
}

TEST(Recognize, ElfGoSections) {
  EXPECT_TRUE(ElfIsGo(Over(Elf(".go.buildinfo"))));
  EXPECT_TRUE(ElfIsGo(Over(Elf(".gopclntab"))));
  EXPECT_FALSE(ElfIsGo(Over(Elf(".text"))));
}

TEST(Recognize, MalformedElfIsNotGo) {
  std::string f = Elf(".go.buildinfo");
  EXPECT_FALSE(ElfIsGo(Over(f.substr(0, 63))));  // truncated header
  std::string bad = f;
  PutLe(&bad, 0x3c, 60000, 2);  // absurd section count
  EXPECT_FALSE(ElfIsGo(Over(bad)));
  bad = f;
  PutLe(&bad, 0x28, uint64_t{1} << 62, 8);  // table beyond the file
  EXPECT_FALSE(ElfIsGo(Over(bad)));
  bad = f;
  PutLe(&bad, 0x3e, 7, 2);  // name table index out of range
  EXPECT_FALSE(ElfIsGo(Over(bad)));
}

TEST(Recognize, ThisTestIsNative) {
  EXPECT_EQ(RecognizeRuntime("/proc", static_cast<int>(getpid())),
            Runtime::kNative);
  EXPECT_EQ(RecognizeRuntime("/proc", 999999999), Runtime::kUnknown);
}

}  // namespace
}  // namespace memwatch::runtime
