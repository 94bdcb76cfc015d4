"""Conventions an operator of node_exporter and Prometheus expects, against the
real binary: listen addresses (IPv4, IPv6, names, systemd sockets), the admin
switch, durations with units, collector flag spellings, and reloads (SIGHUP,
POST /-/reload) of the targets file and the TLS certificate."""

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

from tests.integration.test_web_security import make_certs
from tests.lib import harness

BIN = None


def exporter_bin():
    return harness.binary("exporter/memwatch_exporter")


def run_bin(*args, timeout=30):
    return subprocess.run([exporter_bin(), *args], capture_output=True,
                          timeout=timeout)


class Started:
    """The exporter with exactly these arguments (no listen address added);
    ready when `probe` (a URL) answers 200."""

    def __init__(self, procs, args, probe, env=None, pass_fds=(), cmd=None):
        self._log = tempfile.NamedTemporaryFile(prefix="memwatch-exporter-",
                                                suffix=".log")
        self.proc = procs.start(cmd or [exporter_bin(), *args], env=env,
                                stderr=self._log, pass_fds=pass_fds)
        harness.wait_until(lambda: self._ready(probe), timeout=20,
                           what=f"exporter ready at {probe}")

    def _ready(self, probe):
        if self.proc.poll() is not None:
            raise AssertionError(f"exited {self.proc.returncode}: {self.log_text()}")
        return harness.get(probe, timeout=2).status == 200

    def log_text(self):
        with open(self._log.name, errors="replace") as f:
            return f.read()


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class ListenAddressTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)

    def test_ipv4_ipv6_and_a_name_at_once(self):
        self.assertTrue(has_ipv6_loopback(), "this host has no ::1")
        p1, p2, p3 = harness.free_port(), harness.free_port(), harness.free_port()
        exp = Started(self.procs, [f"--web.listen-address=127.0.0.1:{p1}",
                                   f"--web.listen-address=[::1]:{p2}",
                                   f"--web.listen-address=localhost:{p3}"],
                      f"http://127.0.0.1:{p1}/-/ready")
        for url in (f"http://127.0.0.1:{p1}/metrics", f"http://[::1]:{p2}/metrics",
                    f"http://localhost:{p3}/metrics"):
            r = harness.get(url)
            self.assertEqual(r.status, 200, url)
            self.assertIn("memwatch_exporter_build_info", r.text)
        # Only the addresses given: not [::1] on the IPv4 port.
        with self.assertRaises(OSError):
            socket.create_connection(("::1", p1), timeout=2).close()
        self.assertIn(f"[::1]:{p2}", exp.log_text())

    def test_relay_backend_port_is_refused_to_direct_clients(self):
        # [::1] is relayed to civetweb on an ephemeral 127.0.0.1 port; a local
        # client connecting to that port directly gets 403.
        port, plain = harness.free_port(), harness.free_port()
        exp = Started(self.procs, [f"--web.listen-address=[::1]:{port}",
                                   f"--web.listen-address=127.0.0.1:{plain}"],
                      f"http://[::1]:{port}/-/ready")
        out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True,
                             check=True).stdout
        mine = [line.split()[3] for line in out.splitlines()
                if f"pid={exp.proc.pid}," in line]
        backend = [a for a in mine if a.startswith("127.0.0.1:")
                   and a != f"127.0.0.1:{plain}"]
        self.assertEqual(len(backend), 1, mine)
        r = harness.get(f"http://{backend[0]}/metrics")
        self.assertEqual(r.status, 403)
        self.assertEqual(harness.get(f"http://127.0.0.1:{plain}/-/healthy").status, 200)
        self.assertEqual(harness.get(f"http://[::1]:{port}/-/healthy").status, 200)

    def test_every_interface_includes_ipv6(self):
        self.assertTrue(has_ipv6_loopback(), "this host has no ::1")
        port = harness.free_port()
        Started(self.procs, [f"--web.listen-address=:{port}"],
                f"http://127.0.0.1:{port}/-/ready")
        self.assertEqual(harness.get(f"http://[::1]:{port}/-/healthy").status, 200)

    def test_bad_and_unresolvable_addresses_exit_2(self):
        for addr in ("::1:9747", "[::1]", "no-such-host.invalid:9747", "9747"):
            p = run_bin(f"--web.listen-address={addr}")
            self.assertEqual(p.returncode, 2, (addr, p.stderr))
            self.assertIn(addr, p.stderr.decode())

    def test_systemd_socket(self):
        # A socket bound here and passed as fd 3 with LISTEN_FDS=1 and
        # LISTEN_PID = the exporter's pid, as systemd's socket activation.
        srv = socket.socket(socket.AF_INET6)
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        srv.bind(("::1", 0))
        srv.listen(16)
        self.addCleanup(srv.close)
        port = srv.getsockname()[1]
        launcher = ("import os, sys\n"
                    "os.dup2(int(sys.argv[1]), 3)\n"
                    "os.environ['LISTEN_FDS'] = '1'\n"
                    "os.environ['LISTEN_PID'] = str(os.getpid())\n"
                    "os.execv(sys.argv[2], sys.argv[2:])\n")
        other = harness.free_port()
        exp = Started(self.procs, None, f"http://[::1]:{port}/-/ready",
                      pass_fds=(srv.fileno(),),
                      cmd=[sys.executable, "-c", launcher, str(srv.fileno()),
                           exporter_bin(), "--web.systemd-socket",
                           f"--web.listen-address=127.0.0.1:{other}"])
        r = harness.get(f"http://[::1]:{port}/metrics")
        self.assertEqual(r.status, 200)
        self.assertIn("memwatch_exporter_build_info", r.text)
        # --web.listen-address is not used then.
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", other), timeout=2).close()
        self.assertIn("--web.listen-address is ignored", exp.log_text())

    def test_systemd_socket_without_sockets_exits_2(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}
        p = subprocess.run([exporter_bin(), "--web.systemd-socket"], env=env,
                           capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("LISTEN_FDS", p.stderr.decode())


class AdminApiTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)
        self.target = self.procs.start(["sleep", "600"])

    def post(self, exp, path):
        return harness.http("POST", exp.base + path)

    def test_state_changing_routes_are_404_by_default(self):
        exp = harness.Exporter(self.procs, args=[f"--pid=t={self.target.pid}"])
        self.assertEqual(self.post(exp, "/api/v1/heapdiff?name=t").status, 404)
        self.assertEqual(self.post(exp, "/-/reload").status, 404)
        self.assertEqual(harness.http("DELETE", exp.base + "/api/v1/usage/history")
                         .status, 404)
        self.assertNotIn("/api/v1/heapdiff<", exp.get("/").text)
        # Read-only routes are unchanged.
        self.assertEqual(exp.get(f"/api/v1/usage?pid={self.target.pid}").status, 200)

    def test_enabled_on_loopback(self):
        exp = harness.Exporter(self.procs, args=[f"--pid=t={self.target.pid}",
                                                 "--web.enable-admin-api"])
        r = self.post(exp, "/api/v1/heapdiff?name=t")
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("id", json.loads(r.text))
        self.assertEqual(self.post(exp, "/-/reload").status, 200)

    def test_refused_beyond_loopback_without_basic_auth(self):
        port = harness.free_port()
        for addr in (f":{port}", f"0.0.0.0:{port}", f"[::]:{port}"):
            p = run_bin(f"--web.listen-address={addr}", "--web.enable-admin-api")
            self.assertEqual(p.returncode, 2, (addr, p.stderr))
            err = p.stderr.decode()
            self.assertIn("--web.enable-admin-api", err)
            self.assertIn("basic_auth_users", err)

    def test_allowed_beyond_loopback_with_basic_auth(self):
        d = tempfile.mkdtemp(prefix="memwatch-web-")
        self.addCleanup(shutil.rmtree, d, True)
        config = os.path.join(d, "web.yml")
        with open(config, "w") as f:
            f.write("basic_auth_users:\n  alice: "
                    "'$2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG'\n")
        port = harness.free_port()
        Started(self.procs, [f"--web.listen-address=0.0.0.0:{port}",
                             "--web.enable-admin-api", f"--web.config.file={config}"],
                f"http://127.0.0.1:{port}/-/ready")


