#!/bin/bash
# The forwarder, end to end, with the real daemon in the namespace lab
# (tests/lab/lab.sh): mgmt-proxyd (forwarder haproxy) in the router
# namespace, Squid and nginx origins in the wan namespace, curl/openssl/wrk
# as the management client.
#
#   1 static proxy: HTTP and HTTPS from the mgmt namespace go through Squid
#  1b a client reusing the port of a connection whose TIME-WAIT socket the
#     router holds is answered by the listener at once (no second SYN)
#   2 the first HTTPS connection to each never-seen name verifies against
#     the exported local CA (curl and openssl s_client)
#   3 loopback (and the router's own traffic) is not intercepted
#   4 proxy unreachable: table, rule and active proxy gone, alarm, traffic
#     direct; proxy back: forwarding restored
#   5 daemon and HAProxy killed -9, table flushed, daemon restarted:
#     forwarding restored with exactly one HAProxy master
#   6 switching the active proxy under wrk load loses no request; it is
#     made at run time (same HAProxy worker, no reload), and no pooled
#     connection to the former proxy carries a request afterwards
#   7 log: HAProxy access lines relayed into the daemon's log
#   8 injection through the onboarding file never reaches a rendered file
#  12 exactly one TPROXY ip rule: after 20 proxy switches, none after a
#     clean stop, one after a start with stale copies planted; a stale
#     snooping table (no interface eligible) gone at exit and at start-up
#  13 reconciliation: `nft flush ruleset`, `ip rule del`, `ip route flush
#     table 4790` are repaired while forwarding (HTTP through Squid again);
#     another process that keeps removing the rule makes the daemon give up
#     (forwarding torn down, reported), and a reload brings it back
. "$(dirname "$0")/../lib.sh"

lab_test_init mpf haproxy squid nginx curl wrk openssl jq nft python3

SQUID_A=$LAB_SQUID_IP
SQUID_B=$LAB_SQUID2_IP
MGMT=$LAB_MGMT_IP


write_cfg() {	# write_cfg PROXY-IP | write_cfg none (no management-proxy element)
	{
		[ "$1" != none ] && cat <<YAML
      management-proxy:
        mode: static
        proxy:
          - {name: upstream, address: $1, port: $LAB_SQUID_PORT}
YAML
		printf '      node:\n        - name: n1\n'
	} | lab_write_cfg
}

start_daemon() { lab_start_daemon; }

# ------------------------------------------------------------------ lab
lab_setup lab_up lab_squid_start lab_origin_start
ok "lab up ($LAB: Squid $SQUID_A, origins)"

# ------------------------------------------------------------------ 1 static
write_cfg "$SQUID_A"
check "configuration accepted by --check-config" "$MPD" --check-config "$CFG"
check "daemon starts (forwarder haproxy)" start_daemon
check "static proxy $SQUID_A:3128 active" wait_for 5 is_active "$SQUID_A:3128"
check "table inet mgmt_proxy, ip rule and HAProxy listeners in place" \
	wait_for 10 forwarding_up
ctl ca export > "$W/ca.pem"
check "ca export prints the local CA (a CA certificate)" bash -c \
	"openssl x509 -in '$W/ca.pem' -noout -text | grep -q 'CA:TRUE'"

check "HTTP from mgmt goes through Squid (origin sees $SQUID_A)" \
	body_from http://origin.test/fwd-http-1 "$SQUID_A"
check "Squid logged the absolute http:// URL" \
	squid_has squid "GET http://origin.test/fwd-http-1"
check "HTTPS from mgmt (local CA) goes through Squid" \
	body_from https://secure.test/fwd-https-1 "$SQUID_A" --cacert "$W/ca.pem"
# HTTPS leaves through a CONNECT tunnel (Squid logs it when the pooled
# tunnel closes): HAProxy's CONNECT client logs each tunnel it opens.
check "HTTPS went through a CONNECT tunnel to secure.test:443" \
	log_has "haproxy: mgmt-proxy-tunnel opened secure.test:443 200"
check "Squid saw no absolute https:// URL" \
	bash -c "! grep -q 'GET https://' '$LAB_DIR/squid/access.log'"

# ------------------------------------------------------------------ 1b port reuse
# A client reusing the port of an intercepted connection that HAProxy closed
# first (the router still holds its TIME-WAIT socket) must be answered by
# the listener at once. When the SYN was handed to the TIME-WAIT socket
# instead, it got a bare ACK, the client reset and sent its SYN again
# (~10 ms late, counted in the client's TcpExtTCPSynRetrans).
syn_retrans() { in_m nstat -asz TcpExtTCPSynRetrans | awk '$1 == "TcpExtTCPSynRetrans" { print $2 }'; }
for i in 1 2 3 4 5 6; do
	mcurl -o /dev/null -H 'Connection: close' "http://origin.test/tw-seed-$i"
