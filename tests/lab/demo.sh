#!/bin/sh
# mgmt-proxy walk-through in the reference topology of tests/lab/lab.sh:
#
#   mgmt ns   169.254.127.127  a management-plane client (curl)
#      | kni254
#   router ns mgmt-proxyd (learned mode) + HAProxy it runs; dhclient on wan1
#      | wan1   (address, default route and proxy all come from DHCP)
#   wan ns    ISC dhcpd (Option 43 sub-option 128 "203.0.113.10:3128"),
#             Squid 203.0.113.10:3128, nginx origins origin.test / secure.test
#
# Steps: 1. learn the proxy by DHCP; 2. HTTP and HTTPS through it (a
# certificate minted per name); 3. Squid stopped: alarm, interception torn
# down, traffic direct; 4. Squid back: alarm cleared, forwarding again;
# 5. clean up.  Every wait is bounded; everything is removed on exit.
#
# Usage (root, from anywhere): sh tests/lab/demo.sh [BUILD-DIR]   (or, as root: make demo)
# LAB=name picks the namespace prefix (default mpdemo).
set -eu

cd "$(dirname "$0")/../.."
BUILD=${1:-build}
if ! [ -x "$BUILD/mgmt-proxyd" ] || ! [ -x "$BUILD/mgmt-proxyctl" ]; then
	echo "demo: no binaries in $BUILD (run make first)" >&2
	exit 1
fi
BUILD=$(cd "$BUILD" && pwd)
MPD=$BUILD/mgmt-proxyd
MPC=$BUILD/mgmt-proxyctl
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 1; }
for t in ip nft haproxy squid nginx dhcpd dhclient curl socat openssl jq; do
	command -v "$t" >/dev/null || { echo "demo: $t is not installed (make deps)" >&2; exit 1; }
done

LAB=${LAB:-mpdemo}
. tests/lab/lab.sh

MP=$LAB_DIR/mp                  # the daemon's state, run and log files
W=$MP CFG=$MP/mgmt-proxy.yaml LOG=$MP/management-proxy.log RUN=$MP/run
STATE=$MP/state ONB=$MP/onboarding.json MPD_PID=
CA=$MP/ca.pem                   # what `mgmt-proxyctl ca export` printed
NEW_NAME=never-seen.test        # a name no one has asked for before step 2
PINNED=pinned.test              # in tls.no-inspect
T0=$(date +%s)
DONE=0

# ---------------------------------------------------------------- helpers

heading() {
	echo
	echo "=== $* ==="
}

say() {
	echo "--- $*"
}

# run CMD...: show the command, then its output, indented.
run() {
	echo "\$ $*"
	"$@" 2>&1 | sed 's/^/    /'
}

# in NS CMD...: the same, inside the lab namespace NS.
in_ns() {
	_ns=$1
	shift
	echo "[$_ns]\$ $*"
	lab_in "$_ns" "$@" 2>&1 | sed 's/^/    /'
}

# waited SECONDS WHAT CMD...: wait_for (tests/lib.sh), then how long it took.
waited() {
	_start=$(date +%s.%N)
	_what=$2
	_limit=$1
	shift 2
	wait_for "$_limit" "$@"
	echo "    ($_what: after $(awk -v s="$_start" -v e="$(date +%s.%N)" \
		'BEGIN { printf "%.1f", e - s }') s)"
}

squid_log_since() { # LINE: access.log lines after the first LINE lines
	tail -n +"$(($1 + 1))" "$LAB_DIR/squid/access.log" 2>/dev/null | sed 's/^/    squid: /'
}

squid_lines() {
	wc -l <"$LAB_DIR/squid/access.log" 2>/dev/null || echo 0
}

# curl_show LABEL CURL-ARGS...: one request from the management namespace;
# prints the body (the origin names the client address it saw).
curl_show() {
	echo "[mgmt]\$ curl $*"
	lab_in mgmt curl -sS --max-time 10 "$@" 2>&1 | sed 's/^/    /'
}