class NonLoopbackPeerTest(unittest.TestCase):
    """A heapdiff POST from another host gets 404 at defaults. The exporter
    and the peer each run in a network namespace made here, joined by a veth
    pair with addresses of the benchmarking range 198.18.0.0/15: no packet
    leaves them."""

    def setUp(self):
        tag = f"mw{os.getpid() % 100000}"
        self.ns_a, self.ns_b = f"{tag}a", f"{tag}b"
        for ns in (self.ns_a, self.ns_b):
            subprocess.run(["ip", "netns", "add", ns], check=True)
            self.addCleanup(subprocess.run, ["ip", "netns", "del", ns])
        def ip(*args):
            subprocess.run(["ip", *args], check=True)
        ip("link", "add", f"{tag}x", "netns", self.ns_a, "type", "veth",
           "peer", "name", f"{tag}y", "netns", self.ns_b)
        ip("-n", self.ns_a, "addr", "add", "198.18.0.1/30", "dev", f"{tag}x")
        ip("-n", self.ns_b, "addr", "add", "198.18.0.2/30", "dev", f"{tag}y")
        for ns, dev in ((self.ns_a, f"{tag}x"), (self.ns_b, f"{tag}y")):
            ip("-n", ns, "link", "set", dev, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)

    def from_peer(self, method, url):
        code = ("import sys, urllib.request, urllib.error\n"
                "req = urllib.request.Request(sys.argv[2], method=sys.argv[1])\n"
                "try:\n"
                "    print(urllib.request.urlopen(req, timeout=5).status)\n"
                "except urllib.error.HTTPError as e:\n"
                "    print(e.code)\n")
        p = subprocess.run(["ip", "netns", "exec", self.ns_b, sys.executable, "-c",
                            code, method, url], capture_output=True, timeout=30)
        if p.returncode != 0:
            raise AssertionError(p.stderr.decode())
        return int(p.stdout)

    def test_heapdiff_post_from_another_host_is_404_at_defaults(self):
        target = self.procs.start(["sleep", "600"])
        port = 9747
        self.procs.start(["ip", "netns", "exec", self.ns_a, exporter_bin(),
                          f"--pid=t={target.pid}"])
        base = f"http://198.18.0.1:{port}"
        harness.wait_until(lambda: self.from_peer("GET", base + "/-/ready") == 200,
                           timeout=20, what="exporter reachable from the peer")
        self.assertEqual(self.from_peer("GET", base + "/metrics"), 200)
        self.assertEqual(self.from_peer("POST", base + "/api/v1/heapdiff?name=t"), 404)
        self.assertEqual(self.from_peer("POST", base + "/-/reload"), 404)


class FlagConventionsTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)

    def test_durations_with_units(self):
        exp = harness.Exporter(self.procs, args=[
            "--memwatch.sample-interval=500ms", "--collector.memwatch.min-cycle=15s",
            "--memwatch.max-cycle=1m", "--memwatch.warmup=2m",
            "--collector.memwatch.trend-warmup=75", "--memwatch.hsperfdata-interval=200ms",
            "--kubernetes.refresh-interval=1m"])
        self.assertEqual(exp.get("/-/healthy").status, 200)
        for flag in ("--memwatch.sample-interval=1x", "--kubernetes.refresh-interval=-5s",
                     "--collector.memwatch.warmup=soon"):
            p = run_bin(flag)
            self.assertEqual(p.returncode, 2, (flag, p.stderr))
            self.assertIn(flag.split("=")[0], p.stderr.decode())
        out = run_bin("--help").stdout.decode()
        for shown in ("--collector.memwatch.sample-interval=1s\n",
                      "--collector.memwatch.hsperfdata-interval=200ms\n",
                      "--collector.memwatch.warmup=2m\n",
                      "--collector.memwatch.trend-warmup=1m15s\n",
                      "--collector.kubernetes.refresh-interval=1m\n"):
            self.assertIn(shown, out)

    def test_collector_options_new_names_and_aliases(self):
        out = run_bin("--help").stdout.decode()
        self.assertIn("--collector.memwatch.leak-gcs=5", out)
        self.assertIn("Alias: --memwatch.leak-gcs.", out)
        self.assertIn("--collector.process.pss=false", out)
        self.assertIn("--collector.heapdiff.inspector-sigusr1=false", out)
        for args in (["--collector.memwatch.leak-gcs=3"], ["--memwatch.leak-gcs=3"],
                     ["--no-collector.memwatch.trend"], ["--process.pss"],
                     ["--collector.kubernetes.api-url=http://127.0.0.1:1"]):
            exp = harness.Exporter(self.procs, args=args)
            self.assertEqual(exp.get("/-/healthy").status, 200, args)
            exp.stop()

    def test_disable_defaults_and_exporter_metrics(self):
        exp = harness.Exporter(self.procs, args=[
            "--collector.disable-defaults", "--collector.process",
            "--web.disable-exporter-metrics", "--self"])
        page = exp.get("/").text
        self.assertIn("<li>process</li>", page)
        self.assertNotIn("<li>memwatch</li>", page)
        text = exp.metrics()
        self.assertIn('memwatch_scrape_collector_success{collector="process"} 1', text)
        self.assertNotIn("memwatch_scrape_collector_success{collector=\"memwatch\"", text)
        self.assertNotIn("\nprocess_cpu_seconds_total", text)
        self.assertNotIn("memwatch_exporter_build_info", text)

    def test_bad_flag_logged_in_the_chosen_format_even_before_it(self):
        p = run_bin("--no-such-flag", "--log.format=json")
        self.assertEqual(p.returncode, 2)
        lines = p.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, lines)
        line = json.loads(lines[0])
        self.assertEqual(line["level"], "error")
        self.assertIn("--no-such-flag", line["err"])
        p = run_bin("--web.max-threads=abc")
        err = p.stderr.decode().strip()
        self.assertEqual(p.returncode, 2)
        self.assertTrue(err.startswith("ts="), err)
        self.assertIn("level=error", err)

    def test_sighup_does_not_end_the_exporter(self):
        exp = harness.Exporter(self.procs)
        os.kill(exp.proc.pid, signal.SIGHUP)
        harness.wait_until(lambda: "configuration reloaded" in exp.log_text(),
                           what="the reload logged")
        self.assertIsNone(exp.proc.poll())
        self.assertEqual(exp.get("/-/healthy").status, 200)