done
tw_seed=$(in_r ss -Htan state time-wait src "$LAB_ORIGIN_HTTP_IP" "sport = :80" |
	awk '{ sub(/.*:/, "", $4); print $4 }' | head -3 | tr '\n' ' ')
retrans0=$(syn_retrans)
reused=0
for p in $tw_seed; do
	in_m ss -Htan "sport = :$p" | grep -q . && continue	# the client's own TIME-WAIT
	reused=$((reused + 1))
	check "HTTP from the port of a TIME-WAIT intercepted connection ($p) through Squid" \
		body_from "http://origin.test/tw-reuse-$p" "$SQUID_A" --local-port "$p"
done
check "there were such ports to reuse ($reused of: $tw_seed)" [ "$reused" -gt 0 ]
check_eq "no SYN sent twice for them (client TcpExtTCPSynRetrans delta)" 0 \
	"$(($(syn_retrans) - retrans0))"

# ------------------------------------------------------------------ 2 first connection
first_https() {	# first_https NAME: first request, chain verified for NAME
	local out
	out=$(mcurl --cacert "$W/ca.pem" -w '%{http_code} verify=%{ssl_verify_result}' \
	    "https://$1/first" 2>&1)
	echo "# $1: $(echo "$out" | tr '\n' ' ')"
	[ "$out" = "origin https://$1/first from $SQUID_A
200 verify=0" ]
}
for n in a.test b.test c.test; do
	check "first HTTPS request to never-seen $n verifies against the exported CA" \
		first_https "$n"
done
s_client() {	# s_client NAME: handshake to the origin address with SNI NAME
	in_m timeout 10 openssl s_client -connect "$LAB_ORIGIN_HTTPS_IP:443" \
	    -servername "$1" -verify_hostname "$1" -verify_return_error \
	    -CAfile "$W/ca.pem" </dev/null >"$W/s_client.out" 2>&1 &&
	    grep -q 'Verify return code: 0 (ok)' "$W/s_client.out"
}
check "openssl s_client -verify_return_error: a.test chain and name verify" s_client a.test
check "openssl s_client: first handshake for never-seen d.test verifies" s_client d.test
check "leaf for d.test issued by the exported CA" bash -c \
	"[ \"\$(sed -n 's/^issuer=//p' '$W/s_client.out' | head -1)\" = \
	\"\$(openssl x509 -in '$W/ca.pem' -noout -subject | sed 's/^subject=//')\" ]"

# ------------------------------------------------------------------ 3 loopback
mkdir -p "$W/www" && echo "loopback-ok" > "$W/www/loop"
ip netns exec "$LAB-router" /usr/bin/python3 -m http.server --bind 127.0.0.1 \
    --directory "$W/www" 80 >"$W/local-http.out" 2>&1 &
LOCAL_PID=$!
wait_for 5 listening 80
check "loopback in the router ns answered directly" bash -c \
	"[ \"\$(ip netns exec '$LAB-router' curl -sS --max-time 5 http://127.0.0.1/loop)\" = loopback-ok ]"
check "nothing in Squid's log for the loopback request" bash -c \
	"! grep -q '/loop ' '$LAB_DIR/squid/access.log'"
kill "$LOCAL_PID" 2>/dev/null; wait "$LOCAL_PID" 2>/dev/null; LOCAL_PID=
check "router's own HTTP goes direct (origin sees $LAB_RTR_WAN_IP)" bash -c \
	"[ \"\$(ip netns exec '$LAB-router' curl -sS --max-time 5 http://origin.test/own)\" = \
	'origin http://origin.test/own from $LAB_RTR_WAN_IP' ]"

# ------------------------------------------------------------------ 8 log (lines so far)
check "daemon log relays HAProxy's HTTP access line (client, status, uri)" \
	log_has "haproxy: $MGMT:[0-9]+ dst=$LAB_ORIGIN_HTTP_IP:80 fe=fe_http sni=- be=be_proxy/proxy status=200 .*uri=http://origin.test/fwd-http-1"
check "daemon log relays HAProxy's HTTPS access line (client, sni, status)" \
	log_has "haproxy: $MGMT:[0-9]+ dst=$LAB_ORIGIN_HTTPS_IP:443 fe=fe_https~ sni=b.test be=be_origin/origin status=200 .*uri=https://b.test:443/first"
check "daemon log says the certificate was minted and loaded" \
	grep -q "certificate for c.test minted and loaded" "$LOG"

# ------------------------------------------------------------------ 4 unreachable
T0=$(date +%s.%N)
lab_squid_stop
echo "# Squid stopped in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $T0 }") s"
check "proxy down: table inet mgmt_proxy and ip rule gone within one interval (+1 s probe timeout)" \
	wait_for 2 forwarding_gone
