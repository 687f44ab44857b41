#!/bin/bash
# HA pair: two mgmt-proxyd in learned mode (forwarder none), each learning a
# different proxy from its own WAN (real ISC dhcpd + dhclient), exchanging
# what they learned over the HMAC-authenticated UDP channel (docs/ha.md).
#
#   r1 ns: mgmt-proxyd node1, dhclient on wan1, HA link ha 169.254.253.1
#   r2 ns: mgmt-proxyd node2, dhclient on wan2, HA link ha 169.254.253.2
#   w1 ns: dhcpd on s1, 192.0.2.0/25     offers 203.0.113.20:3128
#   w2 ns: dhcpd on s2, 198.51.100.0/24  offers 203.0.113.10:3128
#   both proxy addresses answer TCP on each router's own lo (socat), so the
#   health check (interval 1 s, timeout 1 s) finds them reachable.
#
# Proves (docs/ha.md):
#  1. both nodes select the lowest proxy within 1 s of the second lease, r1
#     through the candidate peer:node2;
#  2. <run-dir>/peer-proxy.json holds what the peer contributed;
#  3. a node whose WAN goes down keeps using its peer's proxy;
#  4. a peer with a wrong key changes nothing (bad HMAC, rate-limited log
#     lines); reloading it with the right key re-converges;
#  5. a stopped peer's candidates are withdrawn after the documented
#     peer-down time; restarting it re-converges; recorded datagrams
#     replayed (before and after the withdrawal) change nothing;
#  6. recorded datagrams replayed to a restarted receiver are never fresh;
#  7. a recorded earlier run of node1, sent to node2 with node1's address
#     while the live node1 runs (in both orders; to a node2 that follows
#     node1, to one restarted amid the replay, after reloads), never makes
#     either node count the other down.
. "$(dirname "$0")/../lib.sh"

P=mpt-ha-$$
R1=$P-r1 R2=$P-r2
W=$(mktemp -d /tmp/mpt-ha.XXXXXX)
P1=203.0.113.20:3128	# learned by node1 (w1)
P2=203.0.113.10:3128	# learned by node2 (w2): the lowest
declare -A PID=()	# name -> pid of every background process

for t in dhcpd dhclient socat jq nft tcpdump xxd; do
	command -v "$t" >/dev/null || { echo "not ok - $t is not installed"; exit 1; }
done

cleanup() {
	local k
	disown -a 2>/dev/null	# no "Killed" job notices
	for k in "${!PID[@]}"; do
		kill -9 "${PID[$k]}" 2>/dev/null
	done
	for n in "$R1" "$R2" "$P-w1" "$P-w2"; do ns_delete "$n"; done
	t_workdir_done
}
trap cleanup EXIT

