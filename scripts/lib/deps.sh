# Sourced by scripts/run and scripts/test: installs, with apt, whatever of the
# project's Debian packages is missing. Quick when all is there (one dpkg query).
# Services that Debian packages start on install (prometheus, alertmanager) are kept
# from starting: tests run their own instances on free loopback ports.

MEMWATCH_BUILD_PACKAGES="bazel-bootstrap g++ git prometheus-cpp-dev libcivetweb-dev
  libgflags-dev libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev
  libyaml-cpp-dev zlib1g-dev libre2-dev rapidjson-dev libcurl4-openssl-dev libssl-dev
  libcrypt-dev libbpf-dev libelf-dev bpftool clang-14 llvm-14"
MEMWATCH_TEST_PACKAGES="python3 python3-yaml prometheus prometheus-alertmanager
  curl openssl clang-14 libfuzzer-14-dev golang-go openjdk-17-jdk-headless wrk jsonnet
  dpkg-dev debhelper help2man lintian man-db systemd chromium chromium-driver strace"

memwatch_missing_packages() {
  local missing=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
      || missing="$missing $p"
  done
  echo "$missing"
}

memwatch_install() {
  local missing
  missing=$(memwatch_missing_packages "$@")
  [ -z "$missing" ] && return 0
  echo "installing:$missing" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  # policy-rc.d exit 101 = "do not start services" for the duration of the install.
  local policy=/usr/sbin/policy-rc.d created=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    created=1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    $missing >&2
  local rc=$?
  [ -n "$created" ] && $sudo rm -f "$policy"
  return $rc
}

memwatch_install_build_deps() {
  memwatch_install $MEMWATCH_BUILD_PACKAGES
}

memwatch_install_test_deps() {
  memwatch_install $MEMWATCH_BUILD_PACKAGES $MEMWATCH_TEST_PACKAGES || return 1
  # kubectl (1.21+, for kustomize v4) renders the Kubernetes manifests. The machines
  # here carry the `kubectl` package; Debian's own kubernetes-client is 1.20, too old.
  command -v kubectl >/dev/null || memwatch_install kubectl || return 1
  # node/npm validate the manifests against the Kubernetes schemas.
  command -v npm >/dev/null || memwatch_install nodejs npm || return 1
}