echo "# torn down $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $T0 }") s after the stop began"
check "nft list table inet mgmt_proxy fails" bash -c "! ip netns exec '$LAB-router' nft list table inet mgmt_proxy >/dev/null 2>&1"
check "active-proxy null" [ "$(active)" = null ]
check "state unreachable" [ "$(state)" = unreachable ]
check "one alarm shown" [ "$(nalarms)" = 1 ]
check "alarm message" [ "$(JQ='.[0].message' jget show alarms)" = "Management Proxy is unreachable" ]
check "management HTTP goes direct (origin sees $MGMT)" \
	body_from http://origin.test/direct-1 "$MGMT"
check "origin's log shows the mgmt client as source" \
	grep -q "^$MGMT http://origin.test:80 \"GET /direct-1 " "$LAB_DIR/origin/access.log"
lab_squid_start >>"$W/lab.out" 2>&1
check "proxy back: forwarding restored (table, rule, listeners)" wait_for 5 forwarding_up
check "active-proxy $SQUID_A:3128 again" wait_for 3 is_active "$SQUID_A:3128"
check "alarm cleared" [ "$(nalarms)" = 0 ]
check "HTTP through Squid again" wait_for 5 body_from http://origin.test/back-1 "$SQUID_A"
check "Squid logged it" squid_has squid "GET http://origin.test/back-1"

# ------------------------------------------------------------------ 5 restart
disown "$MPD_PID" 2>/dev/null	# no "Killed" job notice
kill -9 "$MPD_PID" 2>/dev/null
wait_for 3 bash -c "! kill -0 $MPD_PID 2>/dev/null"
for p in $(hp_pids); do kill -9 "$p" 2>/dev/null; done
wait_for 3 no_haproxy
check "daemon and every HAProxy process killed -9" [ -z "$(hp_pids)" ]
in_r nft delete table inet mgmt_proxy 2>/dev/null
check "table flushed by hand" bash -c "! ip netns exec '$LAB-router' nft list table inet mgmt_proxy >/dev/null 2>&1"
check "daemon starts again" start_daemon
check "forwarding restored after restart" wait_for 10 forwarding_up
check "HTTP through Squid after restart" wait_for 5 body_from http://origin.test/restart-1 "$SQUID_A"
check "HTTPS (a.test, minted by the first run) after restart" \
	body_from https://a.test/restart-2 "$SQUID_A" --cacert "$W/ca.pem"
masters=$(hp_masters)
echo "# HAProxy masters: $(echo $masters) (all HAProxy: $(hp_pids | tr "\n" " "))"
check "exactly one HAProxy master running" [ "$(echo $masters | wc -w)" = 1 ]
check "its parent is the new daemon" [ "$(awk '/^PPid:/ { print $2 }' "/proc/$masters/status" 2>/dev/null)" = "$MPD_PID" ]

