#!/bin/bash
# Certificates for the first HTTPS connection to each name, under abuse, with
# the real daemon in the namespace lab (tests/lab/lab.sh): mgmt-proxyd
# (forwarder haproxy) in the router namespace, Squid and nginx in the wan
# namespace, openssl s_client as the management client.
#
#   1 a burst of 64 parallel first connections to new names: every one is
#     answered with its own minted certificate
#   2 hundreds of idle clients on the certificate socket (reconnecting when
#     closed) do not keep a real first connection from its certificate
#   3 a name of 253 characters is minted (hashed file name) and served
#   4 names first asked for while HAProxy reloads are served by the new
#     worker afterwards
#   5 a full disk: "minting failed" is logged a bounded number of times
#   6 more names than the cap: the least recently used are evicted (files,
#     crt-list, HAProxy's store), new names are still minted, also after a
#     restart of the daemon over a directory holding more than the cap;
#     a name served early and evicted since is served its own certificate
#     again (HAProxy asks the daemon for it again), while a name still
#     minted never waits for the daemon (stopped: nothing queues)
. "$(dirname "$0")/../lib.sh"

lab_test_init mpc
HOG_PID=
SQUID_A=$LAB_SQUID_IP
SQUID_B=$LAB_SQUID2_IP
CERT_MAX=1024	# orchestrator/cert.h

for t in haproxy squid nginx openssl jq python3 socat chattr; do
	command -v "$t" >/dev/null || { echo "not ok - $t is not installed"; exit 1; }
done

cleanup() {
	[ -n "$HOG_PID" ] && kill "$HOG_PID" 2>/dev/null
	chattr -i "$STATE/certs" 2>/dev/null
	lab_test_cleanup
}
trap cleanup EXIT

log_tail() { echo "# daemon log (tail):"; tail -n 15 "$LOG" | sed 's/^/#   /'; }

write_cfg() {	# write_cfg PROXY-IP
	LAB_HC="interval: 5, timeout: 1" lab_write_static_cfg "$1"
}

# served NAME [OUT]: a TLS handshake from the management client to the
# HTTPS origin address with SNI NAME; true when the certificate presented
# verifies for NAME against the exported local CA (the default certificate
# does not: it names mgmt-proxy.invalid). The verdict is s_client's report
# of the handshake, not its exit status (which also reflects how HAProxy
# closes the empty request after it).
served() {
	local out=${2:-$W/served.out}
	in_m timeout 15 openssl s_client -connect "$LAB_ORIGIN_HTTPS_IP:443" \
	    -servername "$1" -verify_hostname "$1" -verify_return_error \
	    -CAfile "$W/ca.pem" </dev/null >"$out" 2>&1
	grep -q 'Verify return code: 0 (ok)' "$out"
}

# served_all OUTDIR NAME...: served for each NAME in parallel; prints the
# names that were not.
served_all() {
	local dir=$1 n pids=() names=()
	shift
	mkdir -p "$dir"
	for n in "$@"; do
		served "$n" "$dir/$n.out" &
		pids+=($!)
		names+=("$n")
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || echo "${names[$i]}"
	done
}

# ask NAME...: ask the certificate socket directly, one name at a time, as
# HAProxy's Lua action does; prints "<answers ok> <answers error>".
ask() {
	in_r python3 - "$RUN/cert.sock" "$@" <<'EOF'
import socket, sys
ok = err = 0
for name in sys.argv[2:]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(sys.argv[1])
        s.sendall(name.encode() + b"\n")
        a = s.recv(16)
    except OSError:
        a = b""
    s.close()
    if a == b"ok\n":
        ok += 1
    else:
        err += 1
print(ok, err)
EOF
}

# ------------------------------------------------------------------ lab
if ! lab_up >"$W/lab.out" 2>&1 || ! lab_squid_start >>"$W/lab.out" 2>&1 ||
    ! lab_squid2_start >>"$W/lab.out" 2>&1 || ! lab_origin_start >>"$W/lab.out" 2>&1; then
	cat "$W/lab.out"
	fail "lab set-up"
	t_finish
