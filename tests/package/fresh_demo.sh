#!/bin/bash
# The first `make demo` on a machine without the build's -dev packages, and
# what install-deps leaves enabled, on a throwaway copy of this machine:
# /etc, /usr, /var and /run are overlays in a private mount namespace, so the
# host's packages and services are not touched. The packages named below are
# purged there, the repository is cloned and `make demo` runs once.
#
# Usage (root): bash tests/package/fresh_demo.sh
# (inside, iproute2 prints "Peer netns reference is invalid" for veth peers:
# the namespaces' names live in the private /run; the demo is unaffected)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d /tmp/mpt-fresh.XXXXXX)
PURGE="libjansson-dev pkg-config pkgconf squid nginx nginx-common haproxy isc-dhcp-server"

cat > "$W/inside.sh" <<'IN'
set -u
W=$1 ROOT=$2 PURGE=$3
for d in etc usr var run; do
	mkdir -p "$W/$d.u" "$W/$d.w"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$W/$d.u,workdir=$W/$d.w" "/$d" || exit 1
done
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $PURGE >"$W/purge.log" 2>&1
left=$(dpkg -l libjansson-dev pkg-config squid haproxy 2>/dev/null | grep '^ii')
[ -z "$left" ] && echo "ok - purged: $PURGE" || echo "not ok - still installed: $left"
git clone -q "$ROOT" "$W/clone" && cd "$W/clone" || exit 1
if LAB=mpfresh$$ make demo >"$W/demo.log" 2>&1; then
	echo "ok - first make demo: $(tail -n 1 "$W/demo.log")"
else
	echo "not ok - first make demo failed:"; tail -n 20 "$W/demo.log"
fi
for s in squid nginx haproxy isc-dhcp-server; do
	st=$(systemctl is-enabled "$s" 2>/dev/null | tail -n 1)
	[ "$st" != enabled ] && echo "ok - $s after install-deps: $st" ||
	    echo "not ok - $s after install-deps: enabled"
done
IN
unshare -m --propagation private bash "$W/inside.sh" "$W" "$ROOT" "$PURGE" | tee "$W/result"
if grep -q '^not ok' "$W/result"; then echo "# kept $W"; exit 1; fi
rm -rf "$W"
