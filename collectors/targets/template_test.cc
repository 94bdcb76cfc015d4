#include "collectors/targets/template.h"

#include <gtest/gtest.h>

#include <string>

namespace memwatch::targets {
namespace {

TemplateValues Values() {
  TemplateValues v;
  v.comm = "node";
  v.exe_base = "node20";
  v.pod_uid = "1e3f5c2a-8b7d-4c1e-9f00-0123456789ab";
  v.container_id =
      "4a1b9c3d5e7f80912a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091";
  v.qos = "burstable";
  return v;
}

std::string Expand(const std::string& t, const TemplateValues& v = Values()) {
  std::string err;
  auto out = ExpandNameTemplate(t, v, &err);
  EXPECT_TRUE(out.has_value()) << t << ": " << err;
  return out.value_or("<error>");
}

std::string ErrorOf(std::string_view t) {
  std::string err;
  EXPECT_FALSE(ValidateNameTemplate(t, &err)) << t;
  return err;
}

TEST(NameTemplate, ProcessExporterFields) {
  EXPECT_EQ(Expand("{{.Comm}}"), "node");
  EXPECT_EQ(Expand("{{.ExeBase}}:{{.Comm}}"), "node20:node");
  EXPECT_EQ(Expand("plain"), "plain");
}

TEST(NameTemplate, ContainerFields) {
  EXPECT_EQ(Expand("{{.Comm}}-{{.PodUID}}"),
            "node-1e3f5c2a-8b7d-4c1e-9f00-0123456789ab");
  EXPECT_EQ(Expand("{{.ContainerID12}}"), "4a1b9c3d5e7f");
  EXPECT_EQ(Expand("{{.ContainerID}}"), Values().container_id);
  EXPECT_EQ(Expand("{{.QoS}}"), "burstable");
  // Unknown until the API server is asked: empty.
  EXPECT_EQ(Expand("{{.Namespace}}/{{.Pod}}/{{.Container}}"), "//");
  TemplateValues v = Values();
  v.namespace_name = "shop";
  v.pod = "cart-7d9f";
  v.container = "app";
  EXPECT_EQ(Expand("{{.Namespace}}/{{.Pod}}/{{.Container}}", v),
            "shop/cart-7d9f/app");
  TemplateValues none;
  none.comm = "node";
  EXPECT_EQ(Expand("{{.Comm}}-{{.ContainerID12}}", none), "node-");
}

TEST(NameTemplate, FromCgroupText) {
  // The intended pipeline: /proc/<pid>/cgroup -> identity -> name.
  auto id = procfs::ParseContainerIdentity(
      "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
      "1e3f5c2a_8b7d_4c1e_9f00_0123456789ab.slice/cri-containerd-"
      "4a1b9c3d5e7f80912a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091."
      "scope\n");
  ASSERT_TRUE(id.has_value());
  TemplateValues v;
  v.comm = "node";
  SetContainerFields(*id, &v);
  EXPECT_EQ(Expand("{{.Comm}}-{{.PodUID}}", v),
            "node-1e3f5c2a-8b7d-4c1e-9f00-0123456789ab");
  EXPECT_EQ(Expand("{{.Comm}}/{{.ContainerID12}}/{{.QoS}}", v),
            "node/4a1b9c3d5e7f/burstable");
}

TEST(NameTemplate, SpacesAndSingleBraces) {
  EXPECT_EQ(Expand("{{ .Comm }}"), "node");
  EXPECT_EQ(Expand("{{\t.ExeBase\t}}"), "node20");
  EXPECT_EQ(Expand("{a}-{{.Comm}}-}"), "{a}-node-}");
}

TEST(NameTemplate, NeedsContainer) {
  std::string err;
  EXPECT_FALSE(
      NameTemplate::Parse("{{.Comm}}-{{.ExeBase}}", &err)->NeedsContainer());
  for (const char* t :
       {"{{.PodUID}}", "{{.ContainerID}}", "{{.ContainerID12}}", "{{.QoS}}",
        "{{.Namespace}}", "{{.Pod}}", "{{.Container}}"}) {
    auto p = NameTemplate::Parse(t, &err);
    ASSERT_TRUE(p.has_value()) << err;
    EXPECT_TRUE(p->NeedsContainer()) << t;
    EXPECT_EQ(p->text(), t);
  }
}

TEST(NameTemplate, PidIsRefusedWithTheReason) {
  // Issue 23: a pid must never become a label.
  std::string e = ErrorOf("{{.Comm}}-{{.PID}}");
  EXPECT_NE(e.find("{{.PID}} at column 11 is not allowed"), std::string::npos)
      << e;
  EXPECT_NE(e.find("new series at every restart"), std::string::npos) << e;
}

TEST(NameTemplate, ProcessFields) {
  std::string err;
  EXPECT_TRUE(NameTemplate::Parse("{{.Comm}}", &err)->UsesProcessFields());
  EXPECT_TRUE(NameTemplate::Parse("x{{.ExeBase}}", &err)->UsesProcessFields());
  EXPECT_FALSE(
      NameTemplate::Parse("{{.Namespace}}/{{.Pod}}/{{.Container}}", &err)
          ->UsesProcessFields());
}

TEST(NameTemplate, UnknownFieldIsNamed) {
  std::string e = ErrorOf("{{.Comm}}-{{.PodUid}}");
  EXPECT_NE(e.find("unknown field \".PodUid\""), std::string::npos) << e;
  EXPECT_NE(e.find("column 11"), std::string::npos) << e;
  EXPECT_NE(e.find(".PodUID"), std::string::npos) << e;  // lists known ones
  e = ErrorOf("{{.Username}}");
  EXPECT_NE(e.find("\".Username\""), std::string::npos) << e;
}

TEST(NameTemplate, UnbalancedBracesGiveColumn) {
  std::string e = ErrorOf("{{.Comm}}-{{.PID");
  EXPECT_NE(e.find("\"{{\" without \"}}\" at column 11"), std::string::npos)
      << e;
  e = ErrorOf("{{.Comm{{.PID}}");
  EXPECT_NE(e.find("\"{{\" without \"}}\" at column 1"), std::string::npos)
      << e;
  e = ErrorOf("ab.Comm}}");
  EXPECT_NE(e.find("\"}}\" without \"{{\" at column 8"), std::string::npos)
      << e;
  e = ErrorOf("{{.Comm}}}}");
  EXPECT_NE(e.find("column 10"), std::string::npos) << e;
  e = ErrorOf("{{");
  EXPECT_NE(e.find("column 1"), std::string::npos) << e;
}

TEST(NameTemplate, OtherErrors) {
  EXPECT_NE(ErrorOf("").find("empty"), std::string::npos);
  EXPECT_NE(ErrorOf("x{{ }}").find("empty {{}} at column 2"),
            std::string::npos);
  EXPECT_NE(ErrorOf("{{Comm}}").find("not a field"), std::string::npos);
  EXPECT_NE(ErrorOf("{{.}}").find("not a field"), std::string::npos);
  EXPECT_NE(ErrorOf("{{.Comm | upper}}").find("not a field"),
            std::string::npos);
  EXPECT_NE(ErrorOf("{{- .Comm}}").find("not a field"), std::string::npos);
  EXPECT_NE(ErrorOf("a\xff").find("UTF-8"), std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kMaxTemplateBytes + 1, 'a')).find("more than"),
            std::string::npos);
  // Control bytes in an action are quoted printably.
  std::string e = ErrorOf(std::string("{{.\x01\n}}"));
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(NameTemplate, ResultIsASafeLabelValue) {
  TemplateValues v = Values();
  v.comm = std::string("no\xff\xfe") + "de\n\t\x7f";
  EXPECT_EQ(Expand("{{.Comm}}", v),
            "no\xEF\xBF\xBD\xEF\xBF\xBD"
            "de___");
  // Capped, and never cut inside a UTF-8 character.
  v.exe_base.clear();
  for (int i = 0; i < 1000; ++i) v.exe_base += "\xC3\xA9";  // é
  std::string out = Expand("x{{.ExeBase}}", v);
  EXPECT_LE(out.size(), kMaxExpandedNameBytes);
  EXPECT_GE(out.size(), kMaxExpandedNameBytes - 1);
  EXPECT_EQ(out.size() % 2, 1u);  // "x" + whole 2-byte characters
  // A long literal and many fields stay bounded too.
  std::string many;
  for (int i = 0; i < 60; ++i) many += "{{.ContainerID}}";
  EXPECT_EQ(Expand(many).size(), kMaxExpandedNameBytes);
}

TEST(NameTemplate, SanitizeNameValue) {
  EXPECT_EQ(SanitizeNameValue("ok"), "ok");
  EXPECT_EQ(SanitizeNameValue(std::string("a\0b", 3)), "a_b");
  EXPECT_EQ(SanitizeNameValue("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeNameValue("\xE2\x82\xAC"), "\xE2\x82\xAC");  // €
}

}  // namespace
}  // namespace memwatch::targets
