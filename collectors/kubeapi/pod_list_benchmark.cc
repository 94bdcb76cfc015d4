// Parse cost of a node's pod list, for sizing --kubernetes.refresh-interval:
// kubelet's default is at most 110 pods per node; 5000 is far beyond.
#include <benchmark/benchmark.h>

#include <string>

#include "collectors/kubeapi/pod_list.h"

namespace {

// One pod shaped like the API server's (metadata with managed fields, a spec,
// a status with two containers): about 3 KB, like real ones.
std::string Pod(int i) {
  std::string n = std::to_string(i);
  std::string uid =
      "1e3f5c2a-8b7d-4c1e-9f00-" + std::string(12 - n.size(), '0') + n;
  std::string cid = std::string(64 - n.size(), 'a') + n;
  return R"({"metadata":{"name":"app-7d9f8b6c5-)" + n +
         R"(","generateName":"app-7d9f8b6c5-","namespace":"shop","uid":")" +
         uid +
         R"(","resourceVersion":"48213","creationTimestamp":"2026-11-30T08:14:02Z",)"
         R"("labels":{"app.kubernetes.io/name":"app","pod-template-hash":"7d9f8b6c5"},)"
         R"("ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"app-7d9f8b6c5","uid":"5b0e7a4c-2f1d-4e8a-9c3b-6d7e8f9a0b1c","controller":true,"blockOwnerDeletion":true}],)"
         R"("managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2026-11-30T08:14:02Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app.kubernetes.io/name":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"5b0e7a4c\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{".":{},"f:limits":{".":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}}}}}}},{"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"2026-11-30T08:14:09Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:conditions":{},"f:containerStatuses":{},"f:hostIP":{},"f:phase":{},"f:podIP":{},"f:startTime":{}}},"subresource":"status"}]},)"
         R"("spec":{"volumes":[{"name":"kube-api-access-x7k2p","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}}],"defaultMode":420}}],"containers":[{"name":"app","image":"registry.example.com/shop/app:1.4.2","resources":{"limits":{"memory":"256Mi"},"requests":{"cpu":"100m","memory":"256Mi"}},"volumeMounts":[{"name":"kube-api-access-x7k2p","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","nodeName":"worker-1","securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},)"
         R"("status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-11-30T08:14:09Z"}],"hostIP":"10.0.3.21","podIP":"10.244.1.17","startTime":"2026-11-30T08:14:02Z","containerStatuses":[{"name":"app","state":{"running":{"startedAt":"2026-11-30T08:14:08Z"}},"lastState":{},"ready":true,"restartCount":0,"image":"registry.example.com/shop/app:1.4.2","imageID":"registry.example.com/shop/app@sha256:eeee","containerID":"containerd://)" +
         cid +
         R"(","started":true},{"name":"sidecar","state":{"running":{"startedAt":"2026-11-30T08:14:08Z"}},"lastState":{},"ready":true,"restartCount":0,"image":"docker.io/istio/proxyv2:1.20.1","imageID":"docker.io/istio/proxyv2@sha256:ffff","containerID":"containerd://)" +
         std::string(64 - n.size(), 'b') + n +
         R"(","started":true}],"qosClass":"Burstable"}})";
}

void BM_ParsePodList(benchmark::State& state) {
  std::string doc =
      R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[)";
  for (int i = 0; i < state.range(0); ++i) doc += (i ? "," : "") + Pod(i);
  doc += "]}";
  for (auto _ : state) {
    memwatch::kubeapi::PodIndex index;
    std::string error;
    if (!memwatch::kubeapi::ParsePodList(doc, &index, &error)) {
      state.SkipWithError(error.c_str());
    }
    benchmark::DoNotOptimize(index);
  }
  state.SetBytesProcessed(state.iterations() * doc.size());
  state.counters["doc_bytes"] = static_cast<double>(doc.size());
}
BENCHMARK(BM_ParsePodList)->Arg(110)->Arg(5000)->Unit(benchmark::kMillisecond);

}  // namespace
