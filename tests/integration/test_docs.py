"""The documentation matches the binary: every flag --help prints is in the README's
flag table and vice versa, and every metric a real scrape exposes is in
docs/metrics.md."""

import os
import re
import subprocess
import unittest

from tests.lib import harness

README = os.path.join(harness.REPO, "README.md")
METRICS_DOC = os.path.join(harness.REPO, "docs", "metrics.md")


def help_text():
    return subprocess.run([harness.binary("exporter/memwatch_exporter"), "--help"],
                          capture_output=True, check=True, timeout=30).stdout.decode()


def help_flags():
    return {m.group(1) for m in re.finditer(r"^  --([a-z0-9.\-]+)", help_text(), re.M)}


def help_aliases():
    """{flag: alias} from --help's "Alias: --x." notes."""
    out = {}
    for m in re.finditer(r"^  --([a-z0-9.\-]+)=.*\n.*Alias: --([a-z0-9.\-]+)\.$",
                         help_text(), re.M):
        out[m.group(1)] = m.group(2)
    return out


def readme_rows():
    """{flag: the whole table row} of the README's flag table."""
    rows = {}
    with open(README) as f:
        for line in f:
            if line.startswith("| `--"):
                for flag in re.findall(r"`--([a-z0-9.\-]+)", line.split("|")[1]):
                    rows[flag] = line
    return rows


def readme_flags():
    flags = set()
    with open(README) as f:
        for line in f:
            if line.startswith("| `--"):
                first_cell = line.split("|")[1]
                flags.update(re.findall(r"`--([a-z0-9.\-]+)", first_cell))
    return flags


class DocsTest(unittest.TestCase):
    def test_readme_flag_table_matches_help(self):
        # --[no-]collector.<name> is a pattern, checked by the collector tests.
        documented = {f for f in readme_flags() if not f.endswith(".")}
        actual = help_flags()
        self.assertEqual(sorted(actual - documented), [],
                         "flags missing from the README table")
        self.assertEqual(sorted(documented - actual), [],
                         "README documents flags the binary does not have")

    def test_readme_names_every_alias(self):
        aliases = help_aliases()
        self.assertIn("collector.memwatch.leak-gcs", aliases)
        rows = readme_rows()
        for flag, alias in aliases.items():
            self.assertIn(f"(alias `--{alias}`)", rows.get(flag, ""), flag)

    def test_readme_demo_time_matches_scripts_run(self):
        with open(os.path.join(harness.REPO, "scripts", "run")) as f:
            run = f.read()
        with open(README) as f:
            readme = f.read()
        said = set(re.findall(r"within about (\d+) seconds", run))
        self.assertEqual(len(said), 1, said)
        self.assertIn(f"Within about {said.pop()} seconds", readme)
        self.assertIn("a logfmt line", run)
        self.assertNotIn("JSON \"leak\" line", run)

    def test_scraped_metrics_are_documented(self):
        with open(METRICS_DOC) as f:
            doc = f.read()
        with harness.Processes() as procs:
            exp = harness.Exporter(procs, args=["--self"])
            text = exp.metrics()
        names = {line.split()[2] for line in text.splitlines()
                 if line.startswith("# TYPE ")}
        self.assertIn("memwatch_target_up", names)
        undocumented = sorted(n for n in names if f"`{n}`" not in doc)
        self.assertEqual(undocumented, [], "metrics missing from docs/metrics.md")


if __name__ == "__main__":
    unittest.main()
