#!/bin/bash
# Bench: how long from a DHCP ACK carrying a new proxy arriving on the WAN
# to that proxy being in effect. Real ISC dhcpd (6 s leases) in a WAN
# namespace, real dhclient and mgmt-proxyd (forwarder none) in a router
# namespace; N renewals, the server's Option 43 value alternating between
# 203.0.113.20:3128 and 203.0.113.30:3128 (both answer TCP on the router's
# loopback, so "in effect" = probed reachable).
#
#   t0  the ACK's capture time stamp (tcpdump on the router's wan1)
#   t1  the daemon's "dhcp: ACK on wan1: resolved X" log line (learned)
#   t2  its "management proxy X: probing -> reachable" line (in effect;
#       proxy-address.json then names X). File mtimes are no better: the
#       kernel stamps them with its coarse (tick) clock.
#
# Prints median and max of t1-t0 and t2-t0 in ms. Bounded: 10 s per
# renewal, 150 s at most. Usage: tests/bench/dhcp_ack.sh [BUILD-DIR] (root).
cd "$(dirname "$0")/../.." || exit 1
[ -n "${1:-}" ] && BUILD=$(cd "$1" && pwd)
. tests/lib.sh
T_NAME=dhcp_ack
N=${N:-10}
DEADLINE=$((SECONDS + 150))

for t in dhcpd dhclient tcpdump socat jq; do
	command -v "$t" >/dev/null || { echo "dhcp_ack: skipped ($t not installed)"; exit 0; }
done
[ "$(id -u)" -eq 0 ] || { echo "dhcp_ack: needs root (network namespaces)" >&2; exit 1; }

P=mpb-dh-$$
R=$P-router S=$P-wan1
MP_NS=$R
t_workdir dhcp-ack
PIDS=

