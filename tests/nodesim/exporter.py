"""The exporter as the shipped DaemonSet runs it, on this machine.

The arguments come from the DaemonSet in `kubectl kustomize
deploy/kubernetes/daemonset` (or a manifest file), so the manifest is what is
tested: every path under a volumeMount of a hostPath is mapped back to the
host path (`/host/proc` -> `/proc`), or to the sim's own tree for the paths
the sim provides (`/var/log/pods` -> `<sim root>/var/log/pods`). The sim only
sets what a cluster would: the listen address (a free 127.0.0.1 port), the API
server (the local one, no token, no CA) and the env (NODE_NAME from
spec.nodeName); `--exporter-drop-arg` / `--exporter-arg` change the rest for
experiments.
"""

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MANIFEST = os.path.join(REPO, "deploy", "kubernetes", "daemonset")
POD_LOGS = "/var/log/pods"
_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "K": 10**3, "k": 10**3,
          "M": 10**6, "G": 10**9, "T": 10**12, "": 1}


def quantity_bytes(q):
    m = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(q))
    if not m or m.group(2) not in _UNITS:
        raise ValueError(f"bad quantity {q!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def load_daemonset(manifest=MANIFEST, notes=None):
    """The DaemonSet object: kustomize output for a directory, else the file
    (a directory's daemonset.yaml, unpatched, when kubectl is missing)."""
    if os.path.isdir(manifest) and not shutil.which("kubectl"):
        manifest = os.path.join(manifest, "daemonset.yaml")
        if notes is not None:
            notes.append(f"kubectl missing: {manifest} read without kustomize")
    if os.path.isdir(manifest):
        text = subprocess.run(["kubectl", "kustomize", manifest], check=True,
                              capture_output=True, text=True, timeout=60).stdout
    else:
        with open(manifest) as f:
            text = f.read()
    for doc in yaml.safe_load_all(text):
        if doc and doc.get("kind") == "DaemonSet":
            return doc
    raise RuntimeError(f"no DaemonSet in {manifest}")


def exporter_container(ds):
    cs = ds["spec"]["template"]["spec"]["containers"]
    for c in cs:
        if "memwatch" in c.get("name", ""):
            return c
    return cs[0]


def host_mounts(ds, container):
    """[(mountPath, hostPath)] of the container's hostPath volumes."""
    vols = {v["name"]: v for v in ds["spec"]["template"]["spec"].get("volumes", [])}
    out = []
    for m in container.get("volumeMounts", []):
        v = vols.get(m["name"], {})
        if "hostPath" in v:
            out.append((m["mountPath"].rstrip("/") or "/", v["hostPath"]["path"]))
    return out


def help_text(binary):
    r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    return r.stdout + r.stderr


def help_flags(text):
    """{flag name: description} from the exporter's --help; a collector
    `name` gives `collector.name`."""
    flags, name, collectors = {}, None, False
    for line in text.splitlines():
        if line.startswith("Collectors"):
            collectors = True
        elif line and not line.startswith(" "):
            collectors = False
        m = re.match(r"  (\w+) \[", line)
        if collectors and m:
            flags["collector." + m.group(1)] = ""
            continue
        m = re.match(r"\s+--([\w.-]+)(=.*)?$", line)
        if m:
            name = m.group(1)
            flags[name] = ""
        elif name and line.startswith("      "):
            flags[name] += line.strip() + " "
    # A collector option's older spelling (--memwatch.gc-log for
    # --collector.memwatch.gc-log) is accepted too.
    for name, desc in list(flags.items()):
        for alias in re.findall(r"Alias: --([\w.-]+)\.", desc):
            flags[alias] = desc
    return flags


def flag_name(arg):
    """--no-collector.x=1 -> collector.x; None when arg is not a flag."""
    if not arg.startswith("--"):
        return None
    name = arg[2:].split("=", 1)[0]
    return name[3:] if name.startswith("no-") else name


def heapdiff_enable_flag(flags):
    """The flag that turns the state-changing heapdiff route on, when the
    exporter has one (issue 18: such routes become off by default)."""
    for name, desc in flags.items():
        d = desc.lower()
        if "enable" in name and ("heapdiff" in d or "state" in d or "post" in d):
            return name
    return None


class ExporterSetup:
    """The argv/env of the exporter for this node, and what the manifest says."""

    def __init__(self, binary, manifest, sim_root, node_name, port, api_url,
                 drop=(), extra=(), drop_unknown=False):
        self.binary = binary
        self.notes = []
        self.ds = load_daemonset(manifest, self.notes)
        self.container = exporter_container(self.ds)
        self.flags = help_flags(help_text(binary))
        mounts = host_mounts(self.ds, self.container)
        provided = {POD_LOGS: os.path.join(sim_root, POD_LOGS.lstrip("/"))}

        def to_host(host_path):
            return provided.get(host_path.rstrip("/"), host_path)

        env = {}
        for e in self.container.get("env", []):
            if "value" in e:
                env[e["name"]] = str(e["value"])
            elif e.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "spec.nodeName":
                env[e["name"]] = node_name
            elif "fieldRef" in e.get("valueFrom", {}):
                env[e["name"]] = {"metadata.namespace": "memwatch",
                                  "status.podIP": "127.0.0.1", "status.hostIP": "127.0.0.1",
                                  }.get(e["valueFrom"]["fieldRef"]["fieldPath"], "")
        self.env = env

        def expand(arg):
            arg = re.sub(r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), arg)
            for mount, host in sorted(mounts, key=lambda m: -len(m[0])):
                arg = re.sub(r"(?<![\w/.-])" + re.escape(mount) + r"(?=/|$|,|;)",
                             to_host(host), arg)
            return arg

        args = [expand(a) for a in self.container.get("args", [])]
        self.manifest_args = list(self.container.get("args", []))
        owned = ("--web.listen-address", "--kubernetes.api-url", "--kubernetes.token-file",
                 "--kubernetes.ca-file")
        args = [a for a in args if not a.split("=", 1)[0] in owned]
        args = [a for a in args if not any(a == d or a.startswith(d + "=") for d in drop)]
        self.mapped_args = list(args)
        # a manifest ahead of (or behind) the binary: the pod would crash-loop
        unknown = [a for a in args if flag_name(a) and flag_name(a) not in self.flags]
        if unknown and not drop_unknown:
            raise RuntimeError(f"the DaemonSet passes {' '.join(unknown)}, which this "
                               "exporter does not know (it would exit 2 in the pod); "
                               "--drop-unknown-args runs without them")
        for a in unknown:
            args.remove(a)
            self.notes.append(f"{a} left out: this exporter does not have it")
        args += [f"--web.listen-address=127.0.0.1:{port}",
                 f"--kubernetes.api-url={api_url}", "--kubernetes.token-file=",
                 "--kubernetes.ca-file="]
        # a path flag left at its default reads the container's own path: only
        # what the manifest mounts there exists in the pod
        if "path.pod-logs" in self.flags and not any(
                a.startswith("--path.pod-logs") for a in args + list(extra)):
            if any(m == POD_LOGS for m, _ in mounts):
                args.append(f"--path.pod-logs={provided[POD_LOGS]}")
            else:
                args.append(f"--path.pod-logs={os.path.join(sim_root, 'not-mounted')}")
                self.notes.append("the DaemonSet does not mount /var/log/pods: the "
                                  "exporter's --path.pod-logs default finds nothing in the pod")
        enable = heapdiff_enable_flag(self.flags)
        if enable and not any(a.startswith(f"--{enable}") for a in args + list(extra)):
            args.append(f"--{enable}")
            self.notes.append(f"--{enable} added for the heapdiff measurement")
        self.args = args + list(extra)
        self.port = port
        limits = self.container.get("resources", {}).get("limits", {})
        self.memory_limit = quantity_bytes(limits["memory"]) if "memory" in limits else None

    def argv(self):
        return [self.binary] + self.args