rns() { echo "$P-r$1"; }
ctl() {	# ctl N ARGS...: mgmt-proxyctl of node N
	local n=$1; shift
	ip netns exec "$(rns "$n")" "$MPC" --run-dir "$W/r$n/run" "$@"
}
jget() {	# jget N JQ ARGS...
	local n=$1 q=$2; shift 2
	ctl "$n" "$@" --json 2>/dev/null | jq -r "$q"
}
selected() { jget "$1" '.selected // "null"' show management-proxy; }
active() { jget "$1" '."active-proxy" // "null"' show management-proxy; }
# is N PROXY: selected and active (reachable) on node N.
is() { [ "$(selected "$1")" = "$2" ] && [ "$(active "$1")" = "$2" ]; }
both() { is 1 "$1" && is 2 "$1"; }
cand_of() {	# cand_of N SOURCE: that source's proxies, comma-joined
	jget "$1" "[.candidates[] | select(.source == \"$2\") | .proxy] | join(\",\")" \
	    show management-proxy detail
}
has_cand() { [ "$(cand_of "$1" "$2")" = "$3" ]; }
sel_source() {	# the source of the selected candidate of node N
	jget "$1" '[.candidates[] | select(.selected) | .source] | join(",")' \
	    show management-proxy detail
}
pfile() { echo "$W/r$1/run/peer-proxy.json"; }
# peer_is N NODE UP PROXIES: node N's peer-proxy.json, proxies comma-joined
peer_is() {
	[ "$(jq -r '[.node, (.up | tostring), ([."management-proxies"[].proxy] | join(","))] |
	    join("|")' "$(pfile "$1")" 2>/dev/null)" = "$2|$3|$4" ]
}
in_range() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
log_of() { echo "$W/r$1/mp.log"; }
nlog() { grep -c -- "$2" "$(log_of "$1")"; }
# ms since the epoch of the first log line of node N matching ERE.
log_ms() {
	local ts
	ts=$(grep -E -m1 -- "$2" "$(log_of "$1")" | cut -d' ' -f1)
	[ -n "$ts" ] && date -u -d "$ts" +%s%3N
}

# --- topology ---
for n in "$R1" "$R2" "$P-w1" "$P-w2"; do ns_create "$n"; done
ns_veth "$R1" ha 169.254.253.1/24 "$R2" ha 169.254.253.2/24
for i in 1 2; do
	ns_veth "$P-r$i" "wan$i" - "$P-w$i" "s$i" -
	mkdir -p "$W/r$i/state" "$W/r$i/run"
done
ip -n "$P-w1" addr add 192.0.2.1/25 dev s1
ip -n "$P-w2" addr add 198.51.100.1/24 dev s2
# Both proxies answer TCP on each router's own lo.
for i in 1 2; do
	for a in 10 20; do
		ip -n "$P-r$i" addr add "203.0.113.$a/32" dev lo
		ip netns exec "$P-r$i" socat TCP-LISTEN:3128,bind=203.0.113.$a,reuseaddr,fork \
		    EXEC:/bin/true 2>/dev/null &
		PID[listen-$i-$a]=$!
	done
done

# --- DHCP servers (Option 43 sub-option 128, as in examples/) ---
dhcpd_start() {	# dhcpd_start N NET MASK POOL-LO POOL-HI PROXY (60 s leases)
	local rc
	dhcpd_render "$2" "$3" "$4" "$5" "$6" 60 > "$W/dhcpd$1.conf"
	dhcpd_serve "$P-w$1" "s$1" "$W/dhcpd$1"
	rc=$?
	PID[dhcpd$1]=$(cat "$W/dhcpd$1.pid")
	return $rc
}

# --- DHCP clients: a script that only sets the address ---
dhclient_script "$W"
dhclient_start() {	# dhclient_start N: dhclient on wanN in rN
	dhclient_run "$P-r$1" "wan$1" "$W"
	PID[dhclient$1]=$(cat "$W/dhclient-wan$1.pid")
}
dhclient_stop() {	# no RELEASE: the client just stops
	kill -9 "${PID[dhclient$1]}" 2>/dev/null
	wait "${PID[dhclient$1]}" 2>/dev/null
	unset "PID[dhclient$1]"
	rm -f "$W/dhclient-wan$1.pidfile"
}
bound() { grep -Eq ' (BOUND|REBOOT) ' "$W/events-wan$1" 2>/dev/null; }

# --- the daemons ---
head -c 32 /dev/urandom | xxd -p -c 64 > "$W/ha.key"
head -c 32 /dev/urandom | xxd -p -c 64 > "$W/wrong.key"
chmod 0600 "$W/ha.key" "$W/wrong.key"
write_cfg() {	# write_cfg N KEYFILE
	local me=$1 other=$((3 - $1))
	cat > "$W/r$1/mp.yaml" <<YAML
authority:
  router:
    - name: branch1
      management-proxy:
        mode: learned
      node:
        - name: node$me
          device-interface:
            - name: wan$me
              network-interface:
                - {name: wan$me, dhcp: v4}
mgmt-proxy:
  router: branch1
  node: node$me
  forwarder: none
  health-check: {interval: 1, timeout: 1}
  ha:
    listen: "169.254.253.$me:4790"
    peer: "169.254.253.$other:4790"
    key-file: $2
YAML
}
start_daemon() {	# start_daemon N
	ip netns exec "$P-r$1" "$MPD" --config "$W/r$1/mp.yaml" \
	    --onboarding "$W/none.json" --state-dir "$W/r$1/state" \
	    --run-dir "$W/r$1/run" --log-file "$W/r$1/mp.log" --foreground \
	    2>>"$W/r$1/stderr" &
	PID[mpd$1]=$!
	wait_for 5 test -S "$W/r$1/run/mgmt-proxy.sock"
}
stop_daemon() {
	kill -TERM "${PID[mpd$1]}" 2>/dev/null
	# Bounded: one that does not exit fails and is killed.
	if ! wait_for 5 gone "${PID[mpd$1]}"; then
		fail "daemon $1 exits on TERM"
		kill -9 "${PID[mpd$1]}" 2>/dev/null
	fi
	wait "${PID[mpd$1]}" 2>/dev/null
	unset "PID[mpd$1]"
}
alive() { kill -0 "${PID[mpd$1]}" 2>/dev/null; }

# --- recording and replaying HA datagrams ---
# capture_start NAME: r1's datagrams as they arrive in r2.
capture_start() {
	ip netns exec "$R2" tcpdump -i ha -nn -U --immediate-mode -w "$W/$1.pcap" \
	    'udp and src host 169.254.253.1 and src port 4790' 2>>"$W/tcpdump.log" &
	PID[tcpdump]=$!
}
npackets() { tcpdump -nn -r "$W/$1.pcap" 2>/dev/null | wc -l; }
capture_stop() {
	kill -INT "${PID[tcpdump]}" 2>/dev/null
	wait "${PID[tcpdump]}" 2>/dev/null
	unset "PID[tcpdump]"
}
# extract NAME: each datagram's UDP payload into NAME.K (IP header 20
# bytes without options, UDP 8; tcpdump -x starts at the IP header).
extract() {
	tcpdump -nn -x -r "$W/$1.pcap" 2>/dev/null | awk -v out="$W/$1" '
		/^[0-9]/ { k++; next }
		{ for (i = 2; i <= NF; i++) hex[k] = hex[k] $i }
		END { for (j = 1; j <= k; j++) {
			f = out "." j ".hex"
			print substr(hex[j], 57) > f
			close(f)
		} }'
	for f in "$W/$1".*.hex; do
		xxd -r -p "$f" > "${f%.hex}"
	done
}
# replay NAME: send every recorded datagram again, from r1's HA address
# and port (r1's daemon must not hold the port), COUNT times each.
replay() {
	local f k
	for k in $(seq "${2:-1}"); do
		for f in "$W/$1".[0-9]*; do
			case $f in *.hex) continue ;; esac
			ip netns exec "$R1" socat -u "OPEN:$f" \
			    UDP-SENDTO:169.254.253.2:4790,bind=169.254.253.1:4790 \
			    2>>"$W/socat.err"
		done
	done
}

