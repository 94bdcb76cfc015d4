#include "collectors/goprof/profile.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <zlib.h>

#include <functional>

#include "collectors/base/fixtures.h"
#include "collectors/diff/counts.h"
#include "collectors/goprof/profile.pb.h"

namespace memwatch::goprof {
namespace {

std::string Gzip(const std::string& raw) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8,
                         Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&z, raw.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Builds profiles by hand with the generated messages.
class Builder {
 public:
  Builder() {
    Str("");
    Type("alloc_objects", "count");
    Type("alloc_space", "bytes");
    Type("inuse_objects", "count");
    Type("inuse_space", "bytes");
  }
  int64_t Str(const std::string& s) {
    p_.add_string_table(s);
    return p_.string_table_size() - 1;
  }
  void Type(const std::string& type, const std::string& unit) {
    auto* t = p_.add_sample_type();
    t->set_type(Str(type));
    t->set_unit(Str(unit));
  }
  // A location of one function per name, innermost first; returns its id.
  uint64_t Loc(const std::vector<std::string>& names,
               uint64_t address = 0x1000) {
    auto* l = p_.add_location();
    l->set_id(static_cast<uint64_t>(p_.location_size()));
    l->set_address(address);
    for (const auto& n : names) {
      auto* f = p_.add_function();
      f->set_id(static_cast<uint64_t>(p_.function_size()));
      f->set_name(Str(n));
      l->add_line()->set_function_id(f->id());
    }
    return l->id();
  }
  void Sample(const std::vector<uint64_t>& locs, int64_t objects,
              int64_t bytes) {
    auto* s = p_.add_sample();
    for (uint64_t id : locs) s->add_location_id(id);
    for (int64_t v : {objects, bytes, objects, bytes}) s->add_value(v);
  }
  wire::Profile& proto() { return p_; }
  std::string Raw() const { return p_.SerializeAsString(); }
  std::string Gz() const { return Gzip(Raw()); }