fi
ok "lab up ($LAB: Squid $SQUID_A and $SQUID_B, origins)"

write_cfg "$SQUID_A"
check "daemon starts (forwarder haproxy)" lab_start_daemon
check "static proxy $SQUID_A:3128 active" wait_for 5 is_active "$SQUID_A:3128"
check "interception and HAProxy listeners in place" wait_for 10 forwarding_up
ctl ca export > "$W/ca.pem"
check "ca export prints the local CA" grep -q "BEGIN CERTIFICATE" "$W/ca.pem"
check "a first connection to a new name is served its certificate" served warmup.test

# ------------------------------------------------------------------ 1 burst
# More parallel first connections than the daemon once had request slots
# (32) and listen backlog (16): each must still get its own certificate.
burst=()
for i in $(seq 1 64); do burst+=("b$i.burst.test"); done
missed=$(served_all "$W/burst" "${burst[@]}")
echo "# burst of 64: not served their certificate: $(echo $missed | wc -w) $(echo $missed | cut -c1-200)"
check "burst of 64 parallel first connections: every one served its minted certificate" \
	[ -z "$missed" ]
[ -n "$missed" ] && log_tail

# ------------------------------------------------------------------ 2 idle clients
# 300 clients connect to the certificate socket and send nothing; each one
# closed is replaced at once. Bounded: at most 40 s, or until $W/hog.stop.
in_r python3 - "$RUN/cert.sock" "$W/hog.stop" "$W/hog.count" <<'EOF' &
import os, select, socket, sys, time
path, stop, count = sys.argv[1:4]
end = time.time() + 40
socks, made = [], 0
def connect():
    global made
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(path)
    except BlockingIOError:
        pass
    except OSError:
        s.close()
        return None
    made += 1
    return s
while time.time() < end and not os.path.exists(stop):
    while len(socks) < 300:
        s = connect()
        if s is None:
            break
        socks.append(s)
    r, _, _ = select.select(socks, [], [], 0.05)
    for s in r:		# readable: closed by the daemon
        socks.remove(s)
        s.close()
    with open(count, "w") as f:
        f.write("%d\n" % made)
EOF
HOG_PID=$!
hogging() { [ "$(cat "$W/hog.count" 2>/dev/null || echo 0)" -ge 300 ]; }
check "300 idle clients connected to the certificate socket" wait_for 10 hogging
sleep 3	# past the name-line deadline: the slots have been fought over
check "with 300 idle clients holding on, a first connection to a new name is served its certificate" \
	served idle1.test "$W/idle1.out"
check "... and a second one" served idle2.test "$W/idle2.out"
touch "$W/hog.stop"
wait "$HOG_PID" 2>/dev/null
HOG_PID=
echo "# idle clients made $(cat "$W/hog.count" 2>/dev/null) connections"
check "the daemon logged closing idle clients" grep -qE "no name within|closing the oldest idle" "$LOG"

# ------------------------------------------------------------------ 3 long name
# 253 characters, the longest valid name: "<name>.pem.tmp" would exceed
# NAME_MAX, so its file is named after its hash.
LONG=$(python3 -c 'print(".".join(["l" * 63, "o" * 63, "n" * 63, "g" * 56, "test"]))')
check "the long name is 253 characters" [ "${#LONG}" = 253 ]
check "a first connection to a 253-character name is served its certificate" \
	served "$LONG" "$W/long.out"
hashfile=$(python3 -c "import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest() + '.pem')" "$LONG")
check "its file is named after the name's SHA-256 ($hashfile)" test -s "$STATE/certs/$hashfile"
check "the crt-list lists it" grep -qF "$STATE/certs/$hashfile" "$STATE/certs/crt-list"
check "the list of minted names has it" grep -qxF "$LONG" "$STATE/certs/minted.lst"

