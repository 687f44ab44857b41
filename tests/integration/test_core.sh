#!/bin/bash
# Core orchestrator, forwarder none: selection, probing, alarm and recovery,
# state files, reload (good, bad, SIGHUP), onboarding precedence, restart
# restoring learned state, and an idle daemon that does not poll.
# Everything runs in a private namespace on 127.0.0.0/8.
. "$(dirname "$0")/../lib.sh"

NS=mpt-core-$$
MP_NS=$NS
t_workdir core

cleanup() {
	ns_delete "$NS"
	t_workdir_done
}
trap cleanup EXIT
ns_create "$NS"

in_ns() { ip netns exec "$NS" "$@"; }

# listen IP PORT: a TCP listener that accepts and closes; pid in L_<ip>.
listen() {
	# ip netns exec execs the command: $! is the listener itself.
	ip netns exec "$NS" socat TCP-LISTEN:"$2",bind="$1",reuseaddr,fork EXEC:/bin/true &
	eval "L_${1//./_}_$2=$!"
	wait_for 5 in_ns bash -c "exec 3<>/dev/tcp/$1/$2"
}
unlisten() {
	local v="L_${1//./_}_$2"
	kill "${!v}" 2>/dev/null
	wait "${!v}" 2>/dev/null
}

write_cfg() {	# write_cfg MODE [extra management-proxy lines] (interval 1 s)
	cat > "$CFG" <<YAML
authority:
  router:
    - name: r1
      management-proxy:
        mode: $1
${2:-}
      node:
        - name: n1
          device-interface:
            - name: wan1
              network-interface:
                - {name: wan1, dhcp: v4}
                - {name: wan9, dhcp: v4, enable-proxy-discovery: false}
mgmt-proxy:
  forwarder: none
  health-check: {interval: 1, timeout: 1}
YAML
}

static_cfg() {	# static_cfg ADDRESS INTERVAL TIMEOUT: one static proxy on port 3128
	{
		printf 'authority:\n  router:\n    - name: r1\n'
		cfg_static p1 "$1" 3128
		printf 'mgmt-proxy:\n  forwarder: none\n  health-check: {interval: %s, timeout: %s}\n' "$2" "$3"
	} > "$CFG"
}

write_dhcp() {	# write_dhcp IFACE JSON-ARRAY
	cat > "$STATE/dhcp/$1" <<JSON
{"dhcp-client-info": {"interface-name": "$1", "resolution-state": "resolved",
 "management-proxies": $2}}
JSON
}

start_daemon() { daemon_start; }
stop_daemon() { daemon_stop; }

# --- check-config ---
write_cfg learned
check "check-config accepts a good file" \
	bash -c "'$MPD' --check-config '$CFG' | grep -qx 'configuration OK'"
printf 'authority:\n  router:\n    - name: r1\n      management-proxy:\n        mode: bogus\n' > "$W/bad.yaml"
out=$("$MPD" --check-config "$W/bad.yaml" 2>&1); rc=$?
check "check-config refuses a bad file with exit 1" [ $rc -eq 1 ]
check "check-config names file:line:col ($out)" \
	bash -c "grep -q '^$W/bad.yaml:5:15: ' <<<'$out'"

# --- learned mode: lowest numeric address wins, invalid ones discarded ---
listen 127.0.0.9 3128
listen 127.0.0.10 3128
listen 127.0.0.2 3128
# 127.0.0.1:47080 is HAProxy's own listener: numerically lowest, refused.
write_dhcp wan1 '["127.0.0.10:3128", "127.0.0.9:3128", "127.0.0.1:0", "127.0.0.1:47080"]'
write_dhcp wan9 '["127.0.0.2:3128"]'	# discovery disabled: must not count
start_daemon
check "daemon starts and opens its control socket" test -S "$RUN/mgmt-proxy.sock"
check "control socket is mode 0600" [ "$(stat -c %a "$RUN/mgmt-proxy.sock")" = 600 ]
check "127.0.0.9 (numerically lowest) becomes active" wait_for 5 is_active 127.0.0.9:3128
check "state is reachable" is_state reachable
check "mode is learned" [ "$(JQ=.mode jget show management-proxy)" = learned ]
check "invalid candidate listed with its reason" [ "$(JQ='.candidates[] | select(.proxy == "127.0.0.1:0") | .reason' \
	jget show management-proxy)" = "port out of range 1-65535" ]
check "the forwarder's own listener is listed invalid with its reason" [ "$(JQ='.candidates[] | select(.proxy == "127.0.0.1:47080") | "\(.valid) \(.reason)"' \
	jget show management-proxy)" = "false a listener of this box's own forwarder (HAProxy would forward to itself)" ]
check "ineligible interface's proxy not a candidate" [ "$(JQ='[.candidates[] | select(.proxy == "127.0.0.2:3128")] | length' \
	jget show management-proxy)" = 0 ]
