"""The real memwatch_exporter's HTTP front under hostile clients, with basic auth
and TLS from --web.config.file (docs/web-config.md)."""

import base64
import http.client
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

from tests.lib import harness

# bcrypt of "s3cret" at cost 4 (fast); $2y$ form of the same for bob.
ALICE_HASH = "$2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG"
BOB_HASH = "$2y$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG"


def basic(user, password):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": "Basic " + token}


def run_exporter_expecting_exit(args, timeout=20):
    """Runs the exporter that must refuse to start; returns (code, stderr)."""
    port = harness.free_port()
    cmd = [harness.binary("exporter/memwatch_exporter"),
           f"--web.listen-address=127.0.0.1:{port}", *args]
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stderr.decode(errors="replace")


class HardeningTest(harness.ExporterTestCase):
    """No web config: the server must survive idle, slow and oversized clients."""

    def test_idle_and_slowloris_clients_do_not_starve_scrapes(self):
        idle, slow = [], []
        stop = threading.Event()
        cut = set()
        try:
            for _ in range(200):
                idle.append(socket.create_connection(("127.0.0.1", self.exp.port)))
            for _ in range(20):
                slow.append(socket.create_connection(("127.0.0.1", self.exp.port)))

            def trickle():  # one header byte per second per slow client
                msg = b"GET /metrics HTTP/1.1\r\nX-Slow: " + b"a" * 4000
                i = 0
                while not stop.wait(1.0):
                    for s in slow:
                        try:
                            s.send(msg[i:i + 1])
                        except OSError:
                            cut.add(s)
                    i += 1

            threading.Thread(target=trickle, daemon=True).start()
            start = time.monotonic()
            r = self.exp.get("/metrics", timeout=30)
            elapsed = time.monotonic() - start
            self.assertEqual(r.status, 200)
            self.assertIn("memwatch_exporter_build_info", r.text)
            print(f"\n  scrape behind 200 idle + 20 slowloris clients: {elapsed:.2f} s")
            # A head trickled in byte by byte is cut off too (the header
            # timeout bounds the whole head), so slow clients cannot pile up.
            harness.wait_until(lambda: len(cut) == len(slow), timeout=60,
                               what="every slowloris connection cut off")
            print(f"  all slowloris connections cut after "
                  f"{time.monotonic() - start:.1f} s")
        finally:
            stop.set()
            for s in idle + slow:
                s.close()

    def test_keep_alive_response_arrives_in_one_segment(self):
        # Head and body in one write: on loopback the whole small response is
        # in the first recv. Two writes (the old behaviour) left the body
        # behind Nagle + delayed ACK for ~40 ms on every keep-alive response.
        with socket.create_connection(("127.0.0.1", self.exp.port), timeout=10) as s:
            for _ in range(3):  # the 2nd and 3rd ride the kept-alive connection
                s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
                data = s.recv(65536)
                self.assertTrue(data.startswith(b"HTTP/1.1 200"), data)
                self.assertTrue(data.endswith(b"\r\n\r\nHealthy\n"), data)
        conn = http.client.HTTPConnection("127.0.0.1", self.exp.port, timeout=10)
        start = time.monotonic()
        for _ in range(10):
            conn.request("GET", "/metrics")
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 200)
        conn.close()
        print(f"\n  10 keep-alive scrapes on one connection: "
              f"{(time.monotonic() - start) * 1000:.1f} ms")

    def test_invalid_utf8_query_is_400(self):
        for path in ("/api/v1/usage?name=%ff%fe", "/api/v1/usage?%c3%28=1",
                     "/metrics?x=%ed%a0%80"):
            r = self.exp.get(path)
            self.assertEqual(r.status, 400, path)
            self.assertIn("UTF-8", r.text)

    def test_huge_headers_and_uris_are_refused_not_fatal(self):
        for headers, path in (({"X-Big": "a" * 20000}, "/metrics"),
                              ({}, "/metrics?" + "a" * 20000),
                              ({f"X-H{i}": "v" * 100 for i in range(200)}, "/")):
            try:
                r = self.exp.get(path, headers=headers)
                self.assertGreaterEqual(r.status, 400)
                self.assertLess(r.status, 500)
            except (ConnectionError, http.client.HTTPException):
                pass  # civetweb may just close the connection: also a refusal
        self.assertEqual(self.exp.get("/-/healthy").status, 200)


class BasicAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="memwatch-web-")
        cls.config = os.path.join(cls.dir, "web.yml")
        with open(cls.config, "w") as f:
            f.write("http_server_config:\n  headers:\n"
                    "    X-Content-Type-Options: nosniff\n"
                    f"basic_auth_users:\n  alice: '{ALICE_HASH}'\n")
        cls.procs = harness.Processes()
        cls.exp = harness.Exporter(cls.procs, args=[f"--web.config.file={cls.config}"])

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_401_without_or_with_wrong_credentials(self):
        for headers in ({}, basic("alice", "wrong"), basic("mallory", "s3cret"),
                        {"Authorization": "Bearer x"}):
            r = self.exp.get("/metrics", headers=headers)
            self.assertEqual(r.status, 401, headers)
            self.assertEqual(r.headers.get("www-authenticate"),
                             'Basic realm="memwatch_exporter"')
        self.assertEqual(self.exp.get("/nope").status, 401)  # no path probing

    def test_200_with_right_credentials_and_configured_headers(self):
        r = self.exp.get("/metrics", headers=basic("alice", "s3cret"))
        self.assertEqual(r.status, 200)
        self.assertIn("memwatch_exporter_build_info", r.text)
        self.assertEqual(r.headers.get("x-content-type-options"), "nosniff")

    def test_health_probes_stay_open_but_not_for_other_methods(self):
        self.assertEqual(self.exp.get("/-/healthy").status, 200)
        self.assertEqual(self.exp.get("/-/ready").status, 200)
        r = harness.http("DELETE", self.exp.base + "/-/healthy")
        self.assertEqual(r.status, 401)

    def test_delete_needs_credentials(self):
        r = harness.http("DELETE", self.exp.base + "/api/v1/usage/history")
        self.assertEqual(r.status, 401)
        r = harness.http("DELETE", self.exp.base + "/api/v1/usage/history",
                         headers=basic("alice", "s3cret"))
        self.assertNotEqual(r.status, 401)

    def test_reload_picks_up_a_new_user(self):
        # Written to a new file then renamed: readers never see half a file.
        tmp = self.config + ".new"
        with open(tmp, "w") as f:
            f.write(f"basic_auth_users:\n  alice: '{ALICE_HASH}'\n"
                    f"  bob: '{BOB_HASH}'\n")
        os.replace(tmp, self.config)
        harness.wait_until(
            lambda: self.exp.get("/metrics", headers=basic("bob", "s3cret")).status == 200,
            timeout=10, what="bob accepted after the web config changed")
        self.assertIn("web config reloaded", self.exp.log_text())


def make_certs(directory):
    """CA, server certificate for 127.0.0.1 and a client certificate, made with
    the openssl CLI. Also a second CA's client certificate (not trusted)."""
    def run(*args):
        subprocess.run(["openssl", *args], cwd=directory, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    for ca in ("ca", "other-ca"):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", f"{ca}.key", "-out", f"{ca}.crt", "-subj", f"/CN={ca}")
    for name, ca, ext in (("server", "ca", ["-extfile", "san.ext"]),
                          ("client", "ca", []), ("stranger", "other-ca", [])):
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
            "-out", f"{name}.csr", "-subj", f"/CN={name}")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey",
            f"{ca}.key", "-CAcreateserial", "-days", "2", "-out", f"{name}.crt", *ext)


