"""Shared pieces of the alerting runs (tests/e2e, scripts/node-sim): the
Prometheus tools from Debian and Alertmanager's webhook receiver."""

import http.server
import json
import shutil
import threading
import time


def tool(name, package):
    """The path of a program from a Debian package; raises when missing."""
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} not found: install the Debian package {package}")
    return path


class WebhookReceiver:
    """Alertmanager's webhook receiver on 127.0.0.1 (a free port, self.port):
    records every POST as (monotonic time, wall-clock time, path, JSON body)."""

    def __init__(self):
        self._posts = []
        self._lock = threading.Lock()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                post = (time.monotonic(), time.time(), self.path, json.loads(body))
                with hook._lock:
                    hook._posts.append(post)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def posts(self):
        """[(monotonic, wall-clock, path, body)] so far."""
        with self._lock:
            return list(self._posts)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