# ------------------------------------------------------------------ 6 switch under load
lab_squid2_start >>"$W/lab.out" 2>&1 || cat "$W/lab.out"
check "second Squid up on $SQUID_B:3128" [ -s "$LAB_DIR/pids/squid2.pid" ]
# wrk_switch OUT TO-IP FROM-LOG [wrk args]: a bounded wrk run; the active
# proxy is switched to TO-IP (static config + reload) 2 s into it. Then
# $W/late holds the requests the former proxy (FROM-LOG, its access.log)
# logged from 1 s after the switch to the end of the run.
wrk_switch() {
	local out=$1 to=$2 from=$3 w n0 n1
	shift 3
	in_m timeout 20 wrk -t1 -c4 -d6s "$@" http://origin.test/ > "$out" 2>&1 &
	w=$!
	sleep 2
	write_cfg "$to"
	ctl reload >/dev/null 2>&1 || echo "# reload refused"
	sleep 1
	n0=$(wc -l < "$from")
	wait "$w"
	n1=$(wc -l < "$from")
	echo $((n1 - n0)) > "$W/late"
}
hp_switches() { grep -c 'changed at run time, no reload' "$LOG"; }
hp_worker() { hp_workers | sort -n | tail -n 1; }
worker0=$(hp_worker)
switches0=$(hp_switches)
wrk_num() {	# wrk_num FILE WHAT: "requests", connect/read/write/timeout, non2xx
	case $2 in
	requests) awk '/requests in/ { print $1 }' "$1" ;;
	non2xx) awk '/Non-2xx/ { print $NF }' "$1" ;;
	*) sed -n "s/.*Socket errors:.*$2 \([0-9]*\).*/\1/p" "$1" ;;
	esac | grep . || echo 0
}
a_before=$(wc -l < "$LAB_DIR/squid/access.log")
wrk_switch "$W/wrk-close.out" "$SQUID_B" "$LAB_DIR/squid/access.log" -H 'Connection: close'
a_after=$(wc -l < "$LAB_DIR/squid/access.log")
b_after=$(wc -l < "$LAB_DIR/squid2/access.log" 2>/dev/null || echo 0)
sed 's/^/# wrk (Connection: close, A->B): /' "$W/wrk-close.out"
req=$(wrk_num "$W/wrk-close.out" requests)
check "wrk (Connection: close) ran requests ($req)" [ "$req" -gt 0 ]
check "switch A->B under load: 0 connect errors" [ "$(wrk_num "$W/wrk-close.out" connect)" = 0 ]
check "switch A->B under load: 0 read/write/timeout errors" [ "$(wrk_num "$W/wrk-close.out" read)$(wrk_num "$W/wrk-close.out" write)$(wrk_num "$W/wrk-close.out" timeout)" = 000 ]
check "switch A->B under load: 0 non-2xx" [ "$(wrk_num "$W/wrk-close.out" non2xx)" = 0 ]
echo "# Squid A logged $((a_after - a_before)), Squid B logged $b_after during the run"
check "Squid A served part of the run" [ $((a_after - a_before)) -gt 0 ]
check "Squid B served the rest (switch visible in B's access.log)" [ "$b_after" -gt 0 ]
check_eq "switch A->B: made at run time (log line)" $((switches0 + 1)) "$(hp_switches)"
check_eq "switch A->B: the same HAProxy worker (no reload)" "$worker0" "$(hp_worker)"
check_eq "switch A->B: Squid A got no request from 1 s after the switch" 0 "$(cat "$W/late")"
check "active proxy is B" is_active "$SQUID_B:3128"
check "table now exempts B (ip daddr $SQUID_B return)" bash -c \
	"ip netns exec '$LAB-router' nft list table inet mgmt_proxy | grep -q 'ip daddr $SQUID_B return'"
check "HTTP through Squid B" body_from http://origin.test/via-b "$SQUID_B"
check "HTTPS through Squid B" body_from https://c.test/via-b "$SQUID_B" --cacert "$W/ca.pem"
# Keep-alive, B -> A: the clients' connections stay open across the
# switch (no worker replaced), and HAProxy's own keep-alive connections
# to B, pooled by destination, are not used for A.
wrk_switch "$W/wrk-ka.out" "$SQUID_A" "$LAB_DIR/squid2/access.log"
sed 's/^/# wrk (keep-alive, B->A): /' "$W/wrk-ka.out"
echo "# keep-alive: requests $(wrk_num "$W/wrk-ka.out" requests) connect $(wrk_num "$W/wrk-ka.out" connect) read $(wrk_num "$W/wrk-ka.out" read) write $(wrk_num "$W/wrk-ka.out" write) timeout $(wrk_num "$W/wrk-ka.out" timeout) non-2xx $(wrk_num "$W/wrk-ka.out" non2xx)"
check "switch B->A under keep-alive load: 0 connect errors" [ "$(wrk_num "$W/wrk-ka.out" connect)" = 0 ]
check "switch B->A under keep-alive load: 0 read/write/timeout errors" [ "$(wrk_num "$W/wrk-ka.out" read)$(wrk_num "$W/wrk-ka.out" write)$(wrk_num "$W/wrk-ka.out" timeout)" = 000 ]
check "switch B->A under keep-alive load: 0 non-2xx" [ "$(wrk_num "$W/wrk-ka.out" non2xx)" = 0 ]
check "active proxy is A again" wait_for 3 is_active "$SQUID_A:3128"
check_eq "switch B->A: made at run time, the same worker" "$((switches0 + 2)) $worker0" \
	"$(hp_switches) $(hp_worker)"
check_eq "switch B->A: Squid B got no request from 1 s after the switch" 0 "$(cat "$W/late")"

