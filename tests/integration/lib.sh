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

t_finish() {
	if [ "$T_FAILS" -eq 0 ]; then
		echo "$T_NAME: passed"
		exit 0
	fi
	echo "$T_NAME: $T_FAILS failed"
	exit 1
}

# ---- tests on the namespace lab (tests/lab/lab.sh) with the real daemon

# lab_test_init PREFIX TOOL...: the lab named PREFIX<pid> (lab.sh sourced,
# run from the repository root), the work directory $W with $STATE $RUN
# $LOG $CFG $ONB, every TOOL checked, and an EXIT trap that stops the
# daemon ($MPD_PID), ends $LOCAL_PID, removes the lab and $W (kept with
# KEEP=1).
lab_test_init() {
	local prefix=$1 t
	shift
	ROOT=$(cd "$(dirname "$0")/../.." && pwd)
	cd "$ROOT" || exit 1
	export LAB=$prefix$$
	export LAB_DIR=/tmp/mgmt-proxy-lab.$LAB
	export LAB_SRC=tests/lab
	export LAB_TEMPLATES=templates
	. tests/lab/lab.sh
	set +e	# lab.sh sets -e; checks must run on after a failure
	W=$(mktemp -d "/tmp/mpt-$prefix.XXXXXX")
	chmod 755 "$W"
	STATE=$W/state RUN=$W/run LOG=$W/mp.log CFG=$W/mp.yaml ONB=$W/onboarding.json
	mkdir -p "$STATE" "$RUN"
	MPD_PID=
	LOCAL_PID=
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "not ok - $t is not installed"; exit 1; }
	done
	trap lab_test_cleanup EXIT
}

lab_test_cleanup() {
	disown -a 2>/dev/null	# no job notices
	if [ -n "$MPD_PID" ] && kill -0 "$MPD_PID" 2>/dev/null; then
		kill -TERM "$MPD_PID" 2>/dev/null
		for _ in $(seq 30); do kill -0 "$MPD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$MPD_PID" 2>/dev/null
	fi
	[ -n "$LOCAL_PID" ] && kill "$LOCAL_PID" 2>/dev/null
	lab_down
	[ -n "${KEEP:-}" ] && echo "# kept $W" || rm -rf "$W"
}

in_m() { ip netns exec "$LAB-mgmt" "$@"; }
in_r() { ip netns exec "$LAB-router" "$@"; }
ctl() { in_r timeout 10 "$MPC" --run-dir "$RUN" "$@"; }
jget() { ctl "$@" --json 2>/dev/null | jq -r "$JQ"; }
active() { JQ='."active-proxy" // "null"' jget show management-proxy; }
is_active() { [ "$(active)" = "$1" ]; }

# body_is URL WANT [CURL-ARGS...]: the body of one request (the test's
# mcurl, from the management client) is exactly WANT.
body_is() {
	local url=$1 want=$2 body
	shift 2
	body=$(mcurl "$@" "$url" 2>&1)
	[ "$body" = "$want" ] && return 0
	echo "# $url: expected '$want', got '$body'" >&2
	return 1
}

# mpd_start NS: mgmt-proxyd in namespace NS with the files of $W (ip netns
# exec execs it: $MPD_PID is the daemon); waits for its control socket.
mpd_start() {
	ip netns exec "$1" "$MPD" --config "$CFG" --onboarding "$ONB" \
	    --state-dir "$STATE" --run-dir "$RUN" --log-file "$LOG" --foreground \
	    2>>"$W/stderr" &
	MPD_PID=$!
	wait_for 5 test -S "$RUN/mgmt-proxy.sock"
}