# spoof NAME [reverse]: send the recorded datagrams NAME.K to node2 with
# node1's address and port as source while node1's daemon holds that port:
# a raw socket in r1 (what an attacker on the HA link can do without the
# key). UDP checksum 0 (none, RFC 768); the kernel fills the IP checksum.
spoof() {
	local files
	files=$(ls "$W/$1".[0-9]* | grep -v '\.hex$' | sort -t. -k2 -n)
	[ "${2:-}" = reverse ] && files=$(echo "$files" | tac)
	ip netns exec "$R1" /usr/bin/python3 - $files <<'PY' 2>>"$W/spoof.err"
import socket, struct, sys
src, dst, port = "169.254.253.1", "169.254.253.2", 4790
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for f in sys.argv[1:]:
    data = open(f, "rb").read()
    udp = struct.pack("!HHHH", port, port, 8 + len(data), 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17,
                     0, socket.inet_aton(src), socket.inet_aton(dst))
    s.sendto(ip + udp, (dst, 0))
PY
}
# both_up: each node counts the other up with its proxy, both on $P2.
both_up() {
	peer_is 1 node2 true "$P2" && peer_is 2 node1 true "$P1" && both "$P2"
}
# show_state: on a failed check, what each node holds and its log's tail.
show_state() {
	local i
	for i in 1 2; do
		echo "# node$i peer-proxy.json: $(jq -c . "$(pfile $i)" 2>&1)"
		echo "# node$i active: $(active $i), selected: $(selected $i)"
		tail -n 15 "$(log_of $i)" | sed "s/^/# node$i log: /"
	done
}
# lockout_checks WHEN: replay run X in both orders to node2 while the live
# node1 runs Y; over more than the peer-down time neither node may count
# the other down, and both stay up on $P2.
lockout_checks() {
	local d1 d2 n want boot ready
	d1=$(nlog 1 'ha: peer node2 down')
	d2=$(nlog 2 'ha: peer node1 down')
	ready=$(grep -c 'listening on' "$W/tcpdump.log" 2>/dev/null)
	capture_start spoofed
	wait_for 5 bash -c "[ \$(grep -c 'listening on' '$W/tcpdump.log') -gt ${ready:-0} ]"
	spoof old
	spoof old reverse
	sleep 0.5
	capture_stop
	# Count what reached r2 with run X's boot id (bytes 8-15 of the
	# payload, after the 8-byte UDP header): not drowned in the rate-
	# limited log, and proof that the replay was not lost on the way.
	boot=$(xxd -p -s 8 -l 8 "$W/old.1")
	n=$(tcpdump -nn -r "$W/spoofed.pcap" \
	    "udp[16:4] = 0x${boot:0:8} and udp[20:4] = 0x${boot:8:8}" 2>/dev/null | wc -l)
	want=$((2 * $(npackets old)))
	check "the replay of run X reached node2 ($n of $want datagrams, $1)" [ "$n" -eq "$want" ]
	# PEER_DOWN_MS is 6 s: wait longer, then nothing may have gone down.
	sleep 8
	if [ "$(nlog 1 'ha: peer node2 down')" = "$d1" ] &&
	    [ "$(nlog 2 'ha: peer node1 down')" = "$d2" ] && both_up; then
		ok "no node counts its peer down, both up on $P2 ($1)"
	else
		fail "no node counts its peer down, both up on $P2 ($1):" \
		    "expected 'down' lines $d1/$d2, got" \
		    "$(nlog 1 'ha: peer node2 down')/$(nlog 2 'ha: peer node1 down')"
		show_state
	fi
}

