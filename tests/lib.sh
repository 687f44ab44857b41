# The one test library: sourced by every integration test, the lab
# (tests/lab/lab.sh, so also the demo) and the bench. POSIX sh (dash runs
# the lab), bash extensions only in functions that bash callers use.
# Every wait is bounded; every namespace and process a test makes is removed
# by its EXIT trap; the work directory is kept when a check failed.
[ -z "${T_LIB_LOADED:-}" ] || return 0
T_LIB_LOADED=1
set -u

: "${BUILD:=$(pwd)/build}"
MPD="$BUILD/mgmt-proxyd"
MPC="$BUILD/mgmt-proxyctl"
T_FAILS=0
T_NAME=$(basename "$0" .sh)
# The repository: this file's parent (bash), else the current directory
# (the lab and its callers run from the repository root).
if [ -n "${BASH_VERSION:-}" ]; then
	T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
else
	T_ROOT=$(pwd)
fi

# ---- assertions: one line each, "ok - ..." or "not ok - ..." plus why

ok()   { echo "ok - $*"; }
# fail DESCRIPTION: with the tail of the daemon's log when the test has one.
fail() {
	echo "not ok - $*"
	T_FAILS=$((T_FAILS + 1))
	[ -n "${LOG:-}" ] && [ -f "$LOG" ] && tail -n "${T_LOG_TAIL:-15}" "$LOG" | sed 's/^/#   log: /'
	return 0
}

# check DESCRIPTION COMMAND...: one assertion; a failure names the command.
check() {
	local what=$1; shift
	if "$@"; then ok "$what"; else echo "#   failed: $*"; fail "$what"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL: one assertion on a value; a failure
# says what was expected and what came.
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		echo "#   expected: $2"
		echo "#   actual:   $3"
		fail "$1"
	fi
}

# t_finish: the closing line; exit status 1 when a check failed.
t_finish() {
	if [ "$T_FAILS" -eq 0 ]; then
		echo "$T_NAME: passed"
		exit 0
	fi
	echo "$T_NAME: $T_FAILS failed"
	exit 1
}

# ---- waits

# wait_for SECONDS COMMAND...: true as soon as COMMAND succeeds. Polls every
# 0.1 s, at most 10 x SECONDS times and for at most SECONDS of wall-clock
# time (under load a poll takes longer than 0.1 s: the clock ends the wait
# first); on giving up, says on stderr what it waited for.
wait_for() {
	local limit=$1 i=0 end
	shift
	end=$(($(date +%s%3N) + limit * 1000))
	while [ "$i" -lt $((limit * 10)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s%3N)" -lt "$end" ] || break
		sleep 0.1
		i=$((i + 1))
	done
	"$@" >/dev/null 2>&1 && return 0
	echo "# wait_for: gave up after $limit s: $*" >&2
	return 1
}

# ---- the work directory and the daemon's paths

# t_workdir NAME: W=/tmp/mpt-NAME.XXXXXX with the daemon's paths STATE
# (with dhcp/), RUN, LOG, CFG and ONB; no daemon yet (MPD_PID empty).
t_workdir() {
	W=$(mktemp -d "/tmp/mpt-$1.XXXXXX")
	chmod 755 "$W"
	STATE=$W/state RUN=$W/run LOG=$W/mp.log CFG=$W/mp.yaml ONB=$W/onboarding.json
	mkdir -p "$STATE/dhcp" "$RUN"
	MPD_PID=
}

# t_workdir_done: for the EXIT trap: W removed when every check passed,
# kept (and named) when one failed or KEEP is set.
t_workdir_done() {
	if [ -n "${KEEP:-}" ] || [ "$T_FAILS" -gt 0 ]; then
		echo "# kept $W"
	else
		rm -rf "$W"
	fi
}

# ---- the daemon: it runs in namespace $MP_NS with the test's paths

# daemon_start [PREFIX...]: mgmt-proxyd in $MP_NS (PREFIX: a command that
# execs it, e.g. $(unit_sandbox)); MPD_PID is the daemon itself (ip netns
# exec execs). True once its control socket is there.
daemon_start() {
	ip netns exec "$MP_NS" "$@" "$MPD" --config "$CFG" --onboarding "$ONB" \
	    --state-dir "$STATE" --run-dir "$RUN" --log-file "$LOG" --foreground \
	    2>>"$W/stderr" &
	MPD_PID=$!
	wait_for 5 test -S "$RUN/mgmt-proxy.sock"
}

# daemon_stop [SIGNAL]: SIGNAL (TERM) to the daemon, KILL if it is still
# there after 5 s; MPD_PID emptied.
daemon_stop() {
	[ -n "${MPD_PID:-}" ] || return 0
	kill -"${1:-TERM}" "$MPD_PID" 2>/dev/null
	wait_for 5 gone "$MPD_PID" 2>/dev/null || kill -9 "$MPD_PID" 2>/dev/null
	wait "$MPD_PID" 2>/dev/null
	MPD_PID=
	return 0
}

# ctl ARGS...: mgmt-proxyctl against the test's socket, bounded: a daemon
# stuck on something must fail checks, not hang the test.
ctl() { ip netns exec "$MP_NS" timeout 10 "$MPC" --run-dir "$RUN" "$@"; }
# jget ARGS...: field $JQ of `ctl ARGS... --json`.
jget() { ctl "$@" --json 2>/dev/null | jq -r "$JQ"; }
active() { JQ='."active-proxy" // "null"' jget show management-proxy; }
is_active() { [ "$(active)" = "$1" ]; }
selected() { JQ='.selected // "null"' jget show management-proxy; }
is_selected() { [ "$(selected)" = "$1" ]; }
state() { JQ='.state' jget show management-proxy; }
is_state() { [ "$(state)" = "$1" ]; }
nalarms() { JQ='length' jget show alarms; }
has_alarm() { [ "$(nalarms)" = 1 ]; }
no_alarm() { [ "$(nalarms)" = 0 ]; }

# unit_sandbox: the prefix that runs a command as the systemd unit runs the
# daemon: its capability bounding set and no new privileges (setpriv execs,
# so $! of a backgrounded command is still the daemon).
unit_sandbox() {
	local caps
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' \
	    "$(dirname "${BASH_SOURCE[0]}")/../systemd/mgmt-proxy.service.in" |
	    tr 'A-Z ' 'a-z,' | sed 's/cap_/+/g')
	echo setpriv --bounding-set="-all,${caps:-none}" --no-new-privs
}

