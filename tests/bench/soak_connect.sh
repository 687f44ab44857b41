#!/bin/bash
# Soak of HTTPS through CONNECT (not part of `make check`: minutes long).
# Real daemon, HAProxy, two Squids and nginx in the namespace lab.
#
#   1 at least SOAK_N (20,000) inspected HTTPS requests, each on a new
#     client TLS connection (wrk -c16, Connection: close), while the static
#     proxy is switched between two Squids SOAK_SWITCHES (5) times: no failed
#     request, every switch made at run time (the same worker throughout:
#     no reload), fds and memory of HAProxy's worker and of mgmt-proxyd
#     stay within a bound after the run
#   2 at least SOAK_N tunnels (a no-inspect name: one CONNECT per client
#     connection) as fast as wrk -c16 goes: no failed request, no crash
#
# No HAProxy process may die: the master's "exited with code" lines are
# counted, and gdb (SOAK_GDB=1, the default when it is installed) sits on
# each worker in batch mode and prints a backtrace if one dies of a signal
# (HAProxy drops its dumpable flag: no core file).
#
# Usage (root): BUILD=build bash tests/bench/soak_connect.sh
. "$(dirname "$0")/../lib.sh"

# gdb shows where a worker that died was: on by default where gdb is
# installed, SOAK_GDB=0 turns it off.
SOAK_GDB=${SOAK_GDB:-$(command -v gdb >/dev/null && echo 1 || echo 0)}
lab_test_init mps haproxy squid nginx wrk curl jq $([ "$SOAK_GDB" = 1 ] && echo gdb)

SOAK_N=${SOAK_N:-20000}
SOAK_SECS=${SOAK_SECS:-90}		# wrk run limit, each soak
[ "$SOAK_SECS" -le 300 ] || SOAK_SECS=300
FD_BOUND=${FD_BOUND:-64}		# extra fds allowed after a soak
RSS_BOUND_KB=${RSS_BOUND_KB:-32768}	# extra resident memory allowed
SOAK_SWITCHES=${SOAK_SWITCHES:-5}	# proxy changes during soak 1
[ "$SOAK_SWITCHES" -le 60 ] || SOAK_SWITCHES=60

write_cfg() {	# write_cfg PROXY-IP
	LAB_HC="interval: 2, timeout: 1" LAB_TLS_EXTRA="    no-inspect: [pinned.test]" \
	    lab_write_static_cfg "$1"
}

if ! lab_up >"$W/lab.out" 2>&1 || ! lab_squid_start >>"$W/lab.out" 2>&1 ||
    ! lab_squid2_start >>"$W/lab.out" 2>&1 || ! lab_origin_start >>"$W/lab.out" 2>&1; then
	cat "$W/lab.out"
	echo "not ok - lab set-up"
	exit 1
fi
# Soak 2 opens up to ~1,200 connections a second through Squid to the
# origin; each leaves a TIME_WAIT for 60 s. Once source ports come round
# again (the default 28,000 in under a minute), a SYN meets a TIME_WAIT
# of the same addresses and is retransmitted a second or more later: the
# CONNECT then gets no reply within 5 s, in bursts. That measures the
# lab's kernel, not HAProxy: the lab namespaces get the whole port range
# and keep few TIME_WAITs (counted at the end: TcpExtTCPSynRetrans).
for ns in router wan; do
	ip netns exec "$LAB-$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65000" \
	    net.ipv4.tcp_tw_reuse=1 net.ipv4.tcp_max_tw_buckets=2048 ||
	    echo "# $ns: TIME_WAIT settings not applied"
done
write_cfg "$LAB_SQUID_IP"
lab_start_daemon
check "daemon started" kill -0 "$MPD_PID"
forwarding_up() {
	in_r nft list table inet mgmt_proxy >/dev/null 2>&1 &&
	    in_r ss -Hltn "src 127.0.0.1 and sport = :47443" | grep -q LISTEN
}
check "forwarding up" wait_for 15 forwarding_up

