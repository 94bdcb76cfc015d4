"""The Debian package from scripts/package-deb: metadata, contents, maintainer
scripts, the systemd unit (systemd-analyze verify and security, offline), and the
packaged binary run the way the unit runs it.

Needs dpkg-dev (dpkg-deb, dpkg-shlibdeps), systemd (systemd-analyze) and util-linux
(setpriv); a missing tool fails. The .deb is built from the Bazel binary already in
bazel-bin (scripts/package-deb --binary ...), so the test does not rebuild with
-c opt, which would repoint bazel-bin under the other tests.

systemd cannot run as PID 1 in this container, so the unit is checked offline
(`systemd-analyze verify --root`, `systemd-analyze security --offline`) and its
user and capabilities are reproduced with setpriv: uid memwatch-exporter-like
(nobody), AmbientCapabilities = CapabilityBoundingSet = SYS_PTRACE DAC_READ_SEARCH,
NoNewPrivileges.
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from tests.lib import harness

REPO = harness.REPO
SCRIPT = os.path.join(REPO, "scripts", "package-deb")
UNIT = "lib/systemd/system/memwatch-exporter.service"


def tool(name, package):
    path = shutil.which(name)
    if path is None:
        raise AssertionError(f"{name} not found: apt-get install {package}")
    return path


def run(args, **kw):
    kw.setdefault("timeout", 180)
    return subprocess.run(args, capture_output=True, text=True, **kw)


def version():
    with open(os.path.join(REPO, "exporter", "version.cc")) as f:
        return re.search(r'kVersion\[\] = "([^"]+)"', f.read()).group(1)


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tool("dpkg-deb", "dpkg")
        tool("dpkg-shlibdeps", "dpkg-dev")
        cls.tmp = tempfile.mkdtemp(prefix="memwatch-deb-")
        cls.binary = harness.binary("exporter/memwatch_exporter")
        r = run([SCRIPT, "--binary", cls.binary, "--out", os.path.join(cls.tmp, "dist")])
        if r.returncode != 0:
            raise AssertionError(f"package-deb failed: {r.stderr}")
        cls.deb = r.stdout.strip().splitlines()[-1]
        cls.root = os.path.join(cls.tmp, "root")
        r = run(["dpkg-deb", "-R", cls.deb, cls.root])  # -x plus DEBIAN/
        if r.returncode != 0:
            raise AssertionError(f"dpkg-deb -R: {r.stderr}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def field(self, name):
        r = run(["dpkg-deb", "-f", self.deb, name])
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def test_name_and_control_fields(self):
        arch = run(["dpkg", "--print-architecture"]).stdout.strip()
        self.assertEqual(os.path.basename(self.deb),
                         f"memwatch-exporter_{version()}_{arch}.deb")
        info = run(["dpkg-deb", "-I", self.deb])
        self.assertEqual(info.returncode, 0, info.stderr)
        self.assertEqual(self.field("Package"), "memwatch-exporter")
        self.assertEqual(self.field("Version"), version())
        self.assertEqual(self.field("Architecture"), arch)
        depends = self.field("Depends")
        # adduser for the postinst; the shared libraries from dpkg-shlibdeps
        for pkg in ("adduser", "libc6", "libstdc++6", "libprometheus-cpp-core"):
            self.assertRegex(depends, rf"(^|, ){re.escape(pkg)}[\w.+-]*( \(|,|$)", depends)
        # libcurl is loaded with dlopen, by --collector.kubernetes only
        self.assertEqual(self.field("Recommends"), "libcurl4")
        self.assertGreater(int(self.field("Installed-Size")), 0)
        for script in ("postinst", "prerm", "postrm", "conffiles", "md5sums"):
            self.assertIn(script, info.stdout)

    def test_contents(self):
        r = run(["dpkg-deb", "-c", self.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        entries = {}
        for line in r.stdout.splitlines():
            parts = line.split()
            entries[parts[5].lstrip(".")] = (parts[0], parts[1])
        want = {
            "/usr/bin/memwatch_exporter": "-rwxr-xr-x",
            "/" + UNIT: "-rw-r--r--",
            "/etc/default/memwatch-exporter": "-rw-r--r--",
            "/usr/share/doc/memwatch-exporter/copyright": "-rw-r--r--",
            "/usr/share/doc/memwatch-exporter/changelog.gz": "-rw-r--r--",
        }
        for path, mode in want.items():
            self.assertIn(path, entries)
            self.assertEqual(entries[path], (mode, "root/root"), path)
        # nothing outside the expected trees (no build leftovers)
        for path in entries:
            self.assertRegex(path, r"^/(usr/bin|usr/share/doc/memwatch-exporter|"
                                   r"lib/systemd/system|etc/default|usr/share/doc|usr/share|"
                                   r"usr|lib/systemd|lib|etc)?/?[\w.-]*$")

    def test_conffiles_and_copyright(self):
        with open(os.path.join(self.root, "DEBIAN", "conffiles")) as f:
            self.assertEqual(f.read().split(), ["/etc/default/memwatch-exporter"])
        with open(os.path.join(self.root, "usr/share/doc/memwatch-exporter/copyright")) as f:
            text = f.read()
        self.assertIn("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/", text)
        self.assertIn("License: Apache-2.0", text)
        with open(os.path.join(REPO, "LICENSE")) as f, \
                open("/usr/share/common-licenses/Apache-2.0") as g:
            self.assertEqual(f.read(), g.read())

    def unit(self):
        with open(os.path.join(self.root, UNIT)) as f:
            text = f.read()
        keys = {}
        for line in text.splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                keys.setdefault(k, []).append(v)
        return keys

    def test_unit_hardening(self):
        u = self.unit()
        caps = "CAP_SYS_PTRACE CAP_DAC_READ_SEARCH"
        want = {
            "User": "memwatch-exporter", "AmbientCapabilities": caps,
            "CapabilityBoundingSet": caps, "NoNewPrivileges": "yes",
            "ProtectSystem": "strict", "ProtectHome": "read-only", "PrivateTmp": "yes",
            "ProtectKernelTunables": "yes", "ProtectControlGroups": "yes",
            "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
            "MemoryDenyWriteExecute": "yes", "SystemCallFilter": "@system-service",
            "EnvironmentFile": "/etc/default/memwatch-exporter",
            "ExecStart": "/usr/bin/memwatch_exporter $ARGS",
        }
        for k, v in want.items():
            self.assertEqual(u.get(k), [v], k)
        # it must see every process: nothing that hides /proc entries
        self.assertNotIn("ProtectProc", u)
        self.assertNotIn("ProcSubset", u)
        self.assertNotIn("PrivateUsers", u)

    def systemd_root(self):
        """The extracted package plus this machine's systemd units (targets the
        unit refers to), so verify resolves everything offline."""
        tool("systemd-analyze", "systemd")
        root = os.path.join(self.tmp, "sdroot")
        if not os.path.isdir(root):
            shutil.copytree(self.root, root, ignore=shutil.ignore_patterns("DEBIAN"))
            dst = os.path.join(root, "lib", "systemd", "system")
            for name in os.listdir("/lib/systemd/system"):
                src = os.path.join("/lib/systemd/system", name)
                if not os.path.exists(os.path.join(dst, name)) and os.path.isfile(src):
                    shutil.copy(src, dst)
        return root

    def test_systemd_analyze_verify(self):
        root = self.systemd_root()
        r = run(["systemd-analyze", "verify", "--man=no", f"--root={root}",
                 "memwatch-exporter.service"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # warnings (unknown keys, bad values) exit 0: any output is a failure
        self.assertEqual((r.stdout + r.stderr).strip(), "")
        # and the check is real: a broken copy is reported
        broken = os.path.join(root, "lib/systemd/system/memwatch-broken.service")
        with open(os.path.join(root, UNIT)) as f:
            text = f.read()
        with open(broken, "w") as f:
            f.write(text.replace("NoNewPrivileges=yes", "NoNewPrivileges=maybe")
                    .replace("/usr/bin/memwatch_exporter", "/usr/bin/nonexistent"))
        r = run(["systemd-analyze", "verify", "--man=no", f"--root={root}",
                 "memwatch-broken.service"])
        self.assertIn("Failed to parse boolean value", r.stdout + r.stderr)
        self.assertIn("/usr/bin/nonexistent is not executable", r.stdout + r.stderr)
        self.assertNotEqual(r.returncode, 0)
        os.unlink(broken)

    def test_systemd_analyze_security(self):
        root = self.systemd_root()
        r = run(["systemd-analyze", "security", "--offline=true", f"--root={root}",
                 "--no-pager", "memwatch-exporter.service"])
        m = re.search(r"Overall exposure level for memwatch-exporter.service: ([\d.]+)",
                      r.stdout + r.stderr)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        # 0 = fully locked down, 10 = unprotected; "OK" is below 4.5
        self.assertLessEqual(float(m.group(1)), 3.0, r.stdout)

    def test_dpkg_root_unpack(self):
        """dpkg itself installs the files into a scratch root (its own database).
        Only --unpack: `--install` would run the postinst chrooted into the scratch
        root, which has no /bin/sh or adduser (dpkg: "unable to execute installed
        ... post-installation script"); the postinst logic is tested below."""
        root = tempfile.mkdtemp(dir=self.tmp)
        os.makedirs(os.path.join(root, "var/lib/dpkg/info"))
        os.makedirs(os.path.join(root, "var/lib/dpkg/updates"))
        open(os.path.join(root, "var/lib/dpkg/status"), "w").close()
        r = run(["dpkg", f"--root={root}", "--force-depends", "--unpack", self.deb])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = run(["dpkg", f"--root={root}", "-s", "memwatch-exporter"])
        self.assertIn("Status: install ok unpacked", r.stdout)
        r = run(["dpkg", f"--root={root}", "-L", "memwatch-exporter"])
        for path in ("/usr/bin/memwatch_exporter", "/" + UNIT,
                     "/etc/default/memwatch-exporter"):
            self.assertIn(path, r.stdout.splitlines())
        for path in ("/usr/bin/memwatch_exporter", "/" + UNIT):
            self.assertTrue(os.path.isfile(root + path), path)
        # a conffile waits as .dpkg-new until configure decides (it is a conffile)
        self.assertTrue(os.path.isfile(root + "/etc/default/memwatch-exporter.dpkg-new"))
        with open(os.path.join(root, "var/lib/dpkg/info/memwatch-exporter.conffiles")) as f:
            self.assertEqual(f.read().split(), ["/etc/default/memwatch-exporter"])

    def postinst(self, *args):
        """Runs the package's postinst with a stub adduser (recording its
        arguments) and no systemd helpers on PATH: the logic, not this machine's
        user database."""
        stubs = os.path.join(self.tmp, "stubs")
        os.makedirs(stubs, exist_ok=True)
        log = os.path.join(self.tmp, "adduser.log")
        with open(os.path.join(stubs, "adduser"), "w") as f:
            f.write(f'#!/bin/sh\necho "$@" >> {log}\n')
        os.chmod(os.path.join(stubs, "adduser"), 0o755)
        if os.path.exists(log):
            os.unlink(log)
        env = {"PATH": f"{stubs}:/usr/bin:/bin"}
        r = run(["/bin/sh", os.path.join(self.root, "DEBIAN", "postinst"), *args], env=env)
        calls = []
        if os.path.exists(log):
            with open(log) as f:
                calls = f.read().splitlines()
        return r, calls

    def test_postinst_creates_the_system_user(self):
        r, calls = self.postinst("configure", "")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(calls), 1, calls)
        args = calls[0].split()
        self.assertIn("--system", args)
        self.assertIn("--group", args)
        self.assertEqual(args[-1], "memwatch-exporter")
        r, calls = self.postinst("abort-upgrade", version())
        self.assertEqual((r.returncode, calls), (0, []))
        r, _ = self.postinst("bogus")
        self.assertEqual(r.returncode, 1)

    def default_args(self):
        path = os.path.join(self.root, "etc", "default", "memwatch-exporter")
        r = run(["/bin/sh", "-c", f'. "{path}"; printf %s "$ARGS"'])
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.split()

    def run_packaged(self, prefix, extra):
        """The packaged binary with /etc/default's ARGS, as ExecStart runs it."""
        binary = os.path.join(self.root, "usr", "bin", "memwatch_exporter")
        port = harness.free_port()
        with harness.Processes() as procs:
            p = procs.start([*prefix, binary, *self.default_args(), *extra,
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stderr=subprocess.DEVNULL)
            base = f"http://127.0.0.1:{port}"

            def ready():
                if p.poll() is not None:
                    raise AssertionError(f"exporter exited {p.returncode}")
                return harness.get(base + "/-/ready", timeout=2).status == 200

            harness.wait_until(ready, timeout=20, what="packaged exporter ready")
            return harness.get(base + "/metrics").text

    def test_packaged_binary_runs_with_the_default_args(self):
        text = self.run_packaged([], [])
        self.assertEqual(harness.metric_value(text, "memwatch_exporter_build_info",
                                              version=version()), 1)

    def test_unit_capabilities_read_other_users_io(self):
        """As an unprivileged uid with exactly the unit's capabilities (ambient,
        bounding set, no_new_privs), /proc/<pid>/io of a root process is readable;
        without them it is not (the reason the unit grants them)."""
        tool("setpriv", "util-linux")
        with harness.Processes() as procs:
            target = procs.start(["sleep", "120"])  # root-owned
            extra = [f"--pid=victim={target.pid}"]
            caps = "-all,+sys_ptrace,+dac_read_search"
            unit_like = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                         f"--inh-caps={caps}", f"--ambient-caps={caps}",
                         f"--bounding-set={caps}", "--no-new-privs"]
            text = self.run_packaged(unit_like, extra)
            self.assertIsNotNone(harness.metric_value(
                text, "memwatch_process_read_bytes_total", name="victim"), text[:3000])
            self.assertIsNotNone(harness.metric_value(
                text, "memwatch_process_open_fds", name="victim"))
            bare = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
            text = self.run_packaged(bare, extra)
            self.assertIsNone(harness.metric_value(
                text, "memwatch_process_read_bytes_total", name="victim"))
            self.assertIsNotNone(harness.metric_value(
                text, "memwatch_process_read_errors_total", name="victim", file="io"))


if __name__ == "__main__":
    unittest.main()
