#!/bin/bash
# Chaos: mgmt-proxyd and HAProxy killed (-9) and stopped (SIGSTOP/SIGCONT)
# at random moments while a bounded curl loop in the mgmt namespace sends
# HTTP through the interception path (static proxy: the lab's Squid).
#
# Each round does one thing at random, then checks that forwarding is
# correct again (table, rule, listeners, HTTP through Squid, Squid's log):
#   daemon-kill    kill -9 of the daemon (HAProxy left running), restarted
#   all-kill       kill -9 of the daemon and every HAProxy process, restarted
#                  -> correct within 2 s of the daemon being back
#   haproxy-kill   kill -9 of the HAProxy master or a worker
#                  -> correct within the restart delay the daemon logged + 2 s
#   worker-stop    SIGSTOP of the worker for 0.5-4 or 8.5-11 s, then SIGCONT
#                  -> interception gone within the documented bound (7 s),
#                     correct within 4 s of SIGCONT
#   daemon-stop    SIGSTOP of the daemon for 0.5-3 s, then SIGCONT
#                  -> correct within 2 s of SIGCONT
# Afterwards, every request of the loop that failed must fall in the window
# of a disruption (a connection is never left in a dead or hung HAProxy for
# longer than its bound), and nothing of ours is left: no table, rule,
# route or process.
#
# Replay a run with CHAOS_SEED=N (printed at the start); CHAOS_ROUNDS=N.
. "$(dirname "$0")/../lib.sh"

lab_test_init mpchaos

SEED=${CHAOS_SEED:-$(( $(date +%s%N) % 32768 ))}
ROUNDS=${CHAOS_ROUNDS:-30}
RANDOM=$SEED
echo "# seed $SEED (replay: CHAOS_SEED=$SEED), $ROUNDS rounds"

MPD_PID= LOOP_PID=
SQUID=$LAB_SQUID_IP
MGMT=$LAB_MGMT_IP
BOUND=7		# s: HPW_BOUND_MS in orchestrator/haproxy_watch.h
INTERVAL=2	# s: HPW_INTERVAL_MS
T_LOG_TAIL=25

for t in haproxy squid nginx curl jq nft; do
	command -v "$t" >/dev/null || { echo "not ok - $t is not installed"; exit 1; }
done

