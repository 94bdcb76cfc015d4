"""by=pprof: the heap diff of a Go program by function, from its own net/http/pprof.

tests/workloads/go/pprof_app.go (standard library only, built here with `go build`,
offline) serves net/http/pprof on a free 127.0.0.1 port; `leak` keeps every block
leakyFunction allocates, `steady` drops them. Between POST and GET the test asks it for
128 blocks of 256 KiB (32 MiB):

- the leaking program's diff names main.leakyFunction as its top grower, with at least
  half of the 32 MiB (Go samples allocations, one per 512 KiB on average, and scales
  them back: an estimate);
- the steady twin allocates the same and shows no function that grew by 4 MiB;
- a target without a pprof port gets 409 with the reason, one in another network
  namespace 409 (its 127.0.0.1 is not ours); a port the target does not listen on 502;
  a port that never answers 504 after the timeout asked for, with no hang.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from tests.lib import harness

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "..", "workloads", "go", "pprof_app.go")
BLOCK = 256 << 10
BLOCKS = 128

# Listens on 127.0.0.1 and never answers (nor accepts).
SILENT = r"""
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
time.sleep(600)
"""


def admin_args():
    """--web.enable-admin-api where the exporter has it (POST needs it there)."""
    out = subprocess.run([harness.binary("exporter/memwatch_exporter"), "--help"],
                         capture_output=True, text=True, timeout=30)
    return ["--web.enable-admin-api"] if "web.enable-admin-api" in (
        out.stdout + out.stderr) else []


class PprofTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="memwatch-pprof-")
        env = dict(os.environ, GOCACHE=os.path.join(cls.tmp, "gocache"),
                   GOPATH=os.path.join(cls.tmp, "gopath"), GO111MODULE="off",
                   CGO_ENABLED="0", GOFLAGS="")
        cls.app = os.path.join(cls.tmp, "pprof_app")
        r = subprocess.run(["go", "build", "-o", cls.app, APP], env=env,
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError("go build failed: " + r.stderr[-2000:])
        cls.procs = harness.Processes()
        cls.leak, cls.leak_port = cls.start_app("leak")
        cls.steady, cls.steady_port = cls.start_app("steady")
        cls.silent = cls.procs.start([sys.executable, "-c", SILENT],
                                     stdout=subprocess.PIPE)
        cls.silent_port = int(cls.silent.stdout.readline())
        cls.plain = cls.procs.start([sys.executable, "-c",
                                     "import time; time.sleep(600)"])
        # Its own network namespace: 127.0.0.1 there is not the exporter's.
        cls.other = cls.procs.start(["unshare", "--net", "sleep", "600"])
        config = os.path.join(cls.tmp, "targets.yml")
        with open(config, "w") as f:
            f.write(f"""targets:
  - {{name: leaky, pid: {cls.leak.pid}, pprof: {cls.leak_port}}}
  - {{name: steady, pid: {cls.steady.pid}, pprof: "http://localhost:{cls.steady_port}"}}
  - {{name: silent, pid: {cls.silent.pid}, pprof: {cls.silent_port}}}
  - {{name: plain, pid: {cls.plain.pid}}}
  - {{name: deaf, pid: {cls.plain.pid}, pprof: {cls.leak_port}}}
  - {{name: other, pid: {cls.other.pid}, pprof: 6060}}
""")
        cls.exporter = harness.Exporter(
            cls.procs, args=[f"--targets.config={config}", *admin_args()])

    @classmethod
    def start_app(cls, mode):
        p = cls.procs.start([cls.app, mode], stdout=subprocess.PIPE)
        line = p.stdout.readline().decode()
        if not line.startswith("listening on 127.0.0.1:"):
            raise RuntimeError(f"pprof_app {mode}: {line!r}")
        return p, int(line.rsplit(":", 1)[1])

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def post(self, query, timeout=60):
        return harness.http("POST", f"{self.exporter.base}/api/v1/heapdiff?{query}",
                            timeout=timeout)

    def diff_around(self, name, port):
        """POST, make the app allocate BLOCKS blocks, GET: the diff's JSON."""
        r = self.post(f"name={name}&by=pprof")
        self.assertEqual(r.status, 200, r.text)
        started = json.loads(r.text)
        self.assertTrue(started["id"].startswith("pprof-"), started)
        self.assertEqual(started["url"], f"http://127.0.0.1:{port}/debug/pprof/heap")
        work = harness.get(f"http://127.0.0.1:{port}/work?n={BLOCKS}", timeout=30)
        self.assertEqual(work.status, 200, work.text)
        r = self.exporter.get("/api/v1/heapdiff/" + started["id"], timeout=60)
        self.assertEqual(r.status, 200, r.text)
        d = json.loads(r.text)
        self.assertEqual(d["by"], "pprof")
        self.assertEqual(d["name"], name)
        # Ended: a second GET is told so.
        self.assertEqual(self.exporter.get("/api/v1/heapdiff/" + started["id"]).status,
                         410)
        return d

    def test_leaking_function_is_the_top_grower(self):
        d = self.diff_around("leaky", self.leak_port)
        top = d["change"]["details"][0]
        self.assertEqual(top["what"], "main.leakyFunction", d["change"]["details"][:5])
        self.assertGreaterEqual(top["size_bytes"], BLOCKS * BLOCK // 2, top)
        self.assertGreater(top["+"], 0, top)
        self.assertGreaterEqual(d["after"]["size_bytes"] - d["before"]["size_bytes"],
                                BLOCKS * BLOCK // 2, d)

    def test_steady_twin_shows_nothing_significant(self):
        d = self.diff_around("steady", self.steady_port)
        for detail in d["change"]["details"]:
            self.assertLess(abs(detail["size_bytes"]), 4 << 20, detail)
        self.assertNotIn("main.steadyFunction",
                         [x["what"] for x in d["change"]["details"]
                          if x["size_bytes"] > 1 << 20])

    def test_no_pprof_port_is_409_with_the_reason(self):
        r = self.post("name=plain&by=pprof")
        self.assertEqual(r.status, 409, r.text)
        self.assertIn("has no pprof port", json.loads(r.text)["error"])

    def test_another_network_namespace_is_409(self):
        r = self.post("name=other&by=pprof")
        self.assertEqual(r.status, 409, r.text)
        self.assertIn("another network namespace", json.loads(r.text)["error"])

    def test_port_the_target_does_not_listen_on_is_502(self):
        # deaf's process (a Python sleeper) does not hold the port, though
        # another process (the leaking app) listens there: never fetched.
        r = self.post("name=deaf&by=pprof")
        self.assertEqual(r.status, 502, r.text)
        self.assertIn(f"does not listen on 127.0.0.1:{self.leak_port}",
                      json.loads(r.text)["error"])

    def test_port_that_never_answers_is_504_without_hanging(self):
        started = time.monotonic()
        r = self.post("name=silent&by=pprof&timeout=2", timeout=30)
        self.assertEqual(r.status, 504, r.text)
        self.assertIn("no answer within 2s", json.loads(r.text)["error"])
        self.assertLess(time.monotonic() - started, 30)

    def test_bad_options_and_unknown_ids(self):
        self.assertEqual(self.post("name=leaky&by=pprof&gc=yes").status, 400)
        self.assertEqual(self.post("name=leaky&by=pprof&seconds=3").status, 400)
        self.assertEqual(self.exporter.get("/api/v1/heapdiff/pprof-0123").status, 404)


if __name__ == "__main__":
    unittest.main()