check "proxy-address.json names the active proxy" \
	[ "$(jq -r .proxy_address "$STATE/proxy-address.json")" = 127.0.0.9:3128 ]
check "show dhcp learned-proxies lists wan1 only" [ "$(JQ='[.[].interface] | join(",")' \
	jget show dhcp learned-proxies)" = wan1 ]
check "plain show prints the active proxy" bash -c "'$MPC' --run-dir '$RUN' show management-proxy | grep -q 'Active Proxy:  127.0.0.9:3128'"
check "plain detail lists candidates" bash -c "'$MPC' --run-dir '$RUN' show management-proxy detail | grep -q 'dhcp:wan1'"
check "no alarm while reachable" [ "$(nalarms)" = 0 ]

# --- the active proxy stops answering: alarm within one interval, no failover ---
unlisten 127.0.0.9 3128
check "unreachable within one interval (+timeout)" wait_for 3 is_state unreachable
check "active-proxy is null" [ "$(active)" = null ]
check "no failover to 127.0.0.10" [ "$(JQ=.selected jget show management-proxy)" = 127.0.0.9:3128 ]
check "one alarm raised" [ "$(nalarms)" = 1 ]
check "alarm fields" [ "$(JQ='.[0] | [.severity, .category, .source, .message, (.id | test("^n1\\.r1:[0-9]+$") | tostring)] | join("|")' \
	jget show alarms)" = "critical|service|ManagementProxy|Management Proxy is unreachable|true" ]
check "plain show says N/A" bash -c "'$MPC' --run-dir '$RUN' show management-proxy | grep -q 'Active Proxy:  N/A'"
check "proxy-address.json removed" test ! -e "$STATE/proxy-address.json"
check "log has the transition" grep -q 'reachable -> unreachable' "$LOG"
check "log has the alarm" grep -q 'alarm raised: n1.r1:' "$LOG"

# --- it comes back: alarm cleared, in effect again ---
listen 127.0.0.9 3128
check "reachable again within one interval" wait_for 3 is_active 127.0.0.9:3128
check "alarm cleared" [ "$(nalarms)" = 0 ]
check "log has the clear" grep -q 'alarm cleared' "$LOG"

# --- reload: a bad file is refused and the running configuration stays ---
cp "$CFG" "$W/good.yaml"
printf 'authority: [\n' > "$CFG"
out=$(ctl reload 2>&1); rc=$?
check "reload with a broken file exits 1" [ $rc -eq 1 ]
check "reload prints the error with file:line:col ($out)" bash -c "grep -q '^$CFG:[0-9]*:[0-9]*: ' <<<'$out'"
check "old configuration still in force" is_active 127.0.0.9:3128
sleep 1.5
check "and still probing fine" is_state reachable

# --- a FIFO at the config path: refused at once, the daemon keeps going ---
# Opening a FIFO for reading blocks until a writer comes: the daemon must
# never wait on it (nor on anything but a regular file).
rm -f "$CFG"
mkfifo "$CFG"
t0=$(date +%s)
out=$(ctl reload 2>&1); rc=$?
check "reload with a FIFO at the config path exits 1 ($rc: $out)" [ $rc -eq 1 ]
check "the error says why" bash -c "grep -qF '$CFG: not a regular file' <<<'$out'"
check "the reply came promptly ($(($(date +%s) - t0)) s)" [ $(($(date +%s) - t0)) -lt 10 ]
check "the daemon still answers, old configuration in force" is_active 127.0.0.9:3128
rm -f "$CFG"
cp "$W/good.yaml" "$CFG"

# --- reload into static mode: a mode change, a new proxy ---
write_cfg static '        proxy:
          - {name: p1, address: 127.0.0.10, port: 3128}'
check "reload into static mode succeeds" ctl reload
check "static proxy 127.0.0.10 active" wait_for 3 is_active 127.0.0.10:3128
check "mode is static" [ "$(JQ=.mode jget show management-proxy)" = static ]
check "mode change cleared the old proxy's sessions" grep -q 'mode changed: clearing sessions' "$LOG"

# --- SIGHUP reloads too; disabled mode clears everything ---
write_cfg disabled
kill -HUP "$MPD_PID"
check "SIGHUP reload to disabled" wait_for 3 is_state disabled
check "disabled: active-proxy null" [ "$(active)" = null ]
check "disabled: proxy-address.json absent" test ! -e "$STATE/proxy-address.json"

# --- onboarding supplies a static proxy while the config has no element ---
cat > "$CFG" <<YAML
mgmt-proxy:
  forwarder: none
  health-check: {interval: 1, timeout: 1}