cleanup() {
	disown -a 2>/dev/null
	daemon_stop KILL
	for p in $PIDS $(cat "$W"/dhcpd.pid 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	ns_delete "$R"
	ns_delete "$S"
	t_workdir_done
}
trap cleanup EXIT

ns_create "$R"
ns_create "$S"
ns_veth "$R" wan1 - "$S" s1 192.0.2.1/24
for a in 20 30; do
	ip -n "$R" addr add "203.0.113.$a/32" dev lo
	ip netns exec "$R" socat TCP-LISTEN:3128,bind=203.0.113.$a,reuseaddr,fork \
	    EXEC:/bin/true 2>/dev/null &
	PIDS="$PIDS $!"
done

dhcpd_run() {	# dhcpd_run PROXY: (re)start the server with that value
	kill_pidfile "$W/dhcpd.pid" 5
	dhcpd_render 192.0.2.0 255.255.255.0 192.0.2.100 192.0.2.120 "$1" 6 > "$W/dhcpd.conf"
	dhcpd_serve "$S" s1 "$W/dhcpd"
}

{ printf 'authority:\n  router:\n    - name: r1\n'; cfg_learned n1 wan1; cat <<YAML; } > "$CFG"
mgmt-proxy:
  forwarder: none
  health-check: {interval: 60, timeout: 1}
YAML
dhclient_script "$W"

dhcpd_run 203.0.113.20:3128 || { echo "dhcp_ack: dhcpd did not start" >&2; exit 1; }
daemon_start || { echo "dhcp_ack: daemon did not start" >&2; exit 1; }
ip netns exec "$R" tcpdump -i wan1 -n -l -v -tt --time-stamp-precision=micro \
    'udp src port 67 and udp dst port 68' >"$W/cap.txt" 2>"$W/tcpdump.err" &
PIDS="$PIDS $!"
wait_for 5 grep -q 'listening on' "$W/tcpdump.err"
dhclient_run "$R" wan1 "$W"
PIDS="$PIDS $(cat "$W/dhclient-wan1.pid")"
wait_for 15 grep -q 'probing -> reachable' "$LOG" || { echo "dhcp_ack: no first lease" >&2; exit 1; }

# ms since the epoch of a log line's ISO-8601 UTC time stamp
log_ms() { date -u -d "$(sed 's/T/ /; s/Z$//' <<<"$1")" +%s%3N; }
# t0: the last ACK captured after line $1 of the capture and before the
# "resolved" line (ms $2), in ms (to 0.001). Not the first one: a renewal
# that crossed the dhcpd restart is answered with the former value.
ack_before() {
	tail -n +"$(($1 + 1))" "$W/cap.txt" |
	    awk -v lim="$2" '/^[0-9]+\.[0-9]+ IP/ {ts = $1}
		/DHCP-Message.*: ACK/ && ts && ts * 1000 <= lim + 1 {t0 = ts * 1000}
		END {if (t0) printf "%.3f\n", t0}'
}
learned=() effect=()
value=203.0.113.20:3128
# The daemon applies 3 changes at once, then one per 10 s (dhcp_pace.h).
# A change is measured only when it takes the immediate path: the next one
# starts more than PACE s after the previous one was applied (not after
# dhcpd was restarted: its ACK comes at the next renewal, up to 3 s later,
# and gaps shorter than 10 s between ACKs would drain the bucket), and one
# held back all the same is reported and left out of the figures.
PACE=11
last=0
held=0
for i in $(seq "$N"); do
	while [ "$last" != 0 ] && [ $((SECONDS - last)) -lt "$PACE" ]; do sleep 0.2; done
	[ $SECONDS -lt $DEADLINE ] || { echo "# deadline reached after $((i - 1)) renewals"; break; }
	[ "$value" = 203.0.113.20:3128 ] && value=203.0.113.30:3128 || value=203.0.113.20:3128
	lines=$(wc -l < "$W/cap.txt")
	loglines=$(wc -l < "$LOG")
	dhcpd_run "$value"
	# The next renewal's ACK carries the new value: wait for it to take effect.
	if ! wait_for 10 bash -c "tail -n +$((loglines + 1)) '$LOG' | grep -q 'management proxy $value: probing -> reachable'"; then
		echo "# renewal $i: $value not in effect within 10 s"
		last=$SECONDS
		continue
	fi
	last=$SECONDS
	if tail -n +$((loglines + 1)) "$LOG" | grep -q 'held back'; then
		echo "# renewal $i: $value held back by pacing: not counted"
		held=$((held + 1))
		continue
	fi
	sleep 0.2	# let tcpdump flush
	l1=$(tail -n +$((loglines + 1)) "$LOG" | grep -m1 "dhcp: ACK on wan1: resolved $value" | cut -d' ' -f1)
	l2=$(tail -n +$((loglines + 1)) "$LOG" | grep -m1 "management proxy $value: probing -> reachable" | cut -d' ' -f1)
	t0=
	[ -n "$l1" ] && t0=$(ack_before "$lines" "$(log_ms "$l1")")
	[ -n "$t0" ] && [ -n "$l1" ] && [ -n "$l2" ] || { echo "# renewal $i: incomplete record"; continue; }
	# Log stamps are truncated to the ms: take the middle of that ms.
	d1=$(awk -v a="$(log_ms "$l1")" -v b="$t0" 'BEGIN {printf "%.1f", a + 0.5 - b}')
	d2=$(awk -v a="$(log_ms "$l2")" -v b="$t0" 'BEGIN {printf "%.1f", a + 0.5 - b}')
	[ "$(jq -r .proxy_address "$STATE/proxy-address.json" 2>/dev/null)" = "$value" ] ||
	    echo "# renewal $i: proxy-address.json does not name $value"
	learned+=("$d1") effect+=("$d2")
	echo "# renewal $i: $value learned ${d1} ms, in effect ${d2} ms"
done

stats() {	# median and max of the arguments
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) { print "n/a"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median %.1f ms, max %.1f ms (n=%d)\n", m, v[NR], NR }'
}
echo "dhcp_ack: ACK -> learned:   $(stats "${learned[@]}")"
echo "dhcp_ack: ACK -> in effect: $(stats "${effect[@]}")"
echo "dhcp_ack: held back by pacing (not counted): $held"
echo "# log time stamps have 1 ms resolution (+-0.5 ms here), capture stamps 1 us"
[ "${#effect[@]}" -gt 0 ]
