#!/bin/bash
# Alarm hook and health checking beyond the defaults, with the real daemon,
# HAProxy and Squid in the namespace lab (tests/lab/lab.sh):
#
#   1 --check-config refuses a notify script others may change, and a fall
#     out of range, as FILE:LINE:COL: reason
#   2 the notify script writes one line per event: Squid stopped and started
#     gives exactly one alarm-raise and one alarm-clear line, with the id
#     `show alarms` showed, and a proxy-change line each way
#   3 alarm ids go on after a restart (raise, restart, raise: greater id);
#     a script made writable by others after start-up is not run
#   4 fall: 3: one failed probe (the proxy port refused in the router for
#     one probe) raises nothing; three in a row raise the alarm
#   5 interval 60 and traffic flowing: stopping Squid raises the alarm long
#     before the next timed probe (the measured figure is printed)
. "$(dirname "$0")/../lib.sh"

lab_test_init mpa haproxy squid nginx curl jq nft python3

SQUID=$LAB_SQUID_IP
NOTIFY_OUT=$W/notify.out

alarm_id() { JQ='.[0].id // ""' jget show alarms; }
# lines EVENT: how many lines of that event the script wrote.
lines() { grep -c "^$1 " "$NOTIFY_OUT" 2>/dev/null; }
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }
elapsed() { awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $1 }"; }

write_cfg() {	# static proxy $SQUID, notify script, LAB_HC as given
	LAB_MP_EXTRA="  notify: $W/notify.sh" lab_write_static_cfg "$SQUID"
}

# The script runs with PATH only: where it writes is written into it.
cat > "$W/notify.sh" <<EOF
#!/bin/sh
echo "\$1 \$2 \$3 \$4" >> '$NOTIFY_OUT'
EOF

# ------------------------------------------------------------------ lab
lab_setup lab_up lab_squid_start lab_origin_start
ok "lab up ($LAB: Squid $SQUID, origins)"

# ------------------------------------------------------------------ 1 check-config
write_cfg
chmod 0775 "$W/notify.sh"
out=$("$MPD" --check-config "$CFG" 2>&1)
rc=$?
echo "# $out"
check "a group-writable notify script is refused (exit $rc) as FILE:LINE:COL: reason" \
	bash -c "[ $rc -ne 0 ] && echo \"\$1\" | grep -qE \"^$CFG:[0-9]+:[0-9]+: notify $W/notify.sh: must be owned by root and not writable\"" _ "$out"
chmod 0755 "$W/notify.sh"
LAB_HC="interval: 1, timeout: 1, fall: 11" write_cfg
out=$("$MPD" --check-config "$CFG" 2>&1)
echo "# $out"
check "fall: 11 is refused with its place" bash -c \
	"echo \"\$1\" | grep -qE \"^$CFG:[0-9]+:[0-9]+: fall 11 out of range 1-10\"" _ "$out"
LAB_HC="interval: 1, timeout: 1, fall: 3, rise: 2" write_cfg
check "fall: 3, rise: 2 and a root-owned 0755 script are accepted" \
	"$MPD" --check-config "$CFG"

# ------------------------------------------------------------------ 2 notify lines
write_cfg
check "daemon starts with a notify script" lab_start_daemon
check "static proxy $SQUID:3128 active" wait_for 10 is_active "$SQUID:3128"
check "proxy-change line for $SQUID:3128" wait_for 5 has_lines proxy-change 1
lab_squid_stop
check "Squid stopped: alarm raised" wait_for 10 has_alarm
ID1=$(alarm_id)
echo "# show alarms: $ID1"
check "Squid stopped: alarm-raise line" wait_for 5 has_lines alarm-raise 1
lab_squid_start >>"$W/lab.out" 2>&1
check "Squid back: alarm cleared" wait_for 10 no_alarm
check "Squid back: alarm-clear line" wait_for 5 has_lines alarm-clear 1
check "Squid back: proxy in effect again" wait_for 5 is_active "$SQUID:3128"
check "Squid back: a proxy-change line each way" wait_for 5 has_lines proxy-change 3
sleep 2		# any stray line would come now
sed 's/^/#   notify: /' "$NOTIFY_OUT"
check_eq "exactly one alarm-raise line" 1 "$(lines alarm-raise)"
check_eq "exactly one alarm-clear line" 1 "$(lines alarm-clear)"
check_eq "alarm-raise line: id of show alarms, proxy, reason" \
	"alarm-raise $ID1 $SQUID:3128 Connection refused" "$(grep '^alarm-raise ' "$NOTIFY_OUT")"
check_eq "alarm-clear line: the same id" \
	"alarm-clear $ID1 $SQUID:3128 reachable" "$(grep '^alarm-clear ' "$NOTIFY_OUT")"
check_eq "proxy-change lines: in effect, none, in effect again" \
	"proxy-change - $SQUID:3128 reachable
proxy-change - none unreachable: Connection refused
proxy-change - $SQUID:3128 reachable" "$(grep '^proxy-change ' "$NOTIFY_OUT")"

# ------------------------------------------------------------------ 3 ids after a restart
lab_stop_daemon
check "daemon restarted" lab_start_daemon
check "proxy active after the restart" wait_for 10 is_active "$SQUID:3128"
# The script is checked again when it is about to run: made writable by
# others after the configuration was read, it is not run.
sleep 1		# a proxy-change of the start-up would come now
raises=$(lines alarm-raise)
chmod 0757 "$W/notify.sh"
lab_squid_stop
check "after the restart: alarm raised" wait_for 10 has_alarm
check "a script writable by others is refused when it would run" \
	wait_for 10 grep -q "notify: not running $W/notify.sh for alarm-raise: must be owned by root" "$LOG"