# A private network namespace with only loopback, for tests on 127/8.
ns_create() {
	ip netns add "$1"
	ip -n "$1" link set lo up
}

# ns_veth NS-A IF-A ADDR-A NS-B IF-B ADDR-B: a veth pair, IF-A in NS-A and
# IF-B in NS-B (the same namespace or not), both up, with those addresses
# (CIDR; "-": none).
ns_veth() {
	ip -n "$1" link add "$2" type veth peer name "$5" netns "$4"
	[ "$3" = - ] || ip -n "$1" addr add "$3" dev "$2"
	[ "$6" = - ] || ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
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

# ns_haproxy_masters NS: hp_masters of namespace NS.
ns_haproxy_masters() { MP_NS=$1 hp_masters; }

# ---- DHCP: ISC dhcpd and dhclient, the daemon's configuration

# dhcpd_render NET MASK POOL-LO POOL-HI PROXY [LEASE [ROUTER]]: the snippet
# shipped to users (examples/dhcp/dhcpd.conf) with the test's subnet, pool
# and Option 43 proxy (empty: no Option 43 at all), leases of LEASE seconds
# (default 60) and option routers ROUTER (default none); no ping before an
# offer. Printed; fails when the example lacks a line it fills in.
dhcpd_render() {
	local ex="$T_ROOT/examples/dhcp/dhcpd.conf" lease=${6:-60} l
	local router="/^	option routers /d" proxy="/^option space/,/^}/d;/custom-proxy-url \"/d"
	[ -z "${7:-}" ] || router="s/^	option routers .*/	option routers $7;/"
	[ -z "$5" ] || proxy="s/custom-proxy-url \".*\"/custom-proxy-url \"$5\"/"
	for l in '^default-lease-time ' '^max-lease-time ' '^subnet ' '^	range ' \
	    '^	option routers ' '^	option subnet-mask ' '^	option vendor1.custom-proxy-url "'; do
		grep -q "$l" "$ex" || { echo "dhcpd_render: no line '$l' in $ex" >&2; return 1; }
	done
	sed -e "s/^default-lease-time .*/ping-check false;\nmin-lease-time $lease;\ndefault-lease-time $lease;/" \
	    -e "s/^max-lease-time .*/max-lease-time $lease;/" \
	    -e "s/^subnet .* {/subnet $1 netmask $2 {/" \
	    -e "s/^	range .*/	range $3 $4;/" \
	    -e "s/^	option subnet-mask .*/	option subnet-mask $2;/" \
	    -e "$router" -e "$proxy" "$ex"
}

# dhcpd_serve NS IFACE BASE: ISC dhcpd in NS on IFACE with BASE.conf
# (leases BASE.leases, output BASE.log from this start on, its pid in
# BASE.pid); true once it serves.
dhcpd_serve() {
	touch "$3.leases"
	ip netns exec "$1" dhcpd -4 -d -cf "$3.conf" -lf "$3.leases" -pf "$3.pidfile" "$2" \
	    >"$3.log" 2>&1 </dev/null &
	echo $! >"$3.pid"
	wait_for 10 grep -q 'Sending on' "$3.log"
}

# dhclient_script DIR: DIR/dhclient-script sets the address (and a default
# route when the server names a router; never resolv.conf) and logs each
# event to DIR/events-<interface> ("<epoch> <reason> <address>"). dhclient
# gives its script a fresh environment: the path is written in.
dhclient_script() {
	{ echo '#!/bin/sh'; echo "EVENTS_DIR='$1'"; cat <<'EOF'; } > "$1/dhclient-script"
echo "$(date +%s.%N) $reason $new_ip_address" >> "$EVENTS_DIR/events-$interface"
case $reason in
BOUND|RENEW|REBIND|REBOOT)
	ip addr replace "$new_ip_address/${new_subnet_mask:-255.255.255.0}" dev "$interface"
	for r in $new_routers; do
		ip route replace default via "$r" dev "$interface"
		break
	done ;;
EXPIRE|FAIL|RELEASE|STOP)
	[ -n "$old_ip_address" ] && ip addr del "$old_ip_address/${old_subnet_mask:-255.255.255.0}" dev "$interface" 2>/dev/null ;;