YAML
printf '{"name": "r1", "registration-code": "x", "management-proxy": {"address": "127.0.0.10", "port": 3128}}\n' > "$ONB"
check "reload with onboarding only" ctl reload
check "onboarding proxy in effect" wait_for 3 is_active 127.0.0.10:3128
check "its source is onboarding" [ "$(JQ='.candidates[0].source' jget show management-proxy)" = onboarding ]
printf '{"management-proxy": {"address": "127.0.0.10", "port": 3128\n' > "$ONB"
check "a malformed onboarding file does not stop reload" ctl reload
check "it is reported with line and column" grep -q "$ONB:[0-9]*:[0-9]*:" "$LOG"
check "daemon still alive" kill -0 "$MPD_PID"

# --- a part that cannot be applied is named; the rest is in force ---
check_eq "the reload names the onboarding file it could not apply" \
	"configuration reloaded, not applied: onboarding (see the log)" "$(ctl reload 2>&1)"
rm -f "$ONB"
printf '  log: {access: %s/no-dir/access.log}\n' "$W" >> "$CFG"
check_eq "an access log that cannot be opened is named" \
	"configuration reloaded, not applied: log (see the log)" "$(ctl reload 2>&1)"
check "the log says so" grep -q 'reload: configuration in force, not applied: log$' "$LOG"
mkdir "$W/no-dir"
check_eq "the same file again: the part that failed is tried again" \
	"configuration reloaded" "$(ctl reload 2>&1)"
check "the access log is open now" test -e "$W/no-dir/access.log"

# --- restart restores learned state; expired leases do not come back ---
write_cfg learned
rm -f "$ONB"
stop_daemon
check "clean stop removes the socket" test ! -e "$RUN/mgmt-proxy.sock"
now=$(date +%s)
cat > "$STATE/dhcp/wan1" <<JSON
{"dhcp-client-info": {"interface-name": "wan1", "resolution-state": "resolved",
 "management-proxies": ["127.0.0.9:3128"], "lease-expiry": $((now - 10))}}
JSON
start_daemon
check "expired lease not restored" wait_for 3 is_state no-candidate
stop_daemon
write_dhcp wan1 '["127.0.0.9:3128"]'
start_daemon
check "learned proxy restored after restart" wait_for 3 is_active 127.0.0.9:3128

# --- a route that appears within the probe's timeout is no failure ---
# A proxy learned from a DHCP ACK is probed before the DHCP client has set
# up the address and route: "Network is unreachable" is retried until the
# timeout instead of raising the alarm at once.
stop_daemon
static_cfg 198.51.100.7 60 3
start_daemon
sleep 1
st=$(JQ=.state jget show management-proxy); na=$(nalarms)
check "no route yet: still probing ($st), no alarm ($na)" test "$st" = probing -a "$na" = 0
in_ns ip addr add 198.51.100.7/32 dev lo
listen 198.51.100.7 3128
check "the route appears within the timeout: reachable" wait_for 3 is_active 198.51.100.7:3128
check "and no alarm was raised" bash -c "! grep -q 'alarm raised' <(sed -n '/198.51.100.7/,\$p' '$LOG')"
unlisten 198.51.100.7 3128
stop_daemon
write_cfg learned
rm -f "$ONB"
write_dhcp wan1 '["127.0.0.9:3128"]'

# --- a changed health-check interval applies at once, not a day later ---
# A listener that records each connection (each probe) in a file.
ip netns exec "$NS" socat TCP-LISTEN:3128,bind=127.0.0.11,reuseaddr,fork \
    SYSTEM:"echo probe >> $W/probes" &
COUNT_PID=$!
counting() { in_ns ss -Hltn 'src 127.0.0.11 and sport = :3128' | grep -q LISTEN; }
wait_for 5 counting
nprobes() { [ -f "$W/probes" ] && wc -l < "$W/probes" || echo 0; }
probes_at_least() { [ "$(nprobes)" -ge "$1" ]; }
static_cfg 127.0.0.11 3600 1
start_daemon
check "interval 3600: the first probe finds the proxy" wait_for 5 is_active 127.0.0.11:3128
before=$(nprobes)
static_cfg 127.0.0.11 1 1
check "reload to interval 1 succeeds" ctl reload
check "probes follow within seconds, not an hour later ($before before)" \
	wait_for 5 probes_at_least $((before + 2))
check "the log says the new interval is in force" grep -q 'health check every 1 s, timeout 1 s, from now on' "$LOG"
check "the reload names what changed" grep -q 'reload: changed: health-check$' "$LOG"
stop_daemon
kill "$COUNT_PID" 2>/dev/null
wait "$COUNT_PID" 2>/dev/null
write_cfg learned

# --- idle: no polling between timers, RSS reported ---
sed -i 's/interval: 1, timeout: 1/interval: 60, timeout: 3/' "$CFG"
start_daemon
wait_for 3 is_active 127.0.0.9:3128
calls=$(timeout 3 strace -f -c -p "$MPD_PID" 2>&1 | awk '/total/ {print $4}')
check "idle daemon makes almost no system calls in 3 s (${calls:-0})" [ "${calls:-0}" -lt 5 ]
echo "# idle RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$MPD_PID/status)"
stop_daemon
t_finish
