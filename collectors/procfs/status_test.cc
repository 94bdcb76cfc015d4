#include "collectors/procfs/status.h"

#include <gtest/gtest.h>

namespace memwatch::procfs {
namespace {

TEST(ParseStatus, ModernKernel) {
  std::string error;
  auto s = ParseStatus(
      "Name:\t(node a) b)\nState:\tS (sleeping)\nVmHWM:\t   12000 kB\n"
      "RssAnon:\t    8000 kB\nRssFile:\t1900 kB\nRssShmem:\t100 kB\n"
      "VmData:\t50000 kB\nVmSwap:\t64 kB\nThreads:\t7\n"
      "Cpus_allowed_list:\t0-3\n"
      "voluntary_ctxt_switches:\t321\nnonvoluntary_ctxt_switches:\t12\n",
      &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->name, "(node a) b)");
  EXPECT_EQ(s->Bytes("RssAnon"), 8000u * 1024);
  EXPECT_EQ(s->Bytes("RssFile"), 1900u * 1024);
  EXPECT_EQ(s->Bytes("RssShmem"), 100u * 1024);
  EXPECT_EQ(s->Bytes("VmHWM"), 12000u * 1024);
  EXPECT_EQ(s->Bytes("VmData"), 50000u * 1024);
  EXPECT_EQ(s->Bytes("VmSwap"), 64u * 1024);
  EXPECT_EQ(s->Counter("voluntary_ctxt_switches"), 321u);
  EXPECT_EQ(s->Counter("nonvoluntary_ctxt_switches"), 12u);
  EXPECT_EQ(s->Counter("Threads"), 7u);
  EXPECT_FALSE(s->Counter("Cpus_allowed_list"));
  EXPECT_FALSE(s->Bytes("State"));
}

TEST(ParseStatus, OldKernelAndKernelThreadLackFields) {
  auto s = ParseStatus("Name:\tkworker/0:1\nThreads:\t1\n", nullptr);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->Bytes("RssAnon"));
  EXPECT_FALSE(s->Bytes("VmHWM"));
  EXPECT_EQ(s->Counter("Threads"), 1u);
}

TEST(ParseStatus, TruncatedLastLineIsSkipped) {
  auto s = ParseStatus("Name:\tx\nVmHWM:\t12 kB\nRssAnon:\t  80", nullptr);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->Bytes("VmHWM"), 12u * 1024);
  EXPECT_FALSE(s->Bytes("RssAnon"));
}

TEST(ParseStatus, GarbageFails) {
  std::string error;
  EXPECT_FALSE(ParseStatus("", &error));
  EXPECT_FALSE(ParseStatus("no keys here\n", &error));
  EXPECT_NE(error.find("status"), std::string::npos);
}

// The one-pass parse gives what the lookups by key give, on every text the
// lookups were tested with, plus duplicated and malformed keys.
TEST(ParseStatusFields, SameAsLookupsByKey) {
  const char* texts[] = {
      "Name:\t(node a) b)\nState:\tS (sleeping)\nVmHWM:\t   12000 kB\n"
      "RssAnon:\t    8000 kB\nRssFile:\t1900 kB\nRssShmem:\t100 kB\n"
      "VmData:\t50000 kB\nVmSwap:\t64 kB\nThreads:\t7\n"
      "voluntary_ctxt_switches:\t321\nnonvoluntary_ctxt_switches:\t12\n",
      "Name:\tkworker/0:1\nThreads:\t1\n",
      "Name:\tx\nVmHWM:\t12 kB\nRssAnon:\t  80",
      "VmHWM:\tbad kB\nVmHWM:\t5 kB\nVmData:\t7 MB\nVmSwap:\t1 kB extra\n"
      "voluntary_ctxt_switches:\t-1\nnonvoluntary_ctxt_switches:\t3 4\n",
  };
  for (const char* text : texts) {
    SCOPED_TRACE(text);
    auto f = ParseStatusFields(text, nullptr);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->rss_anon_bytes, StatusBytes(text, "RssAnon"));
    EXPECT_EQ(f->rss_shmem_bytes, StatusBytes(text, "RssShmem"));
    EXPECT_EQ(f->vm_hwm_bytes, StatusBytes(text, "VmHWM"));
    EXPECT_EQ(f->vm_data_bytes, StatusBytes(text, "VmData"));
    EXPECT_EQ(f->vm_swap_bytes, StatusBytes(text, "VmSwap"));
    EXPECT_EQ(f->voluntary_ctxt_switches,
              StatusCounter(text, "voluntary_ctxt_switches"));
    EXPECT_EQ(f->nonvoluntary_ctxt_switches,
              StatusCounter(text, "nonvoluntary_ctxt_switches"));
  }
  auto f = ParseStatusFields(texts[0], nullptr);
  EXPECT_EQ(f->vm_hwm_bytes, 12000u * 1024);
  EXPECT_EQ(f->nonvoluntary_ctxt_switches, 12u);
  std::string error;
  EXPECT_FALSE(ParseStatusFields("no keys here\n", &error));
  EXPECT_NE(error.find("status"), std::string::npos);
}

}  // namespace
}  // namespace memwatch::procfs
