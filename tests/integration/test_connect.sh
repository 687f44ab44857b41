#!/bin/bash
# HTTPS through CONNECT, end to end, with the real daemon in the namespace
# lab (tests/lab/lab.sh): mgmt-proxyd + HAProxy in the router namespace;
# Squid, nginx, two Python ssl TLS 1.3 origins and a fake proxy in the wan
# namespace; curl/openssl as the management client.
#
#   1 inspected HTTPS: first connection to never-seen names on nginx and on
#     the Python origin; the origin's certificate is verified on the box
#     (a wrong name or an untrusted CA gives an error page and a log line;
#     the CA added to tls.origin-ca + reload makes it work); names with a
#     certificate do not ask the daemon
#   2 tunnelled HTTPS: a no-inspect name, a "*.suffix" name and a client
#     without SNI reach the origin with its own certificate; nothing minted
#   3 the WAN carries no request path of HTTPS in clear text; Squid sees
#     CONNECT only
#   4 integrity (64 MiB, both paths) and pooled tunnels (200 new client
#     connections, alternating names never cross, a request after the
#     proxy or the origin closed the idle tunnel)
#   5 proxy faults (fake proxy): 403, 407, 502, garbage, oversize headers,
#     close, silence, a 200 split at every byte; counts in show detail
#   6 Basic proxy authentication against a Squid that requires it: 407
#     shown without credentials, works with them; the credentials appear
#     in no log, no CLI output and only in files of mode 0600
. "$(dirname "$0")/../lib.sh"

lab_test_init mpk haproxy squid nginx curl openssl jq nft python3 tcpdump sha256sum

SQUID=$LAB_SQUID_IP
FAKE=203.0.113.12
PY_IP=198.51.100.44
ROGUE_IP=198.51.100.45
MGMT=$LAB_MGMT_IP
HP_BIN=/usr/sbin/haproxy

MCURL_MAX=15	# 64 MiB downloads
hp_master() {
	local p
	for p in $(ip netns pids "$LAB-router"); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$HP_BIN" ] || continue
		[ "$(awk '/^PPid:/ { print $2 }' "/proc/$p/status")" = "$MPD_PID" ] && echo "$p"
	done
}
opened() { grep -c "haproxy: mgmt-proxy-tunnel opened $1 " "$LOG"; }
tail_log() { echo "# --- daemon log (tail)"; tail -n 25 "$LOG" | sed 's/^/# /'; }

NO_INSPECT='[pin.test, "*.raw.test"]'
ORIGIN_CA="[$LAB_DIR/pki/public.crt]"
AUTH=
write_cfg() {	# write_cfg PROXY-IP
	LAB_ORIGIN_CA=$ORIGIN_CA LAB_TLS_EXTRA="    no-inspect: $NO_INSPECT" \
	    LAB_MP_EXTRA=$AUTH lab_write_static_cfg "$1"
}

start_daemon() { lab_start_daemon; }

# switch_to PROXY-IP: static proxy + reload, forwarding through it.
switch_to() {
	write_cfg "$1"
	ctl reload >/dev/null 2>&1 || echo "# reload refused"
	wait_for 10 is_active "$1:$LAB_SQUID_PORT" && wait_for 10 forwarding_up
}

# ------------------------------------------------------------------ lab
dd if=/dev/urandom of="$W/big" bs=1M count=64 status=none
BIG_SUM=$(sha256sum < "$W/big" | cut -d' ' -f1)
py_origin_start() {
	lab_tls_origin_start pyorigin "$PY_IP" public "$W/big" -- \
	    p1.test p2.test p3.test p4.test pin.test x.raw.test &&
	    lab_add_names "$PY_IP" wrong.test
}
rogue_start() { lab_tls_origin_start rogue "$ROGUE_IP" rogue -- rogue.test; }
lab_setup lab_up py_origin_start rogue_start lab_squid_start lab_origin_start
echo ok > "$W/fake-mode"
lab_fake_proxy_start "$FAKE" "$LAB_SQUID_PORT" "$W/fake-mode" >>"$W/lab.out" 2>&1 ||
	{ cat "$W/lab.out"; echo "not ok - fake proxy"; exit 1; }