def http(method, url, timeout=10.0, body=None):
    """(status, body text); never raises on HTTP errors."""
    req = urllib.request.Request(url, method=method, data=body)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def wait_ready(base, proc, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exporter exited {proc.returncode}")
        try:
            if http("GET", base + "/-/ready", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"exporter not ready on {base} after {timeout} s")


def status_kib(pid, field):
    """VmHWM, VmRSS... of /proc/<pid>/status in bytes, None when gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def heapdiff(base, name, seconds=10.0):
    """POST a by-mapping heapdiff of target `name`, GET it after `seconds`.
    Returns a dict of status codes, timings and the diff's size."""
    out = {"target": name}
    status, text = http("POST", f"{base}/api/v1/heapdiff?" +
                        urllib.parse.urlencode({"name": name}), body=b"")
    out["post_status"] = status
    if status != 200:
        out["error"] = text[:300]
        return out
    hid = json.loads(text)["id"]
    time.sleep(seconds)
    t0 = time.monotonic()
    status, text = http("GET", f"{base}/api/v1/heapdiff/{hid}", timeout=60)
    out.update(get_status=status, get_seconds=round(time.monotonic() - t0, 3),
               body_bytes=len(text))
    try:
        d = json.loads(text)
        out["change_bytes"] = d.get("change", {}).get("size_bytes")
        out["after_nodes"] = d.get("after", {}).get("nodes")
    except ValueError:
        pass
    return out

