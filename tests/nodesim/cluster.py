"""The cluster side of scripts/node-sim, on 127.0.0.1 in the host's
namespaces: the API server (tests/integration/fake_kube_api.py serving the
node's PodList file), a real Prometheus with the shipped rules scraping the
exporter, a real Alertmanager with the shipped routes, and the webhook
receiver that records every alert with its labels and arrival time. Each
listens on a free port, keeps its data under the run's directory and is
stopped by PID.
"""

import json
import os
import re
import socket
import sys
import time
import urllib.parse

import yaml

from tests.lib import alerting
from tests.nodesim.exporter import http as http_call

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = os.path.join(REPO, "deploy", "prometheus", "rules.yml")
PROM_CONFIG = os.path.join(REPO, "deploy", "prometheus", "prometheus.yml")
AM_CONFIG = os.path.join(REPO, "deploy", "alertmanager", "alertmanager.yml")
FAKE_API = os.path.join(REPO, "tests", "integration", "fake_kube_api.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Webhook(alerting.WebhookReceiver):
    """Alertmanager's webhook receiver: every alert of every POST, with the
    wall-clock time it arrived."""

    def snapshot(self):
        return [{"t": wall, "path": path, "status": a["status"], "labels": a["labels"],
                 "startsAt": a.get("startsAt")}
                for _, wall, path, body in self.posts() for a in body.get("alerts", [])]


def alertmanager_config(webhook_port, group_wait=None, group_interval=None):
    """The shipped config with its webhooks pointed here and, when given,
    its waits replaced (nothing else)."""
    with open(AM_CONFIG) as f:
        text = f.read()
    text, n = re.subn(r"url: http://127\.0\.0\.1:5001/",
                      f"url: http://127.0.0.1:{webhook_port}/", text)
    if n == 0:
        raise RuntimeError(f"{AM_CONFIG}: no webhook url on 127.0.0.1:5001 to redirect")
    if group_wait:
        text = re.sub(r"group_wait: \S+", f"group_wait: {group_wait}", text)
    if group_interval:
        text = re.sub(r"group_interval: \S+", f"group_interval: {group_interval}", text)
    return text


def prometheus_config(exporter, am_port, node_name, scrape=None, evaluation=None):
    """deploy/prometheus/prometheus.yml scraping `exporter` with a node label
    (as the ServiceMonitor's relabeling adds), intervals optionally changed."""
    with open(PROM_CONFIG) as f:
        cfg = yaml.safe_load(f)
    g = cfg.setdefault("global", {})
    if scrape:
        g["scrape_interval"] = scrape
    if evaluation:
        g["evaluation_interval"] = evaluation
    cfg["rule_files"] = [RULES]
    cfg["alerting"] = {"alertmanagers": [{"static_configs": [
        {"targets": [f"127.0.0.1:{am_port}"]}]}]}
    job = cfg["scrape_configs"][0]
    job["static_configs"] = [{"targets": [exporter], "labels": {"node": node_name}}]
    if scrape and re.fullmatch(r"\d+s", scrape) and int(scrape[:-1]) < 10:
        job["scrape_timeout"] = scrape  # a timeout may not exceed the interval
    return json.dumps(cfg, indent=2), job["job_name"]


class Cluster:
    def __init__(self, workdir, procs, opts, node_name, exporter_addr):
        self.workdir = workdir
        self.procs = procs
        self.webhook = Webhook()
        self.api_port = free_port()
        self.podlist = os.path.join(workdir, "podlist.json")
        with open(self.podlist, "w") as f:
            json.dump({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": []}, f)
        self.api_requests = os.path.join(workdir, "api-requests.jsonl")
        p = self.start([sys.executable, FAKE_API, "--port",
                    str(self.api_port), "--document", self.podlist,
                    "--requests", self.api_requests], "api")
        self.wait(lambda: socket.create_connection(("127.0.0.1", self.api_port), 1).close()
                  or True, "API server", p)
        am = alerting.tool("prometheus-alertmanager", "prometheus-alertmanager")
        self.am_port = free_port()
        cfg = os.path.join(workdir, "alertmanager.yml")
        with open(cfg, "w") as f:
            f.write(alertmanager_config(self.webhook.port, opts.group_wait,
                                        opts.group_interval))
        p = self.start([am, f"--config.file={cfg}",
                    f"--storage.path={os.path.join(workdir, 'am-data')}",
                    f"--web.listen-address=127.0.0.1:{self.am_port}",
                    "--cluster.listen-address="], "alertmanager")
        self.wait(lambda: http_call("GET", f"http://127.0.0.1:{self.am_port}/-/ready")[0] == 200,
                  "alertmanager ready", p)
        prom = alerting.tool("prometheus", "prometheus")
        self.prom_port = free_port()
        text, self.job = prometheus_config(exporter_addr, self.am_port, node_name,
                                           opts.scrape_interval, opts.evaluation_interval)
        cfg = os.path.join(workdir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write(text)
        self.prom = f"http://127.0.0.1:{self.prom_port}"
        p = self.start([prom, f"--config.file={cfg}",
                    f"--storage.tsdb.path={os.path.join(workdir, 'prom-data')}",
                    f"--web.listen-address=127.0.0.1:{self.prom_port}",
                    "--rules.alert.resend-delay=1s" if opts.scrape_interval else
                    "--rules.alert.resend-delay=1m"], "prometheus")
        self.wait(lambda: http_call("GET", self.prom + "/-/ready")[0] == 200, "prometheus ready",
                  p)
        self.instance = exporter_addr

    def start(self, argv, tag):
        log = open(os.path.join(self.workdir, tag + ".log"), "ab")
        return self.procs.start(argv, stdout=log, stderr=log)

    @staticmethod
    def wait(pred, what, proc, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{what}: exited {proc.returncode} (see its log in the "
                                   "run directory)")
            try:
                if pred():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"timed out waiting for {what}")

    def query(self, expr, at=None):
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        status, text = http_call("GET", self.prom + "/api/v1/query?" +
                                 urllib.parse.urlencode(params), timeout=60)
        body = json.loads(text)
        if status != 200 or body.get("status") != "success":
            raise RuntimeError(f"query {expr}: {text[:300]}")
        return body["data"]["result"]

    def raw(self, selector, start, end):
        """{labels frozenset: [(t, value)]} of every raw sample in [start, end]."""
        window = max(1, int(end - start) + 1)
        out = {}
        for s in self.query(f"{selector}[{window}s]", at=end):
            pts = [(float(t), float(v)) for t, v in s["values"] if float(t) >= start]
            out[frozenset(s["metric"].items())] = pts
        return out

    def rules_loaded(self):
        status, text = http_call("GET", self.prom + "/api/v1/rules")
        return sum(len(g["rules"]) for g in json.loads(text)["data"]["groups"])

    def close(self):
        self.webhook.close()
