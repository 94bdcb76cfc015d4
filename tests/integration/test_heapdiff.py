"""HeapDiff from outside, on real processes over real HTTP.

- by=mapping: a Python child maps and unmaps known anonymous regions between the two
  readings; the `[anon]` change must be what it mapped, within a page.
- by=constructor: a Node child started with --inspect on a free loopback port creates
  N objects of a named class and frees those of another between the two snapshots.
- the error statuses: 404 unknown id, 410 ended, 409 the process exited, 409 no
  inspector.
- --heapdiff.inspector-sigusr1: a Node child started without --inspect is asked to
  open its inspector (SIGUSR1, 127.0.0.1:9229); a Python child is never signalled.
- --memwatch.leak-diff=mapping: a leaking child's leak event carries the diff, in
  /api/v1/events and in the JSON log.
- --memwatch.leak-diff=constructor: a leaking Node child with --inspect gets a diff by
  constructor too, naming the class it retains.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import unittest

from tests.lib import harness

PAGE = 4096

# Maps/unmaps private anonymous regions on command; touches every page so the
# region is resident. Answers each command with one line.
MAPPER = r"""
import mmap, sys
regions = {}
print("ready", flush=True)
for line in sys.stdin:
    cmd, name, *rest = line.split()
    if cmd == "map":
        size = int(rest[0])
        m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        for off in range(0, size, mmap.PAGESIZE):
            m[off] = 1
        regions[name] = m
    elif cmd == "unmap":
        regions.pop(name).close()
    print("ok", flush=True)
"""

# Retains `Kept` objects on "make N", drops every `Dropped` object on "free".
NODE_SCRIPT = r"""
class Kept { constructor(i) { this.i = i; this.s = 'k' + i; } }
class Dropped { constructor(i) { this.i = i; } }
const kept = [];
let dropped = [];
for (let i = 0; i < 3000; i++) dropped.push(new Dropped(i));
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, n] = line.split(' ');
  if (cmd === 'make') for (let i = 0; i < Number(n); i++) kept.push(new Kept(i));
  if (cmd === 'free') dropped = [];
  process.stdout.write('ok\n');
});
process.stdout.write('ready\n');
"""

# Grows its resident anonymous memory by 1 MiB every 0.1 s and keeps it.
LEAKER = r"""
import time
held = []
while True:
    held.append(bytearray(b"x" * (1 << 20)))
    time.sleep(0.1)
"""

# Retains 2,000 `Leaky` objects every 0.1 s (up to 300,000), so that its
# resident memory grows steadily.
NODE_LEAKER = r"""
class Leaky { constructor(i) { this.i = i; this.s = 'leak-' + i + '-'.repeat(100); } }
const held = [];
setInterval(() => {
  if (held.length < 300000) for (let i = 0; i < 2000; i++) held.push(new Leaky(i));
}, 100);
"""

# Short cycles so the cycle rule fires within seconds: a compaction every
# second at the lowest sample, two growing ones make a leak.
FAST_LEAK_FLAGS = [
    "--memwatch.sample-interval=0.2", "--memwatch.warmup=0",
    "--memwatch.min-cycle=0", "--memwatch.max-cycle=1",
    "--memwatch.leak-gcs=2", "--memwatch.trend=false",
    "--memwatch.log-stats=false", "--log.format=json"]


def leak_events_with(procs, leaker_argv, mode, key, timeout):
    """Starts the leaker and an exporter watching it with --memwatch.leak-diff=mode
    and waits for leak events that carry `key`. Returns (exporter, a function that
    lists those events now, the first list of them)."""
    leaker = procs.start(leaker_argv)
    exp = harness.Exporter(procs, args=[
        f"--pid=leaker={leaker.pid}", f"--memwatch.leak-diff={mode}",
        *FAST_LEAK_FLAGS])

    def with_key():
        body = json.loads(exp.get("/api/v1/events?type=leak&name=leaker").text)
        return [e for e in body["events"] if key in e]

    events = harness.wait_until(with_key, timeout=timeout,
                                what=f"a leak event with {key}")
    return exp, with_key, events


def logged_leaks(exp):
    """The JSON log's leak lines."""
    out = []
    for line in exp.log_text().splitlines():
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get("msg") == "leak":
            out.append(j)
    return out


