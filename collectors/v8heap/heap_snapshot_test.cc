#include "collectors/v8heap/heap_snapshot.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "collectors/base/fixtures.h"
#include "collectors/v8heap/constructor_totals.h"
#include "collectors/v8heap/diff.h"

namespace memwatch::v8heap {
namespace {

std::string InspectorFixture(const std::string& name) {
  return FixturePath("inspector/" + name);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const nlohmann::json* Detail(const nlohmann::json& diff,
                             const std::string& what) {
  for (const auto& d : diff["change"]["details"]) {
    if (d["what"] == what) return &d;
  }
  return nullptr;
}

uint64_t CountGroup(const HeapSnapshot& s, const std::string& what) {
  uint64_t n = 0;
  for (const Node& node : s.nodes) n += s.groups[node.group] == what;
  return n;
}

TEST(HeapSnapshot, TinyFixtureGroupsByConstructorOrType) {
  std::string error;
  auto s = ParseHeapSnapshotFile(InspectorFixture("tiny.heapsnapshot"),
                                 Limits(), &error);
  ASSERT_TRUE(s) << error;
  ASSERT_EQ(s->nodes.size(), 5u);
  EXPECT_EQ(s->total_self_size, 16u + 16 + 24 + 32);
  EXPECT_EQ(CountGroup(*s, "LeakyThing"), 2u);
  EXPECT_EQ(CountGroup(*s, "String"), 2u);  // string + concatenated string
  EXPECT_EQ(CountGroup(*s, "Synthetic"), 1u);
  for (size_t i = 1; i < s->nodes.size(); ++i) {
    EXPECT_LT(s->nodes[i - 1].id, s->nodes[i].id);
  }
}

TEST(HeapSnapshot, ChunkBoundariesDoNotMatter) {
  std::string text = ReadFile(InspectorFixture("tiny.heapsnapshot"));
  size_t off = 0;
  ReadFn one_byte = [&](char* buf, size_t) {
    if (off == text.size()) return size_t{0};
    buf[0] = text[off++];
    return size_t{1};
  };
  std::string error;
  auto s = ParseHeapSnapshot(one_byte, Limits(), &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->nodes.size(), 5u);
}

TEST(HeapSnapshot, GroupForType) {
  EXPECT_EQ(GroupForType("closure"), "Closure");
  EXPECT_EQ(GroupForType("code"), "Code");
  EXPECT_EQ(GroupForType("sliced string"), "String");
  EXPECT_EQ(GroupForType("array"), "Array");
  EXPECT_EQ(GroupForType("wasm object"), "(wasm object)");
}

TEST(HeapSnapshot, NameIsCut) {
  Limits limits;
  limits.max_name_bytes = 5;
  std::string error;
  auto s = ParseHeapSnapshotFile(InspectorFixture("tiny.heapsnapshot"), limits,
                                 &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(CountGroup(*s, "Leaky"), 2u);
}

// Both readers refuse the document with the same one-line error.
void ExpectError(const std::string& text, const std::string& fragment,
                 const Limits& limits = Limits()) {
  std::string error, totals_error;
  auto s = ParseHeapSnapshotText(text, limits, &error);
  EXPECT_FALSE(s) << text;
  EXPECT_NE(error.find(fragment), std::string::npos)
      << "error: " << error << " wanted: " << fragment;
  EXPECT_EQ(error.find('\n'), std::string::npos);
  EXPECT_FALSE(ParseConstructorTotalsText(text, limits, &totals_error));
  EXPECT_EQ(totals_error, error);
}

const char kMeta[] =
    R"({"snapshot":{"meta":{"node_fields":["type","name","id","self_size"],)"
    R"("node_types":[["hidden","object"]]}},)";

TEST(HeapSnapshot, MalformedAndTruncatedAreClearErrors) {
  const std::string tiny = ReadFile(InspectorFixture("tiny.heapsnapshot"));
  ExpectError(tiny.substr(0, tiny.size() / 2), "invalid JSON");
  ExpectError(tiny.substr(0, tiny.size() - 3), "invalid JSON");
  ExpectError("", "invalid JSON");
  ExpectError("[1,2]", "not a JSON object");
  ExpectError(R"({"nodes":[0,0,1,8],"strings":[]})", "node_fields");
  ExpectError(std::string(kMeta) + R"("strings":["A"],"nodes":[]})",
              "strings before nodes");
  ExpectError(std::string(kMeta) + R"("nodes":[1,0,1,8]})", "no strings");
  ExpectError(std::string(kMeta) + R"("nodes":[1,0,1,8,1],"strings":["A"]})",
              "ends inside a node");
  ExpectError(std::string(kMeta) + R"("nodes":[1,5,1,8],"strings":["A"]})",
              "beyond the strings table");
  ExpectError(std::string(kMeta) + R"("nodes":[7,0,1,8],"strings":["A"]})",
              "node type 7 out of range");
  ExpectError(std::string(kMeta) + R"("nodes":[1,0,-1,8],"strings":["A"]})",
              "negative or fractional");
  ExpectError(std::string(kMeta) + R"("nodes":[1,0,"x",8],"strings":["A"]})",
              "non-number in nodes");
  ExpectError("{\"a\":" + std::string(300, '['), "nesting deeper");
}

TEST(HeapSnapshot, LimitsAreEnforced) {
  const std::string tiny = ReadFile(InspectorFixture("tiny.heapsnapshot"));
  Limits l;
  l.max_nodes = 4;
  ExpectError(tiny, "more than 4 nodes", l);
  l = Limits();
  l.max_input_bytes = 100;
  ExpectError(tiny, "larger than 100 bytes", l);
  l = Limits();
  l.max_token_bytes = 64;
  ExpectError(std::string(kMeta) + R"("nodes":[],"strings":[")" +
                  std::string(1000, 'x') + "\"]}",
              "token over 64 bytes", l);
  l = Limits();
  l.max_names_total_bytes = 5;
  ExpectError(tiny, "constructor names over 5 bytes", l);
}

TEST(Diff, ByIdAndConstructor) {
  std::string error;
  std::string base = std::string(kMeta) + R"("nodes":[)";
  auto before = ParseHeapSnapshotText(
      base + R"(1,0,1,10, 1,1,3,20, 0,0,5,7],"strings":["A","B"]})", Limits(),
      &error);
  ASSERT_TRUE(before) << error;
  auto after = ParseHeapSnapshotText(
      base + R"(1,0,1,10, 1,0,7,10, 1,0,9,10],"strings":["A"]})", Limits(),
      &error);
  ASSERT_TRUE(after) << error;
  nlohmann::json d = Diff(*before, *after, 10);
  EXPECT_EQ(d["before"]["nodes"], 3);
  EXPECT_EQ(d["before"]["size_bytes"], 37);
  EXPECT_EQ(d["after"]["size_bytes"], 30);
  EXPECT_EQ(d["change"]["size_bytes"], -7);
  EXPECT_EQ(d["change"]["freed_nodes"], 2);
  EXPECT_EQ(d["change"]["allocated_nodes"], 2);
  const auto* a = Detail(d, "A");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ((*a)["+"], 2);
  EXPECT_EQ((*a)["-"], 0);
  EXPECT_EQ((*a)["size_bytes"], 20);
  const auto* b = Detail(d, "B");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ((*b)["-"], 1);
  EXPECT_EQ((*b)["size_bytes"], -20);
  EXPECT_EQ((*b)["size"], "-20 bytes");
  // Largest change first; the cap drops the rest.
  EXPECT_EQ(d["change"]["details"][0]["what"], "A");
  EXPECT_EQ(Diff(*before, *after, 1)["change"]["details"].size(), 1u);
}

TEST(Diff, ByCountsIgnoresIds) {
  std::string error;
  std::string base = std::string(kMeta) + R"("nodes":[)";
  auto before = ParseHeapSnapshotText(
      base + R"(1,0,1,10, 1,1,3,20],"strings":["A","B"]})", Limits(), &error);
  ASSERT_TRUE(before) << error;
  // Another inspector session: the same A object under a new id, one more A.
  auto after = ParseHeapSnapshotText(
      base + R"(1,0,8,10, 1,0,9,10],"strings":["A"]})", Limits(), &error);
  ASSERT_TRUE(after) << error;
  diff::DiffResult d = DiffConstructorCounts(*before, *after, 10);
  EXPECT_EQ(d.allocated_nodes, 1u);
  EXPECT_EQ(d.freed_nodes, 1u);
  ASSERT_EQ(d.details.size(), 2u);
  EXPECT_EQ(d.details[0].what, "B");
  EXPECT_EQ(d.details[0].minus, 1u);
  EXPECT_EQ(d.details[0].size_bytes, -20);
  EXPECT_EQ(d.details[1].what, "A");
  EXPECT_EQ(d.details[1].plus, 1u);
  EXPECT_EQ(d.details[1].minus, 0u);
  EXPECT_EQ(d.details[1].size_bytes, 10);
  // By id the same pair would claim A's object was freed and two allocated.
  EXPECT_EQ(Diff(*before, *after, 10)["change"]["allocated_nodes"], 2);
}

// Real snapshots written by node at test time (too big to commit).
TEST(Diff, RealNodeSnapshots) {
  std::string dir = TestTmpDir();
  const int n = 2000;
  std::string cmd = "node " + InspectorFixture("make_snapshots.js") + " " +
                    dir + " " + std::to_string(n);
  if (std::system(("command -v node >/dev/null 2>&1")) != 0) {
    GTEST_SKIP() << "node not installed";
  }
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::string error;
  auto before =
      ParseHeapSnapshotFile(dir + "/before.heapsnapshot", Limits(), &error);
  ASSERT_TRUE(before) << error;
  auto after =
      ParseHeapSnapshotFile(dir + "/after.heapsnapshot", Limits(), &error);
  ASSERT_TRUE(after) << error;
  EXPECT_GT(before->nodes.size(), 10000u);
  EXPECT_GE(CountGroup(*before, "FreedThing"), uint64_t{n});
  EXPECT_EQ(CountGroup(*before, "LeakyThing"), 0u);
  EXPECT_GE(CountGroup(*after, "LeakyThing"), uint64_t{n});

  nlohmann::json d = Diff(*before, *after, 1000);
  const auto* leaky = Detail(d, "LeakyThing");
  ASSERT_NE(leaky, nullptr) << d.dump(1);
  EXPECT_GE((*leaky)["+"].get<uint64_t>(), uint64_t{n});
  EXPECT_GT((*leaky)["size_bytes"].get<int64_t>(), 0);
  const auto* freed = Detail(d, "FreedThing");
  ASSERT_NE(freed, nullptr) << d.dump(1);
  EXPECT_GE((*freed)["-"].get<uint64_t>(), uint64_t{n});
  EXPECT_LT((*freed)["size_bytes"].get<int64_t>(), 0);
}

}  // namespace
}  // namespace memwatch::v8heap
