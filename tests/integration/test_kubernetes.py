"""The kubernetes collector end to end: the built exporter lists pods from a
local stand-in API server (tests/integration/fake_kube_api.py) serving a real
PodList document, and a fixture /proc tree has processes whose cgroup names
containers of that list.

    python3 -m unittest tests.integration.test_kubernetes -v
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

from tests.lib import harness
from tests.lib.harness import Exporter, Processes, parse_metrics

FIXTURES = os.path.join(harness.REPO, "tests", "fixtures")
TESTDATA = os.path.join(harness.REPO, "collectors", "kubeapi", "testdata")
FAKE_API = os.path.join(os.path.dirname(__file__), "fake_kube_api.py")
POD_UID = "1e3f5c2a_8b7d_4c1e_9f00_0123456789ab"  # systemd spelling
POD = "cart-7d9f8b6c5-x2kqp"


def cgroup_of(container_char):
    return ("0::/kubepods.slice/kubepods-burstable.slice/"
            f"kubepods-burstable-pod{POD_UID}.slice/"
            f"cri-containerd-{container_char * 64}.scope\n")


def make_proc_tree(root):
    """The checked-in fixture /proc plus processes 500 (container "cart"),
    501 ("istio-proxy") and 502 (a container the list does not know), all
    with comm "cart"."""
    shutil.copytree(os.path.join(FIXTURES, "proc"), root)
    with open(os.path.join(root, "100", "stat")) as f:
        stat_rest = f.read().rsplit(") ", 1)[1]  # comm may hold ") "
    for pid, c in ((500, "a"), (501, "b"), (502, "7")):
        d = os.path.join(root, str(pid))
        shutil.copytree(os.path.join(root, "100"), d)
        with open(os.path.join(d, "stat"), "w") as f:
            f.write(f"{pid} (cart) {stat_rest}")
        with open(os.path.join(d, "cgroup"), "w") as f:
            f.write(cgroup_of(c))


def info_series(text):
    """[labels dict] of memwatch_target_info."""
    return [dict(ls) for (n, ls), _ in parse_metrics(text).items()
            if n == "memwatch_target_info"]


def requests(text, outcome):
    return harness.metric_value(text, "memwatch_kubernetes_requests_total",
                                outcome=outcome) or 0


class KubernetesTest(unittest.TestCase):
    def setUp(self):
        self.procs = Processes()
        self.addCleanup(self.procs.stop_all)
        self.tmp = tempfile.mkdtemp(prefix="memwatch-kube-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.proc_root = os.path.join(self.tmp, "proc")
        make_proc_tree(self.proc_root)
        self.token = os.path.join(self.tmp, "token")
        with open(self.token, "w") as f:
            f.write("sa-token-1\n")
        self.request_log = os.path.join(self.tmp, "requests.jsonl")

    def start_api(self, port, document="podlist_worker-1.json", status=200,
                  tls=None):
        args = [sys.executable, FAKE_API, "--port", str(port), "--document",
                os.path.join(TESTDATA, document), "--status", str(status),
                "--requests", self.request_log]
        if tls:
            args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        p = self.procs.start(args)

        def listening():
            if p.poll() is not None:
                raise AssertionError(f"fake API exited {p.returncode}: "
                                     f"{p.stderr.read().decode()}")
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        harness.wait_until(listening, timeout=10, what="fake API listening")
        return p

    def start_exporter(self, api_url, *extra):
        return Exporter(self.procs, args=[
            f"--path.procfs={self.proc_root}",
            f"--path.cgroupfs={FIXTURES}/proc_cgroup_v2",
            "--collector.kubernetes",
            f"--kubernetes.api-url={api_url}",
            "--kubernetes.node-name=worker-1",
            f"--kubernetes.token-file={self.token}",
            "--kubernetes.ca-file=",
            "--kubernetes.refresh-interval=2",
            "--match=name={{.Namespace}}/{{.Pod}}/{{.Container}},comm=cart",
            "--pid=api=500", *extra])

    def logged_requests(self):
        with open(self.request_log) as f:
            return [json.loads(line) for line in f]

    def test_names_on_target_info_and_in_templates(self):
        port = harness.free_port()
        self.start_api(port)
        exp = self.start_exporter(f"http://127.0.0.1:{port}")

        def named():
            infos = info_series(exp.metrics())
            return infos if any(i["name"] == f"shop/{POD}/cart" for i in infos) else None
        infos = harness.wait_until(named, timeout=15, what="templated names")
        by_name = {(i["name"], i["pid"]): i for i in infos}
        cart = by_name[(f"shop/{POD}/cart", "500")]
        self.assertEqual((cart["namespace"], cart["pod"], cart["container"]),
                         ("shop", POD, "cart"))
        sidecar = by_name[(f"shop/{POD}/istio-proxy", "501")]
        self.assertEqual(sidecar["container"], "istio-proxy")
        # The pod is known, this container of it is not: pod named, container empty.
        unknown = by_name[(f"shop/{POD}/", "502")]
        self.assertEqual((unknown["pod"], unknown["container"]), (POD, ""))
        # A --pid target gets the names too.
        api = by_name[("api", "500")]
        self.assertEqual((api["namespace"], api["pod"], api["container"]),
                         ("shop", POD, "cart"))
        # Fixture processes outside Kubernetes carry empty names.
        text = exp.metrics()
        self.assertGreaterEqual(requests(text, "success"), 1)
        self.assertEqual(harness.metric_value(text, "memwatch_kubernetes_pods"), 4)
        self.assertGreater(harness.metric_value(
            text, "memwatch_kubernetes_last_success_timestamp_seconds"), 1.7e9)
        reqs = self.logged_requests()
        self.assertEqual(reqs[0]["path"],
                         "/api/v1/pods?fieldSelector=spec.nodeName%3Dworker-1")
        self.assertEqual(reqs[0]["authorization"], "Bearer sa-token-1")
        self.assertEqual(reqs[0]["accept"], "application/json")

    def test_token_is_reread_and_list_refreshed(self):
        port = harness.free_port()
        self.start_api(port)
        self.start_exporter(f"http://127.0.0.1:{port}")
        harness.wait_until(lambda: self.logged_requests(), timeout=10,
                           what="first request")
        with open(self.token, "w") as f:
            f.write("sa-token-2")  # kubelet rotated it
        harness.wait_until(
            lambda: any(r["authorization"] == "Bearer sa-token-2"
                        for r in self.logged_requests()),
            timeout=15, what="a request with the rotated token")

    def test_api_down_then_up(self):
        port = harness.free_port()
        exp = self.start_exporter(f"http://127.0.0.1:{port}")
        # Nothing listens yet: the exporter serves, counts errors, retries.
        harness.wait_until(lambda: requests(exp.metrics(), "network_error") >= 2,
                           timeout=15, what="two failed requests")
        text = exp.metrics()
        self.assertEqual(requests(text, "success"), 0)
        self.assertEqual(harness.metric_value(
            text, "memwatch_kubernetes_last_success_timestamp_seconds"), 0)
        api = [i for i in info_series(text) if i["name"] == "api"]
        self.assertEqual(len(api), 1)
        self.assertEqual((api[0]["namespace"], api[0]["pod"]), ("", ""))
        self.assertIn("cannot list pods", exp.log_text())
        self.start_api(port)
        harness.wait_until(
            lambda: any(i["pod"] == POD for i in info_series(exp.metrics())),
            timeout=15, what="names after the API came back")
        self.assertGreaterEqual(requests(exp.metrics(), "success"), 1)
        self.assertIn("works again", exp.log_text())

    def test_forbidden_status_is_an_http_error_with_its_message(self):
        port = harness.free_port()
        self.start_api(port, document="status_forbidden.json", status=403)
        exp = self.start_exporter(f"http://127.0.0.1:{port}")
        harness.wait_until(lambda: requests(exp.metrics(), "http_error") >= 1,
                           timeout=15, what="an http_error")
        harness.wait_until(lambda: "pods is forbidden" in exp.log_text(),
                           timeout=5, what="the Status message in the log")

    def test_tls_with_the_given_ca(self):
        from tests.integration.test_web_security import make_certs
        make_certs(self.tmp)
        port = harness.free_port()
        self.start_api(port, tls=(os.path.join(self.tmp, "server.crt"),
                                  os.path.join(self.tmp, "server.key")))
        exp = self.start_exporter(
            f"https://127.0.0.1:{port}",
            f"--kubernetes.ca-file={os.path.join(self.tmp, 'ca.crt')}")
        harness.wait_until(
            lambda: any(i["pod"] == POD for i in info_series(exp.metrics())),
            timeout=20, what="names over TLS")
        exp.stop()
        # Without that CA the server's certificate is not trusted.
        exp = self.start_exporter(f"https://127.0.0.1:{port}")
        harness.wait_until(lambda: requests(exp.metrics(), "network_error") >= 1,
                           timeout=15, what="an untrusted-certificate error")
        self.assertEqual(requests(exp.metrics(), "success"), 0)

    def test_bad_flags_exit_2(self):
        env = {k: v for k, v in os.environ.items()
               if k not in ("NODE_NAME", "KUBERNETES_SERVICE_HOST")}
        cases = [
            (["--collector.kubernetes"], "KUBERNETES_SERVICE_HOST"),
            (["--collector.kubernetes", "--kubernetes.api-url=http://127.0.0.1:1"],
             "NODE_NAME"),
            (["--collector.kubernetes", "--kubernetes.api-url=ftp://x",
              "--kubernetes.node-name=n"], "--kubernetes.api-url"),
            (["--collector.kubernetes", "--kubernetes.api-url=http://127.0.0.1:1",
              "--kubernetes.node-name=n", "--kubernetes.refresh-interval=0"],
             "--kubernetes.refresh-interval"),
            (["--collector.kubernetes", "--kubernetes.api-url=https://127.0.0.1:1",
              "--kubernetes.node-name=n", "--kubernetes.ca-file=/nonexistent"],
             "--kubernetes.ca-file"),
        ]
        for args, reason in cases:
            with self.subTest(args=args):
                r = subprocess.run(
                    [harness.binary("exporter/memwatch_exporter"),
                     f"--web.listen-address=127.0.0.1:{harness.free_port()}", *args],
                    env=env, capture_output=True, text=True, timeout=30)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(reason, r.stderr)


if __name__ == "__main__":
    unittest.main()
