#!/bin/bash
# The forwarder, end to end, with the real daemon in the namespace lab
# (tests/lab/lab.sh): mgmt-proxyd (forwarder haproxy) in the router
# namespace, Squid and nginx origins in the wan namespace, curl/openssl/wrk
# as the management client.
#
#   1 static proxy: HTTP and HTTPS from the mgmt namespace go through Squid
#   2 the first HTTPS connection to each never-seen name verifies against
#     the exported local CA (curl and openssl s_client)
#   3 loopback (and the router's own traffic) is not intercepted
#   4 proxy unreachable: table, rule and active proxy gone, alarm, traffic
#     direct; proxy back: forwarding restored
#   5 daemon and HAProxy killed -9, table flushed, daemon restarted:
#     forwarding restored with exactly one HAProxy master
#   6 switching the active proxy under wrk load loses no request
#   7 log: HAProxy access lines relayed into the daemon's log
#   8 injection through the onboarding file never reaches a rendered file
. "$(dirname "$0")/lib.sh"

lab_test_init mpf haproxy squid nginx curl wrk openssl jq nft python3

SQUID_A=$LAB_SQUID_IP
SQUID_B=$LAB_SQUID2_IP
MGMT=$LAB_MGMT_IP
HP_BIN=/usr/sbin/haproxy

state() { JQ='.state' jget show management-proxy; }
nalarms() { JQ='length' jget show alarms; }

# mcurl ARGS...: one bounded request from the management client.
mcurl() { in_m timeout 10 curl -sS --max-time 8 "$@"; }
# body_from URL PROXY-IP [CURL-ARGS...]: the origin saw the request from
# PROXY-IP (through that Squid) or, for $MGMT, directly from the client.
body_from() {
	local url=$1 from=$2
	shift 2
	body_is "$url" "origin $url from $from" "$@"
}
squid_has() {	# squid_has DIR NEEDLE: an access.log line of that Squid
	grep -qF -- "$2" "$LAB_DIR/$1/access.log" 2>/dev/null
}
table_present() { in_r nft list table inet mgmt_proxy >/dev/null 2>&1; }
rule_present() { in_r ip rule list | grep -q 'fwmark 0x4d50'; }
listening() { in_r ss -Hltn "src 127.0.0.1 and sport = :$1" | grep -q LISTEN; }
forwarding_up() { table_present && rule_present && listening 47080 && listening 47443; }
forwarding_gone() { ! table_present && ! rule_present; }
# HAProxy processes of the router namespace (the lab's own only).
hp_pids() {
	local p
	for p in $(ip netns pids "$LAB-router"); do
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

write_cfg() {	# write_cfg PROXY-IP | write_cfg none (no management-proxy element)
	{
		cat <<YAML
authority:
  router:
    - name: r1
YAML
		[ "$1" != none ] && cat <<YAML
      management-proxy:
        mode: static
        proxy:
          - {name: upstream, address: $1, port: $LAB_SQUID_PORT}
YAML
		cat <<YAML
      node:
        - name: n1
mgmt-proxy:
  router: r1
  node: n1
  forwarder: haproxy
  health-check: {interval: 1, timeout: 1}
  intercept: {interfaces: [kni254], http-ports: [80], https-ports: [443]}
  tls: {ca-cert: $W/ca.crt, ca-key: $W/ca.key, origin-ca: [$LAB_DIR/pki/public.crt]}
YAML
	} > "$CFG"
}

start_daemon() { mpd_start "$LAB-router"; }

# ------------------------------------------------------------------ lab
if ! lab_up >"$W/lab.out" 2>&1 || ! lab_squid_start >>"$W/lab.out" 2>&1 ||
    ! lab_origin_start >>"$W/lab.out" 2>&1; then
	cat "$W/lab.out"
	fail "lab set-up"
	t_finish
fi
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
	grep -q "haproxy: mgmt-proxy-tunnel opened secure.test:443 200" "$LOG"
check "Squid saw no absolute https:// URL" \
	bash -c "! grep -q 'GET https://' '$LAB_DIR/squid/access.log'"

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
	grep -qE "haproxy: $MGMT:[0-9]+ dst=$LAB_ORIGIN_HTTP_IP:80 fe=fe_http sni=- be=be_proxy/proxy status=200 .*uri=http://origin.test/fwd-http-1" "$LOG"
check "daemon log relays HAProxy's HTTPS access line (client, sni, status)" \
	grep -qE "haproxy: $MGMT:[0-9]+ dst=$LAB_ORIGIN_HTTPS_IP:443 fe=fe_https~ sni=b.test be=be_origin/origin status=200 .*uri=https://b.test:443/first" "$LOG"
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
# wrk_switch OUT TO-IP [wrk args]: a bounded wrk run; the active proxy is
# switched to TO-IP (static config + reload) 2 s into it.
wrk_switch() {
	local out=$1 to=$2 w
	shift 2
	in_m timeout 20 wrk -t1 -c4 -d6s "$@" http://origin.test/ > "$out" 2>&1 &
	w=$!
	sleep 2
	write_cfg "$to"
	ctl reload >/dev/null 2>&1 || echo "# reload refused"
	wait "$w"
}
wrk_num() {	# wrk_num FILE WHAT: "requests", connect/read/write/timeout, non2xx
	case $2 in
	requests) awk '/requests in/ { print $1 }' "$1" ;;
	non2xx) awk '/Non-2xx/ { print $NF }' "$1" ;;
	*) sed -n "s/.*Socket errors:.*$2 \([0-9]*\).*/\1/p" "$1" ;;
	esac | grep . || echo 0
}
a_before=$(wc -l < "$LAB_DIR/squid/access.log")
wrk_switch "$W/wrk-close.out" "$SQUID_B" -H 'Connection: close'
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
check "active proxy is B" is_active "$SQUID_B:3128"
check "table now exempts B (ip daddr $SQUID_B return)" bash -c \
	"ip netns exec '$LAB-router' nft list table inet mgmt_proxy | grep -q 'ip daddr $SQUID_B return'"
