// The attach against a fake HotSpot listener (fake_jvm.h): every path of
// the protocol and its errors, with the helper child forked as in production.
#include "collectors/jvmattach/attach.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "collectors/jvmattach/fake_jvm.h"

namespace memwatch::jvmattach {
namespace {

using std::string_literals::operator""s;
using testing::FakeJvm;
using testing::kHisto;
using testing::kPid;

std::string TestName() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

TEST(Attach, SocketPresentNoSignal) {
  FakeJvm jvm(TestName());
  jvm.Serve(FakeJvm::Mode::kAnswer, "0\n"s + kHisto);
  AttachError e;
  auto h = TakeClassHistogram(jvm.proc, kPid, jvm.options, &e);
  ASSERT_TRUE(h.has_value()) << e.message;
  jvm.Join();
  EXPECT_EQ(h->classes[0].name, "ClassLeak$LeakedWidget");
  EXPECT_EQ(h->total_bytes, 728336u);
  EXPECT_EQ(jvm.request, "1\0jcmd\0GC.class_histogram\0\0\0"s);
  EXPECT_EQ(jvm.peer.uid, geteuid());
  EXPECT_NE(jvm.peer.pid, getpid());  // connected by the helper child
  EXPECT_EQ(jvm.Quits(), 0);
}

TEST(Attach, TriggerInCwdThenSigquitStartsTheListener) {
  FakeJvm jvm(TestName());
  jvm.options.live_only = false;
  jvm.Serve(FakeJvm::Mode::kAnswer, "0\n"s + kHisto, /*on_quit=*/true);
  AttachError e;
  auto h = TakeClassHistogram(jvm.proc, kPid, jvm.options, &e);
  ASSERT_TRUE(h.has_value()) << e.message;
  jvm.Join();
  EXPECT_EQ(jvm.trigger_found_in, "cwd");
  EXPECT_EQ(jvm.request, "1\0jcmd\0GC.class_histogram -all\0\0\0"s);
  struct stat st;
  EXPECT_NE(stat(jvm.TriggerIn(jvm.cwd).c_str(), &st), 0);  // removed
}

TEST(Attach, TriggerInTmpWithoutCwd) {
  FakeJvm jvm(TestName());
  unlink((jvm.procdir + "/cwd").c_str());
  jvm.Serve(FakeJvm::Mode::kAnswer, "0\n"s + kHisto, /*on_quit=*/true);
  AttachError e;
  ASSERT_TRUE(TakeClassHistogram(jvm.proc, kPid, jvm.options, &e)) << e.message;
  jvm.Join();
  EXPECT_EQ(jvm.trigger_found_in, "tmp");
  struct stat st;
  EXPECT_NE(stat(jvm.TriggerIn(jvm.tmp).c_str(), &st), 0);
}

TEST(Attach, ListenerNeverStartsTimesOutAndCleansUp) {
  FakeJvm jvm(TestName());
  jvm.options.listener_start_seconds = 0.6;
  AttachError e = jvm.Fail();
  EXPECT_EQ(e.kind, ErrorKind::kTimeout) << e.message;
  EXPECT_NE(e.message.find("did not start its attach listener"),
            std::string::npos);
  EXPECT_EQ(jvm.Quits(), 2);  // and once more at half time, as the JDK
  struct stat st;
  EXPECT_NE(stat(jvm.TriggerIn(jvm.cwd).c_str(), &st), 0);
}

TEST(Attach, ListenerThatNeverAnswersTimesOut) {
  FakeJvm jvm(TestName());
  jvm.options.timeout_seconds = 1;
  jvm.Serve(FakeJvm::Mode::kSilent, "");
  auto start = std::chrono::steady_clock::now();
  AttachError e = jvm.Fail();
  double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_EQ(e.kind, ErrorKind::kTimeout) << e.message;
  EXPECT_NE(e.message.find("did not answer"), std::string::npos);
  EXPECT_LT(s, 10.0);  // bounded, not a speed assertion
}

TEST(Attach, CancelEndsTheWait) {
  FakeJvm jvm(TestName());
  std::atomic<bool> cancel{false};
  jvm.options.cancel = &cancel;
  jvm.options.timeout_seconds = 60;
  jvm.Serve(FakeJvm::Mode::kSilent, "");
  std::thread canceller([&] {
    poll(nullptr, 0, 200);
    cancel = true;
  });
  AttachError e = jvm.Fail();
  canceller.join();
  EXPECT_EQ(e.kind, ErrorKind::kCancelled) << e.message;
}

TEST(Attach, CancelWhileWaitingForTheListener) {
  FakeJvm jvm(TestName());
  std::atomic<bool> cancel{false};
  jvm.options.cancel = &cancel;
  jvm.options.listener_start_seconds = 30;
  jvm.options.timeout_seconds = 60;
  std::thread canceller([&] {
    poll(nullptr, 0, 300);
    cancel = true;
  });
  AttachError e = jvm.Fail();
  canceller.join();
  EXPECT_EQ(e.kind, ErrorKind::kCancelled) << e.message;
  struct stat st;  // the child removed its trigger before exiting
  EXPECT_NE(stat(jvm.TriggerIn(jvm.cwd).c_str(), &st), 0);
}

TEST(Attach, ClosedWithoutAnswer) {
  FakeJvm jvm(TestName());
  jvm.Serve(FakeJvm::Mode::kClose, "");
  AttachError e = jvm.Fail();
  EXPECT_EQ(e.kind, ErrorKind::kProtocol) << e.message;
}

TEST(Attach, CommandErrorStatus) {
  FakeJvm jvm(TestName());
  jvm.Serve(FakeJvm::Mode::kAnswer,
            "-1\njava.lang.IllegalArgumentException: Unknown diagnostic "
            "command\n");
  AttachError e = jvm.Fail();
  EXPECT_EQ(e.kind, ErrorKind::kCommandFailed) << e.message;
  EXPECT_NE(e.message.find("status -1: java.lang.IllegalArgumentException"),
            std::string::npos)
      << e.message;
}

TEST(Attach, AnswerOverTheByteCap) {
  FakeJvm jvm(TestName());
  jvm.options.max_output_bytes = 64;
  jvm.Serve(FakeJvm::Mode::kAnswer, "0\n"s + kHisto);
  AttachError e = jvm.Fail();
  EXPECT_EQ(e.kind, ErrorKind::kProtocol);
  EXPECT_NE(e.message.find("longer than 64 bytes"), std::string::npos);
}

TEST(Attach, NotAHistogram) {
  FakeJvm jvm(TestName());
  jvm.Serve(FakeJvm::Mode::kAnswer, "0\nsomething else\n");
  EXPECT_EQ(jvm.Fail().kind, ErrorKind::kProtocol);
}

TEST(Attach, ExitsWhileWaitingForTheListener) {
  FakeJvm jvm(TestName());
  std::thread dies([&] {
    poll(nullptr, 0, 200);
    jvm.SetState('Z');
  });
  AttachError e = jvm.Fail();
  dies.join();
  EXPECT_EQ(e.kind, ErrorKind::kExited) << e.message;
  EXPECT_EQ(HttpStatusOf(e.kind), 404);
}

TEST(Attach, ExitsWhileAnswering) {
  FakeJvm jvm(TestName());
  jvm.Serve(FakeJvm::Mode::kExitWhileAnswering, "");
  AttachError e = jvm.Fail();
  EXPECT_EQ(e.kind, ErrorKind::kExited) << e.message;
  EXPECT_NE(e.message.find("exited during the attach"), std::string::npos);
}

TEST(Attach, Refusals) {
  FakeJvm jvm(TestName());
  AttachError e;
  EXPECT_FALSE(TakeClassHistogram(jvm.proc, 999999, jvm.options, &e));
  EXPECT_EQ(e.kind, ErrorKind::kNoProcess);
  jvm.SetMaps("7f00-7f10 r-xp 0 08:01 1 /usr/bin/python3\n");
  EXPECT_EQ(jvm.Fail().kind, ErrorKind::kNotJvm);
  jvm.SetMaps("x /opt/j9/lib/libjvm.so\ny /opt/j9/lib/libj9vm29.so\n");
  e = jvm.Fail();
  EXPECT_EQ(e.kind, ErrorKind::kNotHotSpot);
  EXPECT_NE(e.message.find("OpenJ9"), std::string::npos);
  jvm.SetMaps("x /usr/lib/jvm/lib/server/libjvm.so\n");
  jvm.SetCmdline("java\0-XX:+DisableAttachMechanism\0Main\0"s);
  e = jvm.Fail();
  EXPECT_EQ(e.kind, ErrorKind::kAttachDisabled);
  EXPECT_NE(
      e.message.find("the JVM was started with -XX:+DisableAttachMechanism"),
      std::string::npos);
  jvm.SetCmdline("java\0Main\0"s);
  jvm.SetStatus(geteuid(), getegid(), /*sigquit=*/false);
  e = jvm.Fail();
  EXPECT_EQ(e.kind, ErrorKind::kAttachDisabled);
  EXPECT_NE(e.message.find("does not handle SIGQUIT"), std::string::npos);
  EXPECT_EQ(jvm.Quits(), 0);  // never signalled
}

TEST(Attach, SocketNotTheJvmsIsNotUsed) {
  FakeJvm jvm(TestName());
  jvm.Listen(0666);
  AttachError e = jvm.Fail();
  EXPECT_EQ(e.kind, ErrorKind::kPermission);
  EXPECT_NE(e.message.find("not the JVM's"), std::string::npos);
}

TEST(Attach, SymlinkedTmpIsNotFollowed) {
  FakeJvm jvm(TestName());
  std::string rootfs = jvm.dir + "/rootfs";
  ASSERT_EQ(rename(jvm.tmp.c_str(), (rootfs + "/real").c_str()), 0);
  ASSERT_EQ(symlink("real", jvm.tmp.c_str()), 0);
  AttachError e = jvm.Fail();
  EXPECT_NE(e.message.find("a symlink, not followed"), std::string::npos)
      << e.message;
}

// As root, the helper takes the JVM's ids (as jattach and jcmd-as-the-user
// do): the listener sees them in SO_PEERCRED.
TEST(Attach, HelperTakesTheJvmsIds) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (CAP_SETUID/CAP_SETGID)";
  FakeJvm jvm(TestName());
  chmod(jvm.cwd.c_str(), 0777);
  jvm.SetStatus(12345, 12346, true);
  jvm.Serve(FakeJvm::Mode::kAnswer, "0\n"s + kHisto, /*on_quit=*/true);
  AttachError e;
  ASSERT_TRUE(TakeClassHistogram(jvm.proc, kPid, jvm.options, &e)) << e.message;
  jvm.Join();
  EXPECT_EQ(jvm.peer.uid, 12345u);
  EXPECT_EQ(jvm.peer.gid, 12346u);
  EXPECT_EQ(jvm.trigger_found_in, "cwd");
  EXPECT_EQ(geteuid(), 0u);  // this process kept its own
}

}  // namespace
}  // namespace memwatch::jvmattach
