"""Grafana dashboard, Kubernetes manifests and Dockerfile, checked offline.

Needs promtool (Debian `prometheus`), kubectl (Debian `kubernetes-client`; it has
`kubectl kustomize`), node, and the npm packages installed by tests/deploy/setup.sh.
A missing tool fails these tests; it never skips them.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from tests.deploy import dashboard as dash_lib
from tests.lib import harness

REPO = harness.REPO
HERE = os.path.dirname(os.path.abspath(__file__))
K8S = os.path.join(REPO, "deploy", "kubernetes")
RULES = os.path.join(REPO, "deploy", "prometheus", "rules.yml")
DOCKERFILE = os.path.join(REPO, "deploy", "Dockerfile")
VARIANTS = ("sidecar", "daemonset")
# Overlays shipped as examples of the opt-in components.
EXAMPLES = ("examples/daemonset-leak-diffs",)


def tool(name, package):
    path = shutil.which(name)
    if path is None:
        raise AssertionError(f"{name} not found: install the Debian package {package}")
    return path


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=180, **kw)


def node(*args, stdin=None):
    tool("node", "nodejs")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "kubernetes-models")):
        raise AssertionError("tests/deploy/node_modules missing: run tests/deploy/setup.sh")
    r = run(["node", os.path.join(HERE, "validate.mjs"), *args], input=stdin, cwd=HERE)
    if r.returncode != 0:
        raise AssertionError(f"validate.mjs {args}: {r.stderr}")
    return json.loads(r.stdout)


def contract_metrics():
    with open(os.path.join(REPO, "docs", "metrics.md")) as f:
        return set(re.findall(r"`((?:memwatch|process)_[a-z_]+)`", f.read()))


def parse_quantity(q):
    units = {"Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "m": 0.001, "": 1}
    m = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(q))
    return float(m.group(1)) * units[m.group(2)]


class DashboardTest(unittest.TestCase):
    def setUp(self):
        self.dash = dash_lib.load()
        self.panels = dash_lib.panels(self.dash)

    def test_variables(self):
        vs = {v["name"]: v for v in self.dash["templating"]["list"]}
        self.assertEqual(vs["datasource"]["type"], "datasource")
        self.assertEqual(vs["datasource"]["query"], "prometheus")
        order = [v["name"] for v in self.dash["templating"]["list"]]
        self.assertEqual(order, ["datasource", "cluster", "namespace", "pod", "job",
                                 "instance", "name"])
        for i, name in enumerate(order[1:], start=1):
            v = vs[name]
            with self.subTest(variable=name):
                self.assertEqual(v["type"], "query")
                # label_values over memwatch_target_info, the series that carries
                # namespace and pod, filtered by every variable before
                before = [p for p in order[1:i]]
                want_filter = ", ".join(f'{p}=~"${p}"' for p in before)
                want = (f"label_values(memwatch_target_info{{{want_filter}}}, {name})"
                        if want_filter else f"label_values(memwatch_target_info, {name})")
                self.assertEqual(v["query"]["query"], want)
                self.assertTrue(v["includeAll"])
                self.assertTrue(v["multi"])
                # .* (not .+): "All" must match a label that is absent
                self.assertEqual(v["allValue"], ".*")

    def test_every_query_follows_every_label_variable(self):
        """Exporter-level queries follow cluster, job and instance; per-target
        queries also name, and namespace and pod through the targets'
        memwatch_target_info (the only series that carries them)."""
        for where, expr in dash_lib.queries(self.dash):
            with self.subTest(where=where):
                for var in ("cluster", "job", "instance"):
                    self.assertIn(f'{var}=~"${var}"', expr)
                if 'name=~"$name"' in expr:
                    for var in ("namespace", "pod"):
                        self.assertRegex(
                            expr, r"unless on \(cluster, job, instance, name\) "
                                  r"memwatch_target_info\{[^}]*" + f'{var}!~"\\${var}"\\}}')

    def test_absent_labels_still_match(self):
        """With every label variable on All, a selector matches series without
        cluster/namespace/pod labels (plain hosts): =~".*" matches the empty value
        of an absent label, and !~".*" drops nothing."""
        for where, expr in dash_lib.queries(self.dash):
            sub = dash_lib.substitute(expr)
            self.assertIn('cluster=~".*"', sub, where)
            if 'name=~".+"' in sub:
                for var in ("namespace", "pod"):
                    self.assertIn(f'{var}!~".*"', sub, where)

    def test_namespace_and_pod_variables_filter(self):
        """The panels' queries, evaluated by promtool on series shaped like the
        DaemonSet's (per-target series carry `name` only; memwatch_target_info
        carries the names): a namespace or pod selects exactly its targets; "All"
        keeps every target, those without names and without a process too."""
        memory = next(p for p in self.panels
                      if p["title"] == "Memory breakdown vs container limit")
        expr = next(t["expr"] for t in memory["targets"]
                    if "memwatch_process_resident_memory_bytes{" in t["expr"])
        labels = 'job="memwatch-exporter",instance="10.0.3.21:9747"'
        info = ('memwatch_target_info{{name="{0}",pid="1",{1}namespace="{2}",pod="{3}",'
                'container="c"}}')
        series = [
            (info.format("shop/cart-1/c", labels + ",", "shop", "cart-1"), "1x10"),
            (info.format("shop/cart-2/c", labels + ",", "shop", "cart-2"), "1x10"),
            (info.format("web/front-1/c", labels + ",", "web", "front-1"), "1x10"),
            (f'memwatch_target_info{{name="host",pid="9",{labels}}}', "1x10"),
        ] + [(f'memwatch_process_resident_memory_bytes{{name="{n}",{labels}}}', "5x10")
             for n in ("shop/cart-1/c", "shop/cart-2/c", "web/front-1/c", "host",
                       "gone")]

        # A target with no memwatch_target_info (no process now, e.g. a named
        # target that is down) has no namespace to filter by: it stays.
        cases = [
            ({}, ["shop/cart-1/c", "shop/cart-2/c", "web/front-1/c", "host", "gone"]),
            ({"namespace": "shop"}, ["shop/cart-1/c", "shop/cart-2/c", "gone"]),
            ({"namespace": "(shop|web)"},
             ["shop/cart-1/c", "shop/cart-2/c", "web/front-1/c", "gone"]),
            ({"namespace": "shop", "pod": "cart-2"}, ["shop/cart-2/c", "gone"]),
            ({"pod": "front-1"}, ["web/front-1/c", "gone"]),
        ]
        tests = []
        for values, want in cases:
            q = dash_lib.substitute(expr, name=".+", instance=".+", **values)
            tests.append({"expr": q, "eval_time": "5m", "exp_samples": [
                {"labels": "memwatch_process_resident_memory_bytes{" + f'name="{n}",'
                 + labels + "}", "value": 5}
                for n in want]})
        doc = {"rule_files": [], "evaluation_interval": "1m", "tests": [{
            "interval": "1m",
            "input_series": [{"series": s_, "values": v} for s_, v in series],
            "promql_expr_test": tests}]}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "filter.test.yml")
            with open(path, "w") as f:
                json.dump(doc, f)
            r = run([tool("promtool", "prometheus"), "test", "rules", path])
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            # and the check is real: a wrong expectation fails
            doc["tests"][0]["promql_expr_test"][1]["exp_samples"].pop()
            with open(path, "w") as f:
                json.dump(doc, f)
            r = run([tool("promtool", "prometheus"), "test", "rules", path])
            self.assertNotEqual(r.returncode, 0, r.stdout)

    def test_per_target_drill_down(self):
        rows = [p for p in self.dash["panels"] if p.get("type") == "row"]
        repeated = [r for r in rows if r.get("repeat") == "name"]
        self.assertEqual(len(repeated), 1)
        row = repeated[0]
        self.assertIn("$name", row["title"])
        self.assertTrue(row["collapsed"])
        self.assertGreaterEqual(len(row["panels"]), 3)
        ids = [p["id"] for p in self.dash["panels"]]
        ids += [p["id"] for r in rows for p in r["panels"]]
        self.assertEqual(len(ids), len(set(ids)), "duplicate panel ids")
        self.assertIs(self.dash["panels"][-1], row, "the repeated row must come last")

    def test_no_hard_coded_datasource(self):
        def walk(node, path):
            if isinstance(node, dict):
                if "datasource" in node and isinstance(node["datasource"], dict):
                    ds = node["datasource"]
                    ok = ds.get("uid") == "${datasource}" or ds.get("type") == "grafana"
                    self.assertTrue(ok, f"{path}: hard-coded datasource {ds}")
                if isinstance(node.get("datasource"), str):
                    self.fail(f"{path}: datasource given by name {node['datasource']!r}")
                for k, v in node.items():
                    walk(v, f"{path}.{k}")
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, f"{path}[{i}]")
        walk(self.dash, "dashboard")
        self.assertNotIn("__inputs", self.dash)
        self.assertNotIn("DS_PROMETHEUS", json.dumps(self.dash))

    def test_every_panel_has_a_unit_and_queries(self):
        self.assertGreaterEqual(len(self.panels), 8)
        ids = [p["id"] for p in self.dash["panels"]]
        self.assertEqual(len(ids), len(set(ids)), "duplicate panel ids")
        for p in self.panels:
            with self.subTest(panel=p["title"]):
                self.assertTrue(p["fieldConfig"]["defaults"].get("unit"))
                self.assertTrue(p["targets"])
                self.assertTrue(p.get("description"))

    def test_required_panels(self):
        titles = " | ".join(p["title"] for p in self.panels)
        for want in ("CPU", "Memory breakdown vs container limit",
                     "Working set vs limit", "OOM kills", "CPU throttling",
                     "Heap: current vs estimated base", "GC rate by kind", "GC pause",
                     "Usage trend", "Leak events and verdict", "JVM memory by space",
                     "JVM collections", "Open fds", "Threads", "Disk I/O",
                     "Collector health"):
            self.assertIn(want, titles)
        exprs = json.dumps([p["targets"] for p in self.panels])
        for metric in ("memwatch_cgroup_memory_working_set_bytes",
                       "memwatch_cgroup_memory_limit_bytes",
                       "memwatch_cgroup_oom_kills_total",
                       "memwatch_cgroup_cpu_throttled_periods_total",
                       "memwatch_heap_current_base_bytes",
                       "memwatch_heap_estimated_base_bytes", "memwatch_gc_total",
                       "memwatch_gc_pause_seconds_bucket",
                       "memwatch_heap_usage_trend_ratio", "memwatch_leak_verdict",
                       "memwatch_jvm_memory_used_bytes",
                       "memwatch_jvm_gc_collections_total",
                       "memwatch_jvm_gc_collection_seconds_total",
                       "memwatch_process_open_fds", "memwatch_process_max_fds",
                       "memwatch_process_threads", "memwatch_process_read_bytes_total",
                       "memwatch_process_written_bytes_total",
                       "memwatch_scrape_collector_success"):
            self.assertIn(metric, exprs)
        # the JVM collector label is `gc`
        jvm = [t for p in self.panels for t in p["targets"]
               if "memwatch_jvm_gc_" in t["expr"]]
        self.assertTrue(jvm)
        for t in jvm:
            self.assertIn("{{gc}}", t["legendFormat"])
        # the superseded sum-of-limits series are gone
        self.assertNotIn("memwatch_process_cgroup_memory", exprs)

    def test_leak_events_annotation(self):
        ann = [a for a in self.dash["annotations"]["list"] if a.get("expr")]
        self.assertTrue(any("memwatch_leak_events_total" in a["expr"] for a in ann))
        leak = [a for a in ann if "memwatch_leak_last_event_timestamp_seconds" in a["expr"]]
        self.assertEqual(len(leak), 1)
        # marked at the event's own end time (the gauge, in ms), not the scrape's
        self.assertIs(leak[0]["useValueForTime"], True)
        self.assertIn("* 1000", leak[0]["expr"])
        self.assertIn("changes(memwatch_leak_events_total", leak[0]["expr"])

    def test_rate_windows_use_rate_interval(self):
        for where, expr in dash_lib.queries(self.dash):
            with self.subTest(where=where):
                for window in re.findall(r"\[([^\]]+)\]", expr):
                    self.assertEqual(window, "$__rate_interval", expr)
                if re.search(r"\b(rate|increase|irate)\(", expr):
                    self.assertIn("$__rate_interval", expr)
                # per-target series follow the target variable
                if re.search(r"memwatch_(target|process|heap|gc|leak|cgroup|jvm)_", expr):
                    self.assertIn('name=~"$name"', expr)

    def test_only_contract_metrics(self):
        contract = contract_metrics()
        for where, expr in dash_lib.queries(self.dash) + dash_lib.variable_queries(self.dash):
            for m in re.findall(r"\b((?:memwatch|process)_[a-z_]+)\b", expr):
                # a histogram's series: <name>_bucket, _sum, _count
                base = re.sub(r"_(bucket|sum|count)$", "", m)
                self.assertTrue(m in contract or base in contract,
                                f"{where}: {m} is not in docs/metrics.md")

    def test_every_query_parses(self):
        queries = dash_lib.queries(self.dash)
        self.assertGreaterEqual(len(queries), 15)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "dashboard_rules.json")
            rules = [{"record": f"dashboard:query_{i}:check",
                      "expr": dash_lib.substitute(expr)}
                     for i, (_, expr) in enumerate(queries)]
            for _, expr in dash_lib.queries(self.dash):
                self.assertNotIn("$", dash_lib.substitute(expr))
            with open(path, "w") as f:  # JSON is YAML
                json.dump({"groups": [{"name": "dashboard", "rules": rules}]}, f)
            r = run([tool("promtool", "prometheus"), "check", "rules", path])
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn(f"SUCCESS: {len(rules)} rules found", r.stdout)
            # and promtool does reject a broken one (the check is real)
            with open(path, "w") as f:
                json.dump({"groups": [{"name": "d", "rules": [
                    {"record": "x:y:z", "expr": "rate(memwatch_gc_total[$__rate_interval])"}]}]}, f)
            r = run([tool("promtool", "prometheus"), "check", "rules", path])
            self.assertNotEqual(r.returncode, 0)


MIXIN = os.path.join(REPO, "deploy", "mixin")


class MixinTest(unittest.TestCase):
    """deploy/prometheus/rules.yml, deploy/grafana/dashboard.json and the
    Kubernetes copies are rendered from the jsonnet mixin (Debian `jsonnet`)."""

    def render(self, *args, root=REPO):
        tool("jsonnet", "jsonnet")
        return run([os.path.join(root, "deploy", "mixin", "render"), *args])

    def test_checked_in_files_are_up_to_date(self):
        r = self.render("--check")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_stale_files_are_detected(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(REPO, "deploy"), os.path.join(tmp, "deploy"))
            cfg = os.path.join(tmp, "deploy", "mixin", "config.libsonnet")
            with open(cfg) as f:
                text = f.read()
            self.assertIn("cpuHighPercent: 90,", text)
            with open(cfg, "w") as f:
                f.write(text.replace("cpuHighPercent: 90,", "cpuHighPercent: 80,"))
            r = self.render("--check", root=tmp)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("deploy/prometheus/rules.yml", r.stderr)
            self.assertIn("prometheusrule.yaml", r.stderr)
            # and a render brings them up to date again
            r = self.render(root=tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(self.render("--check", root=tmp).returncode, 0)
            with open(os.path.join(tmp, "deploy", "prometheus", "rules.yml")) as f:
                self.assertIn("> 0.8\n", f.read())

    def test_community_layout(self):
        for path in ("mixin.libsonnet", "config.libsonnet", "alerts", "rules",
                     "dashboards"):
            self.assertTrue(os.path.exists(os.path.join(MIXIN, path)), path)
        r = run([tool("jsonnet", "jsonnet"), "-J", MIXIN, "-e",
                 "local m = import 'mixin.libsonnet'; "
                 "{a: std.objectFields(m), c: std.objectFields(m._config),"
                 " g: std.objectFields(m.grafanaDashboards)}"])
        self.assertEqual(r.returncode, 0, r.stderr)
        fields = json.loads(r.stdout)
        self.assertEqual(fields["a"], [])  # every mixin field is hidden (::)
        for key in ("memwatchSelector", "runbookURLPattern", "grafanaDashboardFolder",
                    "clusterLabel", "alertSeverity", "alertFor",
                    "prometheusSelectorLabels", "eventsURLTemplate"):
            self.assertIn(key, fields["c"])
        self.assertEqual(fields["g"], ["memwatch.json"])

    def test_runbook_pattern_is_configurable(self):
        r = run([tool("jsonnet", "jsonnet"), "-J", MIXIN, "-e",
                 "local m = (import 'mixin.libsonnet') + {_config+:: "
                 "{runbookURLPattern: 'https://wiki.example/runbooks/%s'}}; "
                 "[r.annotations.runbook_url for g in m.prometheusAlerts.groups "
                 "for r in g.rules if std.objectHas(r, 'alert')]"])
        self.assertEqual(r.returncode, 0, r.stderr)
        urls = json.loads(r.stdout)
        self.assertGreaterEqual(len(urls), 14)
        for u in urls:
            self.assertRegex(u, r"^https://wiki\.example/runbooks/memwatch[a-z]+$")

    def rules_with(self, override):
        r = run([tool("jsonnet", "jsonnet"), "-J", MIXIN, "-e",
                 "local m = (import 'mixin.libsonnet') + {_config+:: %s}; "
                 "[r for g in m.prometheusAlerts.groups for r in g.rules]" % override])
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_knobs(self):
        """Selector, cluster label, severities and `for:` durations reach every rule."""
        rules = self.rules_with(
            "{memwatchSelector: 'job=\"mw\"', clusterLabel: 'k8s_cluster', "
            "alertSeverity+: {MemwatchProcFileUnreadable: 'info'}, "
            "alertFor+: {MemwatchTargetDown: '1h', MemwatchOOMKilled: '2m'}}")
        by_name = {r.get("alert") or r["record"]: r for r in rules}
        for name, r in by_name.items():
            with self.subTest(rule=name):
                # every metric selector carries the selector, no default left
                self.assertNotIn('job=~".*memwatch.*"', r["expr"])
                for m in re.findall(r"(?<![:\w])(memwatch_[a-z_]+|up)\b(?!:)(\{[^}]*\})?",
                                    r["expr"]):
                    self.assertIn('job="mw"', m[1], m[0])
                for on in re.findall(r"\bon \(([^)]*)\)", r["expr"]):
                    self.assertIn("k8s_cluster", on)
                    self.assertNotIn("cluster,", on.replace("k8s_cluster", ""))
        self.assertEqual(by_name["MemwatchProcFileUnreadable"]["labels"]["severity"], "info")
        self.assertEqual(by_name["MemwatchTargetDown"]["for"], "1h")
        self.assertEqual(by_name["MemwatchOOMKilled"]["for"], "2m")
        # '' leaves the cluster label out of every join
        rules = self.rules_with("{clusterLabel: ''}")
        for r in rules:
            for on in re.findall(r"\bon \(([^)]*)\)", r["expr"]):
                self.assertNotIn("cluster", on)

    def test_dashboard_folder_annotation(self):
        with open(os.path.join(K8S, "base", "kustomization.yaml")) as f:
            self.assertIn('grafana_folder: "memwatch"', f.read())


class GeneratedFilesTest(unittest.TestCase):
    def test_no_drift(self):
        r = run(["python3", os.path.join(K8S, "generate.py"), "--check"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_drift_is_detected(self):
        with tempfile.TemporaryDirectory() as tmp:
            dst = os.path.join(tmp, "deploy")
            shutil.copytree(os.path.join(REPO, "deploy"), dst)
            with open(os.path.join(dst, "prometheus", "rules.yml"), "a") as f:
                f.write("\n# edited\n")
            r = run(["python3", os.path.join(dst, "kubernetes", "generate.py"), "--check"])
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("prometheusrule.yaml", r.stderr)

    def test_prometheusrule_equals_rules_file(self):
        rules = node("tojson", RULES)
        generated = node("tojson", os.path.join(K8S, "base", "prometheusrule.yaml"))
        self.assertEqual(len(rules), 1)
        self.assertEqual(generated[0]["spec"], rules[0])
        self.assertEqual(generated[0]["kind"], "PrometheusRule")


class KubernetesTest(unittest.TestCase):
    rendered = {}

    @classmethod
    def setUpClass(cls):
        kubectl = tool("kubectl", "kubernetes-client")
        for v in VARIANTS:
            r = run([kubectl, "kustomize", os.path.join(K8S, v)])
            if r.returncode != 0:
                raise AssertionError(f"kubectl kustomize {v}: {r.stderr}")
            cls.rendered[v] = node("validate", stdin=r.stdout)

    def objects(self, variant, kind=None):
        objs = self.rendered[variant]["objects"]
        return [o for o in objs if kind is None or o["kind"] == kind]

    def one(self, variant, kind):
        objs = self.objects(variant, kind)
        self.assertEqual(len(objs), 1, f"{variant}: {kind}")
        return objs[0]

    def test_schemas(self):
        for v in VARIANTS:
            with self.subTest(variant=v):
                self.assertEqual(self.rendered[v]["errors"], [])

    def test_validation_rejects_bad_objects(self):
        bad = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
               "spec: {selector: {matchLabels: {a: b}}, template: {spec: "
               "{shareProcessNamespace: \"yes\", containers: [{name: c}]}}}\n")
        errors = node("validate", stdin=bad)["errors"]
        self.assertEqual(len(errors), 1)
        self.assertIn("shareProcessNamespace", errors[0])
        # a misspelt field (the schemas themselves allow unknown fields)
        typo = ("apiVersion: v1\nkind: Service\nmetadata: {name: x, labels: {any: v}}\n"
                "spec: {selector: {free: form}, ports: [{port: 1, targetPrt: 2}]}\n")
        errors = node("validate", stdin=typo)["errors"]
        self.assertEqual(errors, ["v1/Service/x: unknown field .spec.ports[0].targetPrt"])

    def test_kinds(self):
        self.assertEqual(sorted(o["kind"] for o in self.objects("sidecar")),
                         ["ConfigMap", "Deployment", "Namespace", "Namespace",
                          "PodDisruptionBudget", "PodMonitor", "PrometheusRule", "Service"])
        self.assertEqual(sorted(o["kind"] for o in self.objects("daemonset")),
                         ["ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet",
                          "Namespace", "PriorityClass", "PrometheusRule", "Service",
                          "ServiceAccount", "ServiceMonitor"])

    def test_dashboard_configmap(self):
        with open(dash_lib.DASHBOARD) as f:
            text = f.read()
        for v in VARIANTS:
            cm = self.one(v, "ConfigMap")
            self.assertEqual(cm["metadata"]["labels"]["grafana_dashboard"], "1")
            self.assertEqual(cm["data"]["memwatch-dashboard.json"], text)

    def test_shared_objects_are_one_object(self):
        """Deploying both variants makes one dashboard (one uid) and one rule: both
        render the same Namespace, ConfigMap and PrometheusRule, same namespace and
        name, same content."""
        for kind in ("ConfigMap", "PrometheusRule"):
            a, b = self.one("sidecar", kind), self.one("daemonset", kind)
            self.assertEqual(a, b, kind)
            self.assertEqual(a["metadata"]["namespace"], "memwatch")
        ns = [[o for o in self.objects(v, "Namespace") if o["metadata"]["name"] == "memwatch"]
              for v in VARIANTS]
        self.assertEqual(ns[0], ns[1])
        self.assertEqual(len(ns[0]), 1)

    def test_namespaces_ship_with_their_pod_security(self):
        """`kubectl apply -k` works on an empty cluster: every namespaced object's
        namespace is in the same render; the DaemonSet's is `privileged` (hostPID,
        hostPath, SYS_PTRACE), the sidecar app's `restricted`."""
        want = {"memwatch": "privileged", "demo": "restricted"}
        cluster_scoped = {"Namespace", "PriorityClass", "ClusterRole", "ClusterRoleBinding"}
        for v in VARIANTS:
            namespaces = {o["metadata"]["name"]: o for o in self.objects(v, "Namespace")}
            for name, ns in namespaces.items():
                self.assertEqual(
                    ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
                    want[name], f"{v}: {name}")
            for o in self.objects(v):
                if o["kind"] in cluster_scoped:
                    self.assertNotIn("namespace", o["metadata"], o["kind"])
                else:
                    with self.subTest(variant=v, kind=o["kind"]):
                        self.assertIn(o["metadata"]["namespace"], namespaces)
        ds = self.one("daemonset", "DaemonSet")
        self.assertEqual(ds["metadata"]["namespace"], "memwatch")
        self.assertEqual(self.one("sidecar", "Deployment")["metadata"]["namespace"], "demo")

    def test_prometheus_selector_labels(self):
        """The monitors and the rule carry the mixin's prometheusSelectorLabels
        (kube-prometheus-stack selects by `release`), set in one place."""
        r = run([tool("jsonnet", "jsonnet"), "-J", MIXIN, "-e",
                 "(import 'mixin.libsonnet')._config.prometheusSelectorLabels"])
        self.assertEqual(r.returncode, 0, r.stderr)
        labels = json.loads(r.stdout)
        self.assertEqual(labels, {"release": "kube-prometheus-stack"})
        for v in VARIANTS:
            monitoring = [o for o in self.objects(v)
                          if o["apiVersion"].startswith("monitoring.coreos.com/")]
            self.assertEqual(len(monitoring), 2, v)
            for o in monitoring:
                for k, val in labels.items():
                    self.assertEqual(o["metadata"]["labels"].get(k), val, (v, o["kind"]))
            for o in self.objects(v):
                if not o["apiVersion"].startswith("monitoring.coreos.com/"):
                    self.assertNotIn("release", o["metadata"].get("labels", {}), o["kind"])

    def test_prometheusrule_is_the_rules_file(self):
        rules = node("tojson", RULES)[0]
        for v in VARIANTS:
            self.assertEqual(self.one(v, "PrometheusRule")["spec"], rules)

    def workloads(self):
        return [(v, o) for v in VARIANTS for o in self.objects(v)
                if o["kind"] in ("Deployment", "DaemonSet")]

    def test_least_privilege(self):
        for v, w in self.workloads():
            pod = w["spec"]["template"]["spec"]
            with self.subTest(variant=v):
                psc = pod["securityContext"]
                if v == "sidecar":
                    # the app's uid: everything readable with no capability at all
                    self.assertIs(psc["runAsNonRoot"], True)
                    self.assertGreater(psc["runAsUser"], 0)
                else:
                    # uid 0 only so that the two added capabilities are effective
                    # (Kubernetes has no ambient capabilities); documented trade-off
                    self.assertIs(psc["runAsNonRoot"], False)
                    self.assertEqual(psc["runAsUser"], 0)
                    self.assertGreater(psc["runAsGroup"], 0)
                self.assertEqual(psc["seccompProfile"]["type"], "RuntimeDefault")
                # only the node exporter lists pods (--collector.kubernetes)
                self.assertIs(pod["automountServiceAccountToken"], v == "daemonset")
                self.assertNotIn("hostNetwork", pod)
                for c in pod["containers"]:
                    sc = c["securityContext"]
                    self.assertIs(sc["readOnlyRootFilesystem"], True, c["name"])
                    self.assertIs(sc["allowPrivilegeEscalation"], False, c["name"])
                    self.assertEqual(sc["capabilities"]["drop"], ["ALL"], c["name"])
                    if v == "daemonset":
                        self.assertEqual(sc["capabilities"]["add"],
                                         ["SYS_PTRACE", "DAC_READ_SEARCH"])
                    else:
                        self.assertNotIn("add", sc["capabilities"], c["name"])
                    self.assertNotIn("privileged", sc)
                    self.assertNotIn("runAsUser", sc)  # the pod's uid, shared
                    req = c["resources"]["requests"]
                    self.assertLessEqual(parse_quantity(req["cpu"]), 0.1)
                    self.assertLessEqual(parse_quantity(req["memory"]), 128 * 1024 ** 2)
                    self.assertIn("memory", c["resources"]["limits"])
                for vol in pod.get("volumes", []):
                    for m in (m for c in pod["containers"]
                              for m in c.get("volumeMounts", []) if m["name"] == vol["name"]):
                        self.assertIs(m.get("readOnly"), True, m)

    def test_exporter_resources(self):
        for v, w in self.workloads():
            with self.subTest(variant=v):
                r = self.exporter(w)["resources"]
                self.assertEqual(parse_quantity(r["requests"]["cpu"]), 0.02)
                self.assertEqual(parse_quantity(r["requests"]["memory"]), 32 * 1024 ** 2)
                self.assertEqual(parse_quantity(r["limits"]["memory"]), 64 * 1024 ** 2)
                self.assertNotIn("cpu", r["limits"])  # throttling would time scrapes out

    def test_daemonset_scheduling(self):
        ds = self.one("daemonset", "DaemonSet")
        pod = ds["spec"]["template"]["spec"]
        self.assertEqual(pod["nodeSelector"], {"kubernetes.io/os": "linux"})
        # every taint, whatever its effect
        self.assertEqual(pod["tolerations"], [{"operator": "Exists"}])
        update = ds["spec"]["updateStrategy"]
        self.assertEqual(update["type"], "RollingUpdate")
        self.assertIn("maxUnavailable", update["rollingUpdate"])
        pc = self.one("daemonset", "PriorityClass")
        self.assertEqual(pod["priorityClassName"], pc["metadata"]["name"])
        self.assertNotIn("namespace", pc["metadata"])  # cluster-scoped
        self.assertIs(pc["globalDefault"], False)
        # ahead of workloads, below the system classes
        self.assertGreater(pc["value"], 0)
        self.assertLess(pc["value"], 1000000000)

    def test_rbac_reads_pods_only(self):
        sa = self.one("daemonset", "ServiceAccount")
        role = self.one("daemonset", "ClusterRole")
        self.assertEqual(role["rules"], [{"apiGroups": [""], "resources": ["pods"],
                                          "verbs": ["get", "list", "watch"]}])
        binding = self.one("daemonset", "ClusterRoleBinding")
        self.assertEqual(binding["roleRef"], {"apiGroup": "rbac.authorization.k8s.io",
                                              "kind": "ClusterRole",
                                              "name": role["metadata"]["name"]})
        self.assertEqual(binding["subjects"], [{
            "kind": "ServiceAccount", "name": sa["metadata"]["name"],
            "namespace": sa["metadata"]["namespace"]}])

    def test_daemonset_looks_up_pod_names(self):
        sa = self.one("daemonset", "ServiceAccount")
        self.assertIs(sa["automountServiceAccountToken"], False)
        pod = self.one("daemonset", "DaemonSet")["spec"]["template"]["spec"]
        self.assertEqual(pod["serviceAccountName"], sa["metadata"]["name"])
        c = self.exporter(self.one("daemonset", "DaemonSet"))
        self.assertIn("--collector.kubernetes", c["args"])
        env = {e["name"]: e for e in c.get("env", [])}
        self.assertEqual(env["NODE_NAME"]["valueFrom"],
                         {"fieldRef": {"fieldPath": "spec.nodeName"}})
        side = self.exporter(self.one("sidecar", "Deployment"))
        self.assertNotIn("--collector.kubernetes", side["args"])

    def test_sidecar_disruption_budget(self):
        w = self.one("sidecar", "Deployment")
        pdb = self.one("sidecar", "PodDisruptionBudget")
        labels = w["spec"]["template"]["metadata"]["labels"]
        for k, val in pdb["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(labels.get(k), val)
        self.assertEqual(pdb["metadata"]["namespace"], w["metadata"]["namespace"])
        # a budget that can be met: with maxUnavailable 1 a drain evicts one
        # replica at a time and never blocks on a single-replica Deployment
        self.assertEqual(pdb["spec"]["maxUnavailable"], 1)
        self.assertGreaterEqual(w["spec"]["replicas"], 2)

    def exporter(self, w):
        cs = [c for c in w["spec"]["template"]["spec"]["containers"]
              if c["name"] == "memwatch-exporter"]
        self.assertEqual(len(cs), 1)
        return cs[0]

    def test_probes_and_port(self):
        for v, w in self.workloads():
            c = self.exporter(w)
            with self.subTest(variant=v):
                self.assertEqual(c["livenessProbe"]["httpGet"]["path"], "/-/healthy")
                self.assertEqual(c["readinessProbe"]["httpGet"]["path"], "/-/ready")
                self.assertEqual(c["ports"][0]["name"], "metrics")
                self.assertEqual(c["ports"][0]["containerPort"], 9747)
                self.assertIn("--web.listen-address=0.0.0.0:9747", c["args"])
                self.assertRegex(c["image"], r"^memwatch-exporter:\d")
                # no state-changing routes from the network
                self.assertNotIn("--web.enable-admin-api", c["args"])
        side = self.exporter(self.one("sidecar", "Deployment"))
        self.assertTrue(any(a.startswith("--match=name=") for a in side["args"]))

    def test_sidecar(self):
        w = self.one("sidecar", "Deployment")
        pod = w["spec"]["template"]["spec"]
        self.assertIs(pod["shareProcessNamespace"], True)
        self.assertNotIn("hostPID", pod)
        self.assertEqual(len(pod["containers"]), 2)
        labels = w["spec"]["template"]["metadata"]["labels"]
        pm = self.one("sidecar", "PodMonitor")
        for k, val in pm["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(labels.get(k), val)
        self.assertEqual(pm["spec"]["podMetricsEndpoints"][0]["port"], "metrics")
        svc = self.one("sidecar", "Service")
        for k, val in svc["spec"]["selector"].items():
            self.assertEqual(labels.get(k), val)
        self.assertEqual(svc["spec"]["ports"][0]["targetPort"], "metrics")

    def test_daemonset(self):
        w = self.one("daemonset", "DaemonSet")
        pod = w["spec"]["template"]["spec"]
        self.assertIs(pod["hostPID"], True)
        c = self.exporter(w)
        # every container a target, no hand-written matcher
        for arg in ("--targets.containers", "--collector.kubernetes",
                    "--path.procfs=/host/proc", "--path.cgroupfs=/host/sys/fs/cgroup",
                    "--path.pod-logs=/host/var/log/pods"):
            self.assertIn(arg, c["args"])
        self.assertFalse([a for a in c["args"] if a.startswith(("--match", "--pid"))])
        # the diff that needs more memory than the limit stays off
        self.assertFalse([a for a in c["args"] if "leak-diff" in a])
        mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
        vols = {v["name"]: v for v in pod["volumes"]}
        for mount, host in (("/host/proc", "/proc"), ("/host/sys/fs/cgroup", "/sys/fs/cgroup"),
                            ("/host/var/log/pods", "/var/log/pods")):
            self.assertEqual(vols[mounts[mount]["name"]]["hostPath"]["path"], host)
            self.assertIs(mounts[mount]["readOnly"], True)
        labels = w["spec"]["template"]["metadata"]["labels"]
        svc = self.one("daemonset", "Service")
        for k, val in svc["spec"]["selector"].items():
            self.assertEqual(labels.get(k), val)
        sm = self.one("daemonset", "ServiceMonitor")
        for k, val in sm["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(svc["metadata"]["labels"].get(k), val)
        self.assertEqual(sm["spec"]["endpoints"][0]["port"], "metrics")
        # memwatch_target_info's namespace/pod/container must not become exported_*
        self.assertIn({"action": "labeldrop", "regex": "(namespace|pod|container)"},
                      sm["spec"]["endpoints"][0]["relabelings"])
        sa = self.one("daemonset", "ServiceAccount")
        self.assertEqual(pod["serviceAccountName"], sa["metadata"]["name"])

    def test_sidecar_names_the_watched_container(self):
        """The PodMonitor's namespace and pod are the app's; its container label is
        set to the container the exporter watches, not the exporter's own."""
        pm = self.one("sidecar", "PodMonitor")
        relabel = pm["spec"]["podMetricsEndpoints"][0]["relabelings"]
        w = self.one("sidecar", "Deployment")
        watched = [c["name"] for c in w["spec"]["template"]["spec"]["containers"]
                   if c["name"] != "memwatch-exporter"]
        self.assertEqual(relabel, [{"targetLabel": "container", "replacement": watched[0]}])


class ManifestArgsTest(unittest.TestCase):
    """The exporter and demo arguments in the manifests are accepted by the real
    binaries (on loopback; host paths mapped to this machine's)."""

    def container_args(self):
        kubectl = tool("kubectl", "kubernetes-client")
        out = []
        for v in VARIANTS + EXAMPLES:
            r = run([kubectl, "kustomize", os.path.join(K8S, v)])
            self.assertEqual(r.returncode, 0, r.stderr)
            for o in node("validate", stdin=r.stdout)["objects"]:
                if o["kind"] in ("Deployment", "DaemonSet"):
                    for c in o["spec"]["template"]["spec"]["containers"]:
                        out.append((v, c))
        return out

    def test_exporter_accepts_the_manifest_flags(self):
        exporters = [(v, c) for v, c in self.container_args()
                     if c["name"] == "memwatch-exporter"]
        self.assertEqual(len(exporters), 3)
        for v, c in exporters:
            with self.subTest(variant=v), tempfile.TemporaryDirectory() as logs:
                # host paths mapped to this machine's; no pod logs here: an empty dir
                host = {"/host/proc": "/proc", "/host/sys/fs/cgroup": "/sys/fs/cgroup",
                        "/host/var/log/pods": logs}
                args = []
                for a in c["args"]:
                    if a.startswith("--web.listen-address="):
                        continue  # the harness listens on a free loopback port
                    for k, val in host.items():
                        a = a.replace("=" + k, "=" + val)
                    args.append(a)
                if "--collector.kubernetes" in args:
                    # in a pod the API server and node come from the environment
                    args += ["--kubernetes.api-url=http://127.0.0.1:1",
                             "--kubernetes.node-name=test-node"]
                with harness.Processes() as procs:
                    exp = harness.Exporter(procs, args=args)
                    self.assertEqual(exp.get("/-/healthy").status, 200)
                    text = exp.metrics()
                    series = harness.parse_metrics(text)
                    m = re.search(r"--match=name=(\w+)", " ".join(args))
                    if m:
                        self.assertIn(("memwatch_target_up",
                                       frozenset({("name", m.group(1))})), series,
                                      text[:2000])
                    else:
                        # the container source: targets come from the node's cgroups
                        self.assertIn("memwatch_scrape_collector_success", text)

    def test_demo_accepts_the_manifest_args(self):
        apps = [c for _, c in self.container_args() if c["name"] == "app"]
        self.assertEqual(len(apps), 1)
        demo = harness.binary("demo/memwatch_demo")
        self.assertEqual(apps[0]["command"], ["/usr/local/bin/memwatch_demo"])
        with harness.Processes() as procs:
            p = procs.start([demo, *apps[0]["args"]])
            time.sleep(1.0)
            self.assertIsNone(p.poll(), p.stderr.read().decode(errors="replace")
                              if p.poll() is not None else "")


class LeakDiffsComponentTest(unittest.TestCase):
    """components/leak-diffs adds what the leak events' diffs need to the
    DaemonSet, and nothing else."""

    def test_the_component_adds_the_flag_capabilities_and_memory(self):
        kubectl = tool("kubectl", "kubernetes-client")
        rendered = {}
        for v in ("daemonset", EXAMPLES[0]):
            r = run([kubectl, "kustomize", os.path.join(K8S, v)])
            self.assertEqual(r.returncode, 0, r.stderr)
            rendered[v] = node("validate", stdin=r.stdout)
        self.assertEqual(rendered[EXAMPLES[0]]["errors"], [])

        def exporter(v):
            ds = [o for o in rendered[v]["objects"] if o["kind"] == "DaemonSet"]
            self.assertEqual(len(ds), 1)
            return ds[0]["spec"]["template"]["spec"]["containers"][0]

        plain, diffs = exporter("daemonset"), exporter(EXAMPLES[0])
        self.assertEqual(diffs["args"], plain["args"] + ["--memwatch.leak-diff=mapping,class"])
        caps = diffs["securityContext"]["capabilities"]
        self.assertEqual(caps["drop"], ["ALL"])
        self.assertEqual(caps["add"], plain["securityContext"]["capabilities"]["add"]
                         + ["SETUID", "SETGID"])
        self.assertIs(diffs["securityContext"]["allowPrivilegeEscalation"], False)
        self.assertEqual(diffs["resources"]["limits"]["memory"], "256Mi")
        self.assertEqual(plain["resources"]["limits"]["memory"], "64Mi")


def dockerfile_stages():
    with open(DOCKERFILE) as f:
        text = f.read()
    text = text.replace("\\\n", " ")
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instr, _, rest = line.partition(" ")
        if instr.upper() == "FROM":
            stages.append({"from": rest.strip(), "lines": []})
        elif stages:
            stages[-1]["lines"].append((instr.upper(), rest.strip()))
    return stages


def apt_installed(stage):
    pkgs = set()
    for instr, rest in stage["lines"]:
        if instr == "RUN":
            for m in re.finditer(r"apt-get install ([^&]*)", rest):
                pkgs |= {w for w in m.group(1).split() if not w.startswith("-")}
    return pkgs


def owning_package(lib):
    candidates = [lib, os.path.realpath(lib)]
    candidates += ["/usr" + c for c in candidates if c.startswith("/lib")]
    for c in candidates:
        r = run(["dpkg", "-S", c])
        if r.returncode == 0:
            return r.stdout.split(":", 1)[0].strip()
    raise AssertionError(f"no Debian package owns {lib}")


class DockerfileTest(unittest.TestCase):
    def setUp(self):
        self.stages = dockerfile_stages()

    def test_multi_stage(self):
        # build -> demo-build; runtime-base -> demo (--target demo), runtime (default,
        # last); bases pinned to dated tags (tests/package/test_image.py)
        froms = [s["from"] for s in self.stages]
        self.assertEqual(len(self.stages), 5)
        self.assertRegex(froms[0], r"^debian:bookworm-\d{8} AS build$")
        self.assertRegex(froms[2], r"^debian:bookworm-\d{8}-slim AS runtime-base$")
        self.assertEqual(froms[4], "runtime-base AS runtime")
        runtime = dict(self.stages[-1]["lines"])
        self.assertIn("--from=build", runtime["COPY"])
        self.assertEqual(runtime["USER"], "65534:65534")
        self.assertIn("9747", runtime["EXPOSE"])
        self.assertIn("memwatch_exporter", runtime["ENTRYPOINT"])
        build_runs = " ".join(r for i, r in self.stages[0]["lines"] if i == "RUN")
        self.assertIn("bazel build", build_runs)
        self.assertIn("//exporter:memwatch_exporter", build_runs)
        self.assertTrue(os.path.exists(DOCKERFILE + ".dockerignore"))

    def test_build_stage_has_the_build_packages(self):
        with open(os.path.join(REPO, "scripts", "lib", "deps.sh")) as f:
            m = re.search(r'MEMWATCH_BUILD_PACKAGES="([^"]*)"', f.read())
        self.assertIsNotNone(m)
        missing = set(m.group(1).split()) - apt_installed(self.stages[0])
        self.assertEqual(missing, set())

    def test_runtime_stage_has_exactly_the_linked_libraries(self):
        # base-image packages (libc6) need no install; sanitizer runtimes appear only
        # when bazel-bin holds an instrumented build
        tool("ldd", "libc-bin")
        needed = set()
        for target in ("exporter/memwatch_exporter", "demo/memwatch_demo"):
            r = run(["ldd", harness.binary(target)])
            self.assertEqual(r.returncode, 0, r.stderr)
            for lib in re.findall(r"=> (/\S+)", r.stdout):
                if re.search(r"lib(asan|ubsan|tsan|lsan)\.", lib):
                    continue
                needed.add(owning_package(lib))
        needed.discard("libc6")
        installed = apt_installed(self.stages[2])  # runtime-base, under demo and runtime
        self.assertEqual(needed - installed, set(), "runtime libraries not installed")
        # libcurl4 is loaded with dlopen by the kubernetes collector (the
        # DaemonSet runs it), libssl3 and libcrypt1 by TLS and basic auth
        # (exporter/lazy_openssl.cc), so ldd does not show them
        for dlopened in ("libcurl4", "libssl3", "libcrypt1"):
            self.assertIn(dlopened, installed)
        self.assertEqual(installed - needed -
                         {"libstdc++6", "libgcc-s1", "zlib1g", "libcurl4",
                          "libssl3", "libcrypt1"},
                         set(), "runtime packages nothing links")


if __name__ == "__main__":
    unittest.main()