for i in 1 2; do write_cfg "$i" "$W/ha.key"; done
check "dhcpd on w1 offers $P1" dhcpd_start 1 192.0.2.0 255.255.255.128 192.0.2.100 192.0.2.120 "$P1"
check "dhcpd on w2 offers $P2" dhcpd_start 2 198.51.100.0 255.255.255.0 198.51.100.100 198.51.100.120 "$P2"
start_daemon 1
start_daemon 2
check "both daemons start" bash -c "test -S '$W/r1/run/mgmt-proxy.sock' && test -S '$W/r2/run/mgmt-proxy.sock'"
check "HA channel up on node1 (peer node2)" wait_for 5 grep -q 'ha: peer node2 up' "$(log_of 1)"
check "HA channel up on node2 (peer node1)" wait_for 5 grep -q 'ha: peer node1 up' "$(log_of 2)"
check "no candidate yet on either node" bash -c \
	"[ \"\$(ip netns exec '$R1' '$MPC' --run-dir '$W/r1/run' show management-proxy --json | jq -r .state)\" = no-candidate ] &&
	 [ \"\$(ip netns exec '$R2' '$MPC' --run-dir '$W/r2/run' show management-proxy --json | jq -r .state)\" = no-candidate ]"

# --- 1. convergence on the lowest proxy ---
dhclient_start 1
check "dhclient binds on r1 wan1" wait_for 15 bound 1
check "node1 learns $P1 on wan1" wait_for 5 has_cand 1 dhcp:wan1 "$P1"
check "node2 gets it as peer:node1" wait_for 3 has_cand 2 peer:node1 "$P1"
check "both select and reach $P1" wait_for 5 both "$P1"

dhclient_start 2
check "dhclient binds on r2 wan2" wait_for 15 bound 2
check "both select and reach $P2" wait_for 5 both "$P2"
# Measured on the daemons' own log times: node2's ACK, then each node's
# selection and its health check finding the proxy reachable (active).
ack=$(log_ms 2 "dhcp: ACK on wan2: resolved $P2")
s1=$(log_ms 1 "selected $P2 from peer:node2")
s2=$(log_ms 2 "selected $P2 from dhcp:wan2")
a1=$(log_ms 1 "management proxy $P2: probing -> reachable")
a2=$(log_ms 2 "management proxy $P2: probing -> reachable")
conv=-1
if [ -n "$ack" ] && [ -n "$a1" ] && [ -n "$a2" ] && [ -n "$s1" ] && [ -n "$s2" ]; then
	conv=$(( (a1 > a2 ? a1 : a2) - ack ))
	echo "# convergence after node2's ACK: selected node2 +$((s2 - ack)) ms," \
	    "node1 +$((s1 - ack)) ms; reachable node2 +$((a2 - ack)) ms, node1 +$((a1 - ack)) ms"
fi
check "both have $P2 active within 1 s of node2's lease ($conv ms, daemon log times)" \
	in_range "$conv" 0 1000
check "node1 detail: $P2 from peer:node2 selected ($(sel_source 1))" [ "$(sel_source 1)" = peer:node2 ]
check "node1 detail: own $P1 from dhcp:wan1 still a candidate" has_cand 1 dhcp:wan1 "$P1"
check "node2 detail: $P2 from dhcp:wan2 selected ($(sel_source 2))" [ "$(sel_source 2)" = dhcp:wan2 ]
check "node2 detail: $P1 from peer:node1" has_cand 2 peer:node1 "$P1"
check "plain show on node1 names $P2" bash -c "ip netns exec '$R1' '$MPC' --run-dir '$W/r1/run' show management-proxy | grep -q '$P2'"

# --- 2. peer-proxy.json ---
check "node1 peer-proxy.json: node2, up, $P2" wait_for 3 peer_is 1 node2 true "$P2"
check "node2 peer-proxy.json: node1, up, $P1" wait_for 3 peer_is 2 node1 true "$P1"
now=$(date +%s)
pf_ok() {	# pf_ok N IFACE: source, lease expiry in (now, now+60+slack], last-heard recent
	jq -e --argjson now "$now" --arg src "dhcp:$2" '
		(."last-heard" | type == "number" and . >= $now - 10 and . <= $now + 2) and
		(."management-proxies" | length == 1) and
		(."management-proxies"[0].source == $src) and
		(."management-proxies"[0]."lease-expiry" | . > $now and . <= $now + 63)' \
	    "$(pfile "$1")" >/dev/null
}
check "node1 peer-proxy.json: source dhcp:wan2, lease-expiry, last-heard" pf_ok 1 wan2
check "node2 peer-proxy.json: source dhcp:wan1, lease-expiry, last-heard" pf_ok 2 wan1

# --- 2b. show ha: the peer, when it was heard, its boot id, what it contributes ---
check_eq "node1 show ha: peer node2 up" "node2 up" \
	"$(jget 1 '."peer-state" | "\(.node) \(.state)"' show ha)"
check_eq "node1 show ha: node2 contributes $P2 (selected)" "$P2 peer:node2 true" \
	"$(jget 1 '."peer-state".contributes[] | "\(.proxy) \(.source) \(.selected)"' show ha)"
b2=$(jget 2 '."boot-id"' show ha)
check "node2 show ha: its boot id is a number ($b2)" bash -c "[[ '$b2' =~ ^[0-9]+\$ ]]"
check_eq "node1 show ha: node2's boot id is the one node2 reports as its own" \
	"$b2" "$(jget 1 '."peer-state"."boot-id"' show ha)"
heard=$(jget 1 '."peer-state"."last-heard"' show ha)
check "node1 show ha: last heard (ISO 8601 UTC) within 10 s ($heard)" bash -c \
	"[[ '$heard' =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\$ ]] &&
	 [ \$(( \$(date +%s) - \$(date -d '$heard' +%s) )) -le 10 ]"
check "plain show ha on node1: the peer line" bash -c \
	"ip netns exec '$R1' '$MPC' --run-dir '$W/r1/run' show ha | grep -q '^  Peer: *node2 up'"

# --- 3. node2 loses its WAN: both keep going on node1's proxy ---
ip -n "$R2" link set wan2 down
check "node2 forgets its own candidate (link-down)" wait_for 3 has_cand 2 dhcp:wan2 ""
check "node1 no longer has peer:node2 candidates" wait_for 3 has_cand 1 peer:node2 ""
check "both select and reach $P1" wait_for 5 both "$P1"
check "node2 uses it through peer:node1 ($(sel_source 2))" [ "$(sel_source 2)" = peer:node1 ]
check "node1 uses its own dhcp:wan1 ($(sel_source 1))" [ "$(sel_source 1)" = dhcp:wan1 ]
check "node1 peer-proxy.json: node2 up with no proxies" peer_is 1 node2 true ""
check "node2 peer-proxy.json: still node1's $P1" peer_is 2 node1 true "$P1"
dhclient_stop 2
ip -n "$R2" link set wan2 up
dhclient_start 2
check "node2's WAN back: both select $P2 again" wait_for 15 both "$P2"
check "node1 through peer:node2 again" [ "$(sel_source 1)" = peer:node2 ]

# --- 4. a peer with the wrong key changes nothing ---
n2=$(nlog 2 'bad HMAC')
stop_daemon 1
write_cfg 1 "$W/wrong.key"
capture_start forged
start_daemon 1
check "node1 (wrong key) logs bad HMAC from node2" wait_for 5 grep -q 'ha: datagram from 169.254.253.2:4790 dropped: bad HMAC' "$(log_of 1)"
check "node2 logs bad HMAC from node1" wait_for 5 bash -c "[ \$(grep -c 'ha: datagram from 169.254.253.1:4790 dropped: bad HMAC' '$(log_of 2)') -gt $n2 ]"
check "node2 withdraws node1's candidates (peer down)" wait_for 10 grep -q 'ha: peer node1 down' "$(log_of 2)"
# node1 restored node2's candidates from its last peer-proxy.json: with
# nothing authentic heard, they are withdrawn after the peer-down time.
check "node1 withdraws restored peer:node2 candidates" wait_for 10 has_cand 1 peer:node2 ""
# (node "": nothing authentic heard since this daemon started, docs/ha.md)
check "node1 peer-proxy.json: down, empty, nobody heard" peer_is 1 "" false ""
wait_for 10 bash -c "[ \$(tcpdump -nn -r '$W/forged.pcap' 2>/dev/null | wc -l) -ge 7 ]"
capture_stop
extract forged
check "node2: no peer:node1 candidate" has_cand 2 peer:node1 ""
check "node2: peer-proxy.json down, empty" peer_is 2 node1 false ""
check_eq "node2 show ha: peer node1 down, contributes nothing" "node1 down 0" \
	"$(jget 2 '."peer-state" | "\(.node) \(.state) \(.contributes | length)"' show ha)"
own_each() { is 1 "$P1" && is 2 "$P2"; }
check "each node on its own proxy: node1 $P1, node2 $P2" wait_for 3 own_each
nf=$(npackets forged)
nb=$(( $(nlog 2 'bad HMAC') - n2 ))
check "$nf forged datagrams: node2 logged 1 to 5 bad-HMAC lines ($nb)" in_range "$nb" 1 5
check "more forged datagrams than lines ($nf > 5)" [ "$nf" -gt 5 ]
check "node1 logged at most 5 bad-HMAC lines ($(nlog 1 'bad HMAC'))" [ "$(nlog 1 'bad HMAC')" -le 5 ]
write_cfg 1 "$W/ha.key"
check "reload node1 with the right key" bash -c "ip netns exec '$R1' '$MPC' --run-dir '$W/r1/run' reload >/dev/null"
check "node1 logs the key change" grep -q 'ha: key changed' "$(log_of 1)"
check "right key: converged again on $P2" wait_for 5 both "$P2"
check "node1 through peer:node2" wait_for 3 has_cand 1 peer:node2 "$P2"
check "node2 has peer:node1 $P1" wait_for 3 has_cand 2 peer:node1 "$P1"

# --- 5. a peer stops: withdrawn after the peer-down time; replayed
# datagrams change nothing; the restarted peer re-converges ---
capture_start rec
check "recording node1's datagrams in r2" wait_for 8 bash -c "[ \$(tcpdump -nn -r '$W/rec.pcap' 2>/dev/null | wc -l) -ge 3 ]"
capture_stop
extract rec
check "recorded $(npackets rec) datagrams, payloads extracted" bash -c "[ -s '$W/rec.1' ] && [ \$(head -c 4 '$W/rec.1') = MPHA ]"
before=$(jq -c '[.node, .up, ."management-proxies"]' "$(pfile 2)")
ndown=$(nlog 2 'ha: peer node1 down')
nrep=$(nlog 2 'dropped: replayed')
t_stop=$(date +%s%3N)
stop_daemon 1
# Replayed while node2 still counts node1 up: refused, nothing changes.
replay rec
check "node2 logs the replay as dropped" wait_for 2 bash -c "[ \$(grep -c 'dropped: replayed' '$(log_of 2)') -gt $nrep ]"
check "node2's peer-proxy.json unchanged by the replay" \
	[ "$(jq -c '[.node, .up, ."management-proxies"]' "$(pfile 2)")" = "$before" ]
node2_kept() { has_cand 2 peer:node1 "$P1" && is 2 "$P2"; }
check "node2 still on $P2 with node1's $P1 as candidate" node2_kept
down_again() { [ "$(nlog 2 'ha: peer node1 down')" -gt "$ndown" ]; }
check "node2 withdraws node1's candidates (peer down)" wait_for 10 down_again
t_down=$(grep 'ha: peer node1 down' "$(log_of 2)" | tail -n 1 | cut -d' ' -f1)
t_down=$(date -u -d "$t_down" +%s%3N)
echo "# node1 stopped -> node2 reports it down: $((t_down - t_stop)) ms (PEER_DOWN_MS 6000 after the last fresh datagram)"
check "withdrawn within the documented 6 s of the last datagram ($((t_down - t_stop)) ms after the stop)" \
	in_range $((t_down - t_stop)) 3500 7000
check "node2: no peer:node1 candidate" has_cand 2 peer:node1 ""
check "node2: peer-proxy.json down, empty" peer_is 2 node1 false ""
check "node2 keeps its own $P2" is 2 "$P2"
# Replayed after the withdrawal: the peer does not come back.
replay rec
sleep 1
check "replay after the withdrawal: peer stays down" peer_is 2 node1 false ""
check "replay after the withdrawal: no peer:node1 candidate" has_cand 2 peer:node1 ""
start_daemon 1
check "node1 restarted: node2 sees a new run" wait_for 5 bash -c "[ \$(grep -c 'ha: node node1 at 169.254.253.1:4790 started a new run' '$(log_of 2)') -ge 3 ]"
check "re-converged: both on $P2" wait_for 5 both "$P2"
check "node1 through peer:node2" wait_for 3 has_cand 1 peer:node2 "$P2"
check "node2 has peer:node1 $P1 again" wait_for 3 has_cand 2 peer:node1 "$P1"
check "node1 restored its wan1 lease" has_cand 1 dhcp:wan1 "$P1"

# --- 6. datagrams recorded before the receiver restarted are never fresh ---
stop_daemon 1
stop_daemon 2
start_daemon 2
# It restored node1's candidates from peer-proxy.json; nobody vouches for
# them now, so they go after the peer-down time.
check "restarted node2 withdraws restored peer candidates" wait_for 8 peer_is 2 "" false ""
nup=$(nlog 2 'ha: peer node1 up')
nbad=$(nlog 2 'bad HMAC')
replay rec
replay forged
sleep 1
check "recorded node1 datagrams bring no candidate" has_cand 2 peer:node1 ""
check "and do not bring the peer up" [ "$(nlog 2 'ha: peer node1 up')" = "$nup" ]
check "peer-proxy.json still down, nobody heard" peer_is 2 "" false ""
check "the forged ones are logged as bad HMAC" [ "$(nlog 2 'bad HMAC')" -gt "$nbad" ]
check "node2 on its own $P2" wait_for 3 is 2 "$P2"
check "node2 alive" alive 2

# --- 7. a recording of an earlier run of node1, replayed with node1's
# address while the live node1 runs, never locks the live node1 out ---
start_daemon 1
check "node1 (run X) and node2 converge on $P2" wait_for 10 both_up
capture_start old
check "recording node1's run X" wait_for 8 bash -c "[ \$(tcpdump -nn -r '$W/old.pcap' 2>/dev/null | wc -l) -ge 4 ]"
capture_stop
extract old
# node2 restarts too, so it has never heard run X: the case that locked
# the live peer out (a boot id never seen was taken for a restart).
stop_daemon 1
stop_daemon 2
# Run Y's boot id comes from <state-dir>/ha-boot even when the clock is
# behind it (here by an hour, as after a reboot without a clock).
bx=$(cat "$W/r1/state/ha-boot")
by=$(( $(date +%s%3N) + 3600000 ))
echo "$by" > "$W/r1/state/ha-boot"
start_daemon 2
start_daemon 1
check "node1's boot id: last one + 1 ($bx -> $by -> $(cat "$W/r1/state/ha-boot"))" \
	[ "$(cat "$W/r1/state/ha-boot")" = $((by + 1)) ]
check "node1 (run Y) and node2 (fresh) converge on $P2" wait_for 10 both_up
lockout_checks "after run X was replayed to node2"
# Replayed while node2 starts, before it has heard run Y.
stop_daemon 2
start_daemon 2
spoof old
spoof old reverse
check "node2 restarted amid the replay: both up again" wait_for 10 both_up
lockout_checks "after run X was replayed to a restarted node2"
for i in 2 1; do
	check "reload node$i" bash -c "ip netns exec '$(rns $i)' '$MPC' --run-dir '$W/r$i/run' reload >/dev/null"
done
lockout_checks "after both nodes reloaded"
stop_daemon 1
stop_daemon 2
for i in 1 2; do
	check "node$i stopped cleanly" grep -q 'mgmt-proxyd stopped' "$(log_of "$i")"
done
t_finish
