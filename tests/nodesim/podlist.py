"""The PodList the API server serves for the simulated node, in the shape the
kubelet reports: metadata (namespace, name, uid, annotations), spec
(nodeName, containers with resources), status (qosClass and one
containerStatus per container with its current containerID,
`containerd://<id>` or `cri-o://<id>`, restartCount, state and lastState).
The pause (sandbox) container is not listed, as in a real pod.

Written atomically (temp file + rename): tests/integration/fake_kube_api.py
re-reads the file on every request, so pods come and go live.
"""

import json
import os

from tests.nodesim.runtime import rfc3339

QOS = {"guaranteed": "Guaranteed", "burstable": "Burstable", "besteffort": "BestEffort"}
SCHEME = {"containerd": "containerd", "cri-o": "cri-o"}


def container_status(c, runtime):
    """c: the kubelet's container state (see kubelet.ContainerState)."""
    if c.proc is not None and c.exited is None:
        state = {"running": {"startedAt": rfc3339(c.started)}}
    elif c.restart_due is not None:
        state = {"waiting": {"reason": "CrashLoopBackOff",
                             "message": f"back-off restarting failed container {c.spec['name']}"}}
    elif c.exited is not None:
        state = {"terminated": c.exited}
    else:
        state = {"waiting": {"reason": "ContainerCreating"}}
    st = {"name": c.spec["name"], "state": state,
          "lastState": {"terminated": c.last_terminated} if c.last_terminated else {},
          "ready": "running" in state, "restartCount": c.restart_count,
          "image": c.spec["image"], "imageID": c.spec["image"] + "@sha256:" + "0" * 64,
          "started": "running" in state}
    if c.cid:
        st["containerID"] = f"{SCHEME[runtime]}://{c.cid}"
    return st


def pod_object(p, node_name):
    spec = p.spec
    meta = {"name": spec["name"], "namespace": spec["namespace"], "uid": spec["uid"],
            "creationTimestamp": rfc3339(p.created), "labels": {"app": spec["app"]},
            "generateName": spec["name"].rsplit("-", 1)[0] + "-"}
    if spec["annotations"]:
        meta["annotations"] = dict(spec["annotations"])
    if p.deleting is not None:
        meta["deletionTimestamp"] = rfc3339(p.deleting)
        meta["deletionGracePeriodSeconds"] = 30
    running = [c for c in p.containers if c.proc is not None and c.exited is None]
    return {
        "metadata": meta,
        "spec": {"nodeName": node_name, "restartPolicy": "Always",
                 "containers": [{"name": c.spec["name"], "image": c.spec["image"],
                                 "resources": c.spec["resources"]} for c in p.containers]},
        "status": {"phase": "Running" if running else "Pending",
                   "qosClass": QOS[spec["qos"]], "startTime": rfc3339(p.created),
                   "hostIP": "127.0.0.1",
                   "containerStatuses": [container_status(c, spec["runtime"])
                                         for c in p.containers]},
    }


def write(path, pods, node_name, version):
    doc = {"kind": "PodList", "apiVersion": "v1",
           "metadata": {"resourceVersion": str(version)},
           "items": [pod_object(p, node_name) for p in pods]}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.replace(tmp, path)
