#include "collectors/targets/config.h"

#include <gtest/gtest.h>

#include "collectors/targets/regex_check.h"

namespace memwatch::targets {
namespace {

TEST(ParsePidFlag, BareNamedAndLists) {
  std::vector<TargetSpec> specs;
  std::string error;
  ASSERT_TRUE(ParsePidFlag("12, api=34\n56", &specs, &error)) << error;
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].name, "pid-12");
  EXPECT_EQ(specs[0].pid, 12);
  EXPECT_EQ(specs[1].name, "api");
  EXPECT_EQ(specs[1].pid, 34);
  EXPECT_EQ(specs[2].name, "pid-56");
  EXPECT_TRUE(ParsePidFlag("", &specs, &error));
  EXPECT_EQ(specs.size(), 3u);
}

TEST(ParsePidFlag, Errors) {
  std::vector<TargetSpec> specs;
  std::string error;
  EXPECT_FALSE(ParsePidFlag("12,abc", &specs, &error));
  EXPECT_NE(error.find("\"abc\" at column 4"), std::string::npos) << error;
  EXPECT_FALSE(ParsePidFlag("0", &specs, &error));
  EXPECT_FALSE(ParsePidFlag("-5", &specs, &error));
  EXPECT_FALSE(ParsePidFlag("api=", &specs, &error));
}

TEST(ParsePidfileFlag, NamesFromFileOrPrefix) {
  std::vector<TargetSpec> specs;
  std::string error;
  ASSERT_TRUE(ParsePidfileFlag(
      "/run/api.pid,db=/var/run/pg/postmaster.pid\n/x/y", &specs, &error))
      << error;
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].name, "api");
  EXPECT_EQ(specs[0].pidfile, "/run/api.pid");
  EXPECT_EQ(specs[1].name, "db");
  EXPECT_EQ(specs[1].pidfile, "/var/run/pg/postmaster.pid");
  EXPECT_EQ(specs[2].name, "y");
  EXPECT_FALSE(ParsePidfileFlag("api=", &specs, &error));
}

TEST(ParseMatchFlag, FieldsAndSeparators) {
  std::vector<TargetSpec> specs;
  std::string error;
  ASSERT_TRUE(ParseMatchFlag(
      "name=api,comm=node,cmdline=server\\.js --x=a{1,2};b\n"
      "name=db, exe=/usr/lib/postgresql/bin/postgres; name=w,comm=worker",
      &specs, &error))
      << error;
  ASSERT_EQ(specs.size(), 3u);
  EXPECT_EQ(specs[0].name, "api");
  EXPECT_EQ(specs[0].comm, "node");
  EXPECT_EQ(specs[0].cmdline, "server\\.js --x=a{1,2};b");
  ASSERT_TRUE(specs[0].cmdline_re);
  EXPECT_TRUE(
      RE2::PartialMatch("node server.js --x=aa;b", *specs[0].cmdline_re));
  EXPECT_EQ(specs[1].name, "db");
  EXPECT_EQ(specs[1].exe, "/usr/lib/postgresql/bin/postgres");
  EXPECT_FALSE(specs[1].comm);
  EXPECT_EQ(specs[2].name, "w");
}

TEST(ParseMatchFlag, Errors) {
  struct Case {
    const char* value;
    const char* error_part;
  };
  for (const Case& c : {
           Case{"comm=node", "needs name="},
           Case{"name=api", "at least one of"},
           Case{"name=api,comm=node,color=red", "unknown key"},
           Case{"name=api,comm=a,comm=b", "comm given twice"},
           Case{"name=api,comm=", "empty comm"},
           Case{"name=api,cmdline=", "empty cmdline"},
           Case{"justtext", "expected key=value"},
           // '(' is at offset 20 of the value: column 21.
           Case{"name=api,cmdline=abc(def", "regex at column 21"},
           Case{"name=a,comm=x;name=b,cmdline=[ab", "matcher 2"},
       }) {
    std::vector<TargetSpec> specs;
    std::string error;
    EXPECT_FALSE(ParseMatchFlag(c.value, &specs, &error)) << c.value;
    EXPECT_NE(error.find(c.error_part), std::string::npos)
        << c.value << " -> " << error;
  }
}

