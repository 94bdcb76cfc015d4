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

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = os.path.join(REPO, "deploy", "prometheus", "rules.yml")
PROM_CONFIG = os.path.join(REPO, "deploy", "prometheus", "prometheus.yml")
AM_CONFIG = os.path.join(REPO, "deploy", "alertmanager", "alertmanager.yml")
RUNBOOK = os.path.join(REPO, "docs", "runbook.md")
TEST_DIR = os.path.dirname(os.path.abspath(__file__))
SEVERITIES = {"critical", "warning", "info"}
# Only what a human must act on now pages (issue 18).
PAGES = {"MemwatchLeakDetected", "MemwatchOOMKilled", "MemwatchMemoryExhaustionPredicted"}
# the default memwatchSelector of deploy/mixin/config.libsonnet
SELECTOR = 'job=~".*memwatch.*"'
# the recording rule that carries the targets' Kubernetes names
NAMES_RECORD = "name_instance_job:memwatch_target_info:pod_names"
# alerts about the exporter itself (no target: no name, no events link)
EXPORTER_ALERTS = {"MemwatchExporterDown", "MemwatchCollectorFailing"}
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


def test_groups(path):
    with open(path) as f:
        return yaml.safe_load(f)["tests"]


def tested_alerts():
    """(fires, quiet): alert names with an eval expecting alerts / expecting none."""
    fires, quiet = set(), set()
    for path in rule_test_files():
        for group in test_groups(path):
            for t in group.get("alert_rule_test", []):
                (fires if t.get("exp_alerts") else quiet).add(t["alertname"])
    return fires, quiet