esac
exit 0
EOF
	chmod +x "$1/dhclient-script"
}

# dhclient_run NS IFACE DIR: dhclient (examples/dhcp/dhclient.conf, or
# DHCLIENT_CONF) in NS on IFACE with DIR/dhclient-script (dhclient_script);
# its files DIR/dhclient-IFACE.*, its pid in DIR/dhclient-IFACE.pid.
dhclient_run() {
	ip netns exec "$1" dhclient -4 -d -cf "${DHCLIENT_CONF:-$T_ROOT/examples/dhcp/dhclient.conf}" \
	    -sf "$3/dhclient-script" -pf "$3/dhclient-$2.pidfile" -lf "$3/dhclient-$2.leases" \
	    "$2" >>"$3/dhclient-$2.log" 2>&1 </dev/null &
	echo $! >"$3/dhclient-$2.pid"
}

# cfg_learned NODE IFACE...: YAML of a router's management-proxy element,
# learned, and node NODE with one device interface per IFACE, each with a
# DHCP network interface of its name; IFACE may carry more keys after a
# comma ("wan3, enable-proxy-discovery: false"). Indented under
# "- name: ROUTER" (what lab_write_cfg reads).
cfg_learned() {
	local n i
	printf '      management-proxy:\n        mode: learned\n      node:\n        - name: %s\n          device-interface:\n' "$1"
	shift
	for i in "$@"; do
		n=${i%%,*}
		printf '            - name: %s\n              network-interface:\n                - {name: %s, dhcp: v4%s}\n' \
		    "$n" "$n" "${i#"$n"}"
	done
}

# cfg_static NAME ADDRESS PORT: YAML of a router's management-proxy
# element with one static proxy, as cfg_learned.
cfg_static() {
	printf '      management-proxy:\n        mode: static\n        proxy:\n          - {name: %s, address: %s, port: %s}\n' \
	    "$1" "$2" "$3"
}

