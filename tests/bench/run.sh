#!/bin/sh
# mgmt-proxy benchmark (`make bench`; not part of `make check`).  Every figure
# is reported against a baseline measured in the same run on the same lab;
# nothing passes or fails on time.
#
# Lab: tests/lab/lab.sh with the DHCP variant (mgmt ns -> router ns running
# mgmt-proxyd, forwarder haproxy, proxy learned by DHCP -> wan ns with Squid
# 203.0.113.10:3128 and nginx origins).  The management client is always in
# the mgmt namespace:
#
#   1. HTTP keep-alive, wrk: interception (TPROXY -> HAProxy -> Squid) vs
#      the same wrk talking to Squid explicitly (absolute-form requests).
#   2. HTTPS, one new TLS connection per request (curl, full handshakes:
#      --no-sessionid, Connection: close): inspected interception with a
#      certificate already minted, and a tunnelled (no-inspect) name, vs the
#      client's own CONNECT tunnel through Squid.  64 MiB downloads on the
#      three paths.  Plus wrk with Connection: close through interception,
#      for information.
#   3. First connection to a never-seen name (certificate minted and loaded
#      into HAProxy at run time) vs a second connection to the same name.
#   4. tests/bench/dhcp_ack.sh: DHCP ACK -> proxy in effect.
#
# Bounded: wrk runs of BENCH_SECS (<= 10) s, curl loops of BENCH_N requests
# with a time limit each; about 2-3 minutes in all.
# Usage (root): sh tests/bench/run.sh [BUILD-DIR]
set -eu

cd "$(dirname "$0")/../.."
BUILD=${1:-build}
[ -x "$BUILD/mgmt-proxyd" ] || { echo "bench: no binaries in $BUILD (run make first)" >&2; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
MPD=$BUILD/mgmt-proxyd
MPC=$BUILD/mgmt-proxyctl
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }
for t in ip nft haproxy squid nginx dhcpd dhclient curl wrk socat awk jq; do
	command -v "$t" >/dev/null || { echo "bench: $t is not installed (make deps)" >&2; exit 1; }
done

BENCH_SECS=${BENCH_SECS:-8}            # each wrk run
BENCH_CONNS=${BENCH_CONNS:-16}         # wrk connections
BENCH_N=${BENCH_N:-1000}               # HTTPS new connections, each side (2 rounds)
BENCH_NAMES=${BENCH_NAMES:-20}         # never-seen names n1.test ...
[ "$BENCH_SECS" -le 10 ] || BENCH_SECS=10
[ "$BENCH_N" -le 4000 ] || BENCH_N=4000
[ "$BENCH_NAMES" -le 100 ] || BENCH_NAMES=100

LAB=${LAB:-mpbench}
. tests/lab/lab.sh

MP=$LAB_DIR/mp
W=$MP CFG=$MP/mgmt-proxy.yaml LOG=$MP/management-proxy.log RUN=$MP/run
STATE=$MP/state ONB=$MP/onboarding.json MPD_PID=
CA=$MP/ca.pem
B=$LAB_DIR/bench
SQUID_URL=http://$LAB_SQUID_IP:$LAB_SQUID_PORT
T0=$(date +%s)
NAMES=$(i=1; while [ "$i" -le "$BENCH_NAMES" ]; do printf 'n%d.test ' "$i"; i=$((i + 1)); done)