def reload_metric(exp):
    return harness.metric_value(exp.metrics(),
                                "memwatch_exporter_config_last_reload_successful")


class TargetsReloadTest(unittest.TestCase):
    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)
        self.dir = tempfile.mkdtemp(prefix="memwatch-reload-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.config = os.path.join(self.dir, "targets.yml")
        self.a = self.procs.start(["sleep", "600"])
        self.b = self.procs.start(["sleep", "600"])

    def write(self, text):
        tmp = self.config + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config)

    def up(self, exp, name):
        return harness.metric_value(exp.metrics(), "memwatch_target_up", name=name)

    def test_sighup_and_post_reload_targets(self):
        self.write(f"targets:\n  - {{name: first, pid: {self.a.pid}}}\n")
        exp = harness.Exporter(self.procs, args=[f"--targets.config={self.config}",
                                                 "--web.enable-admin-api"])
        self.assertEqual(self.up(exp, "first"), 1)
        self.assertIsNone(self.up(exp, "second"))
        self.assertEqual(reload_metric(exp), 1)

        self.write(f"targets:\n  - {{name: first, pid: {self.a.pid}}}\n"
                   f"  - {{name: second, pid: {self.b.pid}}}\n")
        os.kill(exp.proc.pid, signal.SIGHUP)
        harness.wait_until(lambda: self.up(exp, "second") == 1,
                           what="target 'second' after SIGHUP")

        # A broken file: logged, the old targets kept, the metric says so.
        self.write("targets:\n  - {name: third, colour: red}\n")
        os.kill(exp.proc.pid, signal.SIGHUP)
        harness.wait_until(lambda: reload_metric(exp) == 0,
                           what="reload marked failed")
        self.assertEqual(self.up(exp, "second"), 1)
        self.assertIn("configuration not reloaded", exp.log_text())
        self.assertIsNone(exp.proc.poll())

        # POST /-/reload (admin API on): fixed file, new targets.
        self.write(f"targets:\n  - {{name: third, pid: {self.b.pid}}}\n")
        r = harness.http("POST", exp.base + "/-/reload")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(reload_metric(exp), 1)
        self.assertEqual(self.up(exp, "third"), 1)
        self.assertIsNone(self.up(exp, "first"))
        self.write("targets: [")
        r = harness.http("POST", exp.base + "/-/reload")
        self.assertEqual(r.status, 500)
        self.assertIn("failed to reload config", r.text)