# ------------------------------------------------------------------ 4 reload
# First connections to new names while HAProxy reloads (the proxy switches
# A -> B -> A -> B, and tls.no-inspect changes each time: a proxy change
# alone is made at run time). Afterwards each name is served by the new
# worker.
reload_names=()
for i in $(seq 1 48); do reload_names+=("r$i.reload.test"); done
(
	for i in $(seq 0 3); do
		for j in $(seq 1 12); do
			served "r$((i * 12 + j)).reload.test" &
			sleep 0.05
		done
	done
	wait
) >/dev/null 2>&1 &
first_wave=$!
for to in "$SQUID_B" "$SQUID_A" "$SQUID_B"; do
	sleep 0.6
	LAB_TLS_EXTRA="    no-inspect: [unused-$RANDOM.test]" write_cfg "$to"
	ctl reload >/dev/null 2>&1 || echo "# reload refused"
done
wait "$first_wave"
check "proxy B in effect after the reloads" wait_for 10 is_active "$SQUID_B:3128"
check "forwarding up after the reloads" wait_for 10 forwarding_up
# Every start and reload has been reported done by the master (reloads
# asked for while one runs may be merged into the next, or found needless).
settled() {
	[ "$(grep -c 'Loading success' "$LOG")" -ge \
	    "$(( $(grep -c 'HAProxy started' "$LOG") + $(grep -c 'HAProxy reload: forwarding' "$LOG") ))" ]
}
check "HAProxy reported every reload done" wait_for 20 settled
echo "# HAProxy reloads: $(grep -c 'HAProxy reload: forwarding' "$LOG")"
sleep 2
missed=$(served_all "$W/reload" "${reload_names[@]}")
echo "# after the reloads, not served their certificate: $(echo $missed | wc -w) $(echo $missed | cut -c1-200)"
check "every name first asked for during the reloads is served its certificate afterwards" \
	[ -z "$missed" ]
[ -n "$missed" ] && log_tail

# ------------------------------------------------------------------ 5 full disk
# The certificate directory refuses new files (immutable: what a full disk
# looks like to the daemon): 40 new names, a bounded number of log lines.
chattr +i "$STATE/certs"
before=$(grep -c "minting failed" "$LOG")
res=$(ask $(for i in $(seq 1 40); do echo "f$i.full.test"; done))
chattr -i "$STATE/certs"
lines=$(( $(grep -c "minting failed" "$LOG") - before ))
echo "# full disk: answers (ok error) $res, 'minting failed' lines: $lines"
check "full disk: every request answered error" [ "$res" = "0 40" ]
check "full disk: 'minting failed' logged, at most 5 times for 40 names ($lines)" \
	test "$lines" -ge 1 -a "$lines" -le 5
check "minting works again once the disk has room" served after-full.test

# ------------------------------------------------------------------ 6 eviction
# More names than the cap, through the certificate socket. A name kept in
# use between them survives; the oldest flood names go; the disk, the
# crt-list and HAProxy's store stay bounded; new names are still minted.
ask keep.test >/dev/null
flood() {	# flood FROM TO: names n<FROM>..n<TO>.flood.test, keep.test used every 100
	local i names=()
	for i in $(seq "$1" "$2"); do
		names+=("n$i.flood.test")
		[ $((i % 100)) = 0 ] && names+=(keep.test)
	done
	ask "${names[@]}"
}
T0=$(date +%s)
res=$(flood 1 $((CERT_MAX + 100)))
echo "# flood of $((CERT_MAX + 100)) names: answers (ok error) $res in $(( $(date +%s) - T0 )) s"
check "flood: every request answered ok (none refused at the cap)" \
	[ "${res#* }" = 0 ]
nfiles=$(find "$STATE/certs" -maxdepth 1 -name '*.pem' | wc -l)
nlist=$(wc -l < "$STATE/certs/crt-list")
echo "# certificate files $nfiles, crt-list lines $nlist"
check "at most $CERT_MAX minted files + the default on disk ($nfiles)" [ "$nfiles" -le $((CERT_MAX + 1)) ]
check "crt-list bounded as well ($nlist)" [ "$nlist" -le $((CERT_MAX + 1)) ]
check "the least recently used names were evicted (n1.flood.test gone)" \
	bash -c "! grep -q '/n1.flood.test.pem' '$STATE/certs/crt-list' && ! test -e '$STATE/certs/n1.flood.test.pem'"
