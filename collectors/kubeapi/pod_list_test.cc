#include "collectors/kubeapi/pod_list.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "collectors/base/fixtures.h"
#include "collectors/kubeapi/backoff.h"

namespace memwatch::kubeapi {
namespace {

std::string Testdata(const std::string& name) {
  std::string text = ReadRepoFile("collectors/kubeapi/testdata/" + name);
  EXPECT_FALSE(text.empty()) << name;
  return text;
}

const std::string kCart = "1e3f5c2a-8b7d-4c1e-9f00-0123456789ab";

TEST(PodList, ReadsNamesOfARealList) {
  PodIndex index;
  std::string error;
  ASSERT_TRUE(ParsePodList(Testdata("podlist_worker-1.json"), &index, &error))
      << error;
  EXPECT_EQ(index.pod_count, 4u);
  EXPECT_EQ(index.resource_version, "48411");
  const PodNames& cart = index.pods.at(kCart);
  EXPECT_EQ(cart.namespace_name, "shop");
  EXPECT_EQ(cart.pod, "cart-7d9f8b6c5-x2kqp");
  // Main, sidecar and (terminated) init container, by bare container ID.
  EXPECT_EQ(cart.containers.size(), 3u);
  EXPECT_EQ(cart.containers.at(std::string(64, 'a')), "cart");
  EXPECT_EQ(cart.containers.at(std::string(64, 'b')), "istio-proxy");
  EXPECT_EQ(cart.containers.at(std::string(64, 'c')), "istio-init");
  // Ephemeral (kubectl debug) containers count too.
  const PodNames& fb = index.pods.at("8a7b6c5d-4e3f-4a1b-8c2d-3e4f5a6b7c8d");
  EXPECT_EQ(fb.containers.at(std::string(64, '9')), "debugger-6hwcx");
  EXPECT_EQ(fb.containers.at(std::string(64, 'd')), "fluent-bit");
  // A pending pod is known, its container (no ID yet) is not.
  const PodNames& co = index.pods.at("c0ffee00-1234-4abc-8def-00112233aabb");
  EXPECT_EQ(co.pod, "checkout-6c8d7f9b4-pl4vn");
  EXPECT_TRUE(co.containers.empty());
}

TEST(PodList, StaticPodIsFoundByItsConfigHashToo) {
  PodIndex index;
  std::string error;
  ASSERT_TRUE(ParsePodList(Testdata("podlist_worker-1.json"), &index, &error));
  // The cgroup of a static pod carries the manifest hash, not the mirror UID.
  const PodNames& by_hash = index.pods.at("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
  EXPECT_EQ(by_hash.namespace_name, "kube-system");
  EXPECT_EQ(by_hash.pod, "haproxy-worker-1");
  EXPECT_EQ(by_hash.containers.at(std::string(64, '0')), "haproxy");
  EXPECT_EQ(index.pods.at("4f2b9c1e-7d3a-4b5c-9e8f-a1b2c3d4e5f6").pod,
            "haproxy-worker-1");
}

TEST(PodList, PprofPortAnnotation) {
  PodIndex index;
  std::string error;
  ASSERT_TRUE(ParsePodList(R"({"kind": "PodList", "items": [
    {"metadata": {"uid": "a", "name": "go", "namespace": "ns",
                  "annotations": {"memwatch.io/pprof-port": "6060"}}},
    {"metadata": {"uid": "b", "name": "bad", "namespace": "ns",
                  "annotations": {"memwatch.io/pprof-port": "60x"}}},
    {"metadata": {"uid": "c", "name": "big", "namespace": "ns",
                  "annotations": {"memwatch.io/pprof-port": "70000"}}},
    {"metadata": {"uid": "d", "name": "none", "namespace": "ns"}}]})",
                           &index, &error))
      << error;
  EXPECT_EQ(index.pods.at("a").pprof_port, 6060);
  EXPECT_EQ(index.pods.at("b").pprof_port, 0);
  EXPECT_EQ(index.pods.at("c").pprof_port, 0);
  EXPECT_EQ(index.pods.at("d").pprof_port, 0);
}

TEST(PodList, EmptyList) {
  PodIndex index;
  std::string error;
  ASSERT_TRUE(ParsePodList(Testdata("podlist_empty.json"), &index, &error));
  EXPECT_EQ(index.pod_count, 0u);
  EXPECT_TRUE(index.pods.empty());
}

TEST(PodList, StatusDocumentIsAnErrorWithItsMessage) {
  PodIndex index;
  std::string error;
  EXPECT_FALSE(ParsePodList(Testdata("status_forbidden.json"), &index, &error));
  EXPECT_NE(error.find("pods is forbidden"), std::string::npos) << error;
}

TEST(PodList, OtherRuntimesPrefixesAreStripped) {
  PodIndex index;
  std::string error;
  std::string doc = R"({"kind":"PodList","apiVersion":"v1","metadata":{},
    "items":[{"metadata":{"name":"p","namespace":"n","uid":"u"},
      "status":{"containerStatuses":[
        {"name":"crio","containerID":"cri-o://)" +
                    std::string(64, '1') + R"("},
        {"name":"dock","containerID":"docker://)" +
                    std::string(64, 'F') + R"("},
        {"name":"nameless"},
        {"name":"typed","containerID":7}]}}]})";
  ASSERT_TRUE(ParsePodList(doc, &index, &error)) << error;
  const PodNames& p = index.pods.at("u");
  EXPECT_EQ(p.containers.size(), 2u);
  EXPECT_EQ(p.containers.at(std::string(64, '1')), "crio");
  EXPECT_EQ(p.containers.at(std::string(64, 'f')), "dock");
}