# ---- the daemon with the forwarder: in $MP_NS (the lab's router namespace
# in the namespace lab, tests/lab/lab.sh). The test sets LAB, LAB_DIR, W,
# CFG, ONB, STATE, RUN, LOG and MGMT.
HP_BIN=/usr/sbin/haproxy
in_m() { ip netns exec "$LAB-mgmt" "$@"; }
in_r() { ip netns exec "$MP_NS" "$@"; }
# mcurl ARGS...: one request from the management client, bounded by
# MCURL_MAX seconds (default 8).
mcurl() { in_m timeout $((${MCURL_MAX:-8} + 5)) curl -sS --max-time "${MCURL_MAX:-8}" "$@"; }
# body_from URL PROXY-IP [CURL-ARGS...]: the origin saw the request from
# PROXY-IP (through that Squid) or, for $MGMT, directly from the client.
body_from() {
	local url=$1 from=$2
	shift 2
	body_is "$url" "origin $url from $from" "$@"
}
# body_is URL WANT [CURL-ARGS...]: the body of one request from the
# management client is exactly WANT.
body_is() {
	local url=$1 want=$2 body
	shift 2
	body=$(mcurl "$@" "$url" 2>&1)
	[ "$body" = "$want" ] && return 0
	echo "# $url: expected '$want', got '$body'" >&2
	return 1
}
squid_has() {	# squid_has DIR NEEDLE: an access.log line of that Squid
	grep -qF -- "$2" "$LAB_DIR/$1/access.log" 2>/dev/null
}
table_present() { in_r nft list table inet mgmt_proxy >/dev/null 2>&1; }
rule_present() { in_r ip rule list | grep -q 'fwmark 0x4d50'; }
listening() { in_r ss -Hltn "src 127.0.0.1 and sport = :$1" | grep -q LISTEN; }
# cert_queue: connections waiting unaccepted on the certificate socket
# (the daemon stopped with SIGSTOP cannot take them).
cert_queue() { in_r ss -Hxl | awk -v p="$RUN/cert.sock" '$5 == p { print $3 }'; }
forwarding_up() { table_present && rule_present && listening 47080 && listening 47443; }
forwarding_gone() { ! table_present && ! rule_present; }
# HAProxy processes of the daemon's namespace (the test's own only).
hp_pids() {
	local p
	for p in $(ip netns pids "$MP_NS"); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$HP_BIN" ] && echo "$p"
	done
}
no_haproxy() { [ -z "$(hp_pids)" ]; }
# Masters: HAProxy processes whose parent is not HAProxy.
hp_masters() {
	local p pp
	for p in $(hp_pids); do
		pp=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		[ -n "$pp" ] && [ "$(readlink "/proc/$pp/exe" 2>/dev/null)" != "$HP_BIN" ] && echo "$p"
	done
}
# Workers: HAProxy processes whose parent is HAProxy.
hp_workers() {
	local p pp
	for p in $(hp_pids); do
		pp=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		[ -n "$pp" ] && [ "$(readlink "/proc/$pp/exe" 2>/dev/null)" = "$HP_BIN" ] && echo "$p"
	done
}
# lab_test_init PREFIX [TOOL...]: the lab (LAB=PREFIX<pid>, lab.sh sourced,
# run from the repository root) and the test's work directory W with the
# daemon's paths; every TOOL must be installed. The EXIT trap is
# lab_test_cleanup (a test with more to undo sets its own and calls it);
# the caller then brings the lab up.
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
	t_workdir "$prefix"
	MP_NS=$LAB-router
	LOCAL_PID=
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "not ok - $t is not installed"; exit 1; }
	done
	trap lab_test_cleanup EXIT
}

# lab_test_cleanup: for the EXIT trap. Everything stopped is continued
# first (a stopped process ignores TERM), the daemon stopped, the lab
# removed; W kept when a check failed or KEEP is set.
lab_test_cleanup() {
	local p
	disown -a 2>/dev/null	# no job notices
	[ -n "$MPD_PID" ] && kill -CONT "$MPD_PID" 2>/dev/null
	for p in $(hp_pids); do kill -CONT "$p" 2>/dev/null; done
	daemon_stop
	[ -n "${LOCAL_PID:-}" ] && kill "$LOCAL_PID" 2>/dev/null
	lab_down
	t_workdir_done
}