# The Python origin logs each request's client address on stderr.
PYLOG=$LAB_DIR/pyorigin.out

lab_pki_ca ca "/CN=connect test CA $$" "$W"
write_cfg "$SQUID"
check "configuration with tls.no-inspect and tls.origin-ca accepted" \
	"$MPD" --check-config "$CFG"
check "daemon starts" start_daemon
check "forwarding through Squid" wait_for 10 forwarding_up
ctl ca export > "$W/ca.pem" 2>/dev/null

# ------------------------------------------------------------------ 1 inspected
for n in a.test b.test c.test; do
	check "inspected: first connection to never-seen $n (nginx) works" \
		body_is "https://$n/first" "origin https://$n/first from $SQUID" --cacert "$W/ca.pem"
done
for n in p1.test p2.test p3.test; do
	check "inspected: first connection to never-seen $n (Python ssl, TLS 1.3) works" \
		body_is "https://$n/first" "origin https://$n/first from $SQUID" --cacert "$W/ca.pem"
done
check "inspected: the client saw a leaf of the local CA (issuer)" bash -c \
	"ip netns exec '$LAB-mgmt' timeout 10 openssl s_client -connect $PY_IP:443 -servername p2.test \
	 -CAfile '$W/ca.pem' -verify_return_error </dev/null 2>/dev/null | grep -q 'issuer=CN = connect test CA $$'"
check "each inspected name went through its own CONNECT (p1.test:443)" \
	log_has "haproxy: mgmt-proxy-tunnel opened p1.test:443 200"
check_eq "each tunnel line once in the log (HAProxy's stderr copy left out)" 0 \
	"$(grep -c ' : mgmt-proxy-tunnel ' "$LOG")"

code_body() {	# code_body URL: "CODE BODY..." of one request (local CA)
	mcurl --cacert "$W/ca.pem" -w '%{http_code}' "$1" 2>&1 | tr '\n' ' '
}
refused_page() {	# refused_page URL: the client gets the error page
	local got
	got=$(code_body "$1")
	case $got in
	*"no verified connection to the origin"*503) return 0 ;;
	esac
	echo "# $1: expected the 503 error page, got '$got'" >&2
	return 1
}
check "untrusted CA (rogue.test): the client gets an error page" refused_page https://rogue.test/secret
check "untrusted CA: no origin content reached the client" bash -c \
	"! grep -q 'GET /secret' '$LAB_DIR/rogue.out'"
check "untrusted CA: a log line names the host and the reason" \
	log_has "haproxy: .*sni=rogue.test .*status=503 .*origin-tls=.*certificate verify failed"
check "wrong name (wrong.test on a p*.test certificate): error page" refused_page https://wrong.test/x
check "wrong name: a log line names the host and the reason" \
	log_has "haproxy: .*sni=wrong.test .*status=503 .*origin-tls=.*certificate verify failed"
ORIGIN_CA="[$LAB_DIR/pki/public.crt, $LAB_DIR/pki/rogue.crt]"
write_cfg "$SQUID"
check "reload with the rogue CA in tls.origin-ca" ctl reload
check "rogue.test works after the reload" wait_for 10 body_is https://rogue.test/now \
	"origin https://rogue.test/now from $SQUID" --cacert "$W/ca.pem"

# A reload that changes nothing HAProxy uses leaves HAProxy alone: a
# reload would drop its pooled tunnels (and HAProxy 2.6.12 reloaded in
# quick succession has crashed).
hp_reloads() { grep -c 'HAProxy reload: forwarding through' "$LOG"; }
hp_worker() { pgrep -n -P "$(hp_master)" -x haproxy; }
before="$(hp_reloads) $(hp_worker)"
check "reload with nothing changed" ctl reload
wait_for 5 bash -c "[ \"\$(grep -c 'HAProxy reload: forwarding through' '$LOG')\" != '${before%% *}' ]"
check_eq "reload with nothing changed: HAProxy not reloaded (same worker)" \
	"$before" "$(hp_reloads) $(hp_worker)"

