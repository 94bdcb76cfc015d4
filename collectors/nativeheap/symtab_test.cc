#include "collectors/nativeheap/symtab.h"

#include <gtest/gtest.h>

namespace memwatch::nativeheap {
namespace {

TEST(FileOffsetToAddress, ThroughLoadSegments) {
  // A PIE: text at file offset 0x1000 loaded at 0x1000; data shifted.
  std::vector<Segment> segs = {
      {0x0, 0x0, 0x800}, {0x1000, 0x1000, 0x2000}, {0x3000, 0x4000, 0x500}};
  uint64_t a = 0;
  ASSERT_TRUE(FileOffsetToAddress(segs, 0x1234, &a));
  EXPECT_EQ(a, 0x1234u);
  ASSERT_TRUE(FileOffsetToAddress(segs, 0x3010, &a));
  EXPECT_EQ(a, 0x4010u);
  EXPECT_FALSE(FileOffsetToAddress(segs, 0x3500, &a));
  uint64_t off = 0;
  ASSERT_TRUE(AddressToFileOffset(segs, 0x4010, &off));
  EXPECT_EQ(off, 0x3010u);
  EXPECT_FALSE(AddressToFileOffset(segs, 0x9000, &off));
}

SymbolTable Table() {
  SymbolTable t(100);
  t.Add({0x3000, 0x100, 0, 3});
  t.Add({0x1000, 0x80, 0, 1});
  t.Add({0x1000, 0, 0, 9});     // the same function from .dynsym, unsized
  t.Add({0x2000, 0, 0, 2});     // unsized
  t.Add({0x3040, 0x10, 0, 4});  // inside 0x3000's range
  t.Seal();
  return t;
}

TEST(SymbolTable, LookupSizedUnsizedAndGaps) {
  SymbolTable t = Table();
  EXPECT_EQ(t.size(), 4u);  // the duplicate merged, the sized one kept
  ASSERT_NE(t.Lookup(0x1000), nullptr);
  EXPECT_EQ(t.Lookup(0x1000)->name, 1u);
  EXPECT_EQ(t.Lookup(0x107f)->name, 1u);
  EXPECT_EQ(t.Lookup(0x1080), nullptr);   // past the sized symbol
  EXPECT_EQ(t.Lookup(0x2abc)->name, 2u);  // nearest unsized
  EXPECT_EQ(t.Lookup(0x3044)->name, 4u);  // the innermost
  EXPECT_EQ(t.Lookup(0x3080)->name, 3u);  // the outer one again
  EXPECT_EQ(t.Lookup(0x3100), nullptr);
  EXPECT_EQ(t.Lookup(0x10), nullptr);
}

TEST(SymbolTable, BoundedCount) {
  SymbolTable t(2);
  EXPECT_TRUE(t.Add({1, 1, 0, 0}));
  EXPECT_TRUE(t.Add({2, 1, 0, 0}));
  EXPECT_FALSE(t.Add({3, 1, 0, 0}));
  t.Seal();
  EXPECT_TRUE(t.truncated());
  EXPECT_EQ(t.size(), 2u);
}

TEST(Demangle, CxxNamesAndPlainOnes) {
  EXPECT_EQ(Demangle("_ZN10LeakyCache6InsertEi", 256),
            "LeakyCache::Insert(int)");
  EXPECT_EQ(Demangle("leaky_function", 256), "leaky_function");
  EXPECT_EQ(Demangle("_Znot_valid", 256), "_Znot_valid");
  EXPECT_EQ(Demangle("_ZN10LeakyCache6InsertEi", 10), "LeakyCa...");
}

TEST(FormatStack, InnermostFirst) {
  EXPECT_EQ(FormatStack({"leaky_function", "main", "__libc_start_call_main"}),
            "leaky_function <- main <- __libc_start_call_main");
  EXPECT_EQ(FormatStack({}), "[no stack]");
}

}  // namespace
}  // namespace memwatch::nativeheap
