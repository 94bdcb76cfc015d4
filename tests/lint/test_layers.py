"""The floor plan check (scripts/lib/check_layers.py, run by scripts/lint): the
tree passes, and it catches an include that points the wrong way."""

import importlib.util
import os
import shutil
import tempfile
import unittest

from tests.lib import harness

SPEC = importlib.util.spec_from_file_location(
    "check_layers", os.path.join(harness.REPO, "scripts", "lib", "check_layers.py"))
check_layers = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(check_layers)


class LayersTest(unittest.TestCase):
    def test_the_tree_follows_the_floor_plan(self):
        import subprocess
        files = subprocess.run(["git", "ls-files", "*.cc", "*.h"], cwd=harness.REPO,
                               capture_output=True, text=True, check=True).stdout.split()
        self.assertGreater(len(files), 100)
        self.assertEqual(check_layers.violations(harness.REPO, files,
                                                 check_layers.layers()), [])

    def test_catches_upward_and_sideways_includes(self):
        root = tempfile.mkdtemp(prefix="layers-")
        self.addCleanup(shutil.rmtree, root, True)
        os.makedirs(os.path.join(root, "docs"))
        with open(os.path.join(root, "docs", "architecture.md"), "w") as f:
            f.write("| `a/base` | 0 | x |\n| `a/lib` | 1 | x |\n"
                    "| `a/p1` | 2 | x |\n| `a/p2` | 2 | x |\n")
        files = {
            "a/base/b.h": "",
            "a/lib/l.h": '#include "a/base/b.h"\n',      # down: fine
            "a/base/up.h": '#include "a/lib/l.h"\n',     # up: caught
            "a/p1/x.cc": '#include "a/p2/y.h"\n',        # sideways: caught
            "a/p2/y.h": '#include <vector>\n#include "a/p2/z.h"\n',
            "a/p2/z.h": "",
            "a/other/o.cc": "",                          # no layer: caught
        }
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(text)
        found = check_layers.violations(root, sorted(files), check_layers.layers(root))
        self.assertEqual(len(found), 3, found)
        self.assertTrue(any(v.startswith("a/base/up.h:1:") for v in found), found)
        self.assertTrue(any(v.startswith("a/p1/x.cc:1:") for v in found), found)
        self.assertTrue(any(v.startswith("a/other/o.cc:") for v in found), found)


if __name__ == "__main__":
    unittest.main()