# lab_write_cfg: $CFG for the lab's router, forwarder haproxy, probes every
# second (LAB_HC: other health-check settings), intercepting kni254; stdin
# (YAML) is the router's management-proxy element and node list, indented
# under "- name: r1". Origins are trusted through the lab's public CA
# (LAB_ORIGIN_CA: another YAML list); LAB_TLS_EXTRA: more lines of the tls
# mapping; LAB_MP_EXTRA: more lines of the mgmt-proxy mapping.
lab_write_cfg() {
	{
		printf 'authority:\n  router:\n    - name: r1\n'
		cat
		cat <<YAML
mgmt-proxy:
  router: r1
  node: n1
  forwarder: haproxy
  health-check: {${LAB_HC:-interval: 1, timeout: 1}}
  intercept: {interfaces: [kni254], http-ports: [80], https-ports: [443]}
  tls:
    ca-cert: $W/ca.crt
    ca-key: $W/ca.key
    origin-ca: ${LAB_ORIGIN_CA:-[$LAB_DIR/pki/public.crt]}
YAML
		[ -z "${LAB_TLS_EXTRA:-}" ] || printf '%s\n' "$LAB_TLS_EXTRA"
		[ -z "${LAB_MP_EXTRA:-}" ] || printf '%s\n' "$LAB_MP_EXTRA"
	} > "$CFG"
}

# lab_write_static_cfg PROXY-IP: lab_write_cfg with one static proxy,
# PROXY-IP:$LAB_SQUID_PORT, and node n1.
lab_write_static_cfg() {
	{ cfg_static upstream "$1" "$LAB_SQUID_PORT"; printf '      node:\n        - name: n1\n'; } |
	    lab_write_cfg
}

# lab_setup STEP...: each STEP (a command, no arguments: lab_up,
# lab_squid_start, a function of the test) in turn, output in $W/lab.out;
# when one fails, that output, a failed check and the end of the test.
lab_setup() {
	local s
	for s in "$@"; do
		"$s" >>"$W/lab.out" 2>&1 && continue
		cat "$W/lab.out"
		fail "lab set-up ($s)"
		t_finish
	done
}

# lab_stop_checks: TERM to the daemon, then the checks that it exited and
# left nothing behind: no HAProxy, no table, no fwmark rule, no route.
lab_stop_checks() {
	kill -TERM "$MPD_PID" 2>/dev/null
	check "daemon exits on TERM" wait_for 5 gone "$MPD_PID"
	# One that did not is killed: the wait for it must end.
	gone "$MPD_PID" || kill -9 "$MPD_PID" 2>/dev/null
	wait "$MPD_PID" 2>/dev/null
	check "no HAProxy left after the daemon's exit" wait_for 3 no_haproxy
	check_eq "no table left (router namespace)" "" "$(in_r nft list tables 2>/dev/null)"
	check_eq "no fwmark rule left" "" "$(in_r ip rule list | grep 'fwmark 0x4d50')"
	check_eq "no route left in table 4790" "" "$(in_r ip route show table 4790 2>/dev/null)"
}

# log_has ERE: a line of the daemon's log matches ERE, waited for (5 s at
# most): HAProxy's lines reach the log through the daemon, a moment after
# the request they tell of.
log_has() { wait_for 5 grep -qE -- "$1" "$LOG"; }

# gone PID...: none of them exists any more (a zombie that init has not
# reaped yet holds nothing).
gone() {
	local p
	for p in "$@"; do
		awk '/^State:/ { exit $2 == "Z" }' "/proc/$p/status" 2>/dev/null && return 1
	done
	return 0
}

# kill_pidfile FILE [SECONDS]: end the process whose id FILE holds: TERM,
# then KILL (said on stderr) when it is still there after SECONDS (10);
# reaped when it is our child (a no-op for another's); FILE removed.
kill_pidfile() {
	local pid limit=${2:-10}
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	case $pid in '' | *[!0-9]*) rm -f "$1"; return 0 ;; esac
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_for "$limit" gone "$pid" 2>/dev/null; then
			echo "# kill_pidfile: $pid ($1) still there $limit s after TERM: KILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			wait_for "$limit" gone "$pid" 2>/dev/null || true
		fi
	fi
	# Only once it is gone: wait is then bounded.
	if gone "$pid"; then wait "$pid" 2>/dev/null || true; fi
	rm -f "$1"
}

# lab_start_daemon: daemon_start, without a socket left by an earlier one.
lab_start_daemon() {
	rm -f "$RUN/mgmt-proxy.sock"
	daemon_start
}

# lab_stop_daemon: daemon_stop (the name the lab tests know).
lab_stop_daemon() { daemon_stop; }
