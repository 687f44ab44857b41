#!/bin/sh
# The forwarding path proven by hand, as a repeatable check: builds the lab,
# renders templates/ with the lab's stand-in renderer, runs HAProxy and the
# nftables table without mgmt-proxyd, and checks what the design relies on:
# HTTP and HTTPS from the management namespace reach the origin through
# Squid, certificates load at run time, reloads are hitless, the router's own
# and loopback traffic are untouched, and removing the table restores the
# direct path.  Ends with "N passed, N failed"; exit 1 when any failed.
#
# Usage (root, from the repository root): sh tests/lab/forwarding-check.sh
# LAB=name picks the namespace prefix (default mpfc).
set -eu

LAB=${LAB:-mpfc}
. tests/lab/lab.sh

PASSED=0
FAILED=0
HTTP_LISTEN=50080
HTTPS_LISTEN=50443

pass() {
	PASSED=$((PASSED + 1))
	echo "PASS: $*"
}

fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL: $*"
}

# check NAME CMD...: CMD's exit status decides.
check() {
	_what=$1
	shift
	if "$@"; then pass "$_what"; else fail "$_what"; fi
}

# body_has NS NEEDLE CURL-ARGS...: the response body contains NEEDLE.
body_has() {
	_ns=$1
	_needle=$2
	shift 2
	_body=$(lab_in "$_ns" timeout 10 curl -sS --max-time 8 "$@" 2>&1) || true
	echo "  $_body"
	case $_body in *"$_needle"*) return 0 ;; esac
	return 1
}

squid_logged() {
	grep -q "$1" "$LAB_DIR/squid/access.log" &&
		grep "$1" "$LAB_DIR/squid/access.log" | tail -1 | sed 's/^/  squid: /'
}

cleanup() {
	lab_down
}
trap cleanup EXIT INT TERM

lab_up
lab_squid_start
lab_origin_start
lab_nft_apply "$HTTP_LISTEN" "$HTTPS_LISTEN"
lab_haproxy_start "$HTTP_LISTEN" "$HTTPS_LISTEN"
via_proxy="from $LAB_SQUID_IP"
direct="from $LAB_MGMT_IP"

echo "== HTTP through the interception path"
check "http origin.test via Squid" body_has mgmt "$via_proxy" http://origin.test/hello?x=1
check "Squid logged absolute http URL" squid_logged "GET http://origin.test/hello"
check "http non-default port 8080" body_has mgmt "$via_proxy" http://origin.test:8080/p8080
check "Squid logged :8080" squid_logged "GET http://origin.test:8080/p8080"

echo "== HTTPS: default certificate only, then a leaf loaded at run time"
check "unknown name gets the default certificate (curl rejects it)" \
	sh -c "! ip netns exec $LAB-mgmt timeout 10 curl -sS --max-time 8 --cacert $LAB_DIR/pki/local.crt https://secure.test/ >/dev/null 2>&1"
lab_mint_leaf local "$LAB_DIR/certs/secure.test" secure.test
lab_haproxy_load_cert "$LAB_DIR/certs/secure.test.pem" | grep -v '^$' | sed 's/^/  cli: /'
check "first handshake after runtime load succeeds" \
	body_has mgmt "$via_proxy" --cacert "$LAB_DIR/pki/local.crt" https://secure.test/first
check "HTTPS went through CONNECT secure.test:443" \
	grep -q 'mgmt-proxy-tunnel opened secure.test:443 200' "$LAB_DIR/run/haproxy.log"
check "https non-default port 8443" \
	body_has mgmt "$via_proxy" --cacert "$LAB_DIR/pki/local.crt" https://secure.test:8443/p8443
check "CONNECT names the port: secure.test:8443" \
	grep -q 'mgmt-proxy-tunnel opened secure.test:8443 200' "$LAB_DIR/run/haproxy.log"
check "HTTP/2 from the client" \
	body_has mgmt "$via_proxy" --http2 --cacert "$LAB_DIR/pki/local.crt" https://secure.test/h2

echo "== hostile SNI (becomes the URL authority and a log field)"
# sni_refused SNI: the forwarder answers 400 to a request carrying SNI.
sni_refused() {
	_st=$(lab_in mgmt timeout 10 python3 "$LAB_SRC/sni_probe.py" \
		"$LAB_ORIGIN_HTTPS_IP" "$1" b.test 2>&1) || true
	printf "  %s -> %s\n" "$1" "$_st"
	[ "$_st" = "HTTP/1.1 400 Bad request" ]
}
check "SNI with a newline refused" sni_refused 'a.test\nFAKE'
check "SNI with / ? @ refused" sni_refused 'x.test/e?@b.test'
check "newline in SNI logged URL-encoded" grep -q 'sni=a.test%0AFAKE ' "$LAB_DIR/run/haproxy.log"

echo "== traffic that must not be intercepted"
check "router's own HTTP goes direct" body_has router "from $LAB_RTR_WAN_IP" http://origin.test/own
lab_bg lo80 router timeout 30 python3 -m http.server --bind 127.0.0.1 80
lab_wait_listen router 127.0.0.1 80
check "router loopback :80 reaches the local server" \
	sh -c "ip netns exec $LAB-router timeout 5 curl -sS -o /dev/null -w '%{http_code}' http://127.0.0.1/ | grep -q 200"
lab_kill_pidfile "$LAB_DIR/pids/lo80.pid"

echo "== hitless reload under load (wrk 5 s, 4 connections, 3 reloads)"
for url in http://origin.test/ https://secure.test/; do
	lab_reload_load "$url" 3 | sed 's/^/  /'
	check "no connect errors during reloads ($url)" \
		sh -c "! grep -q 'Socket errors: connect [1-9]' $LAB_DIR/wrk.out"
	check "no non-2xx during reloads ($url)" sh -c "! grep -q 'Non-2xx' $LAB_DIR/wrk.out"
done
check "runtime-loaded certificate survives reload (crt-list file)" \
	body_has mgmt "$via_proxy" --cacert "$LAB_DIR/pki/local.crt" https://secure.test/after-reload

echo "== a bad configuration leaves the old worker serving"
cp "$LAB_DIR/run/haproxy.cfg" "$LAB_DIR/run/haproxy.cfg.good"
echo "not-a-keyword" >>"$LAB_DIR/run/haproxy.cfg"
lab_haproxy_master reload >/dev/null
sleep 1
lab_haproxy_master "show proc" | sed -n 2p | sed 's/^/  /'
check "master counts the failed reload" sh -c "lab_x=\$(echo 'show proc' | timeout 5 socat -t 2 - UNIX-CONNECT:$LAB_DIR/run/haproxy-master.sock); echo \"\$lab_x\" | grep -q 'failed: 1'"
check "old worker still forwards" body_has mgmt "$via_proxy" http://origin.test/after-bad-reload
mv "$LAB_DIR/run/haproxy.cfg.good" "$LAB_DIR/run/haproxy.cfg"

echo "== table removed: direct path"
lab_nft_remove
check "http goes direct" body_has mgmt "$direct" http://origin.test/direct
check "https goes direct (origin cert)" \
	body_has mgmt "$direct" --cacert "$LAB_DIR/pki/public.crt" https://secure.test/direct

trap - EXIT INT TERM
lab_down
check "lab_down removed namespaces" sh -c "! ip netns list | grep -q '^$LAB-'"
check "lab_down removed /etc/netns entries" sh -c "! ls -d /etc/netns/$LAB-* >/dev/null 2>&1"
check "lab_down removed $LAB_DIR" test ! -e "$LAB_DIR"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