# Known names need no daemon: with mgmt-proxyd stopped (SIGSTOP), a
# request for a name with a certificate leaves nothing waiting on the
# certificate socket; a new name does ask (one connection queued). The
# reload (a no-inspect entry added) is still in flight meanwhile.
NO_INSPECT='[pin.test, "*.raw.test", unused.test]'
write_cfg "$SQUID"
ctl reload >/dev/null 2>&1
kill -STOP "$MPD_PID"
mcurl -o /dev/null --cacert "$W/ca.pem" https://a.test/known-1 2>/dev/null
mcurl -o /dev/null --cacert "$W/ca.pem" https://p1.test/known-1 2>/dev/null
check "daemon stopped: known names (crt-list) did not ask it (queue $(cert_queue))" [ "$(cert_queue)" = 0 ]
mcurl -o /dev/null --cacert "$W/ca.pem" https://p4.test/new 2>/dev/null
check "daemon stopped: a new name asked it (queue $(cert_queue))" [ "$(cert_queue)" = 1 ]
kill -CONT "$MPD_PID"
check "p4.test minted once the daemon runs again" wait_for 10 body_is https://p4.test/new \
	"origin https://p4.test/new from $SQUID" --cacert "$W/ca.pem"
# p4.test may have been minted while HAProxy was still reloading (the
# reload above finishes once the daemon runs): the new worker then gets it
# with the resync 1 s after it is ready. Give that its time (no assertion).
wait_for 3 grep -q 'certificate for p4.test loaded into HAProxy again' "$LOG"
kill -STOP "$MPD_PID"
mcurl -o /dev/null --cacert "$W/ca.pem" https://p4.test/again 2>/dev/null
check "daemon stopped: a name minted since the reload did not ask again (queue $(cert_queue))" [ "$(cert_queue)" = 0 ]
kill -CONT "$MPD_PID"

# ------------------------------------------------------------------ 2 tunnelled
s_client() {	# s_client OUT ARGS...: handshake from mgmt to the Python origin
	local out=$1
	shift
	in_m timeout 10 openssl s_client -connect "$PY_IP:443" "$@" \
	    -CAfile "$LAB_DIR/pki/public.crt" -verify_return_error </dev/null >"$out" 2>&1
}
pub_issuer() {	# pub_issuer FILE: the chain shown was issued by the lab's public CA
	grep -q "Verify return code: 0 (ok)" "$1" &&
	grep -q "issuer=CN = mgmt-proxy lab public CA ($LAB)" "$1"
}
check "no-inspect pin.test: handshake with the origin's own certificate" \
	s_client "$W/pin.out" -servername pin.test -verify_hostname pin.test
check "no-inspect pin.test: issuer is the origin's CA" pub_issuer "$W/pin.out"
check "no-inspect pin.test: HTTPS body through Squid" body_is https://pin.test/raw \
	"origin https://pin.test/raw from $SQUID" --cacert "$LAB_DIR/pki/public.crt"
check "no-inspect *.raw.test: x.raw.test with the origin's own certificate" \
	body_is https://x.raw.test/raw "origin https://x.raw.test/raw from $SQUID" \
	--cacert "$LAB_DIR/pki/public.crt"
check "no-inspect: nothing minted for pin.test or x.raw.test" bash -c \
	"! ls '$STATE/certs' | grep -qE 'pin.test|raw.test' && ! grep -qE 'certificate for (pin|x.raw).test' '$LOG'"
check "no-inspect: CONNECT pin.test:443 opened" \
	log_has "haproxy: mgmt-proxy-tunnel opened pin.test:443 200"
check "no SNI: handshake with the origin's own certificate" \
	s_client "$W/nosni.out" -noservername
check "no SNI: issuer is the origin's CA" pub_issuer "$W/nosni.out"
check "no SNI: CONNECT to the original destination $PY_IP:443" \
	log_has "haproxy: mgmt-proxy-tunnel opened $PY_IP:443 200"

# ------------------------------------------------------------------ 3 WAN
# The capture runs in the wan namespace, on the router's WAN link.
ip netns exec "$LAB-wan" timeout 30 tcpdump -i up0 -U -s 0 -w "$W/wan.pcap" \
    'tcp port 3128' >"$W/tcpdump.out" 2>&1 &
