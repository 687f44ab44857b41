# Helpers for the integration tests (sourced by bash). Every wait is bounded;
# every namespace and process a test makes is removed by its EXIT trap.
set -u

: "${BUILD:=$(pwd)/build}"
MPD="$BUILD/mgmt-proxyd"
MPC="$BUILD/mgmt-proxyctl"
T_FAILS=0
T_NAME=$(basename "$0" .sh)

ok()   { echo "ok - $*"; }
fail() { echo "not ok - $*"; T_FAILS=$((T_FAILS + 1)); }

# check DESCRIPTION COMMAND...: one assertion.
check() {
	local what=$1; shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

# wait_for SECONDS COMMAND...: poll every 0.1 s, at most SECONDS.
wait_for() {
	local limit=$1; shift
	local i=0 n=$((limit * 10))
	while [ $i -lt $n ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# unit_sandbox: the prefix that runs a command as the systemd unit runs the
# daemon: its capability bounding set and no new privileges (setpriv execs,
# so $! of a backgrounded command is still the daemon).
unit_sandbox() {
	local caps
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' \
	    "$(dirname "${BASH_SOURCE[0]}")/../../systemd/mgmt-proxy.service.in" |
	    tr 'A-Z ' 'a-z,' | sed 's/cap_/+/g')
	echo setpriv --bounding-set="-all,${caps:-none}" --no-new-privs
}

# A private network namespace with only loopback, for tests on 127/8.
ns_create() {
	ip netns add "$1"
	ip -n "$1" link set lo up
}

ns_delete() {
	local pids
	pids=$(ip netns pids "$1" 2>/dev/null)
	[ -n "$pids" ] && kill $pids 2>/dev/null
	sleep 0.2
	pids=$(ip netns pids "$1" 2>/dev/null)
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	ip netns del "$1" 2>/dev/null
	rm -rf "/etc/netns/$1"
	return 0
}

# ns_haproxy_masters NS: HAProxy masters of namespace NS (HAProxy
# processes whose parent is not HAProxy), one pid a line.
ns_haproxy_masters() {
	local p pp hp=/usr/sbin/haproxy
	for p in $(ip netns pids "$1"); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$hp" ] || continue
		pp=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		[ "$(readlink "/proc/$pp/exe" 2>/dev/null)" != "$hp" ] && echo "$p"
	done
	return 0
}

# dhclient_script DIR: DIR/dhclient-script sets only the address (no
# route, no resolv.conf) and logs each event to DIR/events-<interface>.
dhclient_script() {
	{ echo '#!/bin/sh'; echo "EVENTS_DIR='$1'"; cat <<'EOF'; } > "$1/dhclient-script"
echo "$(date +%s.%N) $reason $new_ip_address" >> "$EVENTS_DIR/events-$interface"
case $reason in
BOUND|RENEW|REBIND|REBOOT)
	ip addr replace "$new_ip_address/${new_subnet_mask:-255.255.255.0}" dev "$interface" ;;
EXPIRE|FAIL|RELEASE|STOP)
	[ -n "$old_ip_address" ] && ip addr del "$old_ip_address/${old_subnet_mask:-255.255.255.0}" dev "$interface" 2>/dev/null ;;
esac
exit 0
EOF
	chmod +x "$1/dhclient-script"
}

# lab_start_daemon: mgmt-proxyd in the lab's router namespace, with the
# files the test names $CFG $ONB $STATE $RUN $LOG (stderr to $W/stderr);
# MPD_PID is the daemon itself (ip netns exec execs it). True once its
# control socket is there.
lab_start_daemon() {
	rm -f "$RUN/mgmt-proxy.sock"
	ip netns exec "$LAB-router" "$MPD" --config "$CFG" --onboarding "$ONB" \
	    --state-dir "$STATE" --run-dir "$RUN" --log-file "$LOG" --foreground \
	    2>>"$W/stderr" &
	MPD_PID=$!
	wait_for 5 test -S "$RUN/mgmt-proxy.sock"
}

# lab_stop_daemon: TERM to $MPD_PID, KILL if it is still there after 5 s.
lab_stop_daemon() {
	[ -n "$MPD_PID" ] || return 0
	kill -TERM "$MPD_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$MPD_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$MPD_PID" 2>/dev/null
	wait "$MPD_PID" 2>/dev/null
	return 0
}

t_finish() {
	if [ "$T_FAILS" -eq 0 ]; then
		echo "$T_NAME: passed"
		exit 0
	fi
	echo "$T_NAME: $T_FAILS failed"
	exit 1
}
