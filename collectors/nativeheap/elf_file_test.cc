// The libelf reader on this test's own executable: it must name one of its
// functions from the address the running code has.
#include "collectors/nativeheap/elf_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "collectors/base/read.h"
#include "collectors/nativeheap/maps.h"

namespace memwatch::nativeheap {

// Not static, not inlined: a symbol of its own in .symtab.
__attribute__((noinline)) int SymbolizeMeFunction(int x) { return x * 3 + 1; }

namespace {

std::vector<Mapping> OwnMappings() {
  std::string text, error;
  EXPECT_TRUE(ReadFile("/proc/self/maps", &text, &error, nullptr, 16 << 20))
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
  std::string error;
  UniqueFd fd = OpenFile(m->path, &error);
  ASSERT_TRUE(fd.ok()) << error;
  auto elf = ElfFile::Read(fd.get(), ElfLimits(), &error);
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
  EXPECT_EQ(SymbolizeMeFunction(1), 4);
}

TEST(ElfFile, BoundedSymbolCount) {
  std::vector<Mapping> maps = OwnMappings();
  const Mapping* m = FindExecutableMapping(
      maps, reinterpret_cast<uint64_t>(&SymbolizeMeFunction));
  ASSERT_NE(m, nullptr);
  std::string error;
  UniqueFd fd = OpenFile(m->path, &error);
  ASSERT_TRUE(fd.ok()) << error;
  ElfLimits limits;
  limits.max_symbols = 5;
  auto elf = ElfFile::Read(fd.get(), limits, &error);
  ASSERT_NE(elf, nullptr) << error;
  EXPECT_LE(elf->symbols().size(), 5u);
  EXPECT_TRUE(elf->symbols().truncated());
  elf.reset();
}

TEST(ElfFile, RefusesWhatIsNotElf) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string p = std::string(tmp ? tmp : "/tmp") + "/not_elf";
  {
    std::ofstream f(p);
    f << "just text, not an ELF file\n";
  }
  std::string error;
  UniqueFd fd = OpenFile(p, &error);
  ASSERT_TRUE(fd.ok()) << error;
  EXPECT_EQ(ElfFile::Read(fd.get(), ElfLimits(), &error), nullptr);
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace memwatch::nativeheap