# HAProxy's master (child of the daemon) and its current worker.
hp_master() { pgrep -P "$MPD_PID" -x haproxy | head -1; }
hp_worker() { pgrep -n -P "$(hp_master)" -x haproxy; }
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
usage() {	# "worker-fds worker-rss daemon-fds daemon-rss"
	local w
	w=$(hp_worker)
	echo "$(fds "$w") $(rss "$w") $(fds "$MPD_PID") $(rss "$MPD_PID")"
}
# gdb_watch: with SOAK_GDB=1, in the background until the soaks end, gdb
# in batch mode on every HAProxy worker as it appears; a backtrace in
# $W/gdb.PID.txt if one dies of SIGSEGV, SIGABRT or SIGBUS (other signals
# pass through). Bounded: 0.2 s a look, the soaks' length at most.
gdb_watch() {
	[ "$SOAK_GDB" = 1 ] || return 0
	local master=$1 seen=" " p n=0
	while [ $n -lt $(((SOAK_SECS * 2 + 120) * 5)) ] && kill -0 "$master" 2>/dev/null; do
		for p in $(pgrep -P "$master" -x haproxy); do
			case $seen in *" $p "*) continue ;; esac
			seen="$seen$p "
			timeout $((SOAK_SECS * 2 + 150)) gdb -p "$p" -batch -nx \
			    -ex 'handle all nostop noprint pass' \
			    -ex 'handle SIGSEGV stop print nopass' -ex 'handle SIGABRT stop print nopass' \
			    -ex 'handle SIGBUS stop print nopass' -ex continue -ex 'bt 40' \
			    -ex 'info registers rip' >"$W/gdb.$p.txt" 2>&1 &
		done
		sleep 0.2
		n=$((n + 1))
	done
}
# Lines of the HAProxy master saying a worker ended other than by exit 0.
worker_deaths() { grep -E '(Current|Former) worker .*exited with code [1-9]' "$LOG"; }
wrk_num() {	# wrk_num FILE requests|errors
	case $2 in
	requests) awk '/requests in/ { print $1 }' "$1" ;;
	errors) awk '/Socket errors/ { gsub(",", ""); print $4 + $6 + $8 + $10 }
		/Non-2xx/ { print $NF }' "$1" | awk '{ s += $1 } END { print s + 0 }' ;;
	esac
}
opened() { ctl show management-proxy --json 2>/dev/null | jq -r '.tunnels.opened'; }
within() {	# within BEFORE AFTER BOUND
	[ "$2" -le $(($1 + $3)) ]
}

# Warm-up: certificate minted, tunnels pooled, HAProxy settled.
for i in $(seq 50); do
	in_m curl -sS --max-time 5 -o /dev/null -k https://secure.test/warm 2>/dev/null
done
in_m timeout 30 wrk -t2 -c16 -d5s -H 'Connection: close' https://secure.test/warm >/dev/null 2>&1
sleep 2
MASTER=$(hp_master)
switched() { grep -c 'changed at run time, no reload' "$LOG"; }
S0=$(switched)
gdb_watch "$MASTER" &
GDB_WATCH=$!
read -r wf0 wr0 df0 dr0 <<< "$(usage)"
echo "# before soak 1: HAProxy worker fds $wf0 rss ${wr0} kB; mgmt-proxyd fds $df0 rss ${dr0} kB"

# ------------------------------------------------------------------ soak 1
in_m timeout $((SOAK_SECS + 30)) wrk -t2 -c16 -d"${SOAK_SECS}s" -H 'Connection: close' \
    https://secure.test/soak > "$W/soak1.txt" 2>&1 &
WRK=$!
WORKER=$(pgrep -n -P "$MASTER" -x haproxy)
proxy=$LAB_SQUID_IP
gap=$(awk -v s="$SOAK_SECS" -v n="$SOAK_SWITCHES" 'BEGIN { printf "%.1f", s / (n + 1) }')
for i in $(seq "$SOAK_SWITCHES"); do
	sleep "$gap"
	[ "$proxy" = "$LAB_SQUID_IP" ] && proxy=$LAB_SQUID2_IP || proxy=$LAB_SQUID_IP
	write_cfg "$proxy"
	ctl reload >/dev/null 2>&1 || echo "# reload $i refused"
	echo "# switch $i to $proxy at $(date +%T)"
