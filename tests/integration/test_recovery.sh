#!/bin/bash
# Crash recovery and HAProxy supervision, with the real daemon (learned mode,
# forwarder haproxy) in the namespace lab: ISC dhcpd in the wan namespace
# hands out the proxy (Option 43 sub-option 128), dhclient runs on wan1,
# Squid A and B upstream, nginx origins.
#
#   1 no descriptor of the daemon's reaches HAProxy: no netlink socket of
#     the router namespace in any HAProxy process
#   2 kill -9 of the daemon, HAProxy left running: the restarted daemon
#     replaces that HAProxy, binds the DHCP queue and learns a renewal
#     that carries a new proxy
#   3 a stale pid file naming another configuration's HAProxy: that one
#     survives the restart, ours does not
#   4 HAProxy's worker stopped (SIGSTOP) under a traffic loop: within the
#     documented bound (3 missed checks 2 s apart, 1 s each: 7 s)
#     interception is removed, status says not-answering, traffic goes
#     direct; SIGCONT: interception back, through Squid again
#   5 a worker that stays stopped is replaced after 30 s without answers
. "$(dirname "$0")/../lib.sh"

export LAB_DHCP_LEASE=8		# dhclient renews every 4 s
lab_test_init mprec

MPD_PID= LOOP_PID= OTHER_PID=
SQUID_A=$LAB_SQUID_IP
SQUID_B=$LAB_SQUID2_IP
MGMT=$LAB_MGMT_IP
BOUND=7		# s: HPW_BOUND_MS in orchestrator/haproxy_watch.h

for t in haproxy squid nginx curl dhcpd dhclient jq nft; do
	command -v "$t" >/dev/null || { echo "not ok - $t is not installed"; exit 1; }
done

cleanup() {
	[ -n "$LOOP_PID" ] && kill "$LOOP_PID" 2>/dev/null
	[ -n "$OTHER_PID" ] && kill "$OTHER_PID" 2>/dev/null
	lab_test_cleanup
}
trap cleanup EXIT

fstate() { JQ='."forwarder-state" // "none"' jget show management-proxy; }
is_fstate() { [ "$(fstate)" = "$1" ]; }
ifproxies() { jq -r '."dhcp-client-info"."management-proxies" | join(",")' "$STATE/dhcp/wan1" 2>/dev/null; }
learned() { [ "$(ifproxies)" = "$1" ]; }