TEST(PodList, ExcludeAnnotationIsKeptOthersAreNot) {
  PodIndex index;
  std::string error;
  ASSERT_TRUE(ParsePodList(
      R"({"items":[
        {"metadata":{"uid":"a","name":"a","namespace":"n","annotations":{
          "memwatch.io/exclude":"true","kubectl.kubernetes.io/x":"y"}}},
        {"metadata":{"uid":"b","name":"b","namespace":"n","annotations":{
          "memwatch.io/exclude":"false"}}},
        {"metadata":{"uid":"c","name":"c","namespace":"n","annotations":{
          "memwatch.io/exclude":true}}},
        {"metadata":{"uid":"d","name":"d","namespace":"n"}}]})",
      &index, &error))
      << error;
  EXPECT_TRUE(index.pods.at("a").excluded);
  EXPECT_FALSE(index.pods.at("b").excluded);
  // Annotation values are strings: a JSON true is not "true".
  EXPECT_FALSE(index.pods.at("c").excluded);
  EXPECT_FALSE(index.pods.at("d").excluded);
}

TEST(PodList, BadDocumentsAreClearErrors) {
  struct Case {
    std::string doc;
    std::string error_part;
  } cases[] = {
      {"", "not JSON"},
      {"{\"items\":[", "not JSON"},
      {"[]", "not a JSON object"},
      {"{\"kind\":\"PodList\"}", "no items array"},
      {"{\"items\":{}}", "no items array"},
      {"{\"kind\":\"NodeList\",\"items\":[]}", "expected kind PodList"},
      {"{\"items\":[{\"metadata\":{\"uid\":\"u\"},\"status\":"
       "{\"containerStatuses\":{}}}]}",
       "not an array"},
  };
  for (const Case& c : cases) {
    PodIndex index;
    std::string error;
    EXPECT_FALSE(ParsePodList(c.doc, &index, &error)) << c.doc;
    EXPECT_NE(error.find(c.error_part), std::string::npos)
        << c.doc << " -> " << error;
  }
}

TEST(PodList, ItemsWithoutUidOrOfWrongTypeAreSkipped) {
  PodIndex index;
  std::string error;
  ASSERT_TRUE(ParsePodList(
      R"({"items":[1,"x",{"metadata":{"name":"a"}},{"metadata":{"uid":5}},
          {"metadata":{"uid":"ok","name":"b","namespace":"n"}}]})",
      &index, &error))
      << error;
  EXPECT_EQ(index.pods.size(), 1u);
  EXPECT_EQ(index.pods.at("ok").pod, "b");
}

TEST(PodList, LimitsAreEnforced) {
  PodIndex index;
  std::string error;
  std::string huge(kMaxPodListBytes + 1, ' ');
  EXPECT_FALSE(ParsePodList(huge, &index, &error));
  EXPECT_NE(error.find("larger than"), std::string::npos) << error;

  std::string many = "{\"items\":[";
  for (size_t i = 0; i <= kMaxPods; ++i) many += i ? ",{}" : "{}";
  many += "]}";
  EXPECT_FALSE(ParsePodList(many, &index, &error));
  EXPECT_NE(error.find("items, more than"), std::string::npos) << error;

  std::string wide = R"({"items":[{"metadata":{"uid":"u"},"status":{)"
                     R"("containerStatuses":[)";
  for (size_t i = 0; i <= kMaxContainersPerPod; ++i) {
    wide += std::string(i ? "," : "") +
            "{\"name\":\"c\",\"containerID\":\"x://" + std::to_string(i) +
            "\"}";
  }
  wide += "]}}]}";
  EXPECT_FALSE(ParsePodList(wide, &index, &error));
  EXPECT_NE(error.find("containers"), std::string::npos) << error;
}

TEST(PodList, DeepNestingDoesNotCrash) {
  // Dropped keys are parsed but not kept; nesting must not overflow the stack.
  std::string deep = "{\"items\":[],\"x\":" + std::string(200000, '[') +
                     std::string(200000, ']') + "}";
  PodIndex index;
  std::string error;
  EXPECT_TRUE(ParsePodList(deep, &index, &error)) << error;
}

TEST(StripContainerIdScheme, Forms) {
  EXPECT_EQ(StripContainerIdScheme("containerd://AbC"), "abc");
  EXPECT_EQ(StripContainerIdScheme("abc"), "abc");
  EXPECT_EQ(StripContainerIdScheme("docker://"), "");
  EXPECT_EQ(StripContainerIdScheme(""), "");
}

TEST(Backoff, DoublesUpToTheCapWithJitter) {
  Backoff b(1, 30, 42);
  double bases[] = {1, 2, 4, 8, 16, 30, 30, 30};
  for (double base : bases) {
    double d = b.NextDelay();
    EXPECT_GE(d, base / 2);
    EXPECT_LE(d, base);
  }
  EXPECT_EQ(b.failures(), 8);
  b.Reset();
  double d = b.NextDelay();
  EXPECT_GE(d, 0.5);
  EXPECT_LE(d, 1.0);
}

TEST(Backoff, JitterSpreadsDelays) {
  Backoff a(1, 60, 1), b(1, 60, 2);
  bool differ = false;
  for (int i = 0; i < 5; ++i) differ |= a.NextDelay() != b.NextDelay();
  EXPECT_TRUE(differ);
}

TEST(Backoff, LongOutagesStayFinite) {
  Backoff b(1, 300, 7);
  double d = 0;
  for (int i = 0; i < 5000; ++i) d = b.NextDelay();
  EXPECT_GE(d, 150);
  EXPECT_LE(d, 300);
}

}  // namespace
}  // namespace memwatch::kubeapi
