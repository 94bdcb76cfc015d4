"""A stand-in for the Kubernetes API server, for tests/integration/test_kubernetes.py.

    python3 fake_kube_api.py --port P --document FILE [--status 200]
        [--tls-cert C --tls-key K] --requests LOG

Answers GET /api/v1/pods?... with FILE's bytes (a real PodList or Status
document) and the given status; appends one JSON line per request (path,
Authorization header) to LOG. Listens on 127.0.0.1 only; the test stops it by
PID.
"""

import argparse
import http.server
import json
import ssl


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--document", required=True)
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--requests", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    args = ap.parse_args()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with open(args.requests, "a") as log:
                log.write(json.dumps({
                    "path": self.path,
                    "authorization": self.headers.get("Authorization", ""),
                    "accept": self.headers.get("Accept", ""),
                }) + "\n")
            if not self.path.startswith("/api/v1/pods?"):
                self.send_error(404)
                return
            with open(args.document, "rb") as f:
                body = f.read()
            self.send_response(args.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
