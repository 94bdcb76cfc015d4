"""The Debian package prometheus-memwatch-exporter from scripts/package-deb (debhelper):
lintian, metadata, contents, conffiles, the man page, the systemd unit, and a real
install and purge (maintainer scripts, prometheus user, conffile directory,
systemd-analyze verify of the installed unit) in a throwaway overlay of this machine.

Needs debhelper, help2man, dpkg-dev, lintian, systemd (systemd-analyze), util-linux
(setpriv, unshare), man-db and curl; a missing tool fails. The .deb is built from the
Bazel binary already in bazel-bin (scripts/package-deb --binary ...), so the test does
not rebuild with -c opt, which would repoint bazel-bin under the other tests.

systemd cannot run as PID 1 in this container, so the unit is checked offline
(`systemd-analyze verify --root`, `systemd-analyze security --offline`) and its user
and capabilities are reproduced with setpriv (tests/package/install_purge.sh runs
ExecStart that way with the installed /etc/default file).
"""

import gzip
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from tests.lib import harness

REPO = harness.REPO
SCRIPT = os.path.join(REPO, "scripts", "package-deb")
INSTALL_PURGE = os.path.join(REPO, "tests", "package", "install_purge.sh")
PKG = "prometheus-memwatch-exporter"
UNIT = f"lib/systemd/system/{PKG}.service"
DEFAULT = f"/etc/default/{PKG}"
CONFDIR = f"/etc/{PKG}"
BINARY = f"/usr/bin/{PKG}"
MAN = f"/usr/share/man/man1/{PKG}.1.gz"
DOC = f"/usr/share/doc/{PKG}"
CONFFILES = [DEFAULT, f"{CONFDIR}/targets.yml", f"{CONFDIR}/web-config.yml"]


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
        for name, package in (("dpkg-buildpackage", "dpkg-dev"), ("dh", "debhelper"),
                              ("help2man", "help2man"), ("lintian", "lintian")):
            tool(name, package)
        cls.tmp = tempfile.mkdtemp(prefix="memwatch-deb-")
        cls.binary = harness.binary("exporter/memwatch_exporter")
        r = run([SCRIPT, "--binary", cls.binary, "--out", os.path.join(cls.tmp, "dist")])
        if r.returncode != 0:
            raise AssertionError(f"package-deb failed: {r.stderr[-3000:]}")
        cls.deb = r.stdout.strip().splitlines()[-1]
        cls.root = os.path.join(cls.tmp, "root")
        r = run(["dpkg-deb", "-R", cls.deb, cls.root])  # -x plus DEBIAN/
        if r.returncode != 0:
            raise AssertionError(f"dpkg-deb -R: {r.stderr}")
        cls._installed = None

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def field(self, name):
        r = run(["dpkg-deb", "-f", self.deb, name])
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def test_lintian_is_clean(self):
        """No error and no warning; the overrides in deploy/debian are shown (O:)
        with their reason. Info tags (I:) are allowed."""
        r = run(["lintian", "--info", "--display-info", "--color", "never",
                 "--fail-on", "error,warning", self.deb])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual([l for l in r.stdout.splitlines() if re.match(r"^[EW]: ", l)],
                         [], r.stdout)
        # the one override is the ITP tag (this package is not uploaded to Debian);
        # (--fail-on counts overridden tags, so this is a second run)
        r = run(["lintian", "--show-overrides", "--color", "never", self.deb])
        self.assertEqual([l.split()[2] for l in r.stdout.splitlines()
                          if l.startswith("O: ")],
                         ["initial-upload-closes-no-bugs"], r.stdout)
        # and lintian really looks: a package without its man page is reported
        broken = os.path.join(self.tmp, "broken")
        shutil.copytree(self.root, broken, symlinks=True)
        os.unlink(broken + MAN)
        md5 = os.path.join(broken, "DEBIAN", "md5sums")
        with open(md5) as f:
            lines = [l for l in f if not l.rstrip().endswith(MAN.lstrip("/"))]
        with open(md5, "w") as f:
            f.writelines(lines)
        bad = os.path.join(self.tmp, "broken.deb")
        r = run(["dpkg-deb", "--root-owner-group", "--build", broken, bad])
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run(["lintian", "--color", "never", bad])
        self.assertIn("no-manual-page", r.stdout)

    def test_name_and_control_fields(self):
        arch = run(["dpkg", "--print-architecture"]).stdout.strip()
        self.assertEqual(os.path.basename(self.deb), f"{PKG}_{version()}-1_{arch}.deb")
        self.assertEqual(self.field("Package"), PKG)
        # upstream version from exporter/version.cc, Debian revision from changelog
        self.assertEqual(self.field("Version"), f"{version()}-1")
        self.assertEqual(self.field("Architecture"), arch)
        depends = self.field("Depends")
        # adduser for the postinst; the shared libraries from dh_shlibdeps;
        # libssl3 and libcrypt1, loaded with dlopen by TLS and basic auth
        for pkg in ("adduser", "libc6", "libstdc++6", "libcivetweb1", "libssl3",
                    "libcrypt1"):
            self.assertRegex(depends, rf"(^|, ){re.escape(pkg)}[\w.+-]*( \(|,|$)", depends)
        # libcurl is loaded with dlopen, by --collector.kubernetes only
        self.assertEqual(self.field("Recommends"), "libcurl4")
        self.assertEqual(self.field("Section"), "net")
        self.assertGreater(int(self.field("Installed-Size")), 0)
        info = run(["dpkg-deb", "-I", self.deb])
        for member in ("postinst", "prerm", "postrm", "conffiles", "md5sums"):
            self.assertIn(member, info.stdout)

    def test_contents(self):
        r = run(["dpkg-deb", "-c", self.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        entries = {}
        for line in r.stdout.splitlines():
            parts = line.split()
            entries[parts[5].lstrip(".").rstrip("/") or "/"] = (parts[0], parts[1])
        want = {
            BINARY: "-rwxr-xr-x",
            "/" + UNIT: "-rw-r--r--",
            DEFAULT: "-rw-r--r--",
            f"{CONFDIR}/targets.yml": "-rw-r--r--",
            f"{CONFDIR}/web-config.yml": "-rw-r--r--",
            MAN: "-rw-r--r--",
            f"{DOC}/copyright": "-rw-r--r--",
            f"{DOC}/changelog.gz": "-rw-r--r--",  # upstream CHANGELOG.md
            f"{DOC}/changelog.Debian.gz": "-rw-r--r--",
            f"{DOC}/README.Debian": "-rw-r--r--",
            f"/usr/share/lintian/overrides/{PKG}": "-rw-r--r--",
        }
        for path, mode in want.items():
            self.assertIn(path, entries)
            self.assertEqual(entries[path], (mode, "root/root"), path)
        files = {p for p, (mode, _) in entries.items() if not mode.startswith("d")}
        self.assertEqual(files, set(want), "unexpected files in the package")
        # the upstream name is not shipped: Debian's exporters are prometheus-*-exporter
        self.assertNotIn("/usr/bin/memwatch_exporter", entries)
        # the binary is stripped (dh_strip) and is the one we gave
        r = run(["readelf", "-S", "-W", self.root + BINARY])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(".symtab", r.stdout)
        r = run([self.root + BINARY, "--version"])
        self.assertRegex(r.stdout, rf"^memwatch_exporter version {re.escape(version())} ")

    def test_conffiles_and_copyright(self):
        with open(os.path.join(self.root, "DEBIAN", "conffiles")) as f:
            self.assertEqual(sorted(f.read().split()), sorted(CONFFILES))
        with open(os.path.join(self.root, DOC.lstrip("/"), "copyright")) as f:
            text = f.read()
        self.assertIn("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/", text)
        self.assertIn("License: Apache-2.0", text)
        with open(os.path.join(REPO, "LICENSE")) as f, \
                open("/usr/share/common-licenses/Apache-2.0") as g:
            self.assertEqual(f.read(), g.read())

    def test_shipped_configuration_is_accepted(self):
        """The example targets file and web config parse, and are empty: the
        exporter starts with them and watches only what ARGS names (--self)."""
        targets = self.root + f"{CONFDIR}/targets.yml"
        web = self.root + f"{CONFDIR}/web-config.yml"
        text, log = self.run_packaged([], [f"--targets.config={targets}",
                                           f"--web.config.file={web}", "--self"])
        self.assertEqual(harness.metric_value(text, "memwatch_target_up", name="self"), 1)
        self.assertEqual(len([l for l in text.splitlines()
                              if l.startswith("memwatch_target_up{")]), 1, text[:2000])
        self.assertIn("tls=false", log)
        self.assertIn("basic_auth=false", log)

    def man_text(self):
        tool("man", "man-db")
        env = dict(os.environ, MANWIDTH="200", MAN_KEEP_FORMATTING="0")
        r = run(["man", "--warnings", "-l", self.root + MAN], env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout, r.stderr

    def test_man_page(self):
        with gzip.open(self.root + MAN, "rt") as f:
            source = f.read()
        self.assertIn(f".TH {PKG.upper()} \"1\"", source)
        self.assertIn("help2man", source.splitlines()[0])
        text, warnings = self.man_text()
        self.assertEqual(warnings.strip(), "", "groff warnings")
        text = re.sub(r".\x08", "", text)
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COLLECTORS",
                        "COMMANDS", "SIGNALS", "EXIT STATUS", "FILES", "SEE ALSO"):
            self.assertRegex(text, rf"(?m)^{section}$")
        self.assertRegex(text, rf"(?m)^\s+{PKG} \[flags\]$")
        self.assertNotIn("memwatch_exporter [flags]", text)
        # every flag of the binary's --help is documented, with its default
        help_text = run([self.binary, "--help"]).stdout
        flags = re.findall(r"(?m)^  (--[a-z][\w.-]*(?:=\S*)?)$", help_text)
        self.assertGreater(len(flags), 30)
        for flag in flags:
            self.assertRegex(text, rf"(?m)^\s+{re.escape(flag)}(\s|$)")
        for path in CONFFILES + ["/" + UNIT]:
            self.assertIn(path, text)
        self.assertRegex(text, r"SIGHUP\s+Reload")
        # dotted flag names are bold as a whole (help2man alone stops at the dot)
        self.assertIn(r"\fB\-\-web.listen\-address\fR", source)

    def unit(self):
        with open(os.path.join(self.root, UNIT)) as f:
            text = f.read()
        keys = {}
        for line in text.splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                keys.setdefault(k, []).append(v)
        return keys

    def test_unit(self):
        u = self.unit()
        caps = "CAP_SYS_PTRACE CAP_DAC_READ_SEARCH"
        want = {
            # Debian's exporters share the "prometheus" system user
            "User": "prometheus", "Group": "prometheus",
            "EnvironmentFile": DEFAULT,
            "ExecStart": f"{BINARY} $ARGS",
            "ExecReload": "/bin/kill -HUP $MAINPID",
            "AmbientCapabilities": caps, "CapabilityBoundingSet": caps,
            "NoNewPrivileges": "yes",
            "ProtectSystem": "strict", "ProtectHome": "read-only", "PrivateTmp": "yes",
            "PrivateDevices": "yes",
            "ProtectKernelTunables": "yes", "ProtectControlGroups": "yes",
            "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
            "MemoryDenyWriteExecute": "yes", "SystemCallFilter": "@system-service",
            "WantedBy": "multi-user.target",
        }
        for k, v in want.items():
            self.assertEqual(u.get(k), [v], k)
        self.assertIn(f"man:{PKG}(1)", u["Documentation"][0])
        # it must see every process: nothing that hides /proc entries
        self.assertNotIn("ProtectProc", u)
        self.assertNotIn("ProcSubset", u)
        self.assertNotIn("PrivateUsers", u)
        # RemoveIPC would delete other prometheus-user services' IPC objects
        self.assertNotIn("RemoveIPC", u)

    def default_args(self):
        path = self.root + DEFAULT
        r = run(["/bin/sh", "-c", f'. "{path}"; printf %s "$ARGS"'])
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.split()

    def test_default_args(self):
        args = self.default_args()
        # loopback only: the exporter's own default, ":9747", is every interface
        listen = [a for a in args if a.startswith("--web.listen-address=")]
        self.assertEqual(listen, ["--web.listen-address=127.0.0.1:9747"])
        # the conffiles ARGS points at are the ones the package ships
        self.assertIn(f"--targets.config={CONFDIR}/targets.yml", args)
        self.assertIn(f"--web.config.file={CONFDIR}/web-config.yml", args)
        self.assertIn("--self", args)

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
            os.makedirs(os.path.join(root, "bin"), exist_ok=True)
            shutil.copy("/bin/kill", os.path.join(root, "bin", "kill"))  # ExecReload
        return root

    def test_systemd_analyze_verify_detects_errors(self):
        """verify is clean on the packaged unit (also checked installed, below) and
        really checks: a broken copy is reported."""
        root = self.systemd_root()
        r = run(["systemd-analyze", "verify", "--man=no", f"--root={root}", f"{PKG}.service"])
        self.assertEqual((r.returncode, (r.stdout + r.stderr).strip()), (0, ""))
        broken = os.path.join(root, "lib/systemd/system/memwatch-broken.service")
        with open(os.path.join(root, UNIT)) as f:
            text = f.read()
        with open(broken, "w") as f:
            f.write(text.replace("NoNewPrivileges=yes", "NoNewPrivileges=maybe")
                    .replace(BINARY, "/usr/bin/nonexistent"))
        r = run(["systemd-analyze", "verify", "--man=no", f"--root={root}",
                 "memwatch-broken.service"])
        self.assertIn("Failed to parse boolean value", r.stdout + r.stderr)
        self.assertIn("/usr/bin/nonexistent is not executable", r.stdout + r.stderr)
        self.assertNotEqual(r.returncode, 0)
        os.unlink(broken)

    def installed(self):
        """tests/package/install_purge.sh's findings (it runs once per class)."""
        if PackageTest._installed is None:
            tool("unshare", "util-linux")
            tool("setpriv", "util-linux")
            tool("curl", "curl")
            overlay = os.path.join(self.tmp, "overlay")
            os.makedirs(overlay, exist_ok=True)
            r = run(["unshare", "--mount", "--propagation", "private", "--pid", "--fork",
                     "sh", INSTALL_PURGE, self.deb, str(harness.free_port()), overlay],
                    timeout=240)
            checks = {}
            for line in r.stdout.splitlines():
                if line.startswith("check "):
                    _, name, *value = line.split(" ", 2)
                    checks[name] = value[0].strip() if value else ""
            PackageTest._installed = (r.returncode, checks, r.stderr[-4000:])
        rc, checks, err = PackageTest._installed
        self.assertEqual(rc, 0, err)
        return checks

    def test_install_creates_the_prometheus_user_and_enables_the_unit(self):
        c = self.installed()
        self.assertEqual(c["user_before"], "absent")
        self.assertEqual(c["status"], "install ok installed")
        # the same user Debian's prometheus-* packages create
        self.assertEqual(c["user"], "prometheus:/var/lib/prometheus:/usr/sbin/nologin")
        self.assertEqual(c["group"], "prometheus")
        # the web config may name TLS keys kept next to it
        self.assertEqual(c["confdir"], "root:prometheus:750")
        self.assertEqual(c["enabled"], "/" + UNIT)
        self.assertEqual(sorted(c["conffiles"].split()), sorted(CONFFILES))

    def test_installed_unit_passes_systemd_analyze(self):
        c = self.installed()
        self.assertEqual(c["verify_rc"], "0")
        # warnings (unknown keys, bad values) exit 0: any output is a failure
        self.assertEqual(c["verify_output"].strip("|"), "")
        # 0 = fully locked down, 10 = unprotected; "OK" is below 4.5
        self.assertLessEqual(float(c["security"]), 3.0)

    def test_installed_service_command_runs_as_prometheus(self):
        """ExecStart with the installed ARGS as User=prometheus with the unit's
        capabilities: it reads the 0750 conffile directory through its group,
        listens on loopback and watches itself."""
        c = self.installed()
        self.assertEqual(c["exporter_errors"], "0")
        self.assertRegex(c["exporter_log"], r"^msg=listening address=127\.0\.0\.1:\d+$")
        self.assertEqual(c["self_up"], "1")

    def test_purge_keeps_the_system_user(self):
        c = self.installed()
        self.assertEqual(c["status_after_purge"], "not-installed")
        # Debian policy: a package never deletes a system user (files may remain,
        # and other prometheus-* packages share it)
        self.assertEqual(c["user_after_purge"], "prometheus")
        self.assertEqual(c["group_after_purge"], "prometheus")
        self.assertEqual(c["confdir_after_purge"], "absent")
        self.assertEqual(c["default_after_purge"], "absent")
        self.assertEqual(c["enabled_after_purge"], "absent")
        with open(os.path.join(self.root, "DEBIAN", "postrm")) as f:
            postrm = f.read()
        self.assertNotRegex(postrm, r"\b(deluser|userdel|delgroup|groupdel)\b")

    def run_packaged(self, prefix, args):
        """The packaged binary on a free loopback port; returns (metrics, log)."""
        binary = self.root + BINARY
        port = harness.free_port()
        args = [a for a in args if not a.startswith("--web.listen-address=")]
        log = os.path.join(self.tmp, f"exporter-{port}.log")
        with harness.Processes() as procs, open(log, "w") as logf:
            p = procs.start([*prefix, binary, *args,
                             f"--web.listen-address=127.0.0.1:{port}"], stderr=logf)
            base = f"http://127.0.0.1:{port}"

            def ready():
                if p.poll() is not None:
                    raise AssertionError(f"exporter exited {p.returncode}")
                return harness.get(base + "/-/ready", timeout=2).status == 200

            harness.wait_until(ready, timeout=20, what="packaged exporter ready")
            text = harness.get(base + "/metrics").text
        with open(log) as f:
            return text, f.read()

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
            text, _ = self.run_packaged(unit_like, extra)
            self.assertIsNotNone(harness.metric_value(
                text, "memwatch_process_read_bytes_total", name="victim"), text[:3000])
            self.assertIsNotNone(harness.metric_value(
                text, "memwatch_process_open_fds", name="victim"))
            bare = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
            text, _ = self.run_packaged(bare, extra)
            self.assertIsNone(harness.metric_value(
                text, "memwatch_process_read_bytes_total", name="victim"))
            self.assertIsNotNone(harness.metric_value(
                text, "memwatch_process_read_errors_total", name="victim", file="io"))


if __name__ == "__main__":
    unittest.main()