TD=$!
wait_for 5 grep -q "listening on" "$W/tcpdump.out"
mcurl -o /dev/null "http://origin.test/clear-path-$$"
mcurl -o /dev/null --cacert "$W/ca.pem" "https://b.test/secret-path-$$"
mcurl -o /dev/null --cacert "$W/ca.pem" "https://p3.test/secret-path-$$"
sleep 1
kill "$TD" 2>/dev/null
wait "$TD" 2>/dev/null
check "WAN capture works (the HTTP path is seen in clear)" grep -qa "clear-path-$$" "$W/wan.pcap"
check "WAN capture shows no path of an HTTPS request" bash -c "! grep -qa 'secret-path-$$' '$W/wan.pcap'"

# ------------------------------------------------------------------ 4 integrity, pooling
big_ok() {	# big_ok URL CA: 64 MiB intact
	local sum
	sum=$(in_m timeout 120 curl -sS --max-time 110 --cacert "$2" "$1" | sha256sum | cut -d' ' -f1)
	[ "$sum" = "$BIG_SUM" ] && return 0
	echo "# $1: sha256 $sum, want $BIG_SUM" >&2
	return 1
}
check "64 MiB through the inspected path (p1.test) intact" big_ok https://p1.test/big "$W/ca.pem"
check "64 MiB through the tunnelled path (pin.test) intact" big_ok https://pin.test/big "$LAB_DIR/pki/public.crt"

before=$(opened a.test:443)
fails=0
for i in $(seq 200); do
	out=$(mcurl --cacert "$W/ca.pem" "https://a.test/pool-$i")
	[ "$out" = "origin https://a.test/pool-$i from $SQUID" ] || fails=$((fails + 1))
done
tunnels=$(( $(opened a.test:443) - before ))
echo "# 200 new client connections to a.test: $fails failed, $tunnels new tunnels"
check "200 sequential client connections to a.test: all answered" [ "$fails" = 0 ]
check "200 sequential client connections opened at most 5 tunnels ($tunnels)" [ "$tunnels" -le 5 ]
cross=0
for i in $(seq 20); do
	for n in a.test p2.test; do
		out=$(mcurl --cacert "$W/ca.pem" "https://$n/alt-$i")
		[ "$out" = "origin https://$n/alt-$i from $SQUID" ] || { cross=$((cross + 1)); echo "# $n: $out"; }
	done
done
check "alternating a.test / p2.test: each answer from its own name" [ "$cross" = 0 ]
# A pooled tunnel closed by the proxy or by the origin while idle: the next
# request still gets its answer (a new tunnel, or a retry when the close
# crosses the request).
in_w() { ip netns exec "$LAB-wan" "$@"; }
check "pooled tunnel to a.test in use" body_is https://a.test/pre-close \
	"origin https://a.test/pre-close from $SQUID" --cacert "$W/ca.pem"
in_w ss -K dst "$LAB_RTR_WAN_IP" sport = :"$LAB_SQUID_PORT" >/dev/null 2>&1
check "the proxy dropped every tunnel (ss -K at Squid)" bash -c \
	"[ -z \"\$(ip netns exec '$LAB-wan' ss -Htn state established dst $LAB_RTR_WAN_IP sport = :$LAB_SQUID_PORT)\" ]"
check "request after the proxy closed the idle tunnel" body_is https://a.test/after-proxy-close \
	"origin https://a.test/after-proxy-close from $SQUID" --cacert "$W/ca.pem"
in_w ss -K src "$LAB_ORIGIN_HTTPS_IP" sport = :443 >/dev/null 2>&1
check "request after the origin closed the idle tunnel" body_is https://a.test/after-origin-close \
	"origin https://a.test/after-origin-close from $SQUID" --cacert "$W/ca.pem"

# ------------------------------------------------------------------ 5 faults
MASTER=$(hp_master)
# Only the proxy changes: HAProxy takes it at run time. A download in
# flight through Squid ends intact, and no tunnel through Squid (a.test's
# are pooled; the download's goes back to the pool when it ends) carries
# a request afterwards.
switches() { grep -c 'changed at run time, no reload' "$LOG"; }
switches0=$(switches)
worker0=$(hp_worker)
in_m timeout 120 curl -sS --max-time 110 --limit-rate 16M --cacert "$W/ca.pem" \
    https://p1.test/big > "$W/inflight" 2>"$W/inflight.err" &