TEST(CompileRegex, Re2SyntaxErrorsNameTheFragment) {
  struct Case {
    const char* re;
    size_t offset;
    const char* reason_part;
  };
  for (const Case& c : {
           Case{"(a)\\1", 3, "invalid escape"},         // no backreferences
           Case{"x(?=y)", 1, "invalid perl operator"},  // no lookahead
           Case{"ab{2000}", 2, "repetition size"},
           Case{"abc(def", 3, "missing )"},
       }) {
    std::shared_ptr<const RE2> re;
    std::string reason;
    std::optional<size_t> off;
    EXPECT_FALSE(internal::CompileRegex(c.re, &re, &reason, &off)) << c.re;
    EXPECT_EQ(off, c.offset) << c.re;
    EXPECT_NE(reason.find(c.reason_part), std::string::npos) << reason;
  }
}

TEST(RegexErrorOffset, FindsCulprits) {
  using internal::FindRegexErrorOffset;
  EXPECT_EQ(FindRegexErrorOffset("abc(def"), 3u);
  EXPECT_EQ(FindRegexErrorOffset("ab)c"), 2u);
  EXPECT_EQ(FindRegexErrorOffset("x[ab"), 1u);
  EXPECT_EQ(FindRegexErrorOffset("*a"), 0u);
  EXPECT_EQ(FindRegexErrorOffset("a|+b"), 2u);
  EXPECT_EQ(FindRegexErrorOffset("ab\\"), 2u);
  EXPECT_EQ(FindRegexErrorOffset("a{2"), 1u);
  EXPECT_FALSE(FindRegexErrorOffset("(?:a|b)+?[]x]\\(c{1,2}$"));
}

TEST(ParseTargetsYaml, AllKinds) {
  std::vector<TargetSpec> specs;
  std::string error;
  ASSERT_TRUE(ParseTargetsYaml(R"(targets:
  - name: api
    comm: node
    cmdline: 'server\.js'
  - {name: db, pidfile: /run/postgres.pid}
  - name: legacy
    pid: 1234
  - name: bin
    exe: /usr/bin/x
)",
                               "t.yaml", &specs, &error))
      << error;
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[0].comm, "node");
  EXPECT_TRUE(specs[0].cmdline_re);
  EXPECT_EQ(specs[1].pidfile, "/run/postgres.pid");
  EXPECT_EQ(specs[2].pid, 1234);
  EXPECT_EQ(specs[3].exe, "/usr/bin/x");
}

TEST(ParseTargetsYaml, ErrorsCarryFileLineColumn) {
  struct Case {
    const char* text;
    const char* error_part;
  };
  for (const Case& c : {
           Case{"targets:\n  - name: api\n    colour: red\n",
                "t.yaml:3:5: unknown key \"colour\""},
           Case{"targets:\n  - name: api\n    cmdline: 'a(b'\n",
                "t.yaml:3:14: bad cmdline regex at offset 1"},
           Case{"targets:\n  - name: api\n    pid: abc\n",
                "t.yaml:3:10: pid must be a positive integer"},
           Case{"targets:\n  - name: api\n", "needs exactly one of"},
           Case{"targets:\n  - comm: x\n", "t.yaml:2:5: target needs a name"},
           Case{"targets:\n  - name: [x\n", "t.yaml:"},
           Case{"", "t.yaml:1:1: expected a mapping"},
           Case{"targets: 3\n", "t.yaml:1:10: \"targets\" must be a list"},
           Case{"target:\n  - name: x\n", "expected a mapping with"},
           Case{"targets:\n  - name: a\n    pid: 1\n    comm: x\n",
                "exactly one"},
       }) {
    std::vector<TargetSpec> specs;
    std::string error;
    EXPECT_FALSE(ParseTargetsYaml(c.text, "t.yaml", &specs, &error)) << c.text;
    EXPECT_NE(error.find(c.error_part), std::string::npos)
        << c.text << " -> " << error;
  }
}

}  // namespace
}  // namespace memwatch::targets