 private:
  wire::Profile p_;
};

diff::Counts ByFunction(const std::string& data, size_t max_groups = 1000) {
  std::string error;
  auto profile = ParseProfile(data, Limits(), &error);
  EXPECT_TRUE(profile) << error;
  if (!profile) return {};
  auto counts = InuseByFunction(*profile, max_groups, &error);
  EXPECT_TRUE(counts) << error;
  return counts ? *counts : diff::Counts{};
}

TEST(ProfileTest, RealGoHeapProfile) {
  const std::string data =
      ReadRepoFile("tests/fixtures/goprof/heap_after.pb.gz");
  ASSERT_FALSE(data.empty());
  std::string error;
  auto profile = ParseProfile(data, Limits(), &error);
  ASSERT_TRUE(profile) << error;
  ASSERT_EQ(profile->sample_types.size(), 4u);
  EXPECT_EQ(profile->sample_types[3].type, "inuse_space");
  EXPECT_EQ(profile->sample_types[3].unit, "bytes");
  EXPECT_EQ(profile->samples.size(), 5u);
  EXPECT_EQ(profile->locations.size(), 22u);
  // As `go tool pprof -raw` reads it.
  auto counts = InuseByFunction(*profile, 1000, &error);
  ASSERT_TRUE(counts) << error;
  EXPECT_EQ(counts->groups["main.leakyFunction"].count, 43u);
  EXPECT_EQ(counts->groups["main.leakyFunction"].bytes, 11326036u);
  EXPECT_EQ(counts->groups["runtime.malg"].count, 1260u);
  EXPECT_EQ(counts->groups["runtime.main"].bytes, 524336u);
  EXPECT_EQ(counts->groups.size(), 3u);  // samples with nothing in use skipped
  EXPECT_EQ(counts->count, 43u + 1260u + 5461u);
  EXPECT_EQ(counts->bytes, 11326036u + 524496u + 524336u);
}

// The exporter parses on an HTTP handler thread, whose stack is small
// (a 64 KiB buffer on it crashed civetweb's): parse on a 64 KiB stack.
TEST(ProfileTest, ParsesOnASmallStack) {
  struct Job {
    std::string data;
    bool ok = false;
  } job{ReadRepoFile("tests/fixtures/goprof/heap_after.pb.gz")};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  pthread_attr_setstacksize(&attr, 1 << 20);  // redzones and shadow frames
#else
  pthread_attr_setstacksize(&attr, size_t{64} * 1024);
#endif
  pthread_t thread;
  ASSERT_EQ(pthread_create(
                &thread, &attr,
                [](void* arg) -> void* {
                  auto* j = static_cast<Job*>(arg);
                  std::string error;
                  auto p = ParseProfile(j->data, Limits(), &error);
                  j->ok = p && InuseByFunction(*p, 100, &error).has_value();
                  return nullptr;
                },
                &job),
            0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_TRUE(job.ok);
}

TEST(ProfileTest, DiffOfTwoRealProfilesNamesTheLeak) {
  const auto before =
      ByFunction(ReadRepoFile("tests/fixtures/goprof/heap_before.pb.gz"));
  const auto after =
      ByFunction(ReadRepoFile("tests/fixtures/goprof/heap_after.pb.gz"));
  const diff::DiffResult d = diff::DiffCounts(before, after, 10);
  ASSERT_EQ(d.details.size(), 1u);  // the runtime's groups did not change
  EXPECT_EQ(d.details[0].what, "main.leakyFunction");
  EXPECT_EQ(d.details[0].size_bytes, 11326036 - 1332474);
  EXPECT_EQ(d.details[0].plus, 38u);
  EXPECT_EQ(d.details[0].minus, 0u);
  EXPECT_EQ(d.before.size_bytes, 1332474u + 524336u + 524496u);
}

TEST(ProfileTest, ChargesTheFirstFrameOutsideTheRuntime) {
  Builder b;
  const uint64_t malloc = b.Loc({"runtime.mallocgc"});
  const uint64_t slice = b.Loc({"runtime.makeslice"});
  const uint64_t user = b.Loc({"main.grow"});
  const uint64_t caller = b.Loc({"main.main"});
  b.Sample({malloc, slice, user, caller}, 2, 200);
  // Only the runtime: charged to the leaf (goroutine stacks).
  b.Sample({b.Loc({"runtime.malg"}), b.Loc({"runtime.newproc1"})}, 1, 10);
  // A package under runtime/ is not the runtime.
  b.Sample({b.Loc({"runtime/pprof.writeHeap"}), caller}, 1, 5);
  const auto c = ByFunction(b.Gz());
  EXPECT_EQ(c.groups.at("main.grow").bytes, 200u);
  EXPECT_EQ(c.groups.at("runtime.malg").bytes, 10u);
  EXPECT_EQ(c.groups.at("runtime/pprof.writeHeap").bytes, 5u);
  EXPECT_EQ(c.groups.size(), 3u);
}

TEST(ProfileTest, InlinedFramesInnermostFirst) {
  Builder b;
  // main.helper was inlined into main.outer: one location, two lines.
  b.Sample({b.Loc({"runtime.newobject"}), b.Loc({"main.helper", "main.outer"})},
           1, 64);
  EXPECT_EQ(ByFunction(b.Gz()).groups.count("main.helper"), 1u);
}

TEST(ProfileTest, StrippedAndUnknownLocations) {
  Builder b;
  b.Sample({b.Loc({}, 0x4a2b)}, 1, 8);
  b.Sample({99}, 1, 16);
  b.Sample({}, 1, 32);
  const auto c = ByFunction(b.Raw());  // uncompressed is accepted too
  EXPECT_EQ(c.groups.at("0x4a2b").bytes, 8u);
  EXPECT_EQ(c.groups.at("[unknown location]").bytes, 16u);
  EXPECT_EQ(c.groups.at("[no stack]").bytes, 32u);
}

TEST(ProfileTest, KeepsTheLargestGroups) {
  Builder b;
  for (int i = 1; i <= 5; ++i) {
    b.Sample({b.Loc({"main.f" + std::to_string(i)})}, 1, int64_t{i} * 100);
  }
  const auto c = ByFunction(b.Gz(), 3);
  ASSERT_EQ(c.groups.size(), 3u);
  EXPECT_EQ(c.groups.at("main.f5").bytes, 500u);
  EXPECT_EQ(c.groups.at("main.f4").bytes, 400u);
  EXPECT_EQ(c.groups.at("[other functions]").bytes, 600u);
  EXPECT_EQ(c.bytes, 1500u);
}

TEST(ProfileTest, NotAHeapProfile) {
  wire::Profile p;
  p.add_string_table("");
  p.add_string_table("samples");
  p.add_string_table("count");
  auto* t = p.add_sample_type();
  t->set_type(1);
  t->set_unit(2);
  std::string error;
  auto profile = ParseProfile(p.SerializeAsString(), Limits(), &error);
  ASSERT_TRUE(profile) << error;
  EXPECT_FALSE(InuseByFunction(*profile, 10, &error));
  EXPECT_NE(error.find("not a heap profile"), std::string::npos) << error;
}

TEST(ProfileTest, RefusesNegativeAndMismatchedValues) {
  Builder b;
  b.Sample({b.Loc({"main.f"})}, -1, -100);
  std::string error;
  auto profile = ParseProfile(b.Raw(), Limits(), &error);
  ASSERT_TRUE(profile) << error;
  EXPECT_FALSE(InuseByFunction(*profile, 10, &error));
  EXPECT_NE(error.find("delta"), std::string::npos) << error;

  profile->samples[0].values.pop_back();
  EXPECT_FALSE(InuseByFunction(*profile, 10, &error));
  EXPECT_NE(error.find("3 values for 4"), std::string::npos) << error;
}

struct Bad {
  const char* name;
  std::function<void(wire::Profile*)> mutate;
  const char* error;
};

TEST(ProfileTest, MalformedProfiles) {
  const std::vector<Bad> cases = {
      {"string index",
       [](wire::Profile* p) { p->mutable_function(0)->set_name(1000); },
       "string index 1000 out of range"},
      {"first string", [](wire::Profile* p) { p->set_string_table(0, "x"); },
       "does not start with"},
      {"location 0",
       [](wire::Profile* p) { p->mutable_location(0)->set_id(0); },
       "location with id 0"},
      {"duplicate location",
       [](wire::Profile* p) { *p->add_location() = p->location(0); },
       "given twice"},
      {"duplicate function",
       [](wire::Profile* p) { *p->add_function() = p->function(0); },
       "given twice"},
  };
  for (const Bad& c : cases) {
    Builder b;
    b.Sample({b.Loc({"main.f"})}, 1, 1);
    c.mutate(&b.proto());
    std::string error;
    bool too_large = true;
    EXPECT_FALSE(ParseProfile(b.Gz(), Limits(), &error, &too_large)) << c.name;
    EXPECT_FALSE(too_large) << c.name;
    EXPECT_NE(error.find(c.error), std::string::npos)
        << c.name << ": " << error;
  }
}

TEST(ProfileTest, MalformedBytes) {
  Builder b;
  b.Sample({b.Loc({"main.f"})}, 1, 1);
  const std::string raw = b.Raw();
  const std::string gz = b.Gz();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {raw.substr(0, raw.size() - 3), "malformed"},
      {gz.substr(0, gz.size() / 2), "gzip"},
      {std::string("\x12\x05\x0a", 3), "malformed"},  // sample longer than data
      {std::string("\x10\x01", 2), "malformed"},      // sample as a varint
      {std::string("\x1f\x8b garbage", 10), "gzip"},
      {std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11),
       "malformed"},
  };
  for (const auto& [data, want] : cases) {
    std::string error;
    bool too_large = true;
    EXPECT_FALSE(ParseProfile(data, Limits(), &error, &too_large));
    EXPECT_FALSE(too_large);
    EXPECT_NE(error.find(want), std::string::npos) << error;
  }
  std::string error;
  EXPECT_TRUE(ParseProfile("", Limits(), &error)) << error;  // no samples
}

TEST(ProfileTest, Limits) {
  Builder b;
  for (int i = 0; i < 10; ++i) b.Sample({b.Loc({"main.f"}), 1, 2}, 1, 1);
  auto refused = [&](Limits limits, const std::string& data,
                     const std::string& want) {
    std::string error;
    bool too_large = false;
    EXPECT_FALSE(ParseProfile(data, limits, &error, &too_large)) << want;
    EXPECT_TRUE(too_large) << want;
    EXPECT_NE(error.find(want), std::string::npos) << error;
  };
  // One limit lowered at a time, on the same profile.
  const std::pair<void (*)(Limits*), const char*> cases[] = {
      {[](Limits* l) { l->max_samples = 9; }, "more samples than 9"},
      {[](Limits* l) { l->max_locations = 5; }, "more locations than 5"},
      {[](Limits* l) { l->max_functions = 5; }, "more functions than 5"},
      {[](Limits* l) { l->max_strings = 8; }, "more strings than 8"},
      {[](Limits* l) { l->max_stack_depth = 2; }, "locations in a sample"},
      {[](Limits* l) { l->max_total_frames = 29; }, "frames over all samples"},
      {[](Limits* l) { l->max_sample_types = 3; }, "sample types"},
      {[](Limits* l) { l->max_compressed_bytes = 10; }, "larger than 10 bytes"},
  };
  for (const auto& [lower, want] : cases) {
    Limits l;
    lower(&l);
    refused(l, b.Gz(), want);
  }
  // A gzip bomb stops at the uncompressed limit, not after inflating it all.
  Limits l;
  l.max_uncompressed_bytes = 1 << 16;
  refused(l, Gzip(std::string(10 << 20, '\0')), "larger than 65536 bytes");
  l = Limits();
  l.max_uncompressed_bytes = 16;
  refused(l, b.Raw(), "larger than 16 bytes");
}

}  // namespace
}  // namespace memwatch::goprof