# netlink_fds PID: descriptors of PID that are netlink sockets of the router
# namespace (inodes listed in its /proc/net/netlink).
netlink_fds() {
	local ino fd
	for ino in $(awk 'NR > 1 { print $NF }' "/proc/$1/net/netlink" 2>/dev/null); do
		for fd in /proc/"$1"/fd/*; do
			[ "$(readlink "$fd" 2>/dev/null)" = "socket:[$ino]" ] && echo "$fd"
		done
	done
}

cfg_learned n1 wan1 | lab_write_cfg

# ------------------------------------------------------------------ lab
if ! lab_up_dhcp >"$W/lab.out" 2>&1 || ! lab_squid_start >>"$W/lab.out" 2>&1 ||
    ! lab_squid2_start >>"$W/lab.out" 2>&1 || ! lab_origin_start >>"$W/lab.out" 2>&1 ||
    ! lab_dhcpd_start "$SQUID_A:$LAB_SQUID_PORT" >>"$W/lab.out" 2>&1; then
	cat "$W/lab.out"
	fail "lab set-up"
	t_finish
fi
ok "lab up ($LAB: dhcpd offering $SQUID_A:3128, Squids $SQUID_A and $SQUID_B)"

check "daemon starts (learned mode, forwarder haproxy)" lab_start_daemon
lab_dhclient_start
check "dhclient binds on wan1" wait_for 20 lab_dhclient_bound
check "learned $SQUID_A:3128 from the ACK" wait_for 10 learned "$SQUID_A:3128"
check "and it is in effect" wait_for 10 is_active "$SQUID_A:3128"
check "forwarding up" wait_for 10 forwarding_up
check "HTTP from mgmt through Squid A" wait_for 5 body_from http://origin.test/rec-1 "$SQUID_A"

# ------------------------------------------------------------------ 1 descriptors
leaks=
for p in $(hp_pids); do leaks="$leaks$(netlink_fds "$p")"; done
check_eq "no netlink socket in any HAProxy process ($(hp_pids | tr '\n' ' '))" "" "$leaks"

# ------------------------------------------------------------------ 2 kill -9
old_master=$(hp_masters)
disown "$MPD_PID" 2>/dev/null
kill -9 "$MPD_PID"
wait_for 3 bash -c "! kill -0 $MPD_PID 2>/dev/null"
check "daemon killed -9, its HAProxy master $old_master left running" kill -0 "$old_master"
check "daemon restarts" lab_start_daemon
check "the HAProxy left behind is gone" wait_for 5 bash -c "! kill -0 $old_master 2>/dev/null"
check "forwarding up again" wait_for 10 forwarding_up
lab_dhcpd_stop
lab_dhcpd_start "$SQUID_B:$LAB_SQUID_PORT" >>"$W/lab.out" 2>&1
check "the next renewal's new value $SQUID_B:3128 is learned" wait_for 20 learned "$SQUID_B:3128"
check "and it is in effect" wait_for 10 is_active "$SQUID_B:3128"
check "HTTP from mgmt through Squid B" wait_for 10 body_from http://origin.test/rec-2 "$SQUID_B"
check "Squid B logged it" squid_has squid2 "GET http://origin.test/rec-2"
check "the DHCP queue was never refused" bash -c "! grep -qE 'netfilter queue.*refused|cannot open netfilter queue' '$LOG'"
masters=$(hp_masters)
check_eq "exactly one HAProxy master, child of the new daemon" "$MPD_PID" \
	"$(for m in $masters; do awk '/^PPid:/ { print $2 }' "/proc/$m/status"; done | tr '\n' ' ' | sed 's/ $//')"

# ------------------------------------------------------------------ 3 stale pid file
mkdir -p "$W/other"
cat > "$W/other/haproxy.cfg" <<EOF
global
	master-worker
defaults
	mode http
	timeout connect 1s
	timeout client 1s
	timeout server 1s
frontend other
	bind unix@$W/other/other.sock
	http-request return status 200
EOF
ip netns exec "$LAB-router" "$HP_BIN" -W -db -f "$W/other/haproxy.cfg" >"$W/other/out" 2>&1 &
OTHER_PID=$!	# the other master itself (ip netns exec execs it)
wait_for 5 test -S "$W/other/other.sock"
old_master=$(for m in $(hp_masters); do [ "$m" != "$OTHER_PID" ] && echo "$m"; done)
disown "$MPD_PID" 2>/dev/null
kill -9 "$MPD_PID"
wait_for 3 bash -c "! kill -0 $MPD_PID 2>/dev/null"
# As if the pid had been reused by another HAProxy since our last run.
echo "$OTHER_PID" > "$RUN/haproxy.pid"
check "daemon restarts over a pid file naming another HAProxy" lab_start_daemon
check "forwarding up again" wait_for 10 forwarding_up
check "our stale master $old_master was killed" wait_for 5 bash -c "! kill -0 $old_master 2>/dev/null"
check "the other configuration's HAProxy $OTHER_PID is alive" kill -0 "$OTHER_PID"
kill "$OTHER_PID" 2>/dev/null; wait "$OTHER_PID" 2>/dev/null; OTHER_PID=

# ------------------------------------------------------------------ 4 hung worker
# A bounded loop: one request every 0.2 s for at most 60 s, each given 3 s;
# one line per request: start time, end time, who the origin saw.
traffic_loop() {
	local i=0 t0 out
	while [ $i -lt 300 ] && [ ! -e "$W/loop.stop" ]; do
		t0=$(date +%s.%N)
		out=$(in_m curl -sS --max-time 3 "http://origin.test/loop-$i" 2>&1 | tail -1)
		echo "$t0 $(date +%s.%N) ${out##* }" >> "$W/loop.log"
		i=$((i + 1))
		sleep 0.2
	done
}
check "forwarding up before the stop" wait_for 10 forwarding_up
check_eq "forwarder-state forwarding" forwarding "$(fstate)"
traffic_loop & LOOP_PID=$!
sleep 1
workers=$(hp_workers | tr '\n' ' ')
T_STOP=$(date +%s.%N)
kill -STOP $workers
echo "# worker(s) $workers stopped"
check "interception removed within the bound ($BOUND s, waited up to $((BOUND + 5)) s)" \
	wait_for $((BOUND + 5)) forwarding_gone
T_GONE=$(date +%s.%N)
echo "# interception removed $(awk "BEGIN { printf \"%.1f\", $T_GONE - $T_STOP }") s after SIGSTOP"
check_eq "forwarder-state not-answering" not-answering "$(fstate)"
check_eq "forwarding false" false "$(JQ=.forwarding jget show management-proxy)"
check "show management-proxy detail says so" bash -c \
	"ip netns exec '$LAB-router' '$MPC' --run-dir '$RUN' show management-proxy detail | grep -q 'Forwarder: *haproxy (not-answering)'"
check "the log says why" grep -q "HAProxy did not answer 3 health checks" "$LOG"
check "HTTP from mgmt goes direct while it hangs" body_from http://origin.test/hung-1 "$MGMT"
sleep 5		# the loop goes on, direct
kill -CONT $workers
T_CONT=$(date +%s.%N)
check "SIGCONT: interception back" wait_for 8 forwarding_up
echo "# interception back $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $T_CONT }") s after SIGCONT"
check_eq "forwarder-state forwarding again" forwarding "$(fstate)"
check "HTTP through Squid B again" wait_for 5 body_from http://origin.test/cont-1 "$SQUID_B"
sleep 1
touch "$W/loop.stop"
wait "$LOOP_PID"; LOOP_PID=
# Requests started after the bound (plus a second for scheduling) and
# before SIGCONT must not have hung: they went direct or through Squid.
late_fail=$(awk -v s="$T_STOP" -v c="$T_CONT" -v b="$BOUND" \
	'$1 > s + b + 1 && $1 < c && $3 != "'"$MGMT"'" && $3 != "'"$SQUID_B"'" { n++ } END { print n + 0 }' "$W/loop.log")
late_all=$(awk -v s="$T_STOP" -v c="$T_CONT" -v b="$BOUND" '$1 > s + b + 1 && $1 < c { n++ } END { print n + 0 }' "$W/loop.log")
echo "# traffic loop: $(wc -l < "$W/loop.log") requests, $late_all started between the bound and SIGCONT"
check_eq "none of those failed" 0 "$late_fail"

# ------------------------------------------------------------------ 5 hung for good
old_master=$(hp_masters)
workers=$(hp_workers | tr '\n' ' ')
kill -STOP $workers
check "stopped again: interception removed" wait_for $((BOUND + 5)) forwarding_gone
check "after 30 s without an answer HAProxy is replaced" wait_for 45 bash -c \
	"m=\$(pgrep -P $MPD_PID -x haproxy); [ -n \"\$m\" ] && [ \"\$m\" != '$old_master' ]"
check "and forwarding comes back" wait_for 10 forwarding_up
check "the stopped worker(s) $workers are gone" wait_for 3 gone $workers
check "the log says it restarted HAProxy" grep -q "HAProxy has not answered for 30 s: restarting it" "$LOG"
check "HTTP through Squid B after the restart" wait_for 5 body_from http://origin.test/restarted "$SQUID_B"

# ------------------------------------------------------------------ end
lab_stop_checks
t_finish