inflight=$!
sleep 1
check "switch to the fake proxy $FAKE" switch_to "$FAKE"
check "the proxy changed at run time (log line)" \
	wait_for 5 bash -c "[ \"\$(grep -c 'changed at run time, no reload' '$LOG')\" -gt $switches0 ]"
check "a.test (tunnels pooled through Squid): the first request goes through the fake proxy" \
	body_is https://a.test/switched "origin https://a.test/switched from $FAKE" --cacert "$W/ca.pem"
wait "$inflight"
check_eq "the download in flight across the switch arrived intact" "$BIG_SUM" \
	"$(sha256sum < "$W/inflight" | cut -d' ' -f1)"
check "p1.test after that download: through the fake proxy" \
	body_is https://p1.test/switched "origin https://p1.test/switched from $FAKE" --cacert "$W/ca.pem"
check_eq "HAProxy not reloaded (same master, same newest worker)" "$MASTER $worker0" \
	"$(hp_master) $(hp_worker)"
check "HTTPS through the fake proxy" body_is https://b.test/fake \
	"origin https://b.test/fake from $FAKE" --cacert "$W/ca.pem"
fault() {	# fault MODE REASON: inspected request refused, logged
	echo "$1" > "$W/fake-mode"
	refused_page "https://c.test/fault-$1" &&
	    wait_for 5 grep -q "haproxy: mgmt-proxy-tunnel refused c.test:443 $2\$" "$LOG"
}
for m in 403 407 502; do
	check "proxy answers $m: error page, log names status $m" fault "$m" "$m"
done
check "proxy answers garbage: refused" fault garbage garbage
check "proxy reply headers over 8 KiB: refused" fault oversize reply-headers-too-long
check "proxy closes before replying: refused" fault close closed-before-reply
check "proxy says nothing: refused after the timeout" fault silent no-reply-in-time
check "show management-proxy detail: refusals counted, last one shown" bash -c \
	"ip netns exec '$LAB-router' '$MPC' --run-dir '$RUN' show management-proxy detail | grep -qE 'Last Refusal: +no-reply-in-time at .* \(c.test:443\)'"
check "--json: tunnels.refused >= 8 and last-refusal.status" bash -c \
	"[ \"\$(ip netns exec '$LAB-router' '$MPC' --run-dir '$RUN' show management-proxy --json | jq -r '(.tunnels.refused >= 8 | tostring) + \" \" + .tunnels[\"last-refusal\"].status')\" = 'true no-reply-in-time' ]"
reply_len=$(printf 'HTTP/1.1 200 Connection established\r\nVia: fake\r\n\r\n' | wc -c)
split_fail=0
for n in $(seq 0 "$reply_len"); do
	echo "split:$n" > "$W/fake-mode"
	out=$(mcurl --cacert "$LAB_DIR/pki/public.crt" "https://pin.test/split-$n")
	[ "$out" = "origin https://pin.test/split-$n from $FAKE" ] || { split_fail=$((split_fail + 1)); echo "# split at $n: $out"; }
done
check "a 200 reply split at each of its $((reply_len + 1)) byte positions: tunnel works" [ "$split_fail" = 0 ]
echo ok > "$W/fake-mode"
check "inspected through the fake proxy after the faults" \
	body_is https://c.test/after "origin https://c.test/after from $FAKE" --cacert "$W/ca.pem"
check "HAProxy survived (same master, no restart)" [ "$(hp_master)" = "$MASTER" ]
check "no Lua error in the log" bash -c "! grep -q 'Lua filter' '$LOG'"

