#!/usr/bin/env bash
# Installs the npm packages that validate the Kubernetes manifests offline
# (kubernetes-models, @kubernetes-models/prometheus-operator, yaml) into
# tests/deploy/node_modules, exactly as pinned by package-lock.json.
# Idempotent: does nothing (quickly) when they are already installed from this lock.
# Needs node + npm (Debian: nodejs npm) and the npm registry.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.memwatch-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && [ -d node_modules/kubernetes-models ] \
   && [ -d node_modules/@kubernetes-models/prometheus-operator ] \
   && [ -d node_modules/yaml ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "setup.sh: npm not found (apt-get install nodejs npm)" >&2; exit 1; }
# The packages declare engines node>=22 but work on Debian bookworm's node; do not
# let an engine mismatch stop the install.
npm ci --no-audit --no-fund --loglevel=error --engine-strict=false
echo "$want" > "$stamp"