cleanup() {
	touch "$W/loop.stop"
	[ -n "$LOOP_PID" ] && kill "$LOOP_PID" 2>/dev/null
	lab_test_cleanup
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
rnd_tenths() { echo "$(( $1 + RANDOM % ($2 - $1 + 1) ))" | awk '{ printf "%.1f", $1 / 10 }'; }

lab_write_static_cfg "$SQUID"

# via_squid TAG: one short request through the interception path that
# reached the origin through Squid, and Squid logged it.
via_squid() {
	local url="http://origin.test/chaos-$1" body
	body=$(in_m timeout 3 curl -sS --max-time 1.5 "$url" 2>&1)
	[ "$body" = "origin $url from $SQUID" ] && squid_has squid "GET $url"
}
# HAProxy runs as the current daemon's child, and no other master is left.
hp_of_daemon() {
	local m masters
	masters=$(hp_masters)
	[ -n "$masters" ] || return 1
	for m in $masters; do
		[ "$(awk '/^PPid:/ { print $2 }' "/proc/$m/status" 2>/dev/null)" = "$MPD_PID" ] || return 1
	done
}
# correct_within SECONDS TAG: forwarding is complete (HAProxy of this
# daemon, table, rule, listeners) and works, polled until SECONDS of
# wall-clock time have passed. Prints the time it took.
N_PROBE=0
correct_within() {
	local t0 limit=$1 tag=$2
	t0=$(now)
	while :; do
		N_PROBE=$((N_PROBE + 1))
		if hp_of_daemon && forwarding_up && via_squid "$tag-$N_PROBE"; then
			echo "# $tag: correct after $(since "$t0") s"
			return 0
		fi
		if awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
			echo "#   expected: HAProxy of this daemon, table, rule, listeners and HTTP through Squid within $limit s"
			echo "#   actual:   HAProxy masters $(hp_masters | tr '\n' ' ')(daemon $MPD_PID)," \
			    "table $(table_present && echo yes || echo no)," \
			    "rule $(rule_present && echo yes || echo no)," \
			    "listeners $(listening 47080 && listening 47443 && echo yes || echo no)," \
			    "request: $(in_m timeout 3 curl -sS --max-time 1.5 http://origin.test/chaos-diag 2>&1 | tail -1)"
			return 1
		fi
		sleep 0.1
	done
}

# The traffic: one request every 0.2 s, each given 3 s, at most 2000 or
# 400 s; one line each: start, end, the address the origin saw (or the
# error).
traffic_loop() {
	local i=0 t0 out end
	end=$(( $(date +%s) + 400 ))
	while [ $i -lt 2000 ] && [ ! -e "$W/loop.stop" ] && [ "$(date +%s)" -lt $end ]; do
		t0=$(now)
		out=$(in_m curl -sS --max-time 3 "http://origin.test/loop-$i" 2>&1 | tail -1)
		echo "$t0 $(now) ${out##* }" >> "$W/loop.log"
		i=$((i + 1))
		sleep 0.2
	done
}
# window FROM TO: failed requests that started in [FROM, TO] are expected
# (times as %.3f: awk prints big numbers in %.6g otherwise).
window() { echo "$1 $2" >> "$W/windows"; }

# ------------------------------------------------------------------ lab
lab_setup lab_up lab_squid_start lab_origin_start
ok "lab up ($LAB)"
check "daemon starts" lab_start_daemon
check "forwarding correct at start" correct_within 15 start
: > "$W/windows"
traffic_loop & LOOP_PID=$!

# ------------------------------------------------------------------ rounds
restart_daemon() {	# after a kill -9: start it again, check within 2 s
	local t_back
	check "round $r: daemon restarts" lab_start_daemon
	t_back=$(now)
	check "round $r ($1): forwarding correct within 2 s of the daemon being back" \
		correct_within 2 "r$r"
	window "$T_ACT" "$(awk -v b="$t_back" 'BEGIN { printf "%.3f", b + 2 }')"
}

T0=$(now)
for r in $(seq "$ROUNDS"); do
	sleep "$(rnd_tenths 0 10)"
	pick=$((RANDOM % 20))
	T_ACT=$(now)
	if [ $pick -lt 6 ]; then
		echo "# round $r: daemon-kill"
		disown "$MPD_PID" 2>/dev/null
		kill -9 "$MPD_PID"
		wait_for 3 gone "$MPD_PID"
		sleep "$(rnd_tenths 0 10)"
		restart_daemon daemon-kill
	elif [ $pick -lt 10 ]; then
		echo "# round $r: all-kill"
		disown "$MPD_PID" 2>/dev/null
		kill -9 "$MPD_PID" $(hp_pids)
		wait_for 3 gone "$MPD_PID"
		sleep "$(rnd_tenths 0 10)"
		restart_daemon all-kill
	elif [ $pick -lt 13 ]; then
		if [ $((RANDOM % 2)) = 0 ]; then victim=$(hp_masters); what=master; else victim=$(hp_workers); what=worker; fi
		nlog=$(wc -l < "$LOG")
		echo "# round $r: haproxy-kill ($what $(echo $victim))"
		kill -9 $victim
		check "round $r: the daemon logged the restart delay" wait_for 5 bash -c \
			"tail -n +$((nlog + 1)) '$LOG' | grep -q 'HAProxy exited unexpectedly.*restarting in'"
		delay=$(tail -n +$((nlog + 1)) "$LOG" | sed -n 's/.*restarting in \([0-9]*\) ms.*/\1/p' | head -1)
		limit=$(awk -v d="${delay:-0}" 'BEGIN { print d / 1000 + 2 }')
		check "round $r (haproxy-kill): forwarding correct within the restart delay + 2 s ($limit s)" \
			correct_within "$limit" "r$r"
		window "$T_ACT" "$(awk -v b="$T_ACT" -v l="$limit" 'BEGIN { printf "%.3f", b + l }')"
	elif [ $pick -lt 17 ]; then
		# Half shorter than the bound, half longer (fail-open and back).
		if [ $((RANDOM % 2)) = 0 ]; then d=$(rnd_tenths 5 40); else d=$(rnd_tenths 85 110); fi
		workers=$(hp_workers | tr '\n' ' ')
		echo "# round $r: worker-stop ($workers) for $d s"
		kill -STOP $workers
		if awk -v d="$d" -v b="$BOUND" 'BEGIN { exit !(d > b + 1) }'; then
			wait_for $((BOUND + 3)) forwarding_gone
			check_eq "round $r (worker-stop): interception gone within the bound ($BOUND s)" \
				"table no, rule no" \
				"table $(table_present && echo yes || echo no), rule $(rule_present && echo yes || echo no)"
			echo "# round $r: interception gone after $(since "$T_ACT") s"
			check_eq "round $r: forwarder-state" not-answering \
				"$(JQ='."forwarder-state"' jget show management-proxy)"
		fi
		rest=$(awk -v d="$d" -v t="$T_ACT" -v n="$(now)" 'BEGIN { r = t + d - n; printf "%.3f", (r > 0 ? r : 0) }')
		sleep "$rest"
		kill -CONT $workers
		T_CONT=$(now)
		check "round $r (worker-stop): forwarding correct within $((INTERVAL + 2)) s of SIGCONT" \
			correct_within $((INTERVAL + 2)) "r$r"
		# Requests may hang until the bound, or till SIGCONT if sooner.
		window "$T_ACT" "$(awk -v a="$T_ACT" -v b="$BOUND" -v c="$T_CONT" 'BEGIN { e = a + b + 1; printf "%.3f", (c < e ? c : e) }')"
		window "$T_CONT" "$(awk -v c="$T_CONT" -v i="$INTERVAL" 'BEGIN { printf "%.3f", c + i + 2 }')"
	else
		d=$(rnd_tenths 5 30)
		echo "# round $r: daemon-stop for $d s"
		kill -STOP "$MPD_PID"
		sleep "$d"
		kill -CONT "$MPD_PID"
		check "round $r (daemon-stop): forwarding correct within 2 s of SIGCONT" \
			correct_within 2 "r$r"
	fi
done
echo "# $ROUNDS rounds in $(since "$T0") s"

# ------------------------------------------------------------------ traffic
touch "$W/loop.stop"
wait "$LOOP_PID"; LOOP_PID=
total=$(wc -l < "$W/loop.log")
squid_n=$(awk -v s="$SQUID" '$3 == s' "$W/loop.log" | wc -l)
direct_n=$(awk -v m="$MGMT" '$3 == m' "$W/loop.log" | wc -l)
echo "# traffic: $total requests, $squid_n through Squid, $direct_n direct, $((total - squid_n - direct_n)) failed"
# How many went direct depends on the draw (fail-open, restarts): only
# that the loop ran through the interception path is required here.
check "the loop ran ($total requests), partly through Squid ($squid_n)" \
	test "$total" -ge 50 -a "$squid_n" -gt 0
# A failed request outside every disruption window (its start, 3.5 s of
# curl time before it, the bound after it) was left in a dead or hung
# HAProxy for longer than the bound.
# (n starts at 0: an unset n would file the first window under "", and the
# loop below, counting from 0, would never see it.)
stray=$(awk -v s="$SQUID" -v m="$MGMT" '
	BEGIN { n = 0 }
	FILENAME == ARGV[1] { from[n] = $1 - 3.5; to[n] = $2; n++; next }
	$3 != s && $3 != m {
		ok = 0
		for (i = 0; i < n; i++) if ($1 >= from[i] && $1 <= to[i]) ok = 1
		if (!ok) print $0
	}' "$W/windows" "$W/loop.log")
check_eq "no failed request outside the disruption windows" "" "$stray"

# ------------------------------------------------------------------ end
lab_stop_checks
check "no process left in the router namespace" wait_for 3 bash -c "[ -z \"\$(ip netns pids '$LAB-router')\" ]"
check "no failed curl left running" bash -c "[ -z \"\$(ip netns pids '$LAB-mgmt')\" ]"
t_finish
