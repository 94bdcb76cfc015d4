#include "collectors/procfs/stat.h"

#include <gtest/gtest.h>

namespace memwatch::procfs {
namespace {

TEST(ParseStat, CommWithSpacesAndParens) {
  std::string error;
  auto s = ParseStat(
      "100 ((node a) b)) S 1 100 100 0 -1 4194560 1234 0 5 0 150 50 0 0 20 0 "
      "7 0 1000 1000000000 2500 18446744073709551615 1 1\n",
      &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->pid, 100);
  EXPECT_EQ(s->comm, "(node a) b)");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 1);
  EXPECT_EQ(s->minflt, 1234u);
  EXPECT_EQ(s->majflt, 5u);
  EXPECT_EQ(s->utime_ticks, 150u);
  EXPECT_EQ(s->stime_ticks, 50u);
  EXPECT_EQ(s->num_threads, 7);
  EXPECT_EQ(s->starttime_ticks, 1000u);
  EXPECT_EQ(s->vsize_bytes, 1000000000u);
  EXPECT_EQ(s->rss_pages, 2500);
}

TEST(ParseStat, CommThatLooksLikeFields) {
  // A hostile comm must not shift the fields.
  auto s = ParseStat(
      "7 (a) R 1 2 3 4) S 1 7 7 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 9 10 11\n",
      nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->comm, "a) R 1 2 3 4");
  EXPECT_EQ(s->utime_ticks, 3u);
  EXPECT_EQ(s->rss_pages, 11);
}

TEST(ParseStat, EmptyComm) {
  auto s = ParseStat("7 () S 1 7 7 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 9 10 11",
                     nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->comm, "");
}

TEST(ParseStat, Errors) {
  struct Case {
    const char* text;
    const char* error_part;
  };
  for (const Case& c : {
           Case{"", "no \"(comm)\""},
           Case{"12 no parens", "no \"(comm)\""},
           Case{"x (a) S 1 1 1 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 9 10 11",
                "bad pid"},
           Case{"300 (short) S 1 300 300 0 -1 4194560 10 0 0", "truncated"},
           Case{"7 (a) S 1 7 7 0 -1 0 1 0 2 0 x 4 0 0 20 0 1 0 9 10 11",
                "field 14"},
           Case{"7 (a) S 1 7 7 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 9 10 z", "24"},
           Case{"7 (a) SS 1 7 7 0 -1 0 1 0 2 0 3 4 0 0 20 0 1 0 9 10 1",
                "state"},
       }) {
    std::string error;
    EXPECT_FALSE(ParseStat(c.text, &error)) << c.text;
    EXPECT_NE(error.find(c.error_part), std::string::npos)
        << c.text << " -> " << error;
  }
}

}  // namespace
}  // namespace memwatch::procfs
