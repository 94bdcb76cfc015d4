#!/usr/bin/env python3
"""Writes the PodList fixtures in the shape the API server returns for
GET /api/v1/pods?fieldSelector=spec.nodeName=worker-1 (compact JSON, one
line, as `kubectl get --raw` prints it). Run from this directory; the
documents are checked in, this script only keeps them consistent."""
import json

NODE = "worker-1"
T0 = "2026-11-30T08:14:02Z"


def cid(c):
    return c * 64


def mf(manager, op, fields):
    return {"manager": manager, "operation": op, "apiVersion": "v1",
            "time": T0, "fieldsType": "FieldsV1", "fieldsV1": fields}


def running(name, image, c, restarts=0, ready=True):
    return {"name": name,
            "state": {"running": {"startedAt": T0}},
            "lastState": {}, "ready": ready, "restartCount": restarts,
            "image": image, "imageID": image.split(":")[0] + "@sha256:" + "e" * 64,
            "containerID": "containerd://" + cid(c), "started": True}


def terminated(name, image, c):
    return {"name": name,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                     "startedAt": T0, "finishedAt": T0,
                                     "containerID": "containerd://" + cid(c)}},
            "lastState": {}, "ready": True, "restartCount": 0,
            "image": image, "imageID": image.split(":")[0] + "@sha256:" + "f" * 64,
            "containerID": "containerd://" + cid(c), "started": False}


def container_spec(name, image, mem="256Mi"):
    return {"name": name, "image": image,
            "resources": {"limits": {"memory": mem},
                          "requests": {"cpu": "100m", "memory": mem}},
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}


def pod(ns, name, uid, rv, containers, statuses, init=None, init_statuses=None,
        owner=None, annotations=None, phase="Running", qos="Burstable",
        ephemeral_statuses=None, generate_name=None):
    meta = {"name": name, "namespace": ns, "uid": uid, "resourceVersion": rv,
            "creationTimestamp": T0,
            "labels": {"app.kubernetes.io/name": name.split("-")[0]},
            "managedFields": [
                mf("kube-controller-manager", "Update",
                   {"f:metadata": {"f:generateName": {}, "f:labels": {".": {}}},
                    "f:spec": {"f:containers": {}}}),
                mf("kubelet", "Update",
                   {"f:status": {"f:conditions": {}, "f:containerStatuses": {}}}),
            ]}
    if generate_name:
        meta["generateName"] = generate_name
    if owner:
        meta["ownerReferences"] = [owner]
    if annotations:
        meta["annotations"] = annotations
    spec = {"volumes": [{"name": "kube-api-access-x7k2p", "projected": {
                "sources": [{"serviceAccountToken": {"expirationSeconds": 3607,
                                                     "path": "token"}}],
                "defaultMode": 420}}],
            "containers": containers, "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "serviceAccount": "default",
            "nodeName": NODE, "securityContext": {}, "schedulerName": "default-scheduler",
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                             "effect": "NoExecute", "tolerationSeconds": 300}],
            "priority": 0, "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority"}
    if init:
        spec["initContainers"] = init
    status = {"phase": phase,
              "conditions": [{"type": "Initialized", "status": "True",
                              "lastProbeTime": None, "lastTransitionTime": T0},
                             {"type": "Ready", "status": "True" if phase == "Running" else "False",
                              "lastProbeTime": None, "lastTransitionTime": T0}],
              "hostIP": "10.0.3.21", "hostIPs": [{"ip": "10.0.3.21"}],
              "podIP": "10.244.1.17", "podIPs": [{"ip": "10.244.1.17"}],
              "startTime": T0, "qosClass": qos}
    if statuses is not None:
        status["containerStatuses"] = statuses
    if init_statuses is not None:
        status["initContainerStatuses"] = init_statuses
    if ephemeral_statuses is not None:
        status["ephemeralContainerStatuses"] = ephemeral_statuses
    return {"metadata": meta, "spec": spec, "status": status}


rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "cart-7d9f8b6c5",
      "uid": "5b0e7a4c-2f1d-4e8a-9c3b-6d7e8f9a0b1c", "controller": True,
      "blockOwnerDeletion": True}
ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "fluent-bit",
      "uid": "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f", "controller": True,
      "blockOwnerDeletion": True}
node_owner = {"apiVersion": "v1", "kind": "Node", "name": NODE,
              "uid": "77e5a1d2-90c4-4b6e-8f3a-1d2c3b4a5e6f", "controller": True}

items = [
    pod("shop", "cart-7d9f8b6c5-x2kqp", "1e3f5c2a-8b7d-4c1e-9f00-0123456789ab",
        "48213",
        [container_spec("cart", "registry.example.com/shop/cart:1.4.2"),
         container_spec("istio-proxy", "docker.io/istio/proxyv2:1.20.1", "128Mi")],
        [running("cart", "registry.example.com/shop/cart:1.4.2", "a"),
         running("istio-proxy", "docker.io/istio/proxyv2:1.20.1", "b")],
        init=[container_spec("istio-init", "docker.io/istio/proxyv2:1.20.1", "64Mi")],
        init_statuses=[terminated("istio-init", "docker.io/istio/proxyv2:1.20.1", "c")],
        owner=rs, generate_name="cart-7d9f8b6c5-"),
    pod("logging", "fluent-bit-9qz7m", "8a7b6c5d-4e3f-4a1b-8c2d-3e4f5a6b7c8d", "47002",
        [container_spec("fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:2.2.0")],
        [running("fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:2.2.0", "d", restarts=2)],
        owner=ds, generate_name="fluent-bit-",
        ephemeral_statuses=[running("debugger-6hwcx", "docker.io/library/busybox:1.36", "9")]),
    pod("kube-system", "haproxy-" + NODE, "4f2b9c1e-7d3a-4b5c-9e8f-a1b2c3d4e5f6", "311",
        [container_spec("haproxy", "docker.io/library/haproxy:2.8")],
        [running("haproxy", "docker.io/library/haproxy:2.8", "0")],
        owner=node_owner, qos="Guaranteed",
        annotations={"kubernetes.io/config.hash": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                     "kubernetes.io/config.mirror": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                     "kubernetes.io/config.seen": "2026-11-30T08:13:55.120339741Z",
                     "kubernetes.io/config.source": "file"}),
    pod("shop", "checkout-6c8d7f9b4-pl4vn", "c0ffee00-1234-4abc-8def-00112233aabb", "48390",
        [container_spec("checkout", "registry.example.com/shop/checkout:2.0.0")],
        [{"name": "checkout", "state": {"waiting": {"reason": "ContainerCreating"}},
          "lastState": {}, "ready": False, "restartCount": 0,
          "image": "registry.example.com/shop/checkout:2.0.0", "imageID": "",
          "started": False}],
        phase="Pending", generate_name="checkout-6c8d7f9b4-"),
]
doc = {"kind": "PodList", "apiVersion": "v1",
       "metadata": {"resourceVersion": "48411"}, "items": items}
with open("podlist_worker-1.json", "w") as f:
    f.write(json.dumps(doc, separators=(",", ":")) + "\n")

status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
          "message": "pods is forbidden: User \"system:serviceaccount:monitoring:memwatch-exporter\" "
                     "cannot list resource \"pods\" in API group \"\" at the cluster scope",
          "reason": "Forbidden", "details": {"kind": "pods"}, "code": 403}
with open("status_forbidden.json", "w") as f:
    f.write(json.dumps(status, separators=(",", ":")) + "\n")

empty = {"kind": "PodList", "apiVersion": "v1",
         "metadata": {"resourceVersion": "48411"}, "items": []}
with open("podlist_empty.json", "w") as f:
    f.write(json.dumps(empty, separators=(",", ":")) + "\n")
