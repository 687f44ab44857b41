#!/bin/sh
# The forwarding path proven by hand, as a repeatable check: builds the lab,
# renders templates/ with a stand-in renderer (below), runs HAProxy and the
# nftables table without mgmt-proxyd, and checks what the design relies on:
# HTTP and HTTPS from the management namespace reach the origin through
# Squid, certificates load at run time, reloads are hitless, the router's own
# and loopback traffic are untouched, and removing the table restores the
# direct path.  One "ok"/"not ok" line a check (tests/lib.sh), then a summary;
# exit 1 when any failed.
#
# Usage (root, from the repository root): sh tests/lab/forwarding-check.sh
# LAB=name picks the namespace prefix (default mpfc).
set -eu

LAB=${LAB:-mpfc}
. tests/lab/lab.sh

HTTP_LISTEN=50080
HTTPS_LISTEN=50443
LOG=$LAB_DIR/run/haproxy.log	# its tail follows a failed check

# ---------------------------------------------------------------- forwarder
# Stand-in for the orchestrator's renderer (the C renderer replaces this):
# fills the templates with sed.  Values are the lab's own constants.

# lab_render TEMPLATE OUT HTTP_PORT HTTPS_PORT
lab_render() {
	sed -e "s|{{PROXY_IP}}|$LAB_SQUID_IP|g" \
		-e "s|{{PROXY_PORT}}|$LAB_SQUID_PORT|g" \
		-e "s|{{HTTP_LISTEN_PORT}}|$3|g" \
		-e "s|{{HTTPS_LISTEN_PORT}}|$4|g" \
		-e "s|{{HTTP_PORTS}}|$LAB_HTTP_PORTS|g" \
		-e "s|{{HTTPS_PORTS}}|$LAB_HTTPS_PORTS|g" \
		-e "s|{{INTERCEPT_IFACES}}|\"kni254\"|g" \
		-e "s|{{FWMARK}}|$LAB_FWMARK|g" \
		-e "s|{{INSPECT_ACL}}|${LAB_INSPECT_ACL:-always_true}|g" \
		-e "s|{{RUN_DIR}}|$LAB_DIR/run|g" \
		-e "s|{{CRT_LIST}}|$LAB_DIR/run/crt-list|g" \
		-e "s|{{MINTED_LIST}}|$LAB_DIR/run/minted.lst|g" \
		"$1" >"$2"
	if grep -n '{{' "$2" >&2; then
		lab_die "unfilled placeholder in $2"
	fi
}

# lab_nft_apply HTTP_PORT HTTPS_PORT: interception table + policy routing.
lab_nft_apply() {
	lab_render "$LAB_TEMPLATES/nftables.nft.tmpl" "$LAB_DIR/run/mgmt-proxy.nft" "$1" "$2"
	lab_in router nft -f "$LAB_DIR/run/mgmt-proxy.nft"
	# Marked packets are delivered locally (to the TPROXY socket) instead of
	# being forwarded to their original destination.
	lab_in router ip rule add fwmark "$LAB_FWMARK/$LAB_FWMARK" lookup "$LAB_RT_TABLE" 2>/dev/null ||
		true
	lab_in router ip route replace local 0.0.0.0/0 dev lo table "$LAB_RT_TABLE"
}

lab_nft_remove() {
	lab_in router nft delete table inet mgmt_proxy 2>/dev/null || true
	lab_in router ip rule del fwmark "$LAB_FWMARK/$LAB_FWMARK" lookup "$LAB_RT_TABLE" 2>/dev/null ||
		true
	lab_in router ip route flush table "$LAB_RT_TABLE" 2>/dev/null || true
}