# ------------------------------------------------------------------ 7 injection
inject() {	# inject JSON-ADDRESS JSON-PORT: onboarding-only candidate
	printf '{"name": "r1", "registration-code": "x",\n "management-proxy": {"address": %s, "port": %s}}\n' \
	    "$1" "$2" > "$ONB"
	write_cfg none
	ctl reload >/dev/null 2>&1
}
no_evil() {
	! grep -qE 'evil|1\.2\.3\.4' "$RUN/haproxy.cfg" "$RUN"/haproxy.cfg.new 2>/dev/null &&
	! in_r nft list ruleset | grep -qE 'evil|1\.2\.3\.4'
}
has_onb_cand() {
	[ "$(JQ='[.candidates[] | select(.source == "onboarding")] | length' jget show management-proxy)" = 1 ]
}
inject_case() {	# inject_case LABEL JSON-ADDRESS JSON-PORT
	local cand
	inject "$2" "$3"
	check "$1: onboarding candidate taken in" wait_for 3 has_onb_cand
	cand=$(JQ='.candidates[] | select(.source == "onboarding") | "\(.valid) \(.reason)"' jget show management-proxy)
	echo "# $1: onboarding candidate: $cand"
	check "$1: candidate listed invalid" [ "${cand%% *}" = false ]
	check "$1: nothing in effect (active-proxy null)" wait_for 3 is_active null
	check "$1: forwarding torn down" wait_for 3 forwarding_gone
	check "$1: no 'evil'/'1.2.3.4' in haproxy.cfg nor in the ruleset" no_evil
}
# Intercepted connections HAProxy closed first left TIME-WAIT sockets in
# the router namespace; their ports are reused below once forwarding is
# torn down (the daemon destroys them: see orchestrator/firewall_timewait.c).
tw_ports=$(in_r ss -Htan state time-wait dst "$MGMT" | awk '{ sub(/.*:/, "", $4); print $4 }' | head -3)
echo "# router TIME-WAIT sockets of intercepted connections: $(in_r ss -Htan state time-wait dst "$MGMT" | wc -l)"
inject_case "HAProxy syntax in the address" '"203.0.113.10\n  server evil 1.2.3.4:80 #"' 3128
inject_case "nft syntax in the address" '"203.0.113.10 return; ip daddr 1.2.3.4 accept # evil"' 3128
inject_case "syntax in a string port" '"203.0.113.10"' '"3128\n  server evil 1.2.3.4:80"'
check "HTTP goes direct with nothing in effect" body_from http://origin.test/direct-2 "$MGMT"
tried=0
for p in $tw_ports; do
	# The client's own side of that connection may still hold the port
	# (its TIME-WAIT, when it closed first): curl could not bind it, and
	# that says nothing about the router. Only free ports are tried.
	if in_m ss -Htan "sport = :$p" | grep -q .; then
		echo "# port $p still in use in the client namespace: not tried"
		continue
	fi
	tried=$((tried + 1))
	check "direct HTTP from a port of a torn-down intercepted connection ($p)" \
		body_from "http://origin.test/tw-$p" "$MGMT" --local-port "$p"
done
check "there were such ports to try ($tried of: $tw_ports)" [ "$tried" -gt 0 ]

# HAProxy's own listeners as the proxy: it would forward to itself until
# maxconn while the TCP probe says reachable. Loopback and the router's own
# address are refused with that port; a proxy on the box stays legal.
LOOP_REASON="a listener of this box's own forwarder (HAProxy would forward to itself)"
loop_case() {	# loop_case ADDRESS PORT
	local cand
	inject "\"$1\"" "$2"
	check "own listener $1:$2: onboarding candidate taken in" wait_for 3 has_onb_cand
	cand=$(JQ='.candidates[] | select(.source == "onboarding") | "\(.valid) \(.reason)"' jget show management-proxy)
	check "own listener $1:$2: refused with its reason ($cand)" [ "$cand" = "false $LOOP_REASON" ]
	check "own listener $1:$2: nothing in effect" wait_for 3 is_active null
	check "own listener $1:$2: no alarm" [ "$(nalarms)" = 0 ]
	check "own listener $1:$2: show management-proxy detail gives the reason" \
		grep -qF "$1:$2 onboarding no no $LOOP_REASON" <(ctl show management-proxy detail | tr -s ' ')
}
loop_case 127.0.0.1 47080
loop_case 127.0.0.53 47443
loop_case "$LAB_RTR_WAN_IP" 47080
inject '"127.0.0.1"' 3128
check "a proxy on the box itself (127.0.0.1:3128) stays a valid candidate" wait_for 3 bash -c \
	"[ \"\$(ip netns exec '$LAB-router' '$MPC' --run-dir '$RUN' show management-proxy --json | jq -r '.candidates[0].valid')\" = true ]"

