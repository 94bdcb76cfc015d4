"""deploy/rootfs/build-rootfs: the daemon-less build of the Dockerfile's runtime image.

The full build (mmdebstrap from the Debian mirror, then the exporter run under
chroot as 65534) takes several minutes here (6m50s measured, docs/deploy.md), over
the 2-minute budget of a test, so these tests check what can be checked quickly: the
package list it installs is the Dockerfile runtime stage's, and bad arguments fail
with status 2 before anything is downloaded.
"""

import importlib.machinery
import importlib.util
import os
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
        stages = test_deploy.dockerfile_stages()
        want = test_deploy.apt_installed(stages[-1])
        got = load_script().runtime_packages()
        self.assertEqual(set(got), want)
        self.assertIn("libprometheus-cpp-core1.0", got)

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
