"""The shipped alert rules and Alertmanager config, checked by the real tools.

promtool and amtool come from the Debian packages `prometheus` and
`prometheus-alertmanager`; a missing tool fails these tests (it is not a skip).
Run from the repository root:
    python3 -m unittest tests.rules.test_rules
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = os.path.join(REPO, "deploy", "prometheus", "rules.yml")
PROM_CONFIG = os.path.join(REPO, "deploy", "prometheus", "prometheus.yml")
AM_CONFIG = os.path.join(REPO, "deploy", "alertmanager", "alertmanager.yml")
RUNBOOK = os.path.join(REPO, "docs", "runbook.md")
TEST_DIR = os.path.dirname(os.path.abspath(__file__))
SEVERITIES = {"critical", "warning", "info"}
# the default runbookURLPattern of deploy/mixin/config.libsonnet
RUNBOOK_URL = ("https://github.com/memwatch/memwatch_exporter/blob/main/"
               "docs/runbook.md#%s")


def tool(name):
    path = shutil.which(name)
    if path is None:
        raise AssertionError(
            f"{name} not found on PATH: install the Debian package "
            f"{'prometheus' if name == 'promtool' else 'prometheus-alertmanager'}")
    return path


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


def rule_test_files():
    return sorted(os.path.join(TEST_DIR, f) for f in os.listdir(TEST_DIR)
                  if f.endswith(".test.yml"))


def alert_blocks(text):
    """{alertname: text of its rule} from the rules file (one block per `- alert:`)."""
    parts = re.split(r"^\s*- (?=alert:|record:)", text, flags=re.M)
    out = {}
    for part in parts:
        m = re.match(r'alert:\s*"?(\w+)', part)
        if m:
            out[m.group(1)] = part
    return out


def github_anchor(heading):
    a = heading.strip().lower()
    a = re.sub(r"[^\w\- ]", "", a)
    return a.replace(" ", "-")


def tested_alerts():
    """(fires, quiet): alert names with an eval expecting alerts / expecting none."""
    fires, quiet = set(), set()
    for path in rule_test_files():
        with open(path) as f:
            text = f.read()
        for m in re.finditer(r"alertname:\s*(\w+)\s*\n\s*exp_alerts:(.*)", text):
            (quiet if m.group(2).strip() == "[]" else fires).add(m.group(1))
    return fires, quiet


class RulesFileTest(unittest.TestCase):
    def setUp(self):
        with open(RULES) as f:
            self.text = f.read()
        self.alerts = alert_blocks(self.text)

    def test_promtool_check_rules(self):
        r = run([tool("promtool"), "check", "rules", RULES])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS", r.stdout)
        m = re.search(r"SUCCESS: (\d+) rules found", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        n_rules = len(re.findall(r"^\s*-? *(alert|record):", self.text, flags=re.M))
        self.assertEqual(int(m.group(1)), n_rules)

    def test_required_alerts_exist(self):
        required = {
            "MemwatchLeakDetected": "memwatch_leak_events_total",
            "MemwatchHeapGrowthStreak": "memwatch_heap_current_base_bytes",
            "MemwatchHeapUsageTrendRising": "memwatch_heap_usage_trend_ratio",
            "MemwatchMemoryExhaustionPredicted": "predict_linear",
            "MemwatchProcessCPUHigh": "memwatch_process_cpu_seconds_total",
            "MemwatchProcessMemoryHigh": "memwatch_process_resident_memory_bytes",
            "MemwatchCgroupMemoryNearLimit": "memwatch_process_cgroup_memory_limit_bytes",
            "MemwatchTargetDown": "memwatch_target_up",
            "MemwatchCollectorFailing": "memwatch_scrape_collector_success",
        }
        for name, needle in required.items():
            self.assertIn(name, self.alerts)
            self.assertIn(needle, self.alerts[name], name)
        # the growth streak uses the base gauges alone, not the engine's streak/leak
        streak = self.alerts["MemwatchHeapGrowthStreak"]
        self.assertNotIn("memwatch_heap_growth_streak", streak)
        self.assertNotIn("memwatch_leak_", streak.split("annotations:")[0])

    def test_conventions(self):
        with open(RUNBOOK) as f:
            anchors = {github_anchor(h) for h in
                       re.findall(r"^#+\s+(.*)$", f.read(), flags=re.M)}
        self.assertGreaterEqual(len(self.alerts), 9)
        for name, block in self.alerts.items():
            with self.subTest(alert=name):
                sev = re.search(r'severity:\s*"?(\w+)', block)
                self.assertIsNotNone(sev)
                self.assertIn(sev.group(1), SEVERITIES)
                for key in ("summary", "description", "runbook_url"):
                    self.assertRegex(block, rf"\n\s+{key}:", key)
                url = re.search(r'runbook_url:\s*"?([^"\s]+)', block).group(1)
                # absolute, from the mixin's runbookURLPattern: receivers link it as is
                self.assertEqual(url, RUNBOOK_URL % name.lower())
                self.assertIn(url.split("#", 1)[1], anchors,
                              f"{url}: no such section in docs/runbook.md")

    def test_only_contract_metric_names(self):
        with open(os.path.join(REPO, "docs", "metrics.md")) as f:
            contract = set(re.findall(r"`(memwatch_[a-z_]+)`", f.read()))
        # metric names, not the middle part of recording rule names (level:metric:ops)
        used = set(re.findall(r"(?<![:\w])(memwatch_[a-z_]+)\b(?!:)", self.text))
        self.assertIn("memwatch_leak_events_total", used)
        used.discard("memwatch_exporter")  # the product's name in annotation prose
        unknown = {u for u in used if u not in contract}
        self.assertFalse(unknown, f"metrics not in docs/metrics.md: {unknown}")


class RuleUnitTests(unittest.TestCase):
    def test_every_alert_has_firing_and_quiet_cases(self):
        with open(RULES) as f:
            alerts = set(alert_blocks(f.read()))
        fires, quiet = tested_alerts()
        self.assertEqual(alerts - fires, set(), "alerts never tested firing")
        self.assertEqual(alerts - quiet, set(), "alerts never tested quiet")

    def test_promtool_test_rules(self):
        files = rule_test_files()
        self.assertGreaterEqual(len(files), 3)
        for path in files:
            with self.subTest(file=os.path.basename(path)):
                r = run([tool("promtool"), "test", "rules", path], cwd=TEST_DIR)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn("SUCCESS", r.stdout)

    def _run_with_mutated_rules(self, old, new, test_file):
        """promtool test rules against a copy of the rules with one change."""
        with open(RULES) as f:
            text = f.read()
        self.assertIn(old, text)
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "deploy", "prometheus"))
            os.makedirs(os.path.join(tmp, "tests", "rules"))
            with open(os.path.join(tmp, "deploy", "prometheus", "rules.yml"), "w") as f:
                f.write(text.replace(old, new))
            shutil.copy(os.path.join(TEST_DIR, test_file),
                        os.path.join(tmp, "tests", "rules", test_file))
            return run([tool("promtool"), "test", "rules", test_file],
                       cwd=os.path.join(tmp, "tests", "rules"))

    def test_quiet_cases_catch_broken_rules(self):
        """The 'must not fire' cases bite: a rule weakened on purpose fails them."""
        mutations = [
            # counting any change of the counter alerts on an exporter restart
            ("increase(memwatch_leak_events_total[10m]) > 0",
             "changes(memwatch_leak_events_total[10m]) > 0", "leak.test.yml",
             "MemwatchLeakDetected"),
            # without the reset check a sawtooth looks like growth
            ("and resets(memwatch_heap_current_base_bytes[10m]) == 0", "",
             "leak.test.yml", "MemwatchHeapGrowthStreak"),
            # without the flat-compactions check warm-up-then-plateau fires
            ("and changes(memwatch_heap_compactions_total[10m])\n"
             "                  <= changes(memwatch_heap_current_base_bytes[10m]) + 1", "",
             "leak.test.yml", "MemwatchHeapGrowthStreak"),
            # without the fallback, targets without Kubernetes names never alert
            ("\n          or on (name, instance, job)\n"
             "            (increase(memwatch_leak_events_total[10m]) > 0)", "",
             "leak.test.yml", "MemwatchLeakDetected"),
            # without the one-container check, a target spread over pods breaks
            # the join (many-to-many)
            ("\n                and on (name, instance, job)\n"
             "                  (count by (name, instance, job) (max without (pid, comm, "
             "runtime, source) (memwatch_target_info{pod!=\"\"})) == 1)", "",
             "leak.test.yml", "MemwatchLeakDetected"),
            # without the warm-up guard the trend alert fires on young engines
            ("and on (name, source, job, instance) memwatch_heap_compactions_total >= 10",
             "", "resources.test.yml", "MemwatchHeapUsageTrendRising"),
            # without `for`, a 4-minute burst of 2 cores pages
            ("[5m]))\n            > 0.9\n        for: \"10m\"\n",
             "[5m]))\n            > 0.9\n", "resources.test.yml", "MemwatchProcessCPUHigh"),
            # without the "over half the limit now" guard a small fast grower pages
            ("\n          and memwatch_process_resident_memory_bytes\n"
             "            > 0.5 * memwatch_process_cgroup_memory_limit_bytes", "",
             "resources.test.yml", "MemwatchMemoryExhaustionPredicted"),
            # a guard on the exporter's own series with a 1h window goes quiet
            # about an hour into an outage
            ('expr: "up{job=~\\".*memwatch.*\\"} == 0"',
             'expr: "up == 0 and on (job, instance) '
             'max_over_time(memwatch_exporter_build_info[1h])"',
             "health.test.yml", "MemwatchExporterDown"),
            # without the job selector any down target of any job pages us
            ('expr: "up{job=~\\".*memwatch.*\\"} == 0"', 'expr: "up == 0"',
             "health.test.yml", "MemwatchExporterDown"),
        ]
        for old, new, test_file, alert in mutations:
            with self.subTest(alert=alert, new=new[:40]):
                r = self._run_with_mutated_rules(old, new, test_file)
                self.assertNotEqual(r.returncode, 0, r.stdout)
                self.assertIn(alert, r.stdout + r.stderr)


class PrometheusConfigTest(unittest.TestCase):
    def test_promtool_check_config(self):
        r = run([tool("promtool"), "check", "config", PROM_CONFIG])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("is valid prometheus config file syntax", r.stdout)
        self.assertIn("SUCCESS: 1 rule files found", r.stdout)


class AlertmanagerConfigTest(unittest.TestCase):
    def routes(self, *labels, verify=None):
        args = [tool("amtool"), "config", "routes", "test", f"--config.file={AM_CONFIG}"]
        if verify:
            args.append(f"--verify.receivers={verify}")
        return run(args + list(labels))

    def test_check_config(self):
        r = run([tool("amtool"), "check-config", AM_CONFIG])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS", r.stdout)
        self.assertIn("2 receivers", r.stdout)
        self.assertIn("3 inhibit rules", r.stdout)

    def test_routes(self):
        cases = [
            (["alertname=MemwatchLeakDetected", "severity=warning", "name=app",
              "source=synthetic"], "memwatch-team"),
            (["alertname=MemwatchMemoryExhaustionPredicted", "severity=critical",
              "name=app"], "memwatch-oncall"),
            (["alertname=MemwatchCgroupMemoryNearLimit", "severity=critical"],
             "memwatch-oncall"),
            (["alertname=MemwatchHeapUsageTrendRising", "severity=info"],
             "memwatch-team"),
            (["alertname=Unknown"], "memwatch-team"),
        ]
        for labels, receiver in cases:
            with self.subTest(labels=labels):
                r = self.routes(*labels)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertEqual(r.stdout.split(), [receiver])
                r = self.routes(*labels, verify=receiver)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_verify_detects_a_wrong_receiver(self):
        r = self.routes("alertname=MemwatchLeakDetected", "severity=warning",
                        verify="memwatch-oncall")
        self.assertNotEqual(r.returncode, 0, r.stdout)

    def test_every_severity_of_the_rules_routes_to_a_webhook(self):
        with open(RULES) as f:
            sevs = set(re.findall(r'severity:\s*"?(\w+)', f.read()))
        self.assertEqual(sevs, SEVERITIES)
        with open(AM_CONFIG) as f:
            self.assertIn("webhook_configs", f.read())


if __name__ == "__main__":
    unittest.main()