cleanup() {
	_rc=$?
	trap - EXIT INT TERM
	set +e
	daemon_stop
	lab_down
	exit "$_rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { echo "bench: $*"; }

# ------------------------------------------------------------- numbers
# wrk_field FILE rps|p50|p99|errors: from wrk --latency output, in ms.
wrk_field() {
	awk -v want="$2" '
	function ms(v) {
		if (v ~ /us$/) return v / 1000
		if (v ~ /ms$/) return v + 0
		if (v ~ /m$/) return v * 60000
		if (v ~ /s$/) return v * 1000
		return v + 0
	}
	/Requests\/sec:/ { rps = $2 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/requests in/ { total = $1 }
	/Socket errors/ { err += $4 + $6 + $8 + $10 }
	/Non-2xx/ { err += $NF }
	END {
		if (want == "rps") printf "%.0f", rps
		else if (want == "p50") printf "%.3f", p50
		else if (want == "p99") printf "%.3f", p99
		else if (want == "total") printf "%d", total
		else printf "%d", err
	}' "$1"
}

# stats_of FILE median|p99|mean|n: of the first column (seconds in, ms out).
stats_of() {
	sort -g "$1" | awk -v want="$2" '
	{ v[NR] = $1 * 1000; s += $1 * 1000 }
	END {
		if (NR == 0) { printf "n/a"; exit }
		if (want == "n") { printf "%d", NR; exit }
		if (want == "mean") { printf "%.2f", s / NR; exit }
		if (want == "median") {
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.2f", m; exit
		}
		i = int(NR * 0.99 + 0.999); if (i < 1) i = 1; if (i > NR) i = NR
		printf "%.2f", v[i]
	}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f", a - b }'; }

# ------------------------------------------------------------- lab
say "lab $LAB up (DHCP variant), $BENCH_NAMES extra names for the first-connection test"
# The origin's certificate covers the new names: HAProxy verifies it.
LAB_EXTRA_NAMES=$NAMES
lab_up_dhcp
# shellcheck disable=SC2086
lab_add_names "$LAB_ORIGIN_HTTPS_IP" $NAMES
# The mgmt client may also use Squid explicitly: that is the baseline.
lab_squid_start_allowing "$LAB_MGMT_IP/32"
lab_origin_start
lab_dhcpd_start "$LAB_SQUID_IP:$LAB_SQUID_PORT"
mkdir -p "$RUN" "$STATE" "$B"
cfg_learned n1 wan1 | LAB_HC="interval: 5, timeout: 3" \
	LAB_TLS_EXTRA="    no-inspect: [pinned.test]" lab_write_cfg
mkdir -p "$LAB_DIR/origin"
dd if=/dev/urandom of="$LAB_DIR/origin/big.bin" bs=1M count=64 status=none
daemon_start
lab_dhclient_start
wait_for 20 lab_dhclient_bound
wait_for 15 is_state reachable
wait_for 10 forwarding_up
ctl ca export >"$CA"
# Warm-up: both paths answer, and secure.test's certificate is minted.
lab_in mgmt curl -sS --max-time 10 -o /dev/null http://origin.test/warm
lab_in mgmt curl -sS --max-time 10 -o /dev/null --cacert "$CA" https://secure.test/warm
lab_in mgmt curl -sS --max-time 10 -o /dev/null --proxy "$SQUID_URL" http://origin.test/warm
lab_in mgmt curl -sS --max-time 10 -o /dev/null --proxy "$SQUID_URL" \
	--cacert "$LAB_DIR/pki/public.crt" https://secure.test/warm
say "ready after $(($(date +%s) - T0)) s: proxy $(ctl show management-proxy --json |
	sed -n 's/.*"active-proxy": *"\([^"]*\)".*/\1/p') learned on wan1, forwarding"

# ------------------------------------------------------------- 1. HTTP
# wrk cannot use a proxy: it talks to Squid directly with absolute-form
# requests (what a proxy-aware client sends).
cat >"$B/absolute.lua" <<'EOF'
wrk.path = "http://origin.test/bench"
wrk.headers["Host"] = "origin.test"
EOF
wrk_run() { # OUT ARGS...
	_out=$1
	shift
	lab_in mgmt timeout $((BENCH_SECS + 10)) wrk -t2 -c"$BENCH_CONNS" -d"${BENCH_SECS}s" \
		--latency "$@" >"$_out" 2>&1 || true
}
# Two rounds in alternating order (A B, then B A): on a shared machine the
# load drifts, and each side then sees the same share of it.
http_icpt() {
	wrk_run "$B/http-icpt.$1.txt" http://origin.test/bench
	say "  HTTP round $1 interception: $(wrk_field "$B/http-icpt.$1.txt" rps) req/s," \
		"p50 $(wrk_field "$B/http-icpt.$1.txt" p50) ms, p99 $(wrk_field "$B/http-icpt.$1.txt" p99) ms"
}
http_expl() {
	wrk_run "$B/http-expl.$1.txt" -s "$B/absolute.lua" "$SQUID_URL/"
	say "  HTTP round $1 explicit:     $(wrk_field "$B/http-expl.$1.txt" rps) req/s," \
		"p50 $(wrk_field "$B/http-expl.$1.txt" p50) ms, p99 $(wrk_field "$B/http-expl.$1.txt" p99) ms"
}
say "HTTP: wrk -t2 -c$BENCH_CONNS ${BENCH_SECS}s, interception vs Squid explicitly (absolute form), 2 rounds"
http_icpt 1
http_expl 1
http_expl 2
http_icpt 2

# ------------------------------------------------------------- 2. HTTPS
# One curl process per side, BENCH_N URLs: Connection: close forces a new
# TCP connection per request, --no-sessionid a full TLS handshake each time
# (explicit: a new CONNECT tunnel per request).  Per-transfer times go to
# stderr.  HTTP/1.1: over h2 the header would close nothing.  Bounded by
# --max-time per transfer and a timeout per loop.
https_loop() { # OUT HOST CURL-ARGS...
	_out=$1
	_host=$2
	shift 2
	_urls=$(i=1; while [ "$i" -le "$BENCH_N" ]; do printf 'https://%s/c%d ' "$_host" "$i"; i=$((i + 1)); done)
	_s=$(date +%s.%N)
	# shellcheck disable=SC2086
	lab_in mgmt timeout 120 curl -s --http1.1 --no-sessionid -H 'Connection: close' --max-time 10 \
		-w '%{stderr}%{time_total} %{time_appconnect} %{num_connects} %{http_code}\n' \
		"$@" $_urls >/dev/null 2>"$_out" || true
	_e=$(date +%s.%N)
	awk -v s="$_s" -v e="$_e" 'BEGIN { printf "%.3f", e - s }' >"$_out.wall"
}
say "HTTPS: 2 x $((BENCH_N / 2)) new TLS connections, interception vs CONNECT through Squid"
BENCH_N=$((BENCH_N / 2))
PUB=$LAB_DIR/pki/public.crt
https_loop "$B/https-icpt.1.txt" secure.test --cacert "$CA"
https_loop "$B/https-expl.1.txt" secure.test --cacert "$PUB" --proxy "$SQUID_URL"
https_loop "$B/https-tunl.1.txt" pinned.test --cacert "$PUB"
https_loop "$B/https-tunl.2.txt" pinned.test --cacert "$PUB"
https_loop "$B/https-expl.2.txt" secure.test --cacert "$PUB" --proxy "$SQUID_URL"
https_loop "$B/https-icpt.2.txt" secure.test --cacert "$CA"
BENCH_N=$((BENCH_N * 2))
for _side in icpt expl tunl; do
	cat "$B/https-$_side.1.txt" "$B/https-$_side.2.txt" >"$B/https-$_side.txt"
	awk '{ s += $1 } END { printf "%.3f", s }' "$B/https-$_side.1.txt.wall" \
		"$B/https-$_side.2.txt.wall" >"$B/https-$_side.txt.wall"
done
say "HTTPS: wrk -t2 -c$BENCH_CONNS ${BENCH_SECS}s, Connection: close, through interception (information)"
wrk_run "$B/https-wrk.txt" -H 'Connection: close' https://secure.test/bench

# 64 MiB downloads: inspected, tunnelled (no-inspect), and the client's
# own CONNECT through Squid; bytes/s as curl reports them, 2 rounds each.
big() { # CURL-ARGS...
	lab_in mgmt timeout 120 curl -s --max-time 110 -o /dev/null -w '%{speed_download}' "$@" ||
		echo 0
}
say "64 MiB download: inspected, tunnelled, own CONNECT through Squid (2 rounds)"
big_i=0 big_t=0 big_e=0
for _r in 1 2; do
	big_i=$(awk -v a="$big_i" -v b="$(big --cacert "$CA" https://secure.test/big)" 'BEGIN { print a + b / 2 }')
	big_t=$(awk -v a="$big_t" -v b="$(big --cacert "$PUB" https://pinned.test/big)" 'BEGIN { print a + b / 2 }')
	big_e=$(awk -v a="$big_e" -v b="$(big --cacert "$PUB" --proxy "$SQUID_URL" https://secure.test/big)" 'BEGIN { print a + b / 2 }')
done
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# ------------------------------------------------------------- 3. new names
# First request to each never-seen name (the daemon mints its certificate
# and loads it into HAProxy before the handshake), then again (cached).
# New connection and full handshake each time.
name_pass() { # OUT
	_urls=$(for n in $NAMES; do printf 'https://%s/first ' "$n"; done)
	# shellcheck disable=SC2086
	lab_in mgmt timeout 60 curl -s --http1.1 --no-sessionid --max-time 10 --cacert "$CA" \
		-w '%{stderr}%{time_total} %{time_appconnect} %{num_connects} %{http_code}\n' \
		$_urls >/dev/null 2>"$1" || true
}
say "new names: first request to $BENCH_NAMES never-seen names, then again"
certs_before=$(find "$STATE" -name '*.pem' 2>/dev/null | wc -l)
name_pass "$B/names-first.txt"
certs_after=$(find "$STATE" -name '*.pem' 2>/dev/null | wc -l)
name_pass "$B/names-again.txt"

# ------------------------------------------------------------- summaries
ok_count() { awk '$4 == 200' "$1" | wc -l; }
col() { awk -v c="$2" '$4 == 200 { print $c }' "$1" >"$1.c$2"; echo "$1.c$2"; }

# wrk2 SIDE FIELD: mean of the two rounds (errors: their sum).
wrk2() {
	_a=$(wrk_field "$B/http-$1.1.txt" "$2")
	_b=$(wrk_field "$B/http-$1.2.txt" "$2")
	awk -v a="$_a" -v b="$_b" -v f="$2" 'BEGIN {
		if (f == "errors") printf "%d", a + b
		else if (f == "rps") printf "%.0f", (a + b) / 2
		else printf "%.3f", (a + b) / 2 }'
}
h_rps_i=$(wrk2 icpt rps) h_rps_e=$(wrk2 expl rps)
h_p50_i=$(wrk2 icpt p50) h_p50_e=$(wrk2 expl p50)
h_p99_i=$(wrk2 icpt p99) h_p99_e=$(wrk2 expl p99)
h_err_i=$(wrk2 icpt errors) h_err_e=$(wrk2 expl errors)

s_ok_i=$(ok_count "$B/https-icpt.txt") s_ok_e=$(ok_count "$B/https-expl.txt")
s_wall_i=$(cat "$B/https-icpt.txt.wall") s_wall_e=$(cat "$B/https-expl.txt.wall")
s_rate_i=$(awk -v n="$s_ok_i" -v t="$s_wall_i" 'BEGIN { printf "%.0f", n / t }')
s_rate_e=$(awk -v n="$s_ok_e" -v t="$s_wall_e" 'BEGIN { printf "%.0f", n / t }')
s_med_i=$(stats_of "$(col "$B/https-icpt.txt" 1)" median) s_med_e=$(stats_of "$(col "$B/https-expl.txt" 1)" median)
s_p99_i=$(stats_of "$B/https-icpt.txt.c1" p99) s_p99_e=$(stats_of "$B/https-expl.txt.c1" p99)
s_hs_i=$(stats_of "$(col "$B/https-icpt.txt" 2)" median) s_hs_e=$(stats_of "$(col "$B/https-expl.txt" 2)" median)
s_ok_t=$(ok_count "$B/https-tunl.txt") s_wall_t=$(cat "$B/https-tunl.txt.wall")
s_rate_t=$(awk -v n="$s_ok_t" -v t="$s_wall_t" 'BEGIN { printf "%.0f", n / t }')
s_med_t=$(stats_of "$(col "$B/https-tunl.txt" 1)" median)
s_conn_i=$(awk '{ s += $3 } END { print s + 0 }' "$B/https-icpt.txt")
s_conn_e=$(awk '{ s += $3 } END { print s + 0 }' "$B/https-expl.txt")
w_rps=$(wrk_field "$B/https-wrk.txt" rps) w_p50=$(wrk_field "$B/https-wrk.txt" p50)
w_err=$(wrk_field "$B/https-wrk.txt" errors)

n_ok_f=$(ok_count "$B/names-first.txt") n_ok_a=$(ok_count "$B/names-again.txt")
n_tot_f=$(stats_of "$(col "$B/names-first.txt" 1)" median) n_tot_a=$(stats_of "$(col "$B/names-again.txt" 1)" median)
n_hs_f=$(stats_of "$(col "$B/names-first.txt" 2)" median) n_hs_a=$(stats_of "$(col "$B/names-again.txt" 2)" median)
n_max_f=$(stats_of "$B/names-first.txt.c1" p99)

# ------------------------------------------------------------- 4. DHCP
say "lab $LAB down; DHCP ACK -> in effect (tests/bench/dhcp_ack.sh)"
lab_kill_pidfile "$LAB_DIR/pids/mgmt-proxyd.pid"
# BENCH_KEEP=DIR keeps the raw outputs (wrk, curl timings) there.
[ -n "${BENCH_KEEP:-}" ] && mkdir -p "$BENCH_KEEP" && cp -r "$B"/. "$BENCH_KEEP"/
lab_down
dh_out=$(N=${DHCP_N:-8} timeout 180 bash tests/bench/dhcp_ack.sh "$BUILD" 2>&1) || true
echo "$dh_out" | sed 's/^/    /'
dh_learn=$(echo "$dh_out" | sed -n 's/.*ACK -> learned: *//p')
dh_eff=$(echo "$dh_out" | sed -n 's/.*ACK -> in effect: *//p')
dh_held=$(echo "$dh_out" | sed -n 's/.*held back by pacing (not counted): *//p')

# ------------------------------------------------------------- table
echo
echo "mgmt-proxy bench ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $(haproxy -v | sed -n '1s/HAProxy version \([^ ]*\).*/HAProxy \1/p'), $(squid -v | sed -n '1s/.*Version \([^ ]*\).*/Squid \1/p'))"
printf '%-44s %14s %14s %8s\n' "metric" "interception" "baseline" "ratio"
printf '%-44s %14s %14s %8s\n' "--------------------------------------------" "--------------" "--------------" "--------"
row() { printf '%-44s %14s %14s %8s\n' "$1" "$2" "$3" "$4"; }
row "HTTP keep-alive req/s (wrk c$BENCH_CONNS 2x${BENCH_SECS}s)" "$h_rps_i" "$h_rps_e" "$(ratio "$h_rps_i" "$h_rps_e")"
row "HTTP latency p50 ms" "$h_p50_i" "$h_p50_e" "$(ratio "$h_p50_i" "$h_p50_e")"
row "HTTP latency p99 ms" "$h_p99_i" "$h_p99_e" "$(ratio "$h_p99_i" "$h_p99_e")"
row "HTTP errors (socket + non-2xx)" "$h_err_i" "$h_err_e" ""
row "HTTPS new conn/s (curl, seq., N=$BENCH_N)" "$s_rate_i" "$s_rate_e" "$(ratio "$s_rate_i" "$s_rate_e")"
row "HTTPS per request median ms" "$s_med_i" "$s_med_e" "$(ratio "$s_med_i" "$s_med_e")"
row "HTTPS per request p99 ms" "$s_p99_i" "$s_p99_e" "$(ratio "$s_p99_i" "$s_p99_e")"
row "HTTPS TLS established median ms" "$s_hs_i" "$s_hs_e" "$(ratio "$s_hs_i" "$s_hs_e")"
row "HTTPS 200s / connections opened" "$s_ok_i/$s_conn_i" "$s_ok_e/$s_conn_e" ""
row "HTTPS tunnelled (no-inspect) new conn/s" "$s_rate_t" "$s_rate_e" "$(ratio "$s_rate_t" "$s_rate_e")"
row "HTTPS tunnelled per request median ms" "$s_med_t" "$s_med_e" "$(ratio "$s_med_t" "$s_med_e")"
row "64 MiB inspected MiB/s" "$(mib "$big_i")" "$(mib "$big_e")" "$(ratio "$big_i" "$big_e")"
row "64 MiB tunnelled MiB/s" "$(mib "$big_t")" "$(mib "$big_e")" "$(ratio "$big_t" "$big_e")"
row "HTTPS wrk Connection: close req/s (c$BENCH_CONNS)" "$w_rps" "-" ""
row "  (its p50 ms, errors)" "$w_p50, $w_err" "-" ""
printf '%-44s %14s %14s %8s\n' "" "first (mint)" "again (cached)" "diff"
row "new name: request median ms ($n_ok_f/$n_ok_a ok)" "$n_tot_f" "$n_tot_a" "$(diff_ms "$n_tot_f" "$n_tot_a")"
row "new name: TLS established median ms" "$n_hs_f" "$n_hs_a" "$(diff_ms "$n_hs_f" "$n_hs_a")"
row "new name: first request max ms" "$n_max_f" "" ""
# What interception adds to a client's first connection to a name: its
# own CONNECT also opens a tunnel and makes TLS with the origin, which
# the cached case above does not (it reuses a pooled tunnel).
printf '%-44s %14s %14s %8s\n' "" "first (mint)" "own CONNECT" "diff"
row "new name vs own CONNECT: request median ms" "$n_tot_f" "$s_med_e" "$(diff_ms "$n_tot_f" "$s_med_e")"
row "certificates on disk before/after names" "$certs_before" "$certs_after" ""
echo "DHCP ACK -> learned:   ${dh_learn:-n/a}"
echo "DHCP ACK -> in effect: ${dh_eff:-n/a}"
echo "DHCP changes held back by pacing (left out): ${dh_held:-n/a}"
echo "baseline: HTTP = the same wrk against Squid in absolute form; HTTPS = the client's own CONNECT through Squid;"
echo "HTTPS interception = inspected (TLS ended and made again on the box, pooled CONNECT tunnels);"
echo "new name = a second connection to the same name (certificate cached, tunnel pooled); own CONNECT ="
echo "the client's own new tunnel and TLS to the origin (section 2).${BENCH_KEEP:+ Raw data: $BENCH_KEEP}"
echo "bench: done in $(($(date +%s) - T0)) s"
