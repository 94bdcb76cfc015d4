#include "collectors/diff/mappings.h"

#include <gtest/gtest.h>

#include "collectors/procfs/smaps.h"

namespace memwatch::diff {
namespace {

using procfs::ParseSmaps;

const char kSmaps[] =
    "55d0-55d2 r--p 00000000 fe:00 247498                     /usr/bin/app\n"
    "Size:                  8 kB\n"
    "Rss:                   8 kB\n"
    "Private_Clean:         8 kB\n"
    "VmFlags: rd mr mw me \n"
    "5600-5700 rw-p 00000000 00:00 0                          [heap]\n"
    "Rss:                1024 kB\n"
    "Private_Dirty:      1024 kB\n"
    "7f00-7f10 rw-p 00000000 00:00 0 \n"
    "Rss:                  64 kB\n"
    "Private_Dirty:        64 kB\n"
    "Swap:                  4 kB\n";

TEST(Smaps, Parses) {
  std::string error;
  auto m = ParseSmaps(kSmaps, 100, &error);
  ASSERT_TRUE(m) << error;
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].what, "/usr/bin/app");
  EXPECT_EQ((*m)[0].start, 0x55d0u);
  EXPECT_EQ((*m)[1].what, "[heap]");
  EXPECT_EQ((*m)[1].rss_bytes, 1024u * 1024);
  EXPECT_EQ((*m)[2].what, "[anon]");
  EXPECT_EQ((*m)[2].private_bytes, 64u * 1024);
  EXPECT_EQ((*m)[2].swap_bytes, 4096u);
  EXPECT_FALSE(ParseSmaps(kSmaps, 2, &error));  // cut short is an error
  EXPECT_NE(error.find("more than 2"), std::string::npos);
}

TEST(Smaps, HostileLinesAreIgnored) {
  std::string error;
  auto m = ParseSmaps(
      "zz-yy rw-p\nRss: 1 kB\n7f-7e rw-p 0 0 0\n7f00-7f10 rw-p 0 00:00 0\n"
      "Rss: 99999999999999999999 kB\nRss: 12 MB\n",
      10, &error);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->size(), 1u);  // end < start and non-hex headers are skipped
  EXPECT_EQ((*m)[0].rss_bytes, 0u);
}

TEST(Aggregate, DiffOfTotalsByWhat) {
  std::string error;
  auto before = *ParseSmaps(kSmaps, 100, &error);
  auto after = before;
  after[1].rss_bytes += 2 << 20;  // the heap grew 2 MiB
  Mapping extra;
  extra.start = 0x9000;
  extra.end = 0x9100;
  extra.what = "[anon]";
  extra.rss_bytes = 256 << 10;
  after.push_back(extra);
  after.erase(after.begin());  // the binary's mapping went away
  Aggregate a, b;
  AddToAggregate(before, &a);
  AddToAggregate(after, &b);
  EXPECT_EQ(a.mappings, 3u);
  DiffResult d = DiffAggregates(a, b, 2);
  EXPECT_EQ(d.before.nodes, 3u);
  EXPECT_EQ(d.after.nodes, 3u);
  ASSERT_EQ(d.details.size(), 2u);  // capped: the 8 kB binary is cut
  EXPECT_EQ(d.details[0].what, "[heap]");
  EXPECT_EQ(d.details[0].size_bytes, 2 << 20);
  EXPECT_EQ(d.details[0].plus, 0u);
  EXPECT_EQ(d.details[1].what, "[anon]");
  EXPECT_EQ(d.details[1].size_bytes, 256 << 10);
  EXPECT_EQ(d.details[1].plus, 1u);
  EXPECT_EQ(d.allocated_nodes, 1u);
  EXPECT_EQ(d.freed_nodes, 1u);  // counted even though cut from details
  nlohmann::json j = ToJson(d);
  EXPECT_EQ(j["change"]["size_bytes"], static_cast<int64_t>(b.rss_bytes) -
                                           static_cast<int64_t>(a.rss_bytes));
  EXPECT_EQ(j["change"]["details"][0]["+"], 0);
}

TEST(Aggregate, CapKeepsTheLargestAndSumsTheRest) {
  std::vector<Mapping> m;
  for (int i = 0; i < 10; ++i) {
    Mapping x;
    x.start = static_cast<uint64_t>(i) << 12;
    x.end = x.start + 4096;
    x.what = "/lib/" + std::to_string(i);
    x.rss_bytes = static_cast<uint64_t>(i + 1) * 4096;
    m.push_back(x);
  }
  Aggregate a;
  AddToAggregate(m, &a);
  Cap(&a, 4);
  ASSERT_EQ(a.groups.size(), 4u);
  EXPECT_TRUE(a.groups.count("/lib/9"));
  EXPECT_TRUE(a.groups.count("/lib/7"));
  EXPECT_FALSE(a.groups.count("/lib/6"));
  EXPECT_EQ(a.groups[kOtherGroup].mappings, 7u);
  EXPECT_EQ(a.groups[kOtherGroup].rss_bytes,
            (1 + 2 + 3 + 4 + 5 + 6 + 7) * 4096u);
  EXPECT_EQ(a.mappings, 10u);  // totals are not affected
}

TEST(Smaps, DiffInMemwatchShape) {
  std::string error;
  auto before = *ParseSmaps(kSmaps, 100, &error);
  auto after = before;
  after[1].rss_bytes += 2 << 20;   // the heap grew 2 MiB
  after.erase(after.begin() + 2);  // the anonymous mapping was unmapped
  Mapping fresh;
  fresh.start = 0x8000;
  fresh.end = 0x9000;
  fresh.what = "[anon]";
  fresh.rss_bytes = 4096;
  after.push_back(fresh);
  nlohmann::json d = Diff(before, after, 10);
  EXPECT_EQ(d["before"]["nodes"], 3);
  EXPECT_EQ(d["after"]["nodes"], 3);
  EXPECT_EQ(d["change"]["size_bytes"], (2 << 20) - 64 * 1024 + 4096);
  EXPECT_EQ(d["change"]["freed_nodes"], 1);
  EXPECT_EQ(d["change"]["allocated_nodes"], 1);
  ASSERT_EQ(d["change"]["details"].size(), 2u);
  EXPECT_EQ(d["change"]["details"][0]["what"], "[heap]");  // largest first
  EXPECT_EQ(d["change"]["details"][0]["size"], "2 mb");
  EXPECT_EQ(d["change"]["details"][1]["what"], "[anon]");
  EXPECT_EQ(d["change"]["details"][1]["+"], 1);
  EXPECT_EQ(d["change"]["details"][1]["-"], 1);
}

}  // namespace
}  // namespace memwatch::diff
