"""A headless Chromium driven over the W3C WebDriver protocol (Debian's
chromium and chromium-driver), with the standard library only: start
chromedriver on a free loopback port, open a session, load a page, find
elements, take a screenshot. Offline: no background networking, no updates.
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import urllib.request

from tests.lib import harness

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def available():
    return os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)


class Browser:
    """One headless browser; stop() (or the Processes it was started with)
    ends it."""

    def __init__(self, procs, width=1100, height=1400):
        self.port = harness.free_port()
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self.driver = procs.start([CHROMEDRIVER, f"--port={self.port}",
                                   "--allowed-ips=127.0.0.1"])
        harness.wait_until(self._ready, timeout=20, what="chromedriver up")
        args = ["--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", f"--window-size={width},{height}",
                f"--user-data-dir={self.profile}"]
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _ready(self):
        return self._raw("GET", "/status")["value"]["ready"]

    def _raw(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}",
                                     data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    def _call(self, method, path, body=None):
        return self._raw(method, path, body)["value"]

    def get(self, url):
        self._call("POST", f"/session/{self.session}/url", {"url": url})

    def title(self):
        return self._call("GET", f"/session/{self.session}/title")

    def find_all(self, css):
        found = self._call("POST", f"/session/{self.session}/elements",
                           {"using": "css selector", "value": css})
        return [list(e.values())[0] for e in found]

    def text(self, element):
        return self._call("GET", f"/session/{self.session}/element/{element}/text")

    def attribute(self, element, name):
        return self._call(
            "GET", f"/session/{self.session}/element/{element}/attribute/{name}")

    def rect(self, element):
        return self._call("GET", f"/session/{self.session}/element/{element}/rect")

    def screenshot(self, path):
        png = self._call("GET", f"/session/{self.session}/screenshot")
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def stop(self):
        try:
            self._call("DELETE", f"/session/{self.session}")
        except Exception:  # the driver's process is stopped by PID anyway
            pass
        shutil.rmtree(self.profile, ignore_errors=True)
