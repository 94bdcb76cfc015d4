#!/bin/sh
# Installs a .deb into a throwaway copy of this machine, runs its unit's command the
# way systemd would, purges it, and prints what it saw as "check NAME VALUE" lines
# (tests/package/test_package.py reads them).
#
#   unshare --mount --propagation private --pid --fork sh install_purge.sh DEB PORT DIR
#
# DIR: an empty directory for the overlay's tmpfs (the caller removes it).
#
# The copy is an overlay of / with its upper layer on a tmpfs, in a private mount
# namespace: dpkg, adduser and deb-systemd-helper run for real (real maintainer
# scripts, real dpkg database) and every write vanishes with the namespace; the PID
# namespace ends whatever this script started when it exits. The "prometheus" user
# is deleted in the copy first, so the postinst must create it.
set -eu
deb=$1
port=$2
t=$3
pkg=prometheus-memwatch-exporter

[ "$(id -u)" = 0 ] || { echo "install_purge.sh: needs root" >&2; exit 2; }
[ -d "$t" ] || { echo "install_purge.sh: $t is not a directory" >&2; exit 2; }
mount -t tmpfs tmpfs "$t"
mkdir "$t/upper" "$t/work" "$t/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$t/upper,workdir=$t/work" "$t/root"
mount -t proc proc "$t/root/proc"
mount --bind /dev "$t/root/dev"
root=$t/root
mkdir -p "$root/tmp/pkg"
cp "$deb" "$root/tmp/pkg/"

check() { echo "check $1 $2"; }
in_root() { chroot "$root" "$@"; }

in_root sh -c 'deluser --quiet --system prometheus >/dev/null 2>&1 || true'
check user_before "$(in_root getent passwd prometheus >/dev/null && echo present || echo absent)"
# man-db's trigger would rebuild the whole man index: not what is tested
echo "man-db man-db/auto-update boolean false" | in_root debconf-set-selections

in_root dpkg -i "/tmp/pkg/$(basename "$deb")" >&2
check status "$(in_root dpkg-query -W -f '${Status}' "$pkg")"
check user "$(in_root getent passwd prometheus | cut -d: -f1,6,7)"
check group "$(in_root getent group prometheus | cut -d: -f1)"
check confdir "$(stat -c '%U:%G:%a' "$root/etc/$pkg")"
check enabled "$(readlink "$root/etc/systemd/system/multi-user.target.wants/$pkg.service" || echo none)"
check conffiles "$(in_root dpkg-query -W -f '${Conffiles}' "$pkg" | awk '{print $1}' | sort | tr '\n' ' ')"

# The installed unit, against the whole installed system (every unit it names exists).
out=$(systemd-analyze verify --man=no --root="$root" "$pkg.service" 2>&1) && rc=0 || rc=$?
check verify_rc "$rc"
check verify_output "$(echo "$out" | tr '\n' '|')"
out=$(systemd-analyze security --offline=true --root="$root" --no-pager "$pkg.service" 2>&1 || true)
check security "$(echo "$out" | sed -n "s/.*Overall exposure level for $pkg.service: \([0-9.]*\).*/\1/p")"

# ExecStart as systemd runs it: EnvironmentFile's ARGS, User=prometheus (its groups:
# the conffile directory is 0750 root:prometheus), the unit's capabilities. Only the
# port differs, so that the test does not need 9747 free.
cat >"$root/tmp/pkg/run.sh" <<EOF
set -eu
. /etc/default/$pkg
args=\$(echo "\$ARGS" | sed 's/--web.listen-address=[^ ]*:9747/--web.listen-address=127.0.0.1:$port/')
caps=-all,+sys_ptrace,+dac_read_search
exec setpriv --reuid=prometheus --regid=prometheus --init-groups \
  --inh-caps=\$caps --ambient-caps=\$caps --bounding-set=\$caps --no-new-privs \
  /usr/bin/$pkg \$args
EOF
chroot "$root" sh /tmp/pkg/run.sh 2>"$t/exporter.log" &
exporter=$!  # chroot, sh and setpriv exec: this is the exporter's pid
metrics=""
i=0
while [ $i -lt 100 ]; do
  if metrics=$(curl -sf "http://127.0.0.1:$port/metrics"); then break; fi
  kill -0 "$exporter" 2>/dev/null || break
  sleep 0.1
  i=$((i + 1))
done
check self_up "$(echo "$metrics" | sed -n 's/^memwatch_target_up{name="self"} //p')"
check exporter_log "$(grep -o 'msg=listening address=[^ ]*' "$t/exporter.log" || true)"
check exporter_errors "$(grep -c 'level=error' "$t/exporter.log" || true)"
kill "$exporter" 2>/dev/null || true
wait "$exporter" 2>/dev/null || true

in_root dpkg --purge "$pkg" >&2
check status_after_purge "$(in_root dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null || echo not-installed)"
check user_after_purge "$(in_root getent passwd prometheus | cut -d: -f1)"
check group_after_purge "$(in_root getent group prometheus | cut -d: -f1)"
check confdir_after_purge "$([ -e "$root/etc/$pkg" ] && echo present || echo absent)"
check default_after_purge "$([ -e "$root/etc/default/$pkg" ] && echo present || echo absent)"
check enabled_after_purge "$([ -e "$root/etc/systemd/system/multi-user.target.wants/$pkg.service" ] && echo present || echo absent)"
