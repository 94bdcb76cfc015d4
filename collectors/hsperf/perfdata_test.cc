#include "collectors/hsperf/perfdata.h"

#include <gtest/gtest.h>

#include <cstring>

#include "collectors/hsperf/test_util.h"

namespace memwatch::hsperf {
namespace {

using testing::ReadFixture;
using testing::ReadJstat;

class RealFiles : public ::testing::TestWithParam<std::string> {};

// Every sun.gc / sun.os.hrt value jstat read from the same file.
TEST_P(RealFiles, ValuesEqualJstat) {
  std::string bytes = ReadFixture(GetParam() + ".bin");
  ASSERT_EQ(bytes.size(), 32768u);
  std::string err;
  auto pd = ParsePerfData(bytes, &err);
  ASSERT_TRUE(pd) << err;
  EXPECT_FALSE(pd->big_endian);
  EXPECT_EQ(pd->major, 2);
  EXPECT_EQ(pd->minor, 0);
  EXPECT_TRUE(pd->accessible);
  EXPECT_GT(pd->entries.size(), 150u);
  auto snap = ReadJstat(GetParam() + ".jstat");
  ASSERT_GT(snap.longs.size(), 30u);
  for (const auto& [key, value] : snap.longs) {
    EXPECT_EQ(pd->Long(key), std::optional<int64_t>(value)) << key;
  }
  for (const auto& [key, value] : snap.strings) {
    EXPECT_EQ(pd->String(key), std::optional<std::string>(value)) << key;
  }
  EXPECT_EQ(pd->entries.at("sun.os.hrt.ticks").units,
            static_cast<uint8_t>(Units::kTicks));
  EXPECT_FALSE(pd->Long("sun.gc.collector.0.name"));
  EXPECT_FALSE(pd->String("sun.os.hrt.ticks"));
  EXPECT_FALSE(pd->Long("no.such.counter"));
}

INSTANTIATE_TEST_SUITE_P(Jdk17, RealFiles,
                         ::testing::Values("g1_young", "g1_full",
                                           "serial_young", "serial_full",
                                           "parallel_young", "parallel_full"));

// A tiny buffer writer, to build hostile and big-endian inputs.
struct Builder {
  bool big = false;
  std::string buf;
  void Put(size_t pos, uint64_t v, size_t n) {
    if (buf.size() < pos + n) buf.resize(pos + n);
    for (size_t i = 0; i < n; ++i) {
      size_t k = big ? n - 1 - i : i;
      buf[pos + k] = static_cast<char>((v >> (8 * i)) & 0xff);
    }
  }
  void Prologue(int32_t used, int32_t entry_offset, int32_t num) {
    if (buf.size() < 32) buf.resize(32);
    const unsigned char magic[4] = {0xca, 0xfe, 0xc0, 0xc0};
    std::memcpy(&buf[0], magic, 4);
    buf[4] = big ? 0 : 1;
    buf[5] = 2;
    buf[6] = 0;
    buf[7] = 1;
    Put(8, static_cast<uint32_t>(used), 4);
    Put(24, static_cast<uint32_t>(entry_offset), 4);
    Put(28, static_cast<uint32_t>(num), 4);
  }
  // Appends a scalar long entry; returns its offset.
  size_t Long(const std::string& name, int64_t v) {
    size_t off = buf.size();
    size_t name_off = 20, data_off = (20 + name.size() + 1 + 7) / 8 * 8;
    size_t len = data_off + 8;
    Put(off, len, 4);
    Put(off + 4, name_off, 4);
    Put(off + 8, 0, 4);
    buf.resize(off + len);
    buf[off + 12] = 'J';
    buf[off + 14] = 3;  // U_Ticks
    buf[off + 15] = 2;
    Put(off + 16, data_off, 4);
    std::memcpy(&buf[off + name_off], name.c_str(), name.size() + 1);
    Put(off + data_off, static_cast<uint64_t>(v), 8);
    return off;
  }
  size_t String(const std::string& name, const std::string& v, size_t cap) {
    size_t off = buf.size();
    size_t name_off = 20, data_off = 20 + name.size() + 1;
    size_t len = (data_off + cap + 7) / 8 * 8;
    buf.resize(off + len);
    Put(off, len, 4);
    Put(off + 4, name_off, 4);
    Put(off + 8, cap, 4);
    buf[off + 12] = 'B';
    buf[off + 14] = 5;  // U_String
    buf[off + 15] = 1;
    Put(off + 16, data_off, 4);
    std::memcpy(&buf[off + name_off], name.c_str(), name.size() + 1);
    std::memcpy(&buf[off + data_off], v.data(), std::min(v.size(), cap));
    return off;
  }
  void Finish(int num) { Prologue(static_cast<int32_t>(buf.size()), 32, num); }
};

Builder Sample(bool big) {
  Builder b;
  b.big = big;
  b.Prologue(0, 32, 0);
  b.Long("sun.os.hrt.ticks", 123456789012LL);
  b.String("sun.gc.collector.0.name", "copy", 16);
  b.Long("sun.gc.collector.0.invocations", -5);
  b.Finish(3);
  return b;
}

TEST(ParsePerfData, BuiltLittleAndBigEndian) {
  for (bool big : {false, true}) {
    std::string err;
    auto pd = ParsePerfData(Sample(big).buf, &err);
    ASSERT_TRUE(pd) << err;
    EXPECT_EQ(pd->big_endian, big);
    EXPECT_EQ(pd->Long("sun.os.hrt.ticks"), 123456789012LL);
    EXPECT_EQ(pd->Long("sun.gc.collector.0.invocations"), -5);
    EXPECT_EQ(pd->String("sun.gc.collector.0.name"), "copy");
  }
}

TEST(ParsePerfData, RealFileWithBigEndianFlagIsGarbageNotCrash) {
  std::string bytes = ReadFixture("g1_young.bin");
  bytes[4] = 0;  // claims big endian: every length is now enormous
  std::string err;
  EXPECT_FALSE(ParsePerfData(bytes, &err));
  EXPECT_NE(err, "");
}

TEST(ParsePerfData, Rejects) {
  const std::string good = Sample(false).buf;
  struct Case {
    const char* what;
    std::string bytes;
    const char* error;
  };
  std::vector<Case> cases;
  cases.push_back({"empty", "", "truncated prologue"});
  cases.push_back({"short", good.substr(0, 31), "truncated prologue"});
  {
    std::string b = good;
    b[0] = 'x';
    cases.push_back({"magic", b, "bad magic"});
  }
  {
    std::string b = good;
    b[4] = 7;
    cases.push_back({"order", b, "bad byte order"});
  }
  {
    std::string b = good;
    b[5] = 1;
    cases.push_back({"version", b, "unsupported version 1.0"});
  }
  {
    Builder b = Sample(false);
    b.Put(28, 0x7fffffff, 4);
    cases.push_back({"huge count", b.buf, "bad entry count"});
    b.Put(28, 0xffffffff, 4);
    cases.push_back({"negative count", b.buf, "bad entry count"});
  }
  {
    Builder b = Sample(false);
    b.Put(28, 4, 4);  // one more entry than there is
    cases.push_back({"count past used", b.buf, "past the used bytes"});
    b.Put(8, 60, 4);  // used cuts the first entry
    b.Put(28, 1, 4);
    cases.push_back({"used cuts", b.buf, "bad entry length"});
  }
  {
    Builder b = Sample(false);
    b.Put(24, 1 << 30, 4);
    cases.push_back({"entry offset", b.buf, "entry offset"});
    b.Put(24, 8, 4);
    cases.push_back({"entry offset in prologue", b.buf, "entry offset"});
  }
  {
    Builder b = Sample(false);
    b.Put(32, 0, 4);
    cases.push_back({"zero entry length", b.buf, "bad entry length"});
    b.Put(32, 0x80000000, 4);
    cases.push_back({"negative entry length", b.buf, "bad entry length"});
  }
  {
    Builder b = Sample(false);
    b.Put(36, 5000, 4);
    cases.push_back({"name offset", b.buf, "name offset"});
    b.Put(36, 0, 4);
    cases.push_back({"zero name offset", b.buf, "name offset"});
  }
  {
    Builder b = Sample(false);
    b.Put(48, 4000, 4);
    cases.push_back({"data offset", b.buf, "data out of the entry"});
  }
  {
    Builder b = Sample(false);
    size_t second = 32 + 48;  // the string entry after the first long
    b.Put(second + 8, 1 << 28, 4);
    cases.push_back({"vector length", b.buf, "data out of the entry"});
    b.Put(second + 8, 0xfffffff0u, 4);
    cases.push_back({"negative vector", b.buf, "negative vector length"});
  }
  {
    Builder b = Sample(false);
    // Overwrite the name and its NUL up to the data: unterminated.
    for (size_t i = 52; i < 32 + 48; ++i) b.buf[i] = 'a';
    cases.push_back({"unterminated name", b.buf, "name"});
  }
  {
    Builder b;
    b.Prologue(0, 32, 0);
    b.Long(std::string(300, 'n'), 1);
    b.Finish(1);
    cases.push_back({"long name", b.buf, "bad name length 300"});
  }
  cases.push_back(
      {"too big", std::string(kMaxPerfDataBytes + 1, '\0'), "larger than"});
  for (const auto& c : cases) {
    std::string err;
    EXPECT_FALSE(ParsePerfData(c.bytes, &err)) << c.what;
    EXPECT_NE(err.find(c.error), std::string::npos) << c.what << ": " << err;
    EXPECT_EQ(err.rfind("perf data: ", 0), 0u) << err;
  }
}

TEST(ParsePerfData, NoEntriesAndNotAccessible) {
  Builder b;
  b.Prologue(32, 32, 0);
  b.buf[7] = 0;
  std::string err;
  auto pd = ParsePerfData(b.buf, &err);
  ASSERT_TRUE(pd) << err;
  EXPECT_FALSE(pd->accessible);
  EXPECT_TRUE(pd->entries.empty());
}

TEST(ParsePerfData, UnknownTypeSkippedDuplicateKeepsFirst) {
  Builder b;
  b.Prologue(0, 32, 0);
  size_t off = b.Long("odd", 1);
  b.buf[off + 12] = 'D';
  b.Long("x", 1);
  b.Long("x", 2);
  b.Finish(3);
  std::string err;
  auto pd = ParsePerfData(b.buf, &err);
  ASSERT_TRUE(pd) << err;
  EXPECT_FALSE(pd->Long("odd"));
  EXPECT_EQ(pd->Long("x"), 1);
}

TEST(ParsePerfData, StringWithoutNulAndUsedBeyondSize) {
  Builder b;
  b.Prologue(0, 32, 0);
  b.String("s", "abcdefgh", 8);
  b.Finish(1);
  b.Put(8, 1 << 30, 4);  // used beyond the buffer: clamped
  std::string err;
  auto pd = ParsePerfData(b.buf, &err);
  ASSERT_TRUE(pd) << err;
  EXPECT_EQ(pd->String("s"), "abcdefgh");
}

}  // namespace
}  // namespace memwatch::hsperf