check "the name in use survived the flood" grep -q "/keep.test.pem" "$STATE/certs/crt-list"
check "the latest flood name is listed" grep -q "/n$((CERT_MAX + 100)).flood.test.pem" "$STATE/certs/crt-list"
nstore=$(echo "show ssl cert" | timeout 5 socat -t 2 - "UNIX-CONNECT:$RUN/haproxy.sock" | grep -c '\.pem$')
echo "# certificates in HAProxy's store: $nstore"
check "HAProxy's certificate store bounded too ($nstore)" [ "$nstore" -le $((CERT_MAX + 1)) ]
check "the log says why names went" grep -q "evicted: least recently used" "$LOG"
check "after the flood, a first connection to a new name is served its certificate" \
	served after-flood.test
check "an evicted name asked for again is minted again and served" served n2.flood.test
# warmup.test was served through HAProxy before the reloads: every worker
# since knew it as minted. Evicted by the flood, it must not be answered
# with the default certificate.
check "warmup.test was evicted by the flood" bash -c \
	"! grep -q '/warmup.test.pem' '$STATE/certs/crt-list' && ! grep -qx warmup.test '$STATE/certs/minted.lst'"
check "a name served early, evicted since, is served its own certificate again" \
	served warmup.test "$W/warmup-again.out"
grep -q 'mgmt-proxy.invalid' "$W/warmup-again.out" && echo "# warmup.test got the default certificate"
check "... and is listed again" grep -qx warmup.test "$STATE/certs/minted.lst"
# Names HAProxy has a certificate for never wait for the daemon: stopped
# (SIGSTOP), it takes no connection on the certificate socket.
check "the long name is served again after the flood" served "$LONG" "$W/long2.out"
latest=n$((CERT_MAX + 100)).flood.test
check "the list of minted names matches the crt-list ($(wc -l < "$STATE/certs/minted.lst") names)" \
	[ "$(wc -l < "$STATE/certs/minted.lst")" = "$(( $(wc -l < "$STATE/certs/crt-list") - 1 ))" ]
kill -STOP "$MPD_PID"
check "daemon stopped: a name minted through the socket only ($latest) is served" \
	served "$latest" "$W/stopped1.out"
check "daemon stopped: the long name is served" served "$LONG" "$W/stopped2.out"
check "daemon stopped: warmup.test is served" served warmup.test "$W/stopped3.out"
check "daemon stopped: minted names did not ask it (queue $(cert_queue))" [ "$(cert_queue)" = 0 ]
in_m timeout 10 openssl s_client -connect "$LAB_ORIGIN_HTTPS_IP:443" \
    -servername stopped-new.test </dev/null >/dev/null 2>&1
check "daemon stopped: a new name asked it (queue $(cert_queue))" [ "$(cert_queue)" = 1 ]
kill -CONT "$MPD_PID"
check "stopped-new.test minted once the daemon runs again" served stopped-new.test

lab_stop_daemon
# 20 more files than the cap, the most recently used of all: at start-up
# the daemon keeps the 1024 most recently used and removes the rest.
for i in $(seq 1 20); do
	cp -p "$STATE/certs/keep.test.pem" "$STATE/certs/x$i.extra.test.pem"
	touch "$STATE/certs/x$i.extra.test.pem"
done
check "daemon starts again over a certificate directory 20 over the cap" lab_start_daemon
check "forwarding up after the restart" wait_for 10 forwarding_up
check "after the restart, a first connection to a new name is served its certificate" \
	served after-restart.test
check "... and a name minted before the restart is served" served keep.test
nfiles=$(find "$STATE/certs" -maxdepth 1 -name '*.pem' | wc -l)
check "after the restart, at most $CERT_MAX minted files + the default ($nfiles)" [ "$nfiles" -le $((CERT_MAX + 1)) ]
check "the files added last (most recently used) were kept" test -e "$STATE/certs/x20.extra.test.pem"

[ "$T_FAILS" -ne 0 ] && log_tail
t_finish
