"""deploy/rootfs/build-rootfs: the daemon-less build of the Dockerfile's runtime image.

The full build (mmdebstrap from the Debian mirror, then the exporter run under
chroot as 65534) takes several minutes here (docs/deploy.md), over the 2-minute
budget of a test, so these tests check what can be checked quickly: the package list
and suite it uses are the Dockerfile runtime stage's, the `podman import` changes are
the runtime stage's, and bad arguments fail with status 2 before anything is
downloaded.
"""

import importlib.machinery
import importlib.util
import os
import re
import subprocess
import tempfile
import unittest

from tests.lib import harness

SCRIPT = os.path.join(harness.REPO, "deploy", "rootfs", "build-rootfs")


def load_script():
    loader = importlib.machinery.SourceFileLoader("build_rootfs", SCRIPT)
    spec = importlib.util.spec_from_loader("build_rootfs", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class BuildRootfsTest(unittest.TestCase):
    def test_packages_are_the_dockerfile_runtime_stage(self):
        from tests.deploy import test_deploy
        script = load_script()
        chain = [s["name"] for s in script.runtime_chain()]
        self.assertEqual(chain, ["runtime", "runtime-base"])
        stages = test_deploy.dockerfile_stages()
        runtime_base = [s for s in stages if s["from"].endswith(" AS runtime-base")]
        self.assertEqual(len(runtime_base), 1)
        want = test_deploy.apt_installed(runtime_base[0])
        got = script.runtime_packages()
        self.assertEqual(set(got), want)
        self.assertIn("libcivetweb1", got)

    def test_suite_is_the_pinned_base(self):
        script = load_script()
        self.assertRegex(script.base_image(), r"^debian:bookworm-\d{8}-slim$")
        self.assertEqual(script.suite(), "bookworm")
        with tempfile.TemporaryDirectory() as tmp:
            floating = os.path.join(tmp, "Dockerfile")
            with open(floating, "w") as f:
                f.write("FROM debian:bookworm-slim AS runtime\nRUN apt-get install x\n")
            with self.assertRaises(SystemExit):
                script.suite(floating)

    def test_podman_import_changes_are_the_runtime_stage(self):
        binary = harness.binary("exporter/memwatch_exporter")
        changes = load_script().import_changes(binary)
        self.assertIn("USER 65534:65534", changes)
        self.assertIn('ENTRYPOINT ["/usr/local/bin/memwatch_exporter"]', changes)
        labels = dict(re.match(r'LABEL (\S+)="(.*)"$', c).groups()
                      for c in changes if c.startswith("LABEL "))
        version = subprocess.run([binary, "--version"], capture_output=True,
                                 text=True).stdout
        rev = re.search(r"\(revision ([^)]+)\)", version).group(1)
        self.assertEqual(labels["org.opencontainers.image.revision"], rev)
        self.assertRegex(labels["org.opencontainers.image.created"],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(labels["org.opencontainers.image.licenses"], "Apache-2.0")

    def test_bad_arguments_exit_2(self):
        with tempfile.TemporaryDirectory() as tmp:
            cases = [
                ["--binary", os.path.join(tmp, "missing"), "--out", os.path.join(tmp, "r")],
                ["--binary", "/bin/true", "--out", tmp],  # exists already
            ]
            for args in cases:
                r = subprocess.run([SCRIPT, *args], capture_output=True, text=True,
                                   timeout=30)
                self.assertEqual(r.returncode, 2, (args, r.stderr))
                self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)
                self.assertFalse(os.path.exists(os.path.join(tmp, "r")))


if __name__ == "__main__":
    unittest.main()