class TlsReloadTest(unittest.TestCase):
    """A rotated certificate (new files in place) is served to new handshakes
    after SIGHUP, and without a signal once the files change."""

    def setUp(self):
        self.procs = harness.Processes()
        self.addCleanup(self.procs.stop_all)
        self.dirs = []
        for _ in range(3):  # the live files, then two rotations
            d = tempfile.mkdtemp(prefix="memwatch-tls-")
            self.addCleanup(shutil.rmtree, d, True)
            make_certs(d)
            self.dirs.append(d)
        self.live = self.dirs[0]
        self.config = os.path.join(self.live, "web.yml")
        with open(self.config, "w") as f:
            f.write("tls_server_config:\n  cert_file: server.crt\n"
                    "  key_file: server.key\n")
        self.port = harness.free_port()
        self._log = tempfile.NamedTemporaryFile(prefix="memwatch-exporter-")
        self.proc = self.procs.start(
            [exporter_bin(), f"--web.listen-address=127.0.0.1:{self.port}",
             f"--web.config.file={self.config}"], stderr=self._log)
        harness.wait_until(lambda: self.served_cert() is not None, timeout=20,
                           what="TLS exporter up")

    def log_text(self):
        with open(self._log.name, errors="replace") as f:
            return f.read()

    def served_cert(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                with ctx.wrap_socket(s) as t:
                    return t.getpeercert(binary_form=True)
        except OSError:
            if self.proc.poll() is not None:
                raise AssertionError(f"exporter exited {self.proc.returncode}")
            return None

    def file_cert(self, d):
        with open(os.path.join(d, "server.crt")) as f:
            return ssl.PEM_cert_to_DER_cert(f.read())

    def rotate(self, source):
        # As cert-manager / kubelet do: new files, then renamed into place.
        for name in ("server.key", "server.crt"):
            shutil.copy(os.path.join(source, name), os.path.join(self.live, name + ".new"))
            os.replace(os.path.join(self.live, name + ".new"), os.path.join(self.live, name))

    def test_rotation_with_sighup_and_by_watching_the_files(self):
        self.assertEqual(self.served_cert(), self.file_cert(self.dirs[0]))
        self.rotate(self.dirs[1])
        os.kill(self.proc.pid, signal.SIGHUP)
        harness.wait_until(lambda: self.served_cert() == self.file_cert(self.dirs[1]),
                           what="the new certificate after SIGHUP")
        # Without a signal: the files are checked at most once a second.
        self.rotate(self.dirs[2])
        harness.wait_until(lambda: self.served_cert() == self.file_cert(self.dirs[2]),
                           what="the new certificate without a signal")
        # A key that does not match: the old certificate stays.
        shutil.copy(os.path.join(self.dirs[1], "server.key"),
                    os.path.join(self.live, "server.key"))
        os.kill(self.proc.pid, signal.SIGHUP)
        harness.wait_until(lambda: "configuration not reloaded" in self.log_text(),
                           what="the failed reload logged")
        self.assertEqual(self.served_cert(), self.file_cert(self.dirs[2]))
        self.assertIsNone(self.proc.poll())


if __name__ == "__main__":
    unittest.main()
