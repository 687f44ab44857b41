#!/bin/bash
# The Debian package on a throwaway copy of this machine: install, start
# (mode disabled, then static with forwarding on), stop, purge. Nothing of
# ours may be left: no nftables table, policy rule or route, no file.
#
# Usage (root): bash tests/package/test_deb.sh build/deb/mgmt-proxy_*.deb
#
# /etc, /usr, /var and /run are overlays in a private mount namespace, and
# the daemon runs in a private network namespace: the host's package
# database, files and network are not touched. Without systemd as PID 1 the
# daemon is started the way the unit starts it.
. "$(dirname "$0")/../lib.sh"

# Checked outside $(...): a missing argument must stop the script.
DEB=${1:?usage: test_deb.sh PACKAGE.deb}
DEB=$(readlink -f "$DEB")
W=$(mktemp -d /tmp/mpt-deb.XXXXXX)
NS=mpt-deb-$$

cleanup() {
	ns_delete "$NS"
	t_workdir_done
}
trap cleanup EXIT
ns_create "$NS"
ns_veth "$NS" kni254 - "$NS" kni254p -
ip netns exec "$NS" socat TCP-LISTEN:3128,bind=127.0.0.2,reuseaddr,fork EXEC:/bin/true &

# The steps, run inside the private mount namespace by the same script.
cat > "$W/inside.sh" <<'EOF'
set -u
W=$1 DEB=$2
for d in etc usr var run; do
	mkdir -p "$W/$d.u" "$W/$d.w"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$W/$d.u,workdir=$W/$d.w" "/$d" || exit 1
done
say() { echo "$1 - $2"; }
in_ns() { "$@"; }	# the whole script runs in the network namespace
ours_left() {
	in_ns nft list table inet mgmt_proxy >/dev/null 2>&1 && echo "table inet mgmt_proxy"
	in_ns nft list table ip mgmt_proxy_dhcp >/dev/null 2>&1 && echo "table ip mgmt_proxy_dhcp"
	in_ns ip rule list | grep -q 'fwmark 0x4d50' && echo "policy rule"
	[ -n "$(in_ns ip route list table 4790 2>/dev/null)" ] && echo "routes in table 4790"
	return 0
}
start() {
	mkdir -p /run/128technology /var/lib/128technology /var/log/128technology
	in_ns /usr/sbin/mgmt-proxyd --config /etc/mgmt-proxy/mgmt-proxy.yaml
}

dpkg -i "$DEB" >"$W/dpkg-i.out" 2>&1 && say ok "dpkg -i" || { say "not ok" "dpkg -i"; cat "$W/dpkg-i.out"; }
/usr/sbin/mgmt-proxyd --check-config /etc/mgmt-proxy/mgmt-proxy.yaml >/dev/null &&
	say ok "installed sample checks" || say "not ok" "installed sample checks"
start && say ok "starts (mode disabled)" || say "not ok" "starts (mode disabled)"
st=$(in_ns mgmt-proxyctl show management-proxy --json | jq -r .state)
[ "$st" = disabled ] && say ok "state disabled" || say "not ok" "state disabled (got $st)"
getent group mgmt-proxy >/dev/null && say ok "read-only group mgmt-proxy created" ||
	say "not ok" "read-only group mgmt-proxy created"
mode=$(stat -c '%a %G' /run/128technology/mgmt-proxy.sock 2>/dev/null)
[ "$mode" = "660 mgmt-proxy" ] && say ok "control socket 0660 root:mgmt-proxy" ||
	say "not ok" "control socket 0660 root:mgmt-proxy (got $mode)"
# Forwarding on, then the package goes away under the running daemon.
cat > /etc/mgmt-proxy/mgmt-proxy.yaml <<YAML
authority:
  router:
    - name: router
      management-proxy:
        mode: static
        proxy:
          - {name: p, address: 127.0.0.2, port: 3128}
      node:
        - name: node1
YAML
in_ns mgmt-proxyctl reload >/dev/null && say ok "reload to static" || say "not ok" "reload to static"
for _ in $(seq 100); do
	in_ns nft list table inet mgmt_proxy >/dev/null 2>&1 && break
	sleep 0.1
done
[ -n "$(ours_left)" ] && say ok "forwarding on: $(ours_left | tr '\n' ' ')" ||
	say "not ok" "forwarding on"
pid=$(cat /run/128technology/mgmt-proxyd.pid)
# What systemd's stop does (KillMode=mixed): SIGTERM to the daemon.
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && say "not ok" "stops" || say ok "stops"
left=$(ours_left)
[ -z "$left" ] && say ok "nothing of ours left after stop" || say "not ok" "left after stop: $left"
# A daemon killed outright leaves its table behind; removing the package
# takes it away.
start >/dev/null 2>&1
for _ in $(seq 100); do
	in_ns nft list table inet mgmt_proxy >/dev/null 2>&1 && break
	sleep 0.1
done
pid=$(cat /run/128technology/mgmt-proxyd.pid)
kill -9 "$pid"
for p in $(pidof haproxy); do	# only ours run in this namespace's view
	[ "$(readlink /proc/$p/ns/net)" = "$(readlink /proc/self/ns/net)" ] && kill -9 "$p"
done
[ -n "$(ours_left)" ] && say ok "killed -9 with forwarding on: table left" ||
	say "not ok" "killed -9 with forwarding on: table left"
dpkg --purge mgmt-proxy >"$W/dpkg-p.out" 2>&1 && say ok "dpkg --purge" ||
	{ say "not ok" "dpkg --purge"; cat "$W/dpkg-p.out"; }
files=$(ls -d /etc/mgmt-proxy /usr/sbin/mgmt-proxy* /lib/systemd/system/mgmt-proxy.service \
	/etc/logrotate.d/mgmt-proxy /var/lib/128technology /var/log/128technology \
	/etc/systemd/system/multi-user.target.wants/mgmt-proxy.service 2>/dev/null)
[ -z "$files" ] && say ok "purge leaves no file" || say "not ok" "purge left: $files"
left=$(ours_left)
[ -z "$left" ] && say ok "nothing of ours left after purge" || say "not ok" "left after purge: $left"
EOF

ip netns exec "$NS" unshare -m --propagation private bash "$W/inside.sh" "$W" "$DEB" >"$W/out" 2>&1
cat "$W/out"
T_FAILS=$(grep -c '^not ok' "$W/out")
grep -q '^ok - nothing of ours left after purge' "$W/out" || T_FAILS=$((T_FAILS + 1))
t_finish
