"""deploy/Dockerfile conventions checked without a Docker engine, and the revision
stamping the image relies on (scripts/workspace-status reading MEMWATCH_REVISION).

tests/deploy/test_deploy.py checks the stages, the build packages and the runtime
libraries; this file checks pinned bases, the OCI labels, that the default image ships
the exporter only, the demo target the sidecar example uses, and the revision.
"""

import os
import re
import subprocess
import tempfile
import unittest

import yaml

from tests.deploy import test_deploy
from tests.lib import harness

REPO = harness.REPO
STATUS = os.path.join(REPO, "scripts", "workspace-status")


def version():
    with open(os.path.join(REPO, "exporter", "version.cc")) as f:
        return re.search(r'kVersion\[\] = "([^"]+)"', f.read()).group(1)


class DockerfileImageTest(unittest.TestCase):
    def setUp(self):
        self.stages = test_deploy.dockerfile_stages()
        self.named = {}
        for s in self.stages:
            image, _, name = s["from"].partition(" AS ")
            self.named[name] = dict(s, image=image)

    def test_bases_are_pinned_dated_tags(self):
        bases = [s["image"] for s in self.named.values() if s["image"] not in self.named]
        self.assertEqual(len(bases), 2, bases)
        dates = set()
        for image in bases:
            # debian:bookworm-YYYYMMDD[-slim]: never bookworm, bookworm-slim or latest
            m = re.match(r"^debian:bookworm-(\d{8})(-slim)?$", image)
            self.assertIsNotNone(m, image)
            dates.add(m.group(1))
        self.assertEqual(len(dates), 1, f"build and runtime bases differ: {bases}")

    def test_default_target_is_the_exporter_alone(self):
        runtime = self.stages[-1]
        self.assertEqual(runtime["from"], "runtime-base AS runtime")
        copies = [rest for instr, rest in runtime["lines"] if instr == "COPY"]
        self.assertEqual(copies, ["--from=build /out/memwatch_exporter /usr/local/bin/"])
        build_runs = " ".join(r for i, r in self.named["build"]["lines"] if i == "RUN")
        self.assertNotIn("memwatch_demo", build_runs)
        # nothing under the runtime stage copies the demo either
        base_copies = [r for i, r in self.named["runtime-base"]["lines"] if i == "COPY"]
        self.assertEqual(base_copies, [])

    def test_demo_target_serves_the_sidecar_example(self):
        demo = self.named["demo"]
        self.assertEqual(demo["image"], "runtime-base")
        lines = dict(demo["lines"])
        self.assertIn("--from=demo-build /out/memwatch_demo", lines["COPY"])
        entry = lines["ENTRYPOINT"]
        with open(os.path.join(REPO, "deploy", "kubernetes", "sidecar",
                               "deployment.yaml")) as f:
            pod = yaml.safe_load(f)["spec"]["template"]["spec"]
        app = [c for c in pod["containers"] if c["name"] == "app"][0]
        self.assertEqual(app["image"], "memwatch-demo")
        self.assertEqual(f'["{app["command"][0]}"]', entry)

    def labels(self):
        out = {}
        for instr, rest in self.stages[-1]["lines"]:
            if instr == "LABEL":
                out.update(re.findall(r'(\S+)="([^"]*)"', rest))
        return out

    def args(self):
        out = {}
        for instr, rest in self.stages[-1]["lines"]:
            if instr == "ARG":
                name, _, default = rest.partition("=")
                out[name] = default.strip('"')
        return out

    def test_oci_labels(self):
        labels = self.labels()
        p = "org.opencontainers.image."
        for key in ("title", "description", "source", "licenses", "version",
                    "revision", "created"):
            self.assertIn(p + key, labels)
            self.assertNotEqual(labels[p + key], "", key)
        self.assertEqual(labels[p + "licenses"], "Apache-2.0")
        self.assertEqual(labels[p + "version"], "$VERSION")
        self.assertEqual(labels[p + "revision"], "$REVISION")
        self.assertEqual(labels[p + "created"], "$CREATED")
        self.assertEqual(labels[p + "base.name"],
                         "docker.io/library/" + self.named["runtime-base"]["image"])
        # the version label's default is the binary's version
        self.assertEqual(self.args()["VERSION"], version())

    def test_revision_build_argument_reaches_bazel(self):
        for stage in ("build", "demo-build"):
            lines = self.named[stage]["lines"]
            self.assertIn(("ARG", 'REVISION=""'), lines, stage)
            runs = [r for i, r in lines if i == "RUN" and "bazel build" in r]
            self.assertEqual(len(runs), 1, stage)
            self.assertIn('MEMWATCH_REVISION="$REVISION" bazel build', runs[0])
        # .git is not in the build context, so the argument is the only source
        with open(os.path.join(REPO, "deploy", "Dockerfile.dockerignore")) as f:
            self.assertIn(".git", f.read().split())


class WorkspaceStatusTest(unittest.TestCase):
    """scripts/workspace-status, run where there is no .git (as in the image build)."""

    def status(self, env_rev):
        env = {"PATH": os.environ["PATH"]}
        if env_rev is not None:
            env["MEMWATCH_REVISION"] = env_rev
        with tempfile.TemporaryDirectory() as tmp:
            return subprocess.run(["sh", STATUS], cwd=tmp, env=env, capture_output=True,
                                  text=True, timeout=30)

    def test_build_argument_without_git(self):
        full = "0123456789abcdef0123456789abcdef01234567"
        r = self.status(full)
        self.assertEqual((r.returncode, r.stdout), (0, "STABLE_GIT_REVISION 0123456789ab\n"))
        r = self.status("v0.1.0-rc1")
        self.assertEqual(r.stdout, "STABLE_GIT_REVISION v0.1.0-rc1\n")

    def test_no_git_no_argument_is_unknown(self):
        self.assertEqual(self.status(None).stdout, "STABLE_GIT_REVISION unknown\n")
        self.assertEqual(self.status("").stdout, "STABLE_GIT_REVISION unknown\n")

    def test_unsafe_revision_is_refused(self):
        # it becomes a C string literal in exporter/revision.h
        for bad in ('a"b', "a b", "a\\b", "$(id)"):
            r = self.status(bad)
            self.assertEqual(r.returncode, 1, bad)
            self.assertEqual(r.stdout, "")

    def test_git_checkout_is_used_without_the_argument(self):
        r = subprocess.run(["sh", STATUS], cwd=REPO, capture_output=True, text=True,
                           env={"PATH": os.environ["PATH"]}, timeout=30)
        self.assertRegex(r.stdout, r"^STABLE_GIT_REVISION ([0-9a-f]{12}(-dirty)?|unknown)\n$")


if __name__ == "__main__":
    unittest.main()
