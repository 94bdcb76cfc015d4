// The libelf reader on this test's own executable: it must name one of its
// functions from the address the running code has.
#include "collectors/nativeheap/elf_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "collectors/nativeheap/maps.h"
#include "collectors/procfs/procfs.h"

namespace memwatch::nativeheap {

// Not static, not inlined: a symbol of its own in .symtab.
__attribute__((noinline)) int SymbolizeMeFunction(int x) { return x * 3 + 1; }

namespace {

std::vector<Mapping> OwnMappings() {
  std::string text, error;
  EXPECT_TRUE(procfs::ReadWholeFile("/proc/self/maps", &text, &error, nullptr,
                                    16 << 20))
      << error;
  auto maps = ParseMaps(text, 100000, &error);
  EXPECT_TRUE(maps) << error;
  return maps ? *maps : std::vector<Mapping>{};
}

TEST(ElfFile, NamesAFunctionOfThisBinary) {
  const uint64_t address = reinterpret_cast<uint64_t>(&SymbolizeMeFunction) + 2;
  std::vector<Mapping> maps = OwnMappings();
  const Mapping* m = FindExecutableMapping(maps, address);
  ASSERT_NE(m, nullptr);
  int fd = ::open(m->path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0) << m->path;
  std::string error;
  auto elf = ElfFile::Read(fd, ElfLimits(), &error);
  ASSERT_NE(elf, nullptr) << error;
  EXPECT_GT(elf->symbols().size(), 10u);
  EXPECT_FALSE(elf->segments().empty());
  EXPECT_EQ(elf->NameAtOffset(address - m->start + m->offset),
            "memwatch::nativeheap::SymbolizeMeFunction(int)");
  auto offsets = elf->FunctionOffsets(
      {"_ZN8memwatch10nativeheap19SymbolizeMeFunctionEi", "no_such_fn"});
  EXPECT_EQ(offsets.size(), 1u);
  EXPECT_EQ(
      offsets.begin()->second,
      reinterpret_cast<uint64_t>(&SymbolizeMeFunction) - m->start + m->offset);
  elf.reset();
  ::close(fd);
  EXPECT_EQ(SymbolizeMeFunction(1), 4);
}

TEST(ElfFile, BoundedSymbolCount) {
  std::vector<Mapping> maps = OwnMappings();
  const Mapping* m = FindExecutableMapping(
      maps, reinterpret_cast<uint64_t>(&SymbolizeMeFunction));
  ASSERT_NE(m, nullptr);
  int fd = ::open(m->path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ElfLimits limits;
  limits.max_symbols = 5;
  std::string error;
  auto elf = ElfFile::Read(fd, limits, &error);
  ASSERT_NE(elf, nullptr) << error;
  EXPECT_LE(elf->symbols().size(), 5u);
  EXPECT_TRUE(elf->symbols().truncated());
  elf.reset();
  ::close(fd);
}

TEST(ElfFile, RefusesWhatIsNotElf) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string p = std::string(tmp ? tmp : "/tmp") + "/not_elf";
  {
    std::ofstream f(p);
    f << "just text, not an ELF file\n";
  }
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  std::string error;
  EXPECT_EQ(ElfFile::Read(fd, ElfLimits(), &error), nullptr);
  EXPECT_FALSE(error.empty());
  ::close(fd);
}

}  // namespace
}  // namespace memwatch::nativeheap