cleanup() {
	_rc=$?
	trap - EXIT INT TERM
	set +e
	if [ "$DONE" -ne 1 ]; then
		echo
		echo "demo: failed (exit $_rc); last lines of the daemon log:" >&2
		tail -n 15 "$LOG" 2>/dev/null | sed 's/^/    /' >&2
	fi
	daemon_stop
	lab_down
	[ "$_rc" -eq 0 ] || echo "demo: FAILED after $(($(date +%s) - T0)) s (lab $LAB removed)" >&2
	exit "$_rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1
heading "1. Lab up, proxy learned by DHCP"
say "namespaces $LAB-mgmt, $LAB-router, $LAB-wan; wan1 has no address yet"
lab_up_dhcp 2>&1
lab_add_names "$LAB_ORIGIN_HTTPS_IP" "$NEW_NAME"
lab_squid_start
lab_origin_start
lab_dhcpd_start "$LAB_SQUID_IP:$LAB_SQUID_PORT"
say "dhcpd on the wan side offers Option 43 sub-option 128:"
grep -E 'custom-proxy-url|vendor-class' "$LAB_DIR/dhcp/dhcpd.conf" | sed 's/^/    /'

mkdir -p "$RUN" "$STATE"
# Origins are signed by the lab's "public" CA (origin-ca); $PINNED is
# tunnelled untouched (no-inspect): the client sees the origin's own
# certificate.
cfg_learned n1 wan1 | LAB_HC="interval: 5, timeout: 3" \
	LAB_TLS_EXTRA="    no-inspect: [$PINNED]" lab_write_cfg
say "configuration ($CFG):"
sed 's/^/    /' "$CFG"
run "$MPD" --check-config "$CFG"
daemon_start
run ctl show management-proxy

say "dhclient on wan1 (Option 60 JuniperSSR, asks for Option 43)"
lab_dhclient_start
waited 20 "dhclient bound" lab_dhclient_bound
in_ns router ip -4 addr show dev wan1
waited 15 "learned proxy reachable" is_state reachable
waited 10 "HAProxy listening behind the TPROXY table" forwarding_up
run ctl show dhcp learned-proxies
run ctl show management-proxy detail
say "what the daemon logged (ACK snooped, selection, health check, forwarder):"
grep -vE 'haproxy:' "$LOG" | sed 's/^/    /'
say "the interception table the daemon installed:"
in_ns router nft list table inet mgmt_proxy

# ---------------------------------------------------------------- 2
heading "2. Management traffic goes through Squid"
ctl ca export >"$CA"
say "local CA exported with 'mgmt-proxyctl ca export' to $CA:"
openssl x509 -in "$CA" -noout -subject | sed 's/^/    /'
s0=$(squid_lines)
curl_show http://origin.test/status
curl_show --cacert "$CA" https://secure.test/api/v1
say "$NEW_NAME was never asked for: its certificate is minted on the first connection"
echo "[mgmt]\$ curl -v --cacert $CA https://$NEW_NAME/first   (body and certificate lines)"
lab_in mgmt curl -sS -v --max-time 10 --cacert "$CA" "https://$NEW_NAME/first" 2>&1 |
	grep -E '^origin|subject:|issuer:|SSL certificate verify' | sed 's/^[*] *//; s/^/    /'
say "$PINNED is in tls.no-inspect: the client's own TLS goes through the tunnel"
echo "[mgmt]\$ curl -v --cacert lab-public-ca.crt https://$PINNED/pinned   (body and certificate lines)"
lab_in mgmt curl -sS -v --max-time 10 --cacert "$LAB_DIR/pki/public.crt" "https://$PINNED/pinned" 2>&1 |
	grep -E '^origin|subject:|issuer:|SSL certificate verify' | sed 's/^[*] *//; s/^/    /'
say "(issuer: the origin's own CA; nothing was minted for $PINNED)"
say "Squid logs a CONNECT when its tunnel ends; idle tunnels are kept for the next"
say "requests, so end them now through HAProxy's runtime API to see the lines:"
echo "[router]\$ echo 'shutdown sessions server ls_connect/proxy' | socat - $RUN/haproxy.sock"
echo "shutdown sessions server ls_connect/proxy" |
	lab_in router socat -t 2 - "UNIX-CONNECT:$RUN/haproxy.sock" >/dev/null 2>&1
waited 10 "Squid logged the tunnels" \
	sh -c "[ \$(grep -c 'TCP_TUNNEL.*CONNECT' '$LAB_DIR/squid/access.log') -ge 3 ]"
say "Squid's access.log (client 203.0.113.2 = the router's wan1): HTTP in absolute"
say "form, every HTTPS flow as CONNECT name:443 (no https:// URL, no path):"
squid_log_since "$s0"
say "HAProxy's lines (tunnels, certificates minted) in the daemon log:"
grep -E 'mgmt-proxy-tunnel|certificate for|fe=fe_https' "$LOG" | grep -v '\[warning\]' |
	tail -n 10 | sed 's/^/    /'
run ctl show management-proxy detail

# ---------------------------------------------------------------- 3
heading "3. Squid stopped: alarm, interception torn down, direct path"
lab_squid_stop
say "Squid stopped; the next health check (every 5 s, 3 s timeout) fails"
waited 20 "state unreachable" is_state unreachable
run ctl show management-proxy
run ctl show alarms
waited 5 "table inet mgmt_proxy removed" forwarding_gone
in_ns router nft list tables
curl_show http://origin.test/while-down
say "(\"from 169.254.127.127\": the origin saw the client itself, not Squid)"
curl_show --cacert "$LAB_DIR/pki/public.crt" https://secure.test/while-down
say "(HTTPS direct: the origin's own certificate, from the lab's public CA)"
grep -E 'reachable -> unreachable|alarm raised|torn down' "$LOG" | tail -n 3 | sed 's/^/    /'

# ---------------------------------------------------------------- 4
heading "4. Squid back: alarm cleared, forwarding again"
lab_squid_start
waited 20 "state reachable" is_state reachable
waited 5 "alarm cleared" no_alarm
waited 10 "table back, HAProxy listening" forwarding_up
run ctl show management-proxy
run ctl show alarms
in_ns router nft list tables
s0=$(squid_lines)
curl_show http://origin.test/after-recovery
curl_show --cacert "$CA" https://secure.test/after-recovery
echo "shutdown sessions server ls_connect/proxy" |
	lab_in router socat -t 2 - "UNIX-CONNECT:$RUN/haproxy.sock" >/dev/null 2>&1
waited 10 "Squid logged them" sh -c "[ \$(wc -l <'$LAB_DIR/squid/access.log') -ge $((s0 + 2)) ]"
squid_log_since "$s0"
grep -E 'alarm cleared|forwarding management traffic' "$LOG" | tail -n 2 | sed 's/^/    /'

# ---------------------------------------------------------------- 5
heading "5. Clean up"
daemon_stop
say "daemon stopped (TERM): tables left in $LAB-router:"
in_ns router nft list tables
lab_down
left=$(ip netns list | grep -c "^$LAB-" || true)
say "namespaces $LAB-* left: $left"
DONE=1
echo
echo "demo: OK in $(($(date +%s) - T0)) s: DHCP-learned proxy $LAB_SQUID_IP:$LAB_SQUID_PORT used for" \
	"HTTP and HTTPS, outage alarmed and bypassed, recovery automatic; lab $LAB removed"