# ------------------------------------------------------------------ 9 forwarder back
# Forwarding must come back whenever the forwarder can work again, with the
# same proxy in effect: after a reload to `forwarder: none` and back, and
# after a CA key that was refused (group-readable) is fixed.
rm -f "$ONB"
write_cfg "$SQUID_A"
check "reload: proxy A static again" ctl reload
check "forwarding up through A" wait_for 10 forwarding_up
sed -i 's/forwarder: haproxy/forwarder: none/' "$CFG"
check "reload to forwarder none" ctl reload
check "forwarder none: interception gone" wait_for 5 forwarding_gone
check "forwarder none: HAProxy stopped" wait_for 5 no_haproxy
check "forwarder none: the proxy stays in effect" is_active "$SQUID_A:$LAB_SQUID_PORT"
sed -i 's/forwarder: none/forwarder: haproxy/' "$CFG"
check "reload back to forwarder haproxy" ctl reload
check "forwarding back on" wait_for 10 forwarding_up
check "HTTP through Squid A again" body_from http://origin.test/back-on "$SQUID_A"
cp "$W/ca.crt" "$W/ca2.crt"
cp "$W/ca.key" "$W/ca2.key"
chmod 0640 "$W/ca2.key"
sed -i "s|ca-cert: $W/ca.crt$|ca-cert: $W/ca2.crt|; s|ca-key: $W/ca.key$|ca-key: $W/ca2.key|" "$CFG"
ctl reload >/dev/null 2>&1
check "a group-readable CA key is refused: forwarding off" wait_for 5 forwarding_gone
check "the refusal is logged with the path" grep -q "ca2.key" "$LOG"
chmod 0600 "$W/ca2.key"
check "reload with the key fixed" ctl reload
check "forwarding back on after the fix" wait_for 10 forwarding_up
check "HTTPS through Squid A with the (same) CA" body_from https://secure.test/ca-fixed "$SQUID_A" --cacert "$W/ca.pem"

# ------------------------------------------------------------------ 9b mode change
# A mode change takes the previous proxy out of effect; its sessions end
# with the forwarding that is torn down, and no warning may claim otherwise.
sed -i 's/mode: static/mode: learned/' "$CFG"
check "reload static -> learned (nothing learned)" ctl reload
check "mode change: forwarding torn down" wait_for 5 forwarding_gone
check "the mode change is logged" wait_for 3 grep -q 'mode changed: clearing sessions of the previous proxy' "$LOG"
# The runtime API gives up after 3 s: give a failure that long to show.
never_uncleared() { ! wait_for 4 grep -q 'not cleared' "$LOG"; }
check "no warning that the sessions were not cleared (4 s)" never_uncleared
sed -i 's/mode: learned/mode: static/' "$CFG"
check "reload learned -> static" ctl reload
check "forwarding up again" wait_for 10 forwarding_up
check "still no warning that sessions were not cleared (after $(grep -c 'mode changed' "$LOG") mode changes)" \
	never_uncleared

# ------------------------------------------------------------------ 10 refused config
# A configuration HAProxy refuses must not leave it forwarding through the
# previous proxy: a corrupted leaf in the crt-list makes `haproxy -c` fail at
# the switch to proxy B (with a tls.no-inspect change: a proxy change alone
# is made at run time and reads no file); forwarding goes off (traffic
# direct), and a restart mints the leaf again and restores forwarding.
check "forwarding up through A before the switch" wait_for 10 forwarding_up
printf 'not a certificate\n' > "$STATE/certs/a.test.pem"
LAB_TLS_EXTRA="    no-inspect: [refused.test]" write_cfg "$SQUID_B"
sed -i "s|ca-cert: $W/ca.crt$|ca-cert: $W/ca2.crt|; s|ca-key: $W/ca.key$|ca-key: $W/ca2.key|" "$CFG"
check "reload to proxy B" ctl reload
check "haproxy -c refused it" wait_for 10 grep -q "haproxy -c:" "$LOG"
check "forwarding torn down rather than left on proxy A" wait_for 10 forwarding_gone
check "HTTP goes direct, not through A" body_from http://origin.test/refused "$MGMT"
check "status: not forwarding" [ "$(JQ=.forwarding jget show management-proxy)" = false ]
daemon_stop
check "daemon starts again" start_daemon
check "the corrupted leaf is minted again at start-up" wait_for 5 grep -q "certificate for a.test renewed" "$LOG"
check "forwarding up through B" wait_for 10 forwarding_up
check "HTTP through Squid B" wait_for 5 body_from http://origin.test/after-refused "$SQUID_B"

