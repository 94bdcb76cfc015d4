#include "collectors/jvmattach/protocol.h"

#include <gtest/gtest.h>

#include "collectors/jvmattach/error.h"
#include "collectors/jvmattach/facts.h"

namespace memwatch::jvmattach {
namespace {

using std::string_literals::operator""s;

TEST(EncodeRequest, FiveNulTerminatedStrings) {
  std::string error;
  auto r = EncodeRequest("jcmd", {"GC.class_histogram"}, &error);
  ASSERT_TRUE(r.has_value()) << error;
  EXPECT_EQ(*r, "1\0jcmd\0GC.class_histogram\0\0\0"s);
  EXPECT_EQ(*EncodeRequest("properties", {}, &error), "1\0properties\0\0\0\0"s);
}

TEST(EncodeRequest, RefusesWhatTheListenerWouldDrop) {
  std::string error;
  EXPECT_FALSE(EncodeRequest("", {}, &error));
  EXPECT_FALSE(EncodeRequest(std::string(17, 'x'), {}, &error));
  EXPECT_NE(error.find("longer than 16"), std::string::npos);
  EXPECT_FALSE(EncodeRequest("jcmd", {std::string(1025, 'a')}, &error));
  EXPECT_FALSE(EncodeRequest("jcmd", {"a\0b"s}, &error));
  EXPECT_NE(error.find("NUL"), std::string::npos);
  EXPECT_FALSE(EncodeRequest("jcmd", {"a", "b", "c", "d"}, &error));
  EXPECT_TRUE(EncodeRequest("jcmd", {std::string(1024, 'a')}, &error));
}

TEST(ParseReply, StatusAndOutput) {
  std::string error;
  auto r = ParseReply("0\n num  #instances\n", &error);
  ASSERT_TRUE(r.has_value()) << error;
  EXPECT_EQ(r->status, 0);
  EXPECT_EQ(r->output, " num  #instances\n");
  r = ParseReply("-1\njava.lang.IllegalArgumentException: x\n", &error);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, -1);
  EXPECT_EQ(ParseReply("101\n", &error)->status, kStatusBadVersion);
  EXPECT_FALSE(ParseReply("", &error));
  EXPECT_FALSE(ParseReply("0", &error));  // cut before the newline
  EXPECT_FALSE(ParseReply("\n", &error));
  EXPECT_FALSE(ParseReply("-\n", &error));
  EXPECT_FALSE(ParseReply("OK\n", &error));
  EXPECT_FALSE(ParseReply("99999999999\n", &error));
  EXPECT_FALSE(ParseReply(std::string(20, '1') + "\n", &error));
}

TEST(OneLine, FirstLineBoundedAndClean) {
  EXPECT_EQ(OneLine("\njava.lang.Ex: bad\n\tat x\n"), "java.lang.Ex: bad");
  EXPECT_EQ(OneLine("a\tb\x01"
                    "c"),
            "a b c");
  EXPECT_EQ(OneLine(std::string(400, 'x')), std::string(300, 'x') + "...");
}

constexpr const char* kStatus =
    "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nPid:\t4242\n"
    "Uid:\t1000\t1001\t1000\t1001\nGid:\t2000\t2002\t2000\t2002\n"
    "NSpid:\t4242\t7\nSigQ:\t0/63704\nSigPnd:\t0000000000000000\n"
    "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"
    "SigCgt:\t0000000101005ccd\n";

TEST(ParseStatusFacts, EffectiveIdsInnermostPidAndSigquit) {
  std::string error;
  auto f = ParseStatusFacts(kStatus, 4242, &error);
  ASSERT_TRUE(f.has_value()) << error;
  EXPECT_EQ(f->euid, 1001u);
  EXPECT_EQ(f->egid, 2002u);
  EXPECT_EQ(f->nspid, 7);
  EXPECT_TRUE(f->catches_sigquit);
}

TEST(ParseStatusFacts, NoHandlerNoNspidAndMalformed) {
  std::string error;
  std::string s = kStatus;
  s.replace(s.find("NSpid"), s.find("SigQ") - s.find("NSpid"), "");
  s.replace(s.find("101005ccd"), 9, "000000000");
  auto f = ParseStatusFacts(s, 4242, &error);
  ASSERT_TRUE(f.has_value()) << error;
  EXPECT_EQ(f->nspid, 4242);  // old kernel: its own pid
  EXPECT_FALSE(f->catches_sigquit);
  EXPECT_FALSE(ParseStatusFacts("Name:\tx\n", 1, &error));
  EXPECT_FALSE(ParseStatusFacts(std::string(kStatus) + "", 1, nullptr) ==
               std::nullopt);
  std::string bad = kStatus;
  bad.replace(bad.find("4242\t7"), 6, "4242\tx");
  EXPECT_FALSE(ParseStatusFacts(bad, 4242, &error));
  bad = kStatus;
  bad.replace(bad.find("0000000101005ccd"), 16, "zz");
  EXPECT_FALSE(ParseStatusFacts(bad, 4242, &error));
}

TEST(FlavorFromMaps, HotSpotOpenJ9None) {
  EXPECT_EQ(FlavorFromMaps("7f00-7f10 r-xp 0 08:01 1 "
                           "/usr/lib/jvm/java-17/lib/server/libjvm.so\n"),
            JvmFlavor::kHotSpot);
  EXPECT_EQ(FlavorFromMaps("x /opt/j9/lib/default/libjvm.so\n"
                           "y /opt/j9/lib/default/libj9vm29.so\n"),
            JvmFlavor::kOpenJ9);
  EXPECT_EQ(FlavorFromMaps("x /usr/bin/python3\n"), JvmFlavor::kNone);
}

TEST(JvmOptions, CommandLineStopsAtTheMainClass) {
  std::string cmdline =
      "java\0-Xmx64m\0-cp\0/app\0-XX:+DisableAttachMechanism\0Main\0"
      "-XX:-DisableAttachMechanism\0"s;
  auto opts = JvmOptionsFromCmdline(cmdline);
  ASSERT_EQ(opts.size(), 2u);
  EXPECT_EQ(opts[1], "-XX:+DisableAttachMechanism");
  EXPECT_EQ(DisableAttachIn(opts), true);
  EXPECT_EQ(DisableAttachIn(JvmOptionsFromCmdline("java\0-jar\0a.jar\0"s)),
            std::nullopt);
}

TEST(JvmOptions, EnvironmentInTheJvmsOrder) {
  std::string environ =
      "PATH=/bin\0_JAVA_OPTIONS=-XX:-DisableAttachMechanism\0"
      "JAVA_TOOL_OPTIONS=-Xss1m -XX:+DisableAttachMechanism\0"s;
  auto all = AllJvmOptions("java\0-Xmx1g\0Main\0"s, environ);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0], "-Xss1m");
  EXPECT_EQ(all[2], "-Xmx1g");
  EXPECT_EQ(DisableAttachIn(all), false);  // _JAVA_OPTIONS comes last
  EXPECT_EQ(
      DisableAttachIn(AllJvmOptions(
          "java\0Main\0"s, "JAVA_TOOL_OPTIONS=-XX:+DisableAttachMechanism"s)),
      true);
  EXPECT_EQ(
      SplitOptions("  -Xmx64m   -XX:+DisableAttachMechanism "),
      (std::vector<std::string>{"-Xmx64m", "-XX:+DisableAttachMechanism"}));
}

TEST(AttachCapability, FirstCharacter) {
  EXPECT_EQ(AttachCapability("1100000000"), true);
  EXPECT_EQ(AttachCapability("0100000000"), false);
  EXPECT_EQ(AttachCapability(""), std::nullopt);
  EXPECT_EQ(AttachCapability("x"), std::nullopt);
}

TEST(HttpStatusOf, EveryKind) {
  EXPECT_EQ(HttpStatusOf(ErrorKind::kNoProcess), 404);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kExited), 404);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kNotJvm), 409);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kNotHotSpot), 409);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kAttachDisabled), 409);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kPermission), 403);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kTimeout), 504);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kCommandFailed), 502);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kProtocol), 502);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kCancelled), 503);
  EXPECT_EQ(HttpStatusOf(ErrorKind::kInternal), 500);
  EXPECT_STREQ(ErrorKindName(ErrorKind::kAttachDisabled), "attach_disabled");
}

}  // namespace
}  // namespace memwatch::jvmattach
