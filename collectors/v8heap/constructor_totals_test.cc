#include "collectors/v8heap/constructor_totals.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "collectors/base/fixtures.h"
#include "collectors/v8heap/diff.h"

namespace memwatch::v8heap {
namespace {

std::string InspectorFixture(const std::string& name) {
  return FixturePath("inspector/" + name);
}

// The streamed totals are what reducing the whole snapshot gives.
void ExpectSameAsTotalsOf(const diff::Counts& streamed,
                          const HeapSnapshot& whole) {
  const diff::Counts reduced = TotalsOf(whole);
  EXPECT_EQ(streamed.count, reduced.count);
  EXPECT_EQ(streamed.bytes, reduced.bytes);
  ASSERT_EQ(streamed.groups.size(), reduced.groups.size());
  for (const auto& [what, g] : reduced.groups) {
    auto it = streamed.groups.find(what);
    ASSERT_NE(it, streamed.groups.end()) << what;
    EXPECT_EQ(it->second.count, g.count) << what;
    EXPECT_EQ(it->second.bytes, g.bytes) << what;
  }
}

TEST(ConstructorTotals, TinyFixture) {
  std::string error;
  const std::string path = InspectorFixture("tiny.heapsnapshot");
  auto totals = ParseConstructorTotalsFile(path, Limits(), &error);
  ASSERT_TRUE(totals) << error;
  EXPECT_EQ(totals->count, 5u);
  EXPECT_EQ(totals->bytes, 16u + 16 + 24 + 32);
  EXPECT_EQ(totals->groups["LeakyThing"].count, 2u);
  EXPECT_EQ(totals->groups["String"].count, 2u);
  auto whole = ParseHeapSnapshotFile(path, Limits(), &error);
  ASSERT_TRUE(whole) << error;
  ExpectSameAsTotalsOf(*totals, *whole);
}

const char kMeta[] =
    R"({"snapshot":{"meta":{"node_fields":["type","name","id","self_size"],)"
    R"("node_types":[["hidden","object","array"]]}},)";

TEST(ConstructorTotals, ObjectsByNameOthersByTypeAndMerged) {
  // Two name indices with the same text count as one constructor; an object
  // named "Array" joins the array nodes; an empty name is "(anonymous)".
  const std::string text =
      std::string(kMeta) +
      R"("nodes":[1,0,1,10, 1,1,2,20, 1,2,3,5, 2,9,4,7, 1,3,5,1, 0,0,6,2],)"
      R"("strings":["A","A","Array","","x"]})";
  std::string error;
  auto t = ParseConstructorTotalsText(text, Limits(), &error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(t->count, 6u);
  EXPECT_EQ(t->bytes, 45u);
  EXPECT_EQ(t->groups["A"].count, 2u);
  EXPECT_EQ(t->groups["A"].bytes, 30u);
  EXPECT_EQ(t->groups["Array"].count, 2u);  // the object and the array
  EXPECT_EQ(t->groups["Array"].bytes, 12u);
  EXPECT_EQ(t->groups["(anonymous)"].count, 1u);
  EXPECT_EQ(t->groups["Hidden"].count, 1u);
  EXPECT_EQ(t->groups.count("x"), 0u);  // a string no object is named by
  auto whole = ParseHeapSnapshotText(text, Limits(), &error);
  ASSERT_TRUE(whole) << error;
  ExpectSameAsTotalsOf(*t, *whole);
}

TEST(ConstructorTotals, DistinctNamesAreBounded) {
  const std::string text = std::string(kMeta) +
                           R"("nodes":[1,0,1,1, 1,1,2,1, 1,2,3,1],)"
                           R"("strings":["A","B","C"]})";
  Limits limits;
  limits.max_constructors = 2;
  std::string error;
  EXPECT_FALSE(ParseConstructorTotalsText(text, limits, &error));
  EXPECT_NE(error.find("more than 2 constructor names"), std::string::npos)
      << error;
  limits.max_constructors = 3;
  EXPECT_TRUE(ParseConstructorTotalsText(text, limits, &error)) << error;
}

// Real snapshots written by node at test time: the totals diff sees the
// classes created and freed between them, as the diff by id does.
TEST(ConstructorTotals, RealNodeSnapshots) {
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node not installed";
  }
  const std::string dir = TestTmpDir() + "/totals";
  const int n = 2000;
  const std::string cmd = "mkdir -p " + dir + " && node " +
                          InspectorFixture("make_snapshots.js") + " " + dir +
                          " " + std::to_string(n);
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::string error;
  for (const char* file : {"/before.heapsnapshot", "/after.heapsnapshot"}) {
    auto totals = ParseConstructorTotalsFile(dir + file, Limits(), &error);
    ASSERT_TRUE(totals) << error;
    auto whole = ParseHeapSnapshotFile(dir + file, Limits(), &error);
    ASSERT_TRUE(whole) << error;
    EXPECT_GT(totals->count, 10000u);
    ExpectSameAsTotalsOf(*totals, *whole);
  }
  auto before = ParseConstructorTotalsFile(dir + "/before.heapsnapshot",
                                           Limits(), &error);
  auto after =
      ParseConstructorTotalsFile(dir + "/after.heapsnapshot", Limits(), &error);
  ASSERT_TRUE(before && after) << error;
  diff::DiffResult d = diff::DiffCounts(*before, *after, 1000);
  bool leaky = false, freed = false;
  for (const auto& detail : d.details) {
    leaky |= detail.what == "LeakyThing" && detail.plus >= uint64_t{n};
    freed |= detail.what == "FreedThing" && detail.minus >= uint64_t{n};
  }
  EXPECT_TRUE(leaky);
  EXPECT_TRUE(freed);
}

}  // namespace
}  // namespace memwatch::v8heap