class RulesFileTest(unittest.TestCase):
    def setUp(self):
        with open(RULES) as f:
            self.text = f.read()
        self.alerts = alert_blocks(self.text)
        rules = [r for g in yaml.safe_load(self.text)["groups"] for r in g["rules"]]
        self.exprs = {r.get("alert") or r["record"]: r["expr"] for r in rules}
        self.records = {r["record"] for r in rules if "record" in r}

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
            "MemwatchLeakDetected": "memwatch_leak_verdict",
            "MemwatchLeakEvent": "memwatch_leak_events_total",
            "MemwatchHeapGrowthStreak": "memwatch_heap_current_base_bytes",
            "MemwatchHeapUsageTrendRising": "memwatch_heap_usage_trend_ratio",
            "MemwatchOOMKilled": "memwatch_cgroup_oom_kills_total",
            "MemwatchMemoryExhaustionPredicted": "predict_linear(memwatch_cgroup_memory_working_set_bytes",
            "MemwatchCgroupMemoryNearLimit": "memwatch_cgroup_memory_limit_bytes",
            "MemwatchCPUThrottled": "memwatch_cgroup_cpu_throttled_periods_total",
            "MemwatchProcessCPUHigh": "memwatch_process_cpu_seconds_total",
            "MemwatchProcessMemoryHigh": "memwatch_process_resident_memory_bytes",
            "MemwatchTargetDown": "memwatch_target_up",
            "MemwatchExporterDown": "absent(up{",
            "MemwatchCollectorFailing": "memwatch_scrape_collector_success",
            "MemwatchProcFileUnreadable": "memwatch_process_read_errors_total",
        }
        for name, needle in required.items():
            self.assertIn(name, self.alerts)
            self.assertIn(needle, self.alerts[name], name)
        # the growth streak uses the base gauges alone, not the engine's streak/leak
        streak = self.alerts["MemwatchHeapGrowthStreak"]
        self.assertNotIn("memwatch_heap_growth_streak", streak)
        self.assertNotIn("memwatch_leak_", streak.split("annotations:")[0])
        # the kernel and the kubelet judge the working set against the container's
        # own limit, not resident memory against a sum of limits
        for name in ("MemwatchMemoryExhaustionPredicted", "MemwatchCgroupMemoryNearLimit"):
            expr = self.exprs[name]
            self.assertIn("memwatch_cgroup_memory_working_set_bytes", expr)
            self.assertNotIn("resident", expr)
            self.assertNotIn("memwatch_process_cgroup", expr)
        # TargetDown only for targets a user named
        self.assertIn('discovery!="container"', self.exprs["MemwatchTargetDown"])

    def test_only_what_must_be_acted_on_now_pages(self):
        critical = {n for n, b in self.alerts.items()
                    if re.search(r'severity:\s*"?critical', b)}
        self.assertEqual(critical, PAGES)

    def test_every_selector_uses_the_mixin_selector(self):
        """memwatchSelector is in every metric selector of every rule."""
        for name, expr in self.exprs.items():
            with self.subTest(rule=name):
                metrics = re.findall(r"(?<![:\w])((?:memwatch_[a-z_]+|up))\b(?!:)(\{[^}]*\})?",
                                     expr)
                self.assertTrue(metrics)
                for metric, matchers in metrics:
                    self.assertIn(SELECTOR, matchers, f"{metric} without the selector")

    def test_per_target_alerts_carry_the_kubernetes_names(self):
        """Every per-target alert joins the names record, except TargetDown (a gone
        process has no names), and links the target's events."""
        self.assertIn(NAMES_RECORD, self.records)
        for name, expr in self.exprs.items():
            if name in self.records:
                continue
            with self.subTest(alert=name):
                block = self.alerts[name]
                if name in EXPORTER_ALERTS:
                    self.assertNotIn("events_url", block)
                    continue
                self.assertIn("events_url:", block)
                if name == "MemwatchTargetDown":
                    self.assertNotIn(NAMES_RECORD, expr)
                else:
                    self.assertIn("group_left (namespace, pod, container)", expr)
                    self.assertIn(NAMES_RECORD, expr)

    def test_conventions(self):
        with open(RUNBOOK) as f:
            anchors = {github_anchor(h) for h in
                       re.findall(r"^#+\s+(.*)$", f.read(), flags=re.M)}
        self.assertGreaterEqual(len(self.alerts), 14)
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
        self.assertGreaterEqual(len(files), 4)
        for path in files:
            with self.subTest(file=os.path.basename(path)):
                r = run([tool("promtool"), "test", "rules", path], cwd=TEST_DIR)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn("SUCCESS", r.stdout)

    def test_fleet_scenarios_expect_no_alert_at_all(self):
        """fleet.test.yml (nothing to watch, steady targets, a container restart)
        expects every alert of the rules file to be quiet at every eval_time it
        uses: a new alert must be added there too."""
        with open(RULES) as f:
            alerts = set(alert_blocks(f.read()))
        groups = test_groups(os.path.join(TEST_DIR, "fleet.test.yml"))
        self.assertEqual(len(groups), 3)
        for i, group in enumerate(groups):
            tests = group["alert_rule_test"]
            self.assertTrue(all(t["exp_alerts"] == [] for t in tests), i)
            times = {t["eval_time"] for t in tests}
            self.assertGreaterEqual(len(times), 3)
            for when in times:
                listed = {t["alertname"] for t in tests if t["eval_time"] == when}
                self.assertEqual(listed, alerts, f"group {i} at {when}")

    def _run_with_mutated_rules(self, pattern, repl, test_file, alert=None):
        """promtool test rules against a copy of the rules with one change: the
        regex `pattern` replaced by `repl` everywhere (or in one alert's block)."""
        with open(RULES) as f:
            text = f.read()
        if alert:
            blocks = re.split(r"(?m)^(?=      - (?:alert|record):)", text)
            hits = [i for i, b in enumerate(blocks) if f'alert: "{alert}"' in b]
            self.assertEqual(len(hits), 1, alert)
            blocks[hits[0]], n = re.subn(pattern, repl, blocks[hits[0]])
            mutated = "".join(blocks)
        else:
            mutated, n = re.subn(pattern, repl, text)
        self.assertGreater(n, 0, f"{pattern!r} not in the rules")
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "deploy", "prometheus"))
            os.makedirs(os.path.join(tmp, "tests", "rules"))
            with open(os.path.join(tmp, "deploy", "prometheus", "rules.yml"), "w") as f:
                f.write(mutated)
            shutil.copy(os.path.join(TEST_DIR, test_file),
                        os.path.join(tmp, "tests", "rules", test_file))
            return run([tool("promtool"), "test", "rules", test_file],
                       cwd=os.path.join(tmp, "tests", "rules"))

    # (what the weakened rule forgets, regex, replacement, test file, alert that
    # must then fail, and whether the change is limited to that alert's block)
    MUTATIONS = [
        ("counting any change of the counter alerts on a restart",
         r"increase\(memwatch_leak_events_total", "changes(memwatch_leak_events_total",
         "leak.test.yml", "MemwatchLeakEvent", False),
        ("without the reset check a sawtooth looks like growth",
         r"\n *and resets\(memwatch_heap_current_base_bytes[^\n]*", "",
         "leak.test.yml", "MemwatchHeapGrowthStreak", False),
        ("without the flat-compactions check warm-up-then-plateau fires",
         r"\n *and changes\(memwatch_heap_compactions_total[^\n]*\n *<= changes[^\n]*", "",
         "leak.test.yml", "MemwatchHeapGrowthStreak", False),
        ("without the fallback, targets without Kubernetes names never alert",
         r"\n *or on \(cluster, name, instance, job\)\n *\((?:\n[^\n]*)*?\n *\)(?=\n)", "",
         "leak.test.yml", "MemwatchLeakEvent", True),
        ("without the one-container check a target spread over pods breaks the join",
         r"\n *and on \(cluster, name, instance, job\)\n *\(count by [^\n]*", "",
         "leak.test.yml", "MemwatchLeakEvent", False),
        ("without the lookback a deleted pod's page loses its names and fires again",
         r"last_over_time\((memwatch_target_info\{[^}]*\})\[10m\]\)", r"\1",
         "leak.test.yml", "MemwatchLeakDetected", False),
        ("without the presence check a deleted pod's event alert stays for 10m",
         r"\n *and memwatch_leak_events_total\{[^}]*\}", "",
         "leak.test.yml", "MemwatchLeakEvent", False),
        ("without the warm-up guard the trend alert fires on young engines",
         r"\n *and on \(cluster, name, instance, job, source\) "
         r"memwatch_heap_compactions_total\{[^}]*\} >= 10", "",
         "resources.test.yml", "MemwatchHeapUsageTrendRising", False),
        ("without `for`, a 4-minute burst of 2 cores pages",
         r'\n        for: "10m"', "", "resources.test.yml", "MemwatchProcessCPUHigh", True),
        ("without the 'over half the limit now' guard a small fast grower pages",
         r"\n *and memwatch_cgroup_memory_working_set_bytes\{[^}]*\} > 0\.5 \*[^\n]*", "",
         "resources.test.yml", "MemwatchMemoryExhaustionPredicted", False),
        ("without the short window a restart's warm-up pages for an hour",
         r"\n *and predict_linear\([^\n]*\[15m\][^\n]*", "",
         "fleet.test.yml", "MemwatchMemoryExhaustionPredicted", False),
        ("a counter that is merely non-zero pages for a kill long ago",
         r"increase\((memwatch_cgroup_oom_kills_total\{[^}]*\})\[10m\]\) > 0", r"\1 > 0",
         "resources.test.yml", "MemwatchOOMKilled", False),
        ("container targets judged by absolute thresholds",
         r"\n *unless on \([^)]*\) memwatch_target_up\{[^}]*discovery=\"container\"\}", "",
         "fleet.test.yml", "MemwatchProcessCPUHigh", False),
        ("TargetDown for container targets that come and go",
         r', discovery!=\\"container\\"', "",
         "health.test.yml", "MemwatchTargetDown", False),
        ("errors in any scrape count process churn as unreadable files",
         r"\(\n *increase\((memwatch_process_read_errors_total\{[^}]*\})\[15m\]\)\n"
         r" */ on \([^)]*\) group_left\n *count_over_time\(up\{[^}]*\}\[15m\]\)\n"
         r" *\) >= 0\.5", r"increase(\1[15m]) > 0",
         "health.test.yml", "MemwatchProcFileUnreadable", False),
        # a guard on the exporter's own series with a 1h window goes quiet about
        # an hour into an outage
        ("a 1h guard on the exporter's own series",
         r'up\{job=~"\.\*memwatch\.\*"\} == 0\n *or\n *absent\(up\{[^}]*\}\)',
         "up == 0 and on (job, instance) max_over_time(memwatch_exporter_build_info[1h])",
         "health.test.yml", "MemwatchExporterDown", False),
        ("without the job selector any down target of any job pages us",
         r'up\{job=~"\.\*memwatch\.\*"\} == 0', "up == 0",
         "health.test.yml", "MemwatchExporterDown", False),
        ("without absent() no exporter at all never alerts",
         r"\n *or\n *absent\(up\{[^}]*\}\)", "",
         "health.test.yml", "MemwatchExporterDown", False),
    ]

    def test_quiet_cases_catch_broken_rules(self):
        """The cases bite: a rule weakened on purpose fails them."""
        for why, pattern, repl, test_file, alert, in_block in self.MUTATIONS:
            with self.subTest(alert=alert, why=why):
                r = self._run_with_mutated_rules(pattern, repl, test_file,
                                                 alert if in_block else None)
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
        self.assertIn("5 inhibit rules", r.stdout)

    def test_routes(self):
        cases = [
            (["alertname=MemwatchLeakDetected", "severity=critical",
              "name=shop/cart-7d9f8b6c5-x2kqp/cart", "namespace=shop"], "memwatch-oncall"),
            (["alertname=MemwatchOOMKilled", "severity=critical", "name=app"],
             "memwatch-oncall"),
            (["alertname=MemwatchMemoryExhaustionPredicted", "severity=critical",
              "name=app"], "memwatch-oncall"),
            (["alertname=MemwatchLeakEvent", "severity=warning", "name=app",
              "source=synthetic"], "memwatch-team"),
            (["alertname=MemwatchCgroupMemoryNearLimit", "severity=warning"],
             "memwatch-team"),
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
        r = self.routes("alertname=MemwatchLeakEvent", "severity=warning",
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