class Child:
    """A line-protocol child process: send() a command, wait for its answer."""

    def __init__(self, procs, argv):
        self.proc = procs.start(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.expect("ready")

    def expect(self, word):
        line = self.proc.stdout.readline().decode().strip()
        if line != word:
            raise AssertionError(f"child said {line!r}, expected {word!r}")

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()
        self.expect("ok")


def post(exp, query):
    return harness.http("POST", exp.base + "/api/v1/heapdiff?" + query, timeout=60)


def detail(diff, what):
    for d in diff["change"]["details"]:
        if d["what"] == what:
            return d
    return None


class HeapDiffMappingTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)
        self.child = Child(self.procs, [sys.executable, "-c", MAPPER])
        self.exp = harness.Exporter(self.procs,
                                    args=[f"--pid=mapper={self.child.proc.pid}",
                                          "--web.enable-admin-api"])

    def diff_around(self, command):
        r = post(self.exp, "name=mapper")
        self.assertEqual(r.status, 200, r.text)
        started = json.loads(r.text)
        self.assertEqual(started["pid"], self.child.proc.pid)
        self.child.send(command)
        r = self.exp.get("/api/v1/heapdiff/" + started["id"], timeout=60)
        self.assertEqual(r.status, 200, r.text)
        return started["id"], json.loads(r.text)

    def test_mapped_and_unmapped_regions(self):
        size = 16 << 20
        _, grew = self.diff_around(f"map a {size}")
        anon = detail(grew, "[anon]")
        self.assertIsNotNone(anon, grew)
        self.assertLessEqual(abs(anon["size_bytes"] - size), PAGE, anon)
        self.assertEqual(grew["change"]["details"][0]["what"], "[anon]")
        self.assertGreaterEqual(grew["change"]["size_bytes"], size - PAGE)
        self.assertGreaterEqual(grew["change"]["allocated_nodes"], anon["+"])

        _, shrank = self.diff_around("unmap a")
        anon = detail(shrank, "[anon]")
        self.assertIsNotNone(anon, shrank)
        self.assertLessEqual(abs(anon["size_bytes"] + size), PAGE, anon)
        self.assertGreaterEqual(anon["-"], 1)

    def test_error_statuses(self):
        self.assertEqual(self.exp.get("/api/v1/heapdiff/0123456789abcdef").status, 404)
        ended, _ = self.diff_around("map b 4096")
        self.assertEqual(self.exp.get("/api/v1/heapdiff/" + ended).status, 410)
        self.assertEqual(post(self.exp, "pid=1").status, 404)  # not watched
        self.assertEqual(post(self.exp, "name=mapper&by=bogus").status, 400)
        # No inspector: by=constructor is refused, by=mapping still works.
        r = post(self.exp, "name=mapper&by=constructor")
        self.assertEqual(r.status, 409, r.text)
        r = post(self.exp, "name=mapper")
        self.assertEqual(r.status, 200, r.text)
        self.procs.stop(self.child.proc)
        r = self.exp.get("/api/v1/heapdiff/" + json.loads(r.text)["id"])
        self.assertEqual(r.status, 409, r.text)
        self.assertIn("exited", json.loads(r.text)["error"])


@unittest.skipUnless(shutil.which("node"), "node is not installed")
class HeapDiffConstructorTest(unittest.TestCase):
    def test_created_and_freed_classes(self):
        procs = harness.Processes()
        self.addCleanup(procs.stop_all)
        port = harness.free_port()
        child = Child(procs, ["node", f"--inspect=127.0.0.1:{port}", "-e",
                              NODE_SCRIPT])
        exp = harness.Exporter(procs, args=[f"--pid=node={child.proc.pid}",
                                            "--web.enable-admin-api"])
        r = post(exp, "name=node&by=constructor")
        self.assertEqual(r.status, 200, r.text)
        started = json.loads(r.text)
        self.assertEqual(started["port"], port)
        n = 5000
        child.send(f"make {n}")
        child.send("free")
        r = exp.get("/api/v1/heapdiff/" + started["id"], timeout=120)
        self.assertEqual(r.status, 200, r.text)
        diff = json.loads(r.text)
        kept = detail(diff, "Kept")
        self.assertIsNotNone(kept, [d["what"] for d in diff["change"]["details"]])
        self.assertGreaterEqual(kept["+"], n)
        self.assertGreater(kept["size_bytes"], 0)
        dropped = detail(diff, "Dropped")
        if dropped is not None:  # freed: nothing allocated, only freed nodes
            self.assertEqual(dropped["+"], 0, dropped)
            self.assertGreaterEqual(dropped["-"], 3000, dropped)
            self.assertLess(dropped["size_bytes"], 0, dropped)
        # Each snapshot comes from its own inspector session, where V8 numbers
        # objects afresh: the diff is by counts, so the many builtins that exist
        # in both must not show up as allocated.
        self.assertLess(diff["change"]["allocated_nodes"], 3 * n, diff["change"])
        # An ended by=constructor id answers 410, as a by=mapping one does.
        self.assertEqual(exp.get("/api/v1/heapdiff/" + started["id"]).status, 410)
        self.assertEqual(exp.get("/api/v1/heapdiff/v8-0123456789abcdef").status, 404)


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class InspectorSigusr1Test(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)

    @unittest.skipUnless(shutil.which("node"), "node is not installed")
    def test_opens_the_inspector_of_a_node_process(self):
        if not port_is_free(9229):
            self.skipTest("127.0.0.1:9229 is taken on this machine")
        child = Child(self.procs, ["node", "-e", NODE_SCRIPT])  # no --inspect
        exp = harness.Exporter(self.procs, args=[
            f"--pid=node={child.proc.pid}", "--heapdiff.inspector-sigusr1",
            "--web.enable-admin-api"])
        r = post(exp, "name=node&by=constructor")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(json.loads(r.text)["port"], 9229)
        child.send("make 2000")
        r = exp.get("/api/v1/heapdiff/" + json.loads(r.text)["id"], timeout=120)
        self.assertEqual(r.status, 200, r.text)
        kept = detail(json.loads(r.text), "Kept")
        self.assertIsNotNone(kept, r.text[:2000])
        self.assertGreaterEqual(kept["+"], 2000)
        self.assertIsNone(child.proc.poll())  # the app lives on

    @unittest.skipUnless(shutil.which("node"), "node is not installed")
    def test_without_the_flag_node_without_inspect_is_refused(self):
        child = Child(self.procs, ["node", "-e", NODE_SCRIPT])
        exp = harness.Exporter(self.procs, args=[f"--pid=node={child.proc.pid}",
                                                 "--web.enable-admin-api"])
        r = post(exp, "name=node&by=constructor")
        self.assertEqual(r.status, 409, r.text)
        self.assertIn("--heapdiff.inspector-sigusr1", r.text)

    def test_a_process_that_is_not_node_is_never_signalled(self):
        # SIGUSR1's default action ends a process: a Python child must survive.
        child = Child(self.procs, [sys.executable, "-c", MAPPER])
        exp = harness.Exporter(self.procs, args=[
            f"--pid=py={child.proc.pid}", "--heapdiff.inspector-sigusr1",
            "--web.enable-admin-api"])
        r = post(exp, "name=py&by=constructor")
        self.assertEqual(r.status, 409, r.text)
        self.assertIn("not a Node process", r.text)
        child.send("map a 4096")  # still alive and answering
        self.assertIsNone(child.proc.poll())


