#include "collectors/heapread/pprof.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "collectors/base/fixtures.h"
#include "collectors/base/loopback_server.h"

namespace memwatch::heapread {
namespace {

// A server in this test process (the process the reading is of, getpid(),
// is the one listening).
using Server = LoopbackServer;

std::string Http200(const std::string& body) {
  return memwatch::Http200(body, "application/octet-stream");
}

const int kSelf = static_cast<int>(getpid());

TEST(PprofPort, OnlyLoopbackBaseUrls) {
  EXPECT_EQ(PprofPort("http://127.0.0.1:6060"), 6060);
  EXPECT_EQ(PprofPort("http://127.0.0.1:6060/admin"), 6060);
  EXPECT_FALSE(PprofPort("http://127.0.0.1:0"));
  EXPECT_FALSE(PprofPort("http://127.0.0.1:6060x"));
  EXPECT_FALSE(PprofPort("http://10.0.0.1:6060"));
  EXPECT_FALSE(PprofPort(""));
}

TEST(TakePprofTotals, ReadsTheProfileOfTheListeningProcess) {
  Server s(Http200(ReadRepoFile("tests/fixtures/goprof/heap_after.pb.gz")));
  PprofAccess access;
  access.base_url = s.url();
  Error error;
  auto counts = TakePprofTotals("/proc", kSelf, access, &error);
  ASSERT_TRUE(counts) << error.message;
  EXPECT_EQ(counts->groups.at("main.leakyFunction").bytes, 11326036u);
}

TEST(TakePprofTotals, TypedErrors) {
  PprofAccess access;
  Error error;
  // None configured.
  EXPECT_FALSE(TakePprofTotals("/proc", kSelf, access, &error));
  EXPECT_EQ(error.kind, ErrorKind::kUnsupported);
  EXPECT_NE(error.message.find("memwatch.io/pprof-port"), std::string::npos);
  // Nobody of this process listens there (the port was just closed).
  int closed = 0;
  {
    Server gone("");
    closed = gone.port();
  }
  access.base_url = "http://127.0.0.1:" + std::to_string(closed);
  EXPECT_FALSE(TakePprofTotals("/proc", kSelf, access, &error));
  EXPECT_EQ(error.kind, ErrorKind::kUnavailable);
  EXPECT_NE(error.message.find("does not listen"), std::string::npos);
  // No such process.
  EXPECT_FALSE(TakePprofTotals("/proc", 999999999, access, &error));
  EXPECT_EQ(error.kind, ErrorKind::kNoProcess);
}

TEST(TakePprofTotals, AnswersThatAreNotProfiles) {
  struct Case {
    std::string reply;
    ErrorKind kind;
    const char* says;
  };
  const std::string profile =
      ReadRepoFile("tests/fixtures/goprof/heap_after.pb.gz");
  const std::vector<Case> cases = {
      {"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: "
       "close\r\n\r\n",
       ErrorKind::kUnavailable, "answered 404"},
      {Http200("<html>not a profile</html>"), ErrorKind::kUnavailable,
       "malformed"},
      {Http200(profile.substr(0, profile.size() / 2)), ErrorKind::kUnavailable,
       "gzip"},
      {Http200(std::string(4096, 'x')), ErrorKind::kTooLarge, "larger than"},
  };
  for (const Case& c : cases) {
    Server s(c.reply);
    PprofAccess access;
    access.base_url = s.url();
    access.limits.max_compressed_bytes = 2048;
    Error error;
    EXPECT_FALSE(TakePprofTotals("/proc", kSelf, access, &error)) << c.says;
    EXPECT_EQ(error.kind, c.kind) << error.message;
    EXPECT_NE(error.message.find(c.says), std::string::npos) << error.message;
  }
}

TEST(TakePprofTotals, NoAnswerIsATimeoutNotAHang) {
  Server s("");
  PprofAccess access;
  access.base_url = s.url();
  access.timeout_seconds = 0.5;
  Error error;
  EXPECT_FALSE(TakePprofTotals("/proc", kSelf, access, &error));
  EXPECT_EQ(error.kind, ErrorKind::kTimeout) << error.message;
}

}  // namespace
}  // namespace memwatch::heapread
