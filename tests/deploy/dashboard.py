"""The Grafana dashboard's queries, with Grafana's variables substituted.

Shared by tests/deploy/test_deploy.py (every query parses) and
tests/e2e/test_leak_alert.py (every query returns data from a live Prometheus).
"""

import json
import os
import re

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DASHBOARD = os.path.join(REPO, "deploy", "grafana", "dashboard.json")


def load():
    with open(DASHBOARD) as f:
        return json.load(f)


def panels(dash):
    """Every panel, rows' nested panels included (rows themselves excluded)."""
    out = []
    for p in dash.get("panels", []):
        if p.get("type") == "row":
            out.extend(p.get("panels", []))
        else:
            out.append(p)
    return out


def queries(dash):
    """[(where, expr)] for every panel target, annotation and templating query."""
    out = []
    for p in panels(dash):
        for t in p.get("targets", []):
            out.append((f"panel {p['title']!r} target {t.get('refId')}", t["expr"]))
    for a in dash.get("annotations", {}).get("list", []):
        if a.get("expr"):
            out.append((f"annotation {a['name']!r}", a["expr"]))
    return out


def variable_queries(dash):
    """[(name, label_values query)] of the query variables."""
    out = []
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            out.append((v["name"], q))
    return out


# Variables for labels that exist only in some setups (Kubernetes relabelling):
# their queries may return no values; "All" (.*) still matches the absent label.
OPTIONAL_LABEL_VARIABLES = ("cluster", "namespace", "pod")


def substitute(expr, name=".+", instance=".+", rate_interval="1m", interval="15s",
               range_="5m", **other):
    """expr with Grafana's variables replaced by concrete values.

    Label variables not given (cluster, namespace, pod, job, ...) become .*, the
    dashboard's include-all value. Whole names only: $name never eats $namespace.
    """
    values = {"__rate_interval": rate_interval, "__interval": interval,
              "__range": range_, "name": name, "instance": instance, **other}

    def repl(m):
        var = m.group(1) or m.group(2)
        if var.startswith("__") and var not in values:
            return m.group(0)
        return values.get(var, ".*")

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", repl, expr)