# lab_haproxy_start HTTP_PORT HTTPS_PORT: master-worker HAProxy in the router
# namespace, logs (stdout) to $LAB_DIR/run/haproxy.log.
lab_haproxy_start() {
	lab_render "$LAB_TEMPLATES/haproxy.cfg.tmpl" "$LAB_DIR/run/haproxy.cfg" "$1" "$2"
	[ -e "$LAB_DIR/run/crt-list" ] || echo "$LAB_DIR/certs/default.pem" >"$LAB_DIR/run/crt-list"
	touch "$LAB_DIR/run/minted.lst"
	lab_haproxy_files
	lab_in router haproxy -c -q -f "$LAB_DIR/run/haproxy.cfg"
	# stdout of the master (inherited by every worker) is an O_APPEND file:
	# `log stdout` then needs no syslog daemon and survives reloads.
	ip netns exec "$LAB-router" haproxy -W -db -f "$LAB_DIR/run/haproxy.cfg" \
		-p "$LAB_DIR/run/haproxy.pid" -S "$LAB_DIR/run/haproxy-master.sock,mode,600" \
		>>"$LAB_DIR/run/haproxy.log" 2>&1 </dev/null &
	echo $! >"$LAB_DIR/pids/haproxy.pid"
	lab_wait_listen router 127.0.0.1 "$1"
	lab_wait_listen router 127.0.0.1 "$2"
}

# lab_haproxy_files: what mgmt-proxyd writes beside haproxy.cfg: the Lua
# files, origins trusted (system store + the lab's public CA), no names
# tunnelled as they are, the error page, no proxy credentials.
lab_haproxy_files() {
	cp "${LAB_LUA:-haproxy}"/*.lua "$LAB_DIR/run/"
	cat /etc/ssl/certs/ca-certificates.crt "$LAB_DIR/pki/public.crt" >"$LAB_DIR/run/origin-ca.pem"
	: >"$LAB_DIR/run/no-inspect.lst"
	: >"$LAB_DIR/run/no-inspect-suffix.lst"
	printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nlab: refused' \
		>"$LAB_DIR/run/origin-error.http"
	: >"$LAB_DIR/run/proxy-auth"
	chmod 600 "$LAB_DIR/run/proxy-auth"
}

lab_haproxy_stop() {
	lab_kill_pidfile "$LAB_DIR/pids/haproxy.pid"
}

# lab_haproxy_cli CMD [SOCKET]: one command on the stats (runtime API)
# socket, or on SOCKET (haproxy-master: the master CLI).
lab_haproxy_cli() {
	echo "$1" | timeout 5 socat -t 2 - "UNIX-CONNECT:$LAB_DIR/run/${2:-haproxy}.sock"
}

lab_haproxy_master() { lab_haproxy_cli "$1" haproxy-master; }

# lab_haproxy_load_cert PEMFILE: load a cert+key into the running HAProxy and
# add it to the crt-list, the sequence the orchestrator uses (cert.c).
lab_haproxy_load_cert() {
	_pem=$1
	lab_haproxy_cli "new ssl cert $_pem"
	{
		echo "set ssl cert $_pem <<"
		cat "$_pem"
		echo
	} | timeout 5 socat -t 2 - "UNIX-CONNECT:$LAB_DIR/run/haproxy.sock"
	lab_haproxy_cli "commit ssl cert $_pem"
	lab_haproxy_cli "add ssl crt-list $LAB_DIR/run/crt-list $_pem"
	# The file is the truth across reloads (runtime changes are lost).
	echo "$_pem" >>"$LAB_DIR/run/crt-list"
}

# lab_reload_load URL RELOADS: a bounded wrk run (5 s, 4 connections) from
# the management namespace through the interception path while the master
# CLI reloads HAProxy RELOADS times; prints wrk's summary lines.
lab_reload_load() {
	lab_in mgmt timeout 15 wrk -t1 -c4 -d5s "$1" >"$LAB_DIR/wrk.out" 2>&1 &
	_w=$!
	_i=0
	while [ "$_i" -lt "$2" ]; do
		sleep "$(awk "BEGIN { print 4 / ($2 + 1) }")"
		lab_haproxy_master reload >/dev/null
		_i=$((_i + 1))
	done
	wait "$_w" || true
	grep -E 'requests in|Socket errors|Non-2xx' "$LAB_DIR/wrk.out"
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

t_finish