# ------------------------------------------------------------------ 11 HAProxy dies
# HAProxy killed under a running daemon is started again (backoff 1 s).
old_master=$(hp_masters)
for p in $(hp_pids); do kill -9 "$p" 2>/dev/null; done
check "HAProxy killed -9 (master $old_master and its workers)" wait_for 3 no_haproxy
check "the daemon starts it again" wait_for 10 forwarding_up
check "a new master, child of the daemon" bash -c "m=\$(pgrep -P $MPD_PID -x haproxy); [ -n \"\$m\" ] && [ \"\$m\" != '$old_master' ]"
check "HTTP through Squid B after the restart" wait_for 5 body_from http://origin.test/after-kill "$SQUID_B"
check "the log says why" grep -q "HAProxy exited unexpectedly" "$LOG"

# ------------------------------------------------------------------ 12 one ip rule
# The TPROXY rule has a fixed priority so that adding it again finds it;
# teardown and start-up remove every copy, however many an earlier version
# (or an administrator) left.
RULE_RE='fwmark 0x4d50/0x4d50 lookup 4790'
nrules() { in_r ip rule list | grep -c "$RULE_RE"; }
one_rule() { [ "$(nrules)" = 1 ] && in_r ip rule list | grep -q "^100:.*$RULE_RE"; }
route_present() { in_r ip route show table 4790 | grep -q '^local default dev lo'; }
no_route() { ! route_present; }
CUR=$SQUID_B
check "forwarding up through B before the switches" wait_for 10 forwarding_up
switched=0
for i in $(seq 20); do
	[ "$CUR" = "$SQUID_A" ] && CUR=$SQUID_B || CUR=$SQUID_A
	write_cfg "$CUR"
	ctl reload >/dev/null 2>&1 &&
	    wait_for 10 is_active "$CUR:$LAB_SQUID_PORT" && wait_for 10 forwarding_up &&
	    switched=$((switched + 1))
done
echo "# $switched of 20 switches done; ip rules: $(nrules)"
check "20 proxy switches done" [ "$switched" = 20 ]
check "exactly one TPROXY ip rule after 20 switches (got $(nrules))" one_rule
check "HTTP through the proxy in effect ($CUR)" wait_for 5 body_from http://origin.test/after-switches "$CUR"
# A snooping table as an earlier run leaves it (its queue chain, a jump for
# an interface eligible then): no interface is eligible now, and it goes
# all the same, at exit and at start-up.
plant_dhcp_table() {
	in_r nft -f - <<'NFT'
table ip mgmt_proxy_dhcp {
	chain dhcp_queue {
	}
	chain prerouting {
		type filter hook prerouting priority raw; policy accept;
		iifname "wan9" udp sport 67 udp dport 68 jump dhcp_queue
	}
}
NFT
}
dhcp_tables() { in_r nft list tables ip 2>/dev/null | grep -c 'mgmt_proxy_dhcp$'; }
plant_dhcp_table
check_eq "stale ip mgmt_proxy_dhcp planted while the daemon runs" 1 "$(dhcp_tables)"
daemon_stop
check "no TPROXY ip rule after a clean stop (got $(nrules))" [ "$(nrules)" = 0 ]
check "no route in table 4790 after a clean stop" no_route
check_eq "no interface eligible: the stop removed the stale ip mgmt_proxy_dhcp" 0 "$(dhcp_tables)"
plant_dhcp_table
check_eq "stale ip mgmt_proxy_dhcp planted before the start" 1 "$(dhcp_tables)"
# Copies at the priorities an earlier version picked (more than the 8 it
# removed) and one at our own priority.
before=$(nrules)
for i in $(seq 12); do in_r ip rule add fwmark 0x4d50/0x4d50 lookup 4790; done
in_r ip rule add pref 100 fwmark 0x4d50/0x4d50 lookup 4790
check "13 stale copies planted (got $(($(nrules) - before)))" [ $(($(nrules) - before)) = 13 ]
check "daemon starts again" start_daemon
check "forwarding up after the start" wait_for 10 forwarding_up
check "exactly one TPROXY ip rule after a start with 13 stale copies (got $(nrules))" one_rule
check_eq "no interface eligible: start-up removed the stale ip mgmt_proxy_dhcp" 0 "$(dhcp_tables)"