class TlsExporter:
    """The exporter with a TLS web config, ready when returned."""

    def __init__(self, procs, directory, config_text):
        self.dir = directory
        self.config = os.path.join(directory, "web.yml")
        with open(self.config, "w") as f:
            f.write(config_text)
        self.port = harness.free_port()
        self._log = tempfile.NamedTemporaryFile(prefix="memwatch-exporter-", suffix=".log")
        self.proc = procs.start([harness.binary("exporter/memwatch_exporter"),
                                 f"--web.listen-address=127.0.0.1:{self.port}",
                                 f"--web.config.file={self.config}"], stderr=self._log)
        harness.wait_until(self._ready, timeout=20, what="TLS exporter ready")

    def log_text(self):
        with open(self._log.name, errors="replace") as f:
            return f.read()

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"exporter exited {self.proc.returncode}: {self.log_text()}")
        return self.request("/-/ready", client_cert=True)[0] == 200

    def context(self, client_cert=None, max_version=None):
        ctx = ssl.create_default_context(cafile=os.path.join(self.dir, "ca.crt"))
        if client_cert:
            name = "client" if client_cert is True else client_cert
            ctx.load_cert_chain(os.path.join(self.dir, f"{name}.crt"),
                                os.path.join(self.dir, f"{name}.key"))
        if max_version:
            ctx.maximum_version = max_version
        return ctx

    def request(self, path, headers=None, **ctx_args):
        """(status, headers, body) over HTTPS; raises on TLS/connection errors."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10,
                                           context=self.context(**ctx_args))
        try:
            conn.request("GET", path, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()


class TlsTestCase(unittest.TestCase):
    """Tests sharing one TLS exporter (self.exp) with the class's `web_config`,
    and certificates made for it in a temporary directory."""

    web_config = ""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="memwatch-tls-")
        make_certs(cls.dir)
        cls.procs = harness.Processes()
        cls.exp = TlsExporter(cls.procs, cls.dir, cls.web_config)

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()
        shutil.rmtree(cls.dir, ignore_errors=True)


class MutualTlsTest(TlsTestCase):
    web_config = (
        "tls_server_config:\n"
        "  cert_file: server.crt\n"
        "  key_file: server.key\n"
        "  client_ca_file: ca.crt\n"
        "  client_auth_type: RequireAndVerifyClientCert\n"
        f"basic_auth_users:\n  alice: '{ALICE_HASH}'\n")

    def test_verified_client_and_credentials_get_metrics(self):
        status, _, body = self.exp.request("/metrics", client_cert=True,
                                           headers=basic("alice", "s3cret"))
        self.assertEqual(status, 200)
        self.assertIn(b"memwatch_exporter_build_info", body)

    def test_verified_client_without_credentials_gets_401(self):
        status, headers, _ = self.exp.request("/metrics", client_cert=True)
        self.assertEqual(status, 401)
        self.assertEqual(headers.get("www-authenticate"), 'Basic realm="memwatch_exporter"')

    def test_handshake_without_client_cert_fails(self):
        # With TLS 1.3 the refusal may surface at the first read, not in
        # the handshake itself; either way no HTTP response comes back.
        with self.assertRaises((ssl.SSLError, ConnectionError, http.client.HTTPException)):
            self.exp.request("/metrics", headers=basic("alice", "s3cret"))

    def test_client_cert_from_another_ca_fails(self):
        with self.assertRaises((ssl.SSLError, ConnectionError, http.client.HTTPException)):
            self.exp.request("/metrics", client_cert="stranger",
                             headers=basic("alice", "s3cret"))

    def test_plain_http_on_the_tls_port_is_refused(self):
        with socket.create_connection(("127.0.0.1", self.exp.port), timeout=10) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                data = s.recv(4096)
            except ConnectionError:
                data = b""
        self.assertFalse(data.startswith(b"HTTP/"), data)
        self.assertNotIn(b"memwatch_exporter_build_info", data)


class TlsVersionTest(TlsTestCase):
    web_config = (
        "tls_server_config:\n"
        "  cert_file: server.crt\n"
        "  key_file: server.key\n"
        "  min_version: TLS13\n")

    def test_no_client_cert_needed_and_no_auth_configured(self):
        status, _, body = self.exp.request("/metrics")
        self.assertEqual(status, 200)
        self.assertIn(b"memwatch_exporter_build_info", body)

    def test_idle_sockets_on_the_tls_port_do_not_starve_scrapes(self):
        idle = [socket.create_connection(("127.0.0.1", self.exp.port)) for _ in range(200)]
        try:
            start = time.monotonic()
            status, _, _ = self.exp.request("/metrics")
            self.assertEqual(status, 200)
            print(f"\n  TLS scrape behind 200 idle TCP connections: "
                  f"{time.monotonic() - start:.2f} s")
        finally:
            for s in idle:
                s.close()

    def test_tls12_client_refused_when_min_version_is_tls13(self):
        with self.assertRaises((ssl.SSLError, ConnectionError)):
            self.exp.request("/metrics", max_version=ssl.TLSVersion.TLSv1_2)


class BadConfigTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="memwatch-web-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, text):
        path = os.path.join(self.dir, "web.yml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_unknown_key_exits_2_with_file_line_col(self):
        path = self.write("basic_auth_users: {}\ntls_server_confg:\n  cert_file: x\n")
        code, err = run_exporter_expecting_exit([f"--web.config.file={path}"])
        self.assertEqual(code, 2, err)
        self.assertIn(f"{path}:2:1: unknown key 'tls_server_confg'", err)

    def test_plaintext_password_exits_2(self):
        path = self.write("basic_auth_users:\n  alice: hunter2\n")
        code, err = run_exporter_expecting_exit([f"--web.config.file={path}"])
        self.assertEqual(code, 2, err)
        self.assertIn(f"{path}:2:10: password of user 'alice' must be a bcrypt hash", err)

    def test_missing_file_and_missing_cert_exit_2(self):
        code, err = run_exporter_expecting_exit(
            [f"--web.config.file={self.dir}/absent.yml"])
        self.assertEqual(code, 2, err)
        path = self.write("tls_server_config:\n  cert_file: nope.crt\n  key_file: nope.key\n")
        code, err = run_exporter_expecting_exit([f"--web.config.file={path}"])
        self.assertEqual(code, 2, err)
        self.assertIn(os.path.join(self.dir, "nope.crt"), err)


if __name__ == "__main__":
    unittest.main()