done
wait "$WRK"
sed 's/^/# wrk: /' "$W/soak1.txt"
n1=$(wrk_num "$W/soak1.txt" requests) e1=$(wrk_num "$W/soak1.txt" errors)
check "soak 1: at least $SOAK_N inspected requests ($n1)" [ "${n1:-0}" -ge "$SOAK_N" ]
check "soak 1: no failed request (socket errors + non-2xx: $e1)" [ "$e1" = 0 ]
check "soak 1: HAProxy master never restarted" [ "$(hp_master)" = "$MASTER" ]
check_eq "soak 1: every switch made at run time, the same worker throughout" \
	"$((S0 + SOAK_SWITCHES)) $WORKER" "$(switched) $(pgrep -n -P "$MASTER" -x haproxy)"
check "soak 1: both Squids served (access lines A $(wc -l < "$LAB_DIR/squid/access.log"), B $(wc -l < "$LAB_DIR/squid2/access.log"))" \
	[ -s "$LAB_DIR/squid2/access.log" ]
sleep 35	# idle tunnels end (timeout tunnel 30 s), old workers exit
read -r wf1 wr1 df1 dr1 <<< "$(usage)"
echo "# after soak 1:  HAProxy worker fds $wf1 rss ${wr1} kB; mgmt-proxyd fds $df1 rss ${dr1} kB"
check "soak 1: HAProxy worker fds within +$FD_BOUND ($wf0 -> $wf1)" within "$wf0" "$wf1" "$FD_BOUND"
check "soak 1: HAProxy worker rss within +$RSS_BOUND_KB kB ($wr0 -> $wr1)" within "$wr0" "$wr1" "$RSS_BOUND_KB"
check "soak 1: mgmt-proxyd fds within +$FD_BOUND ($df0 -> $df1)" within "$df0" "$df1" "$FD_BOUND"
check "soak 1: mgmt-proxyd rss within +$RSS_BOUND_KB kB ($dr0 -> $dr1)" within "$dr0" "$dr1" "$RSS_BOUND_KB"

# ------------------------------------------------------------------ soak 2
# SOAK2=0 skips it (hunting a reload crash with many switches).
if [ "${SOAK2:-1}" != 0 ]; then
o0=$(opened)
MASTER=$(hp_master)
in_m timeout $((SOAK_SECS + 30)) wrk -t2 -c16 -d"${SOAK_SECS}s" -H 'Connection: close' \
    https://pinned.test/soak > "$W/soak2.txt" 2>&1
sed 's/^/# wrk: /' "$W/soak2.txt"
n2=$(wrk_num "$W/soak2.txt" requests) e2=$(wrk_num "$W/soak2.txt" errors)
t2=$(( $(opened) - o0 ))
echo "# soak 2: $n2 requests, $t2 tunnels opened, $(awk -v t="$t2" -v s="$SOAK_SECS" 'BEGIN { printf "%.0f", t / s }') tunnels/s"
check "soak 2: at least $SOAK_N tunnels ($t2)" [ "$t2" -ge "$SOAK_N" ]
check "soak 2: no failed request ($e2)" [ "$e2" = 0 ]
check "soak 2: HAProxy master never restarted" [ "$(hp_master)" = "$MASTER" ]
fi
kill "$GDB_WATCH" 2>/dev/null
deaths=$(worker_deaths)
echo "${deaths:-# no HAProxy worker died}" | sed 's/^\([^#]\)/# \1/'
for f in "$W"/gdb.*.txt; do
	[ -f "$f" ] && grep -q 'received signal' "$f" && sed 's/^/# gdb: /' "$f"
done
check "no HAProxy process died (master, worker), no Lua error in the log" bash -c \
	"! grep -qE 'exited unexpectedly|worker .*exited with code [1-9]|Lua filter|core dumped' '$LOG'"
# Connections the kernel dropped at a full accept queue (SYNs resent after
# 1 s, 3 s): where a slow request came from.
for ns in router wan; do
	echo "# $ns: $(ip netns exec "$LAB-$ns" nstat -az TcpExtListenOverflows TcpExtListenDrops \
	    TcpExtTCPSynRetrans TcpExtTCPTimeWaitOverflow 2>/dev/null |
	    awk 'NR > 1 { printf "%s %s ", $1, $2 }')"
done
read -r wf2 wr2 df2 dr2 <<< "$(usage)"
echo "# after soak 2:  HAProxy worker fds $wf2 rss ${wr2} kB; mgmt-proxyd fds $df2 rss ${dr2} kB"
t_finish