check "HTTP through Squid B" body_from http://origin.test/via-b "$SQUID_B"
check "HTTPS through Squid B" body_from https://c.test/via-b "$SQUID_B" --cacert "$W/ca.pem"
# Keep-alive, B -> A: reported, not asserted (read errors on idle
# keep-alive connections closed by the old worker are the known race).
wrk_switch "$W/wrk-ka.out" "$SQUID_A"
sed 's/^/# wrk (keep-alive, B->A): /' "$W/wrk-ka.out"
echo "# keep-alive: requests $(wrk_num "$W/wrk-ka.out" requests) connect $(wrk_num "$W/wrk-ka.out" connect) read $(wrk_num "$W/wrk-ka.out" read) write $(wrk_num "$W/wrk-ka.out" write) timeout $(wrk_num "$W/wrk-ka.out" timeout) non-2xx $(wrk_num "$W/wrk-ka.out" non2xx)"
check "switch B->A under keep-alive load: 0 connect errors" [ "$(wrk_num "$W/wrk-ka.out" connect)" = 0 ]
check "switch B->A under keep-alive load: 0 non-2xx" [ "$(wrk_num "$W/wrk-ka.out" non2xx)" = 0 ]
check "active proxy is A again" wait_for 3 is_active "$SQUID_A:3128"

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
# torn down (the daemon destroys them: see orchestrator/tproxy.c).
tw_ports=$(in_r ss -Htan state time-wait dst "$MGMT" | awk '{ sub(/.*:/, "", $4); print $4 }' | head -3)
echo "# router TIME-WAIT sockets of intercepted connections: $(in_r ss -Htan state time-wait dst "$MGMT" | wc -l)"
inject_case "HAProxy syntax in the address" '"203.0.113.10\n  server evil 1.2.3.4:80 #"' 3128
inject_case "nft syntax in the address" '"203.0.113.10 return; ip daddr 1.2.3.4 accept # evil"' 3128
inject_case "syntax in a string port" '"203.0.113.10"' '"3128\n  server evil 1.2.3.4:80"'
check "HTTP goes direct with nothing in effect" body_from http://origin.test/direct-2 "$MGMT"
for p in $tw_ports; do
	check "direct HTTP from a port of a torn-down intercepted connection ($p)" \
		body_from "http://origin.test/tw-$p" "$MGMT" --local-port "$p"
done
check "there were such ports to try" [ -n "$tw_ports" ]

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
sed -i "s|ca-cert: $W/ca.crt, ca-key: $W/ca.key|ca-cert: $W/ca2.crt, ca-key: $W/ca2.key|" "$CFG"
ctl reload >/dev/null 2>&1
check "a group-readable CA key is refused: forwarding off" wait_for 5 forwarding_gone
check "the refusal is logged with the path" grep -q "ca2.key" "$LOG"
chmod 0600 "$W/ca2.key"
check "reload with the key fixed" ctl reload
check "forwarding back on after the fix" wait_for 10 forwarding_up
check "HTTPS through Squid A with the (same) CA" body_from https://secure.test/ca-fixed "$SQUID_A" --cacert "$W/ca.pem"

# ------------------------------------------------------------------ 10 refused config
# A configuration HAProxy refuses must not leave it forwarding through the
# previous proxy: a corrupted leaf in the crt-list makes `haproxy -c` fail at
# the switch to proxy B; forwarding goes off (traffic direct), and a restart
# mints the leaf again and restores forwarding.
check "forwarding up through A before the switch" wait_for 10 forwarding_up
printf 'not a certificate\n' > "$STATE/certs/a.test.pem"
write_cfg "$SQUID_B"
sed -i "s|ca-cert: $W/ca.crt, ca-key: $W/ca.key|ca-cert: $W/ca2.crt, ca-key: $W/ca2.key|" "$CFG"
check "reload to proxy B" ctl reload
check "haproxy -c refused it" wait_for 10 grep -q "haproxy -c:" "$LOG"
check "forwarding torn down rather than left on proxy A" wait_for 10 forwarding_gone
check "HTTP goes direct, not through A" body_from http://origin.test/refused "$MGMT"
check "status: not forwarding" [ "$(JQ=.forwarding jget show management-proxy)" = false ]
kill -TERM "$MPD_PID" 2>/dev/null
wait "$MPD_PID" 2>/dev/null
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

# ------------------------------------------------------------------ end
kill -TERM "$MPD_PID" 2>/dev/null
for _ in $(seq 50); do kill -0 "$MPD_PID" 2>/dev/null || break; sleep 0.1; done
check "daemon exits on TERM" bash -c "! kill -0 $MPD_PID 2>/dev/null"
wait "$MPD_PID" 2>/dev/null
check "no HAProxy left after the daemon's exit" wait_for 3 no_haproxy
check "no table and no rule left after the daemon's exit" forwarding_gone
t_finish