class LeakDiffTest(unittest.TestCase):
    def test_bad_mode_exits_2(self):
        p = subprocess.run([harness.binary("exporter/memwatch_exporter"),
                            f"--web.listen-address=127.0.0.1:{harness.free_port()}",
                            "--memwatch.leak-diff=constructors"],
                           capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(b"--memwatch.leak-diff", p.stderr)

    def test_leak_event_carries_the_diff(self):
        procs = harness.Processes()
        self.addCleanup(procs.stop_all)
        exp, _, events = leak_events_with(
            procs, [sys.executable, "-c", LEAKER], "mapping", "diff", timeout=60)
        e = events[0]
        d = e["diff"]
        self.assertEqual(d["by"], "mapping")
        self.assertNotIn("error", d, d)
        self.assertLessEqual(d["since"], e["end"])
        self.assertGreater(d["since"], 0)
        # 1 MiB every 0.1 s: the growth since the start reading is MiBs of
        # anonymous memory, and it heads the details.
        self.assertGreaterEqual(d["change"]["size_bytes"], 1 << 20, d)
        top = d["change"]["details"][0]
        self.assertIn(top["what"], ("[anon]", "[heap]"), d)
        self.assertGreaterEqual(top["size_bytes"], 1 << 20, d)
        self.assertLessEqual(len(d["change"]["details"]), 10)
        self.assertNotIn("constructor_diff", e)  # mapping only
        # The same diff is in the warning log line.
        logged = [j for j in logged_leaks(exp) if "diff" in j]
        self.assertTrue(logged, exp.log_text()[-2000:])
        self.assertEqual(logged[0]["diff"]["change"]["details"][0]["what"],
                         top["what"])

    @unittest.skipUnless(shutil.which("node"), "node is not installed")
    def test_node_leak_event_carries_a_constructor_diff(self):
        procs = harness.Processes()
        self.addCleanup(procs.stop_all)
        port = harness.free_port()
        # The first heap snapshot is taken when the target is first seen; a leak
        # event that comes before it gets none, the next one a diff.
        exp, leak_with_constructor_diff, events = leak_events_with(
            procs, ["node", f"--inspect=127.0.0.1:{port}", "-e", NODE_LEAKER],
            "constructor", "constructor_diff", timeout=120)
        e = events[0]
        d = e["constructor_diff"]
        self.assertEqual(d["by"], "constructor")
        self.assertNotIn("error", d, d)
        self.assertLess(d["since"], e["end"])
        leaky = detail(d, "Leaky")
        self.assertIsNotNone(leaky, [x["what"] for x in d["change"]["details"]])
        self.assertGreaterEqual(leaky["+"], 2000, leaky)
        self.assertEqual(leaky["-"], 0, leaky)
        self.assertGreater(leaky["size_bytes"], 0, leaky)
        self.assertEqual(e["diff"]["by"], "mapping")  # by mapping as well
        # Within 10 minutes of it, a later event gets the reason, not a snapshot.
        later = [x for x in leak_with_constructor_diff() if x["end"] > e["end"]]
        for x in later:
            self.assertIn("at most one", x["constructor_diff"].get("error", ""), x)
        logged = [j for j in logged_leaks(exp) if "constructor_diff" in j]
        self.assertTrue(logged, exp.log_text()[-2000:])
        self.assertEqual(logged[0]["constructor_diff"]["since"], d["since"])


if __name__ == "__main__":
    unittest.main()
