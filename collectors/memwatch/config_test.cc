#include "collectors/memwatch/config.h"

#include <gflags/gflags.h>
#include <gtest/gtest.h>

DECLARE_int32(memwatch_leak_gcs);
DECLARE_double(memwatch_max_cycle);

namespace memwatch::memwatch_plugin {
namespace {

TEST(ConfigTest, DefaultsAreValid) {
  EXPECT_EQ(Validate(ConfigFromFlags()), "");
  EXPECT_EQ(ConfigFromFlags().engine.leak_gcs, 5);
  EXPECT_EQ(ConfigFromFlags().memory_field, "RssAnon");
}

TEST(ConfigTest, LeakDiffModes) {
  Config c;
  EXPECT_EQ(c.leak_diff, "off");
  c.leak_diff = "mapping";
  EXPECT_EQ(Validate(c), "");
  c.leak_diff = "constructor";
  EXPECT_EQ(Validate(c), "");
  c.leak_diff = "constructors";  // a typo is refused, not ignored
  EXPECT_NE(Validate(c).find("--memwatch.leak-diff"), std::string::npos);
  c.leak_diff = "constructor,class";
  EXPECT_EQ(Validate(c), "");
  LeakDiffDepths d;
  std::string error;
  ASSERT_TRUE(ParseLeakDiff("class", &d, &error));
  EXPECT_TRUE(d.mapping && d.classes && !d.constructor);
  ASSERT_TRUE(ParseLeakDiff("off", &d, &error));
  EXPECT_FALSE(d.mapping || d.classes || d.constructor);
  EXPECT_FALSE(ParseLeakDiff("mapping,", &d, &error));
}

TEST(ConfigTest, BadValuesNameTheFlag) {
  Config c;
  c.engine.leak_gcs = 0;
  EXPECT_NE(Validate(c).find("--memwatch.leak-gcs"), std::string::npos);
  c = Config();
  c.sample_interval = 0;
  EXPECT_NE(Validate(c).find("--memwatch.sample-interval"), std::string::npos);
  c = Config();
  c.detector.max_cycle = 1;
  EXPECT_NE(Validate(c).find("--memwatch.max-cycle"), std::string::npos);
  c = Config();
  c.memory_field = "Rss Anon";
  EXPECT_NE(Validate(c).find("--memwatch.memory-field"), std::string::npos);
  c = Config();
  c.detector.drop_fraction = 2;
  EXPECT_NE(Validate(c), "");
  c = Config();
  c.events_buffer = 0;
  EXPECT_NE(Validate(c), "");
  c = Config();
  c.engine.min_growth = -1;
  EXPECT_NE(Validate(c), "");
  c = Config();
  c.gc_logs = "/var/log/app.gc";
  EXPECT_NE(Validate(c).find("--memwatch.gc-log"), std::string::npos);
  c.gc_logs = "app=/var/log/app.gc";
  EXPECT_EQ(Validate(c), "");
}

TEST(ConfigTest, ReadsFlags) {
  gflags::FlagSaver saver;
  FLAGS_memwatch_leak_gcs = 3;
  FLAGS_memwatch_max_cycle = 1e9;
  EXPECT_EQ(ConfigFromFlags().engine.leak_gcs, 3);
  EXPECT_EQ(Validate(ConfigFromFlags()), "");
}

}  // namespace
}  // namespace memwatch::memwatch_plugin