check_eq "no alarm-raise line from a script writable by others" "$raises" "$(lines alarm-raise)"
chmod 0755 "$W/notify.sh"
ID2=$(alarm_id)
echo "# before the restart: $ID1, after: $ID2"
check "the new alarm id is greater than the one before the restart" \
	[ "${ID2##*:}" -gt "${ID1##*:}" ]
lab_squid_start >>"$W/lab.out" 2>&1
check "alarm cleared again" wait_for 10 no_alarm

# ------------------------------------------------------------------ 4 fall 3
# The proxy port refused (TCP reset) in the router namespace, where the
# probes start, until one probe has failed.
block() {
	in_r nft -f - <<EOF
table inet mpt_alarm {
	chain out {
		type filter hook output priority 0;
		ip daddr $SQUID tcp dport $LAB_SQUID_PORT reject with tcp reset
	}
}
EOF
}
unblock() { in_r nft delete table inet mpt_alarm 2>/dev/null; }
failed_probes() { grep -c "probe failed ([0-9]* of 3 in a row" "$LOG"; }

lab_stop_daemon
LAB_HC="interval: 1, timeout: 1, fall: 3" write_cfg
check "daemon starts with fall: 3" lab_start_daemon
check "proxy active (fall: 3)" wait_for 10 is_active "$SQUID:3128"
check_eq "show management-proxy --json: health-check-fall 3" 3 \
	"$(JQ='."health-check-fall"' jget show management-proxy)"
check "show management-proxy detail: fall 3, rise 1" bash -c \
	"ip netns exec '$LAB-router' '$MPC' --run-dir '$RUN' show management-proxy detail | grep -q 'timeout 1 s, fall 3, rise 1'"
RAISED=$(lines alarm-raise)
before=$(failed_probes)
check "port blocked" block
check "one probe failed" wait_for 5 bash -c "[ \$(grep -c 'probe failed ([0-9]* of 3 in a row' '$LOG') -gt $before ]"
unblock
echo "# failed probes while blocked: $(( $(failed_probes) - before ))"
sleep 3
check_eq "one failed probe: no alarm" 0 "$(nalarms)"
check_eq "one failed probe: still reachable" reachable "$(state)"
check_eq "one failed probe: no alarm-raise line" "$RAISED" "$(lines alarm-raise)"
block
check "blocked for good: alarm after three failed probes" wait_for 10 has_alarm
check "log counted 1, 2 of 3 first" grep -q "probe failed (2 of 3 in a row" "$LOG"
unblock
check "unblocked: alarm cleared" wait_for 10 no_alarm

# ------------------------------------------------------------------ 5 passive
# early_alarm KIND URL-PREFIX [CURL-ARGS...]: with traffic of that kind
# flowing (at most 150 requests, each bounded, about 30 s in all), Squid
# stopped: the alarm comes long before the next timed probe (60 s after
# the last one, at least 40 s away), because the traffic failed.
early_alarm() {
	local kind=$1 url=$2 loop t0 t1 asked stop=$W/stop-$1
	shift 2
	asked=$(grep -c "traffic could not connect to $SQUID:3128: probing it now" "$LOG")
	# Stopped through a file: a signal to the background job would reach
	# the subshell around ip netns exec, not the loop.
	in_m timeout 60 bash -c 's=$1 u=$2; shift 2; for i in $(seq 150); do
		[ -e "$s" ] && exit 0
		curl -s -o /dev/null --max-time 5 "$@" "$u$i"; sleep 0.2; done' _ "$stop" "$url" "$@" &
	loop=$!
	sleep 1
	t0=$(date +%s.%N)
	lab_squid_stop
	t1=$(date +%s.%N)
	if wait_for 20 has_alarm; then
		ok "interval 60, $kind traffic flowing: alarm raised long before the next timed probe"
		# Squid closes its port as soon as it is told to stop, then takes
		# a while to exit: the figure that counts is from the start.
		echo "# $kind: alarm raised $(elapsed "$t0") s after Squid was told to stop (its exit took $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s; interval 60 s)"
	else
		fail "interval 60, $kind traffic flowing: no alarm within 20 s of stopping Squid"
	fi
	check "$kind: the daemon probed because traffic failed" [ \
		"$(grep -c "traffic could not connect to $SQUID:3128: probing it now" "$LOG")" -gt "$asked" ]
	touch "$stop"
	wait "$loop" 2>/dev/null
	lab_squid_start >>"$W/lab.out" 2>&1
}

lab_stop_daemon
LAB_HC="interval: 60, timeout: 3" write_cfg
check "daemon starts with interval 60" lab_start_daemon
check "proxy active (interval 60)" wait_for 10 is_active "$SQUID:3128"
check "HTTP through Squid" wait_for 5 body_from http://origin.test/alarm-1 "$SQUID"
early_alarm HTTP http://origin.test/loop-
check "HTTP: HAProxy logged requests that could not connect to the proxy" \
	grep -qE "be=be_proxy/proxy status=503 .* term=[sS]C--$" "$LOG"
# Back at once: a reload that changes the health check probes now.
LAB_HC="interval: 59, timeout: 3" write_cfg
ctl reload >/dev/null
check "proxy back after a reload" wait_for 10 is_active "$SQUID:3128"
check "alarm cleared" wait_for 5 no_alarm
early_alarm HTTPS https://secure.test/loop- -k
check "HTTPS: HAProxy logged CONNECT tunnels that could not connect to the proxy" \
	grep -qE "be=ls_connect/proxy .* term=[sS]C$" "$LOG"

lab_stop_checks
t_finish
