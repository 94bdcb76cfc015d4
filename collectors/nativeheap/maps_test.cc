#include "collectors/nativeheap/maps.h"

#include <gtest/gtest.h>

namespace memwatch::nativeheap {
namespace {

constexpr char kDynamic[] =
    "55d0c0a00000-55d0c0a01000 r--p 00000000 08:01 1001 /opt/app/leaky\n"
    "55d0c0a01000-55d0c0a02000 r-xp 00001000 08:01 1001 /opt/app/leaky\n"
    "55d0c1f00000-55d0c1f21000 rw-p 00000000 00:00 0 [heap]\n"
    "7f1e2a000000-7f1e2a026000 r--p 00000000 08:01 2002 "
    "/usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "7f1e2a026000-7f1e2a17b000 r-xp 00026000 08:01 2002 "
    "/usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "7f1e2a200000-7f1e2a2a0000 r-xp 00090000 08:01 3003 "
    "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30\n"
    "7f1e2a300000-7f1e2a301000 rw-p 00000000 00:00 0 \n"
    "7ffd1c7f2000-7ffd1c7f4000 r-xp 00000000 00:00 0 [vdso]\n";

TEST(ParseMaps, FieldsPathsAndAnonymous) {
  std::string error;
  auto maps = ParseMaps(kDynamic, 100, &error);
  ASSERT_TRUE(maps) << error;
  ASSERT_EQ(maps->size(), 8u);
  const Mapping& text = (*maps)[1];
  EXPECT_EQ(text.start, 0x55d0c0a01000u);
  EXPECT_EQ(text.end, 0x55d0c0a02000u);
  EXPECT_EQ(text.offset, 0x1000u);
  EXPECT_TRUE(text.executable);
  EXPECT_EQ(text.inode, 1001u);
  EXPECT_EQ(text.path, "/opt/app/leaky");
  EXPECT_FALSE((*maps)[0].executable);
  EXPECT_EQ((*maps)[2].path, "[heap]");
  EXPECT_EQ((*maps)[6].path, "");
}

TEST(ParseMaps, SpacesAndDeletedInPath) {
  auto maps = ParseMaps(
      "1000-2000 r-xp 00000000 08:01 7 /tmp/my app/lib x.so (deleted)\n", 10,
      nullptr);
  ASSERT_TRUE(maps);
  EXPECT_EQ((*maps)[0].path, "/tmp/my app/lib x.so");
  EXPECT_TRUE((*maps)[0].deleted);
}

TEST(ParseMaps, RejectsMalformedAndTooMany) {
  std::string error;
  EXPECT_FALSE(ParseMaps("zz-10 r-xp 0 08:01 1 /x\n", 10, &error));
  EXPECT_EQ(error, "maps line 1 is malformed");
  EXPECT_FALSE(ParseMaps("2000-1000 r-xp 0 08:01 1 /x\n", 10, nullptr));
  EXPECT_FALSE(ParseMaps("1000-2000 r-x 0 08:01 1 /x\n", 10, nullptr));
  EXPECT_FALSE(ParseMaps("1000-2000 r-xp 0 08:01\n", 10, nullptr));
  EXPECT_FALSE(ParseMaps(kDynamic, 3, &error));
  EXPECT_EQ(error, "more than 3 mappings");
  EXPECT_TRUE(ParseMaps("", 3, nullptr)->empty());
}

TEST(FindAllocator, GlibcAndLibstdcxx) {
  auto maps = ParseMaps(kDynamic, 100, nullptr);
  std::string error;
  auto a = FindAllocator(*maps, &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->libc, "/usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(a->libstdcxx, "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30");
}

TEST(FindAllocator, OldGlibcName) {
  auto maps = ParseMaps("1000-2000 r-xp 00000000 08:01 7 /lib64/libc-2.17.so\n",
                        10, nullptr);
  auto a = FindAllocator(*maps, nullptr);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->libc, "/lib64/libc-2.17.so");
  EXPECT_EQ(a->libstdcxx, "");
}

TEST(FindAllocator, StaticBinary) {
  auto maps = ParseMaps(
      "400000-401000 r-xp 00000000 08:01 7 /opt/static\n"
      "7ffd1c7f2000-7ffd1c7f4000 r-xp 00000000 00:00 0 [vdso]\n",
      10, nullptr);
  std::string error;
  EXPECT_FALSE(FindAllocator(*maps, &error));
  EXPECT_EQ(error, "statically linked (no shared libc in its mappings)");
}

TEST(FindAllocator, RefusesOtherAllocators) {
  std::string error;
  auto jemalloc =
      ParseMaps(std::string(kDynamic) +
                    "7f0000000000-7f0000100000 r-xp 00000000 08:01 9 "
                    "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n",
                100, nullptr);
  EXPECT_FALSE(FindAllocator(*jemalloc, &error));
  EXPECT_NE(error.find("jemalloc"), std::string::npos) << error;
  auto musl =
      ParseMaps("1000-2000 r-xp 00000000 08:01 7 /lib/ld-musl-x86_64.so.1\n",
                10, nullptr);
  EXPECT_FALSE(FindAllocator(*musl, &error));
  EXPECT_NE(error.find("musl"), std::string::npos) << error;
  auto no_libc = ParseMaps(
      "1000-2000 r-xp 00000000 08:01 7 /usr/lib/libfoo.so\n", 10, nullptr);
  EXPECT_FALSE(FindAllocator(*no_libc, &error));
  EXPECT_EQ(error, "no glibc libc.so.6 in its mappings");
}

TEST(FindAllocator, DeletedLibc) {
  auto maps = ParseMaps(
      "1000-2000 r-xp 00000000 08:01 7 /usr/lib/libc.so.6 (deleted)\n", 10,
      nullptr);
  std::string error;
  EXPECT_FALSE(FindAllocator(*maps, &error));
  EXPECT_NE(error.find("replaced on disk"), std::string::npos) << error;
}

TEST(FindExecutableMapping, InsideOutsideAndNotExecutable) {
  auto maps = ParseMaps(kDynamic, 100, nullptr);
  const Mapping* m = FindExecutableMapping(*maps, 0x55d0c0a01234);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->path, "/opt/app/leaky");
  EXPECT_EQ(FindExecutableMapping(*maps, 0x55d0c0a00010), nullptr);  // r--p
  EXPECT_EQ(FindExecutableMapping(*maps, 0x55d0c0a02000), nullptr);  // end
  EXPECT_EQ(FindExecutableMapping(*maps, 0x10), nullptr);
  EXPECT_EQ(FindExecutableMapping(*maps, 0x7f1e2a17afff)->path,
            "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

TEST(InnermostNsPid, LastNumberOfTheLine) {
  EXPECT_EQ(InnermostNsPid("Name:\tx\nNSpid:\t4242\t7\t1\nNStgid:\t4242\n"),
            1u);
  EXPECT_EQ(InnermostNsPid("Name:\tx\nNSpid:\t4242\n"), 4242u);
  EXPECT_EQ(InnermostNsPid("Name:\tx\n"), std::nullopt);
  EXPECT_EQ(InnermostNsPid("Name:\tx\nNSpid:\t\n"), std::nullopt);
  EXPECT_EQ(InnermostNsPid("Name:\tx\nNSpid:\tabc\n"), std::nullopt);
}

TEST(BaseName, LastComponent) {
  EXPECT_EQ(BaseName("/usr/lib/libc.so.6"), "libc.so.6");
  EXPECT_EQ(BaseName("libc.so.6"), "libc.so.6");
}

}  // namespace
}  // namespace memwatch::nativeheap