# ------------------------------------------------------------------ 13 reconciliation
# What the daemon installed and another process removed is put back within
# seconds, from the same templates; learned mode's snooping table too
# (wan1 made eligible here).
jfwd() { JQ=".\"$1\"" jget show management-proxy; }
fwd_state_is() { [ "$(jfwd forwarding-state)" = "$1" ]; }
fwd_error_has() { jfwd forwarding-error | grep -q "$1"; }
detail_has() { ctl show management-proxy detail | grep -q "$1"; }
write_cfg "$CUR"
sed -i 's/^        - name: n1$/        - name: n1\n          device-interface:\n            - name: wan1\n              network-interface:\n                - {name: wan1, dhcp: v4}/' "$CFG"
check "configuration with wan1 eligible accepted" "$MPD" --check-config "$CFG"
check "reload" ctl reload
# The table, its jump for wan1 and the xt NFQUEUE rule (named in nft's JSON).
dhcp_table() {
	in_r nft list chain ip mgmt_proxy_dhcp prerouting 2>/dev/null | grep -q 'wan1.*jump dhcp_queue' &&
	    in_r nft -j list chain ip mgmt_proxy_dhcp dhcp_queue 2>/dev/null | grep -q '"NFQUEUE"'
}
check "snooping table ip mgmt_proxy_dhcp in place" wait_for 5 dhcp_table
check "the daemon's own changes so far (20 switches, restarts) were not taken for losses" \
	bash -c "! grep -q 'owned state lost' '$LOG'"
check "forwarding up through $CUR" wait_for 10 forwarding_up
check "HTTP through $CUR before the flush" body_from http://origin.test/before-flush "$CUR"
repaired() { forwarding_up && one_rule && route_present; }
via_squid() {	# via_squid PATH: through the proxy in effect, in its access log
	local dir=squid
	[ "$CUR" = "$SQUID_B" ] && dir=squid2
	body_from "http://origin.test/$1" "$CUR" && squid_has "$dir" "GET http://origin.test/$1"
}

in_r nft flush ruleset
check "nft flush ruleset: table inet mgmt_proxy, rule and route back" wait_for 10 repaired
check "nft flush ruleset: ip mgmt_proxy_dhcp back, with its queue rule" wait_for 10 dhcp_table
check "nft flush ruleset: HTTP through the proxy again (Squid logged it)" \
	wait_for 5 via_squid after-flush
check "the log names what was lost" \
	grep -q "owned state lost: table inet mgmt_proxy removed.*table ip mgmt_proxy_dhcp removed" "$LOG"

in_r ip rule del fwmark 0x4d50/0x4d50 lookup 4790
check "ip rule del: repaired" wait_for 10 repaired
check "ip rule del: HTTP through the proxy (Squid logged it)" wait_for 5 via_squid after-rule-del
check "the log names the rule" grep -q "owned state lost: ip rule fwmark 0x4d50/0x4d50 lookup 4790 removed" "$LOG"

in_r ip route flush table 4790
check "ip route flush table 4790: repaired" wait_for 10 repaired
check "ip route flush table 4790: HTTP through the proxy (Squid logged it)" \
	wait_for 5 via_squid after-route-flush
check "the log names the route" grep -q "owned state lost: route local 0.0.0.0/0 table 4790 removed" "$LOG"

in_r ip rule add fwmark 0x4d50/0x4d50 lookup 4790
check "a second copy of the rule added by hand: removed again" wait_for 10 one_rule
check "status: forwarding" fwd_state_is forwarding

# Another process that keeps removing the rule: at most 5 repairs a minute,
# then forwarding goes off (direct, never a black hole) and says why.
gave_up() { fwd_state_is failed; }
back_or_gave_up() { gave_up || [ "$(nrules)" = 1 ]; }
for i in $(seq 10); do
	in_r ip rule del fwmark 0x4d50/0x4d50 lookup 4790 2>/dev/null
	wait_for 10 back_or_gave_up || break
	gave_up && break
done
echo "# rule removed $i times"
check "the rule removed again and again: the daemon gives up" wait_for 10 gave_up
check "forwarding-error says what was lost" fwd_error_has "ip rule"
check "forwarding torn down" wait_for 5 forwarding_gone
check "show management-proxy detail shows it" detail_has "Forwarding: *failed: interception lost"
check "HTTP goes direct" body_from http://origin.test/gave-up "$MGMT"
check "the log says so" grep -q "interception lost: .*another process keeps removing it" "$LOG"
check "reload: forwarding back" ctl reload
check "forwarding up again" wait_for 10 forwarding_up
check "status: forwarding again" wait_for 3 fwd_state_is forwarding
check "HTTP through the proxy again" wait_for 5 via_squid after-give-up

# ------------------------------------------------------------------ end
lab_stop_checks
t_finish