# ------------------------------------------------------------------ 6 auth
SQA=203.0.113.13
SECRET="s3cret-$$"
lab_squid_auth_start "$SQA" mgmt "$SECRET" >>"$W/lab.out" 2>&1 || cat "$W/lab.out"
check "switch to a Squid that requires authentication" switch_to "$SQA"
refused_407() {	# one request to b.test refused with 407 (after the reload)
	mcurl --cacert "$W/ca.pem" -o /dev/null "https://b.test/auth-$RANDOM" 2>/dev/null
	log_has "haproxy: mgmt-proxy-tunnel refused b.test:443 407$"
}
check "no credentials: the CONNECT is refused with 407" wait_for 20 refused_407
check "no credentials: 407 visible in show management-proxy detail" bash -c \
	"ip netns exec '$LAB-router' '$MPC' --run-dir '$RUN' show management-proxy detail | grep -qE 'Last Refusal: +407 at .* \(b.test:443\)'"
check "no credentials: HTTP gets Squid's 407" [ "$(mcurl -o /dev/null -w '%{http_code}' http://origin.test/noauth)" = 407 ]
printf 'mgmt:%s\n' "$SECRET" > "$W/cred"
chmod 644 "$W/cred"
AUTH="  upstream:
    auth: {type: basic, credentials-file: $W/cred}"
write_cfg "$SQA"
"$MPD" --check-config "$CFG" > "$W/check.out" 2>&1
check "--check-config refuses a credentials file of mode 0644 (FILE:LINE:COL)" \
	grep -qE "^$CFG:[0-9]+:[0-9]+: credentials-file $W/cred: readable or writable by group or others" "$W/check.out"
chmod 600 "$W/cred"
printf 'mgmt:%s\r\n' "$SECRET" > "$W/cred"
"$MPD" --check-config "$CFG" > "$W/check.out" 2>&1
check "--check-config refuses a credentials file with CR" \
	grep -qE "^$CFG:[0-9]+:[0-9]+: credentials-file $W/cred: contains CR, LF or NUL" "$W/check.out"
printf 'mgmt:%s\n' "$SECRET" > "$W/cred"
check "--check-config accepts a root-owned 0600 credentials file" "$MPD" --check-config "$CFG"
check "reload with the credentials" ctl reload
check "with credentials: HTTPS through the authenticating Squid" wait_for 15 body_is \
	https://b.test/authed "origin https://b.test/authed from $SQA" --cacert "$W/ca.pem"
check "with credentials: HTTP through the authenticating Squid" body_is \
	http://origin.test/authed "origin http://origin.test/authed from $SQA"
check "with credentials: a tunnelled (no-inspect) name too" body_is https://pin.test/authed \
	"origin https://pin.test/authed from $SQA" --cacert "$LAB_DIR/pki/public.crt"
B64=$(printf 'mgmt:%s' "$SECRET" | base64 -w0)
check "the credentials are in no log line" bash -c \
	"! grep -qF -e '$SECRET' -e '$B64' '$LOG' '$W/stderr'"
check "the credentials are in no CLI output" bash -c \
	"! { ip netns exec '$LAB-router' '$MPC' --run-dir '$RUN' show management-proxy detail; \
	     ip netns exec '$LAB-router' '$MPC' --run-dir '$RUN' show management-proxy --json; } | grep -qF -e '$SECRET' -e '$B64'"
only_0600() {	# every file of the run and state directories holding them is 0600
	local f bad=0
	for f in $(grep -rlF -e "$SECRET" -e "$B64" "$RUN" "$STATE" 2>/dev/null); do
		[ "$(stat -c %a "$f")" = 600 ] || { echo "# $f: mode $(stat -c %a "$f")" >&2; bad=1; }
	done
	[ "$bad" = 0 ] && [ -n "$(grep -rlF "$B64" "$RUN")" ]
}
check "the credentials are only in files of mode 0600" only_0600
check "haproxy.cfg does not hold the credentials" bash -c "! grep -qF '$B64' '$RUN/haproxy.cfg'"

# ------------------------------------------------------------------ Squid's view
AUTH=
switch_to "$SQUID" >/dev/null
daemon_stop
check "Squid logged CONNECT tunnels (TCP_TUNNEL ... CONNECT a.test:443)" \
	wait_for 10 grep -qE "TCP_TUNNEL/200 .* CONNECT a.test:443" "$LAB_DIR/squid/access.log"
check "Squid logged no absolute https:// request" bash -c \
	"! grep -q 'https://' '$LAB_DIR/squid/access.log'"
[ "$T_FAILS" -gt 0 ] && tail_log
t_finish
