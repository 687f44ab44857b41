#!/bin/bash
# Learned mode against a real DHCP exchange: ISC dhcpd (the documented Option 43
# sub-option 128 snippet, 6 s leases) in WAN namespaces, ISC dhclient (Option
# 60 "JuniperSSR", from examples/dhcp/dhclient.conf) in the router namespace,
# mgmt-proxyd snooping the replies through its NFQUEUE rule (forwarder none).
#
#   router ns: mgmt-proxyd, dhclient on wan1 wan2 wan3, proxy listeners on lo
#   wan1 ns  : dhcpd on s1, 192.0.2.0/25      (wan1: discovery on)
#   wan2 ns  : dhcpd on s2, 198.51.100.0/24   (wan2: discovery on)
#   wan3 ns  : dhcpd on s3, 192.0.2.128/25    (wan3: enable-proxy-discovery false)
#   far ns   : 203.0.113.150, routed to wan1 through the wan1 ns (a forger
#              off the link)
#
# Proves: learned from the ACK, file + selection; a changed value and a
# withdrawn Option 43 picked up at renewal; link down clears; a disabled
# interface learns nothing; two WANs -> the lowest wins; DHCP fails open
# (daemon stopped, daemon killed -9 with its queue rule left behind);
# spoofed and malformed replies change nothing and are logged, rate-limited;
# forged ACKs (wrong xid, wrong server, routed in) change nothing; a flood
# of alternating values is applied at a bounded rate; no snooping table
# survives start or stop when no interface is eligible.
. "$(dirname "$0")/../lib.sh"

P=mpt-dh-$$
R=$P-router
MP_NS=$R
t_workdir dhcp

FORGE="python3 $(cd "$(dirname "$0")" && pwd)/dhcp_forge.py"
for t in dhcpd dhclient socat jq nft python3; do
	command -v "$t" >/dev/null || { echo "not ok - $t is not installed"; exit 1; }
done

cleanup() {
	local f
	disown -a 2>/dev/null	# no "Killed" job notices
	[ -n "$MPD_PID" ] && kill -9 "$MPD_PID" 2>/dev/null
	for f in "$W"/*.pid; do
		[ -e "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	for n in "$R" "$P-wan1" "$P-wan2" "$P-wan3" "$P-far" "$P-lan"; do ns_delete "$n"; done
	t_workdir_done
}
trap cleanup EXIT

ncand() {	# ncand SOURCE: candidates from that source
	JQ="[.candidates[] | select(.source == \"$1\")] | length" jget show management-proxy
}
cand_of() {	# cand_of SOURCE: its proxies, comma-joined
	JQ="[.candidates[] | select(.source == \"$1\") | .proxy] | join(\",\")" jget show management-proxy
}
# The interface's state file: resolution-state and proxies.
ifstate() { jq -r '."dhcp-client-info"."resolution-state"' "$STATE/dhcp/$1" 2>/dev/null; }
ifproxies() { jq -r '."dhcp-client-info"."management-proxies" | join(",")' "$STATE/dhcp/$1" 2>/dev/null; }
if_is() { [ "$(ifstate "$1")" = "$2" ] && [ "$(ifproxies "$1")" = "$3" ]; }
learned_ifaces() { JQ='[.[].interface] | sort | join(",")' jget show dhcp learned-proxies; }

# --- topology ---
ns_create "$R"
for i in 1 2 3; do
	ns_create "$P-wan$i"
	ns_veth "$R" "wan$i" - "$P-wan$i" "s$i" -
done
ip -n "$P-wan1" addr add 192.0.2.1/25 dev s1
ip -n "$P-wan2" addr add 198.51.100.1/24 dev s2
ip -n "$P-wan3" addr add 192.0.2.129/25 dev s3
# The far namespace reaches the router's wan1 address only as routed
# traffic, through the wan1 namespace (which forwards).
ns_create "$P-far"
ns_veth "$P-wan1" f1 203.0.113.129/25 "$P-far" far0 203.0.113.150/25
ip -n "$P-far" route add default via 203.0.113.129
ip netns exec "$P-wan1" sysctl -qw net.ipv4.ip_forward=1
# dhclient reads replies on a packet socket, before netfilter: its lease
# alone cannot show that our queue lets replies through. This counter, in
# prerouting after our raw-priority hook, counts the replies that did pass.
in_r nft -f - <<'EOF'
table ip mpt_test_count {
	chain pre {
		type filter hook prerouting priority filter; policy accept;
		udp sport 67 udp dport 68 counter
	}
}
EOF
packets() {	# packets TABLE CHAIN: what the chain's counters counted
	in_r nft -j list chain ip "$1" "$2" 2>/dev/null |
	    jq '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0'
}
passed() { packets mpt_test_count pre; }
passed_more() { [ "$(passed)" -gt "$1" ]; }
# The proxies the servers advertise answer TCP inside the router namespace.
for a in 5 10 20 30; do ip -n "$R" addr add "203.0.113.$a/32" dev lo; done
for a in 5 10 20 30; do
	ip netns exec "$R" socat TCP-LISTEN:3128,bind=203.0.113.$a,reuseaddr,fork \
	    EXEC:/bin/true 2>/dev/null &
	echo $! > "$W/listen-$a.pid"
done

# --- DHCP server: the documented snippet (examples/dhcp/dhcpd.conf); PROXY empty = no Option 43 at all ---
dhcpd_conf() {	# dhcpd_conf N NET MASK POOL-LO POOL-HI PROXY (6 s leases)
	dhcpd_render "$2" "$3" "$4" "$5" "$6" 6 > "$W/dhcpd$1.conf"
}
dhcpd_start() {	# dhcpd_start N (configuration already written)
	dhcpd_serve "$P-wan$1" "s$1" "$W/dhcpd$1"
}
dhcpd_stop() {	# dhcpd_stop N: TERM, KILL after 5 s
	kill_pidfile "$W/dhcpd$1.pid" 5
	rm -f "$W/dhcpd$1.pidfile"
	: > "$W/dhcpd$1.log"
}
dhcpd_restart() {	# dhcpd_restart N PROXY (same subnet, new value)
	dhcpd_stop "$1"
	case $1 in
	1) dhcpd_conf 1 192.0.2.0 255.255.255.128 192.0.2.100 192.0.2.120 "$2" ;;
	2) dhcpd_conf 2 198.51.100.0 255.255.255.0 198.51.100.100 198.51.100.120 "$2" ;;
	3) dhcpd_conf 3 192.0.2.128 255.255.255.128 192.0.2.200 192.0.2.220 "$2" ;;
	esac
	dhcpd_start "$1"
}

# --- DHCP client: a minimal script that only sets the address (never
# resolv.conf or routes) and records each event with a time stamp ---
# (dhclient gives its script a fresh environment: the path is written in.)
dhclient_script "$W"
dhclient_start() { dhclient_run "$R" "$1" "$W"; }	# dhclient_start IFACE
dhclient_stop() {	# dhclient_stop IFACE: no RELEASE, the lease just stops
	local pid
	pid=$(cat "$W/dhclient-$1.pid" 2>/dev/null) || return 0
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$W/dhclient-$1.pid" "$W/dhclient-$1.pidfile"
}
nevents() { grep -c " $2 " "$W/events-$1" 2>/dev/null || echo 0; }
bound() { grep -q ' BOUND ' "$W/events-$1" 2>/dev/null; }
# renewed_after IFACE N: a RENEW/REBIND/BOUND event beyond the first N lines.
renewed_after() {
	tail -n +"$(($2 + 1))" "$W/events-$1" 2>/dev/null | grep -Eq ' (RENEW|REBIND|BOUND) '
}
nlines() { wc -l < "$W/events-$1" 2>/dev/null || echo 0; }

write_cfg() {
	{
		printf 'authority:\n  router:\n    - name: r1\n'
		cfg_learned n1 wan1 "wan2, enable-proxy-discovery: true" \
		    "wan3, enable-proxy-discovery: false"
		printf 'mgmt-proxy:\n  forwarder: none\n  health-check: {interval: 1, timeout: 1}\n'
	} > "$CFG"
}
# As the systemd unit runs it: learned mode must work within its
# capability set (the request tap needs CAP_NET_RAW).
start_daemon() { daemon_start $(unit_sandbox); }
stop_daemon() { daemon_stop "$@"; }	# stop_daemon [SIGNAL]
table_present() { in_r nft list table ip mgmt_proxy_dhcp >/dev/null 2>&1; }

write_cfg
dhcpd_conf 1 192.0.2.0 255.255.255.128 192.0.2.100 192.0.2.120 203.0.113.20:3128
dhcpd_conf 2 198.51.100.0 255.255.255.0 198.51.100.100 198.51.100.120 203.0.113.10:3128
dhcpd_conf 3 192.0.2.128 255.255.255.128 192.0.2.200 192.0.2.220 203.0.113.5:3128
for i in 1 2 3; do
	check "dhcpd serves s$i" dhcpd_start $i
done
start_daemon
check "daemon starts" test -S "$RUN/mgmt-proxy.sock"
# nft 1.0.6 cannot print the xt target ("XT target NFQUEUE not found"); its
# JSON output still names it.
queue_rule() {
	in_r nft -j list chain ip mgmt_proxy_dhcp dhcp_queue 2>/dev/null |
	    jq -e '[.nftables[].rule? // empty | .expr[] | .xt? // empty |
		select(.type == "target" and .name == "NFQUEUE")] | length == 1' >/dev/null
}
check "snooping table installed: jump for wan1 and wan2 only" bash -c \
	"ip netns exec '$R' nft list chain ip mgmt_proxy_dhcp prerouting 2>/dev/null |
	    grep -q 'iifname { \"wan1\", \"wan2\" } udp sport 67 udp dport 68 jump dhcp_queue'"
check "and one xt NFQUEUE rule in dhcp_queue" queue_rule
check "no candidate before any DHCP" is_state no-candidate

# --- 1. learned from the ACK: file, show, selection ---
dhclient_start wan1
check "dhclient binds on wan1" wait_for 15 bound wan1
check "wan1 file: resolved 203.0.113.20:3128" wait_for 5 if_is wan1 resolved 203.0.113.20:3128
check "wan1 file has the documented keys" [ "$(jq -r '."dhcp-client-info"."interface-name"' "$STATE/dhcp/wan1")" = wan1 ]
check "candidate source dhcp:wan1" [ "$(cand_of dhcp:wan1)" = 203.0.113.20:3128 ]
check "203.0.113.20:3128 selected" wait_for 5 is_selected 203.0.113.20:3128
check "and reachable (active)" wait_for 5 is_active 203.0.113.20:3128
check "show dhcp learned-proxies: wan1 resolved" [ "$(JQ='.[] | select(.interface == "wan1") | [."resolution-state", (."management-proxies" | join(","))] | join("|")' \
	jget show dhcp learned-proxies)" = "resolved|203.0.113.20:3128" ]
check "log has the ACK" grep -q 'dhcp: ACK on wan1: resolved 203.0.113.20:3128' "$LOG"
check "replies passed the queue and went on through prerouting ($(passed))" passed_more 1

# --- 2. a changed server value is picked up at renewal ---
dhcpd_restart 1 203.0.113.30:3128
n=$(nlines wan1)
check "wan1 renews after the server changed" wait_for 15 renewed_after wan1 "$n"
check "wan1 file: resolved 203.0.113.30:3128" wait_for 5 if_is wan1 resolved 203.0.113.30:3128
check "203.0.113.30:3128 selected" wait_for 5 is_selected 203.0.113.30:3128
check "old value no longer a candidate" [ "$(cand_of dhcp:wan1)" = 203.0.113.30:3128 ]

# --- 3. the server withdraws Option 43 ---
dhcpd_restart 1 ""
n=$(nlines wan1)
check "wan1 renews after Option 43 was withdrawn" wait_for 15 renewed_after wan1 "$n"
check "wan1 file: no-option-43, no proxies" wait_for 5 if_is wan1 no-option-43 ""
check "no candidate from wan1" [ "$(ncand dhcp:wan1)" = 0 ]
check "state no-candidate" wait_for 3 is_state no-candidate
check "proxy-address.json removed" test ! -e "$STATE/proxy-address.json"
dhcpd_restart 1 203.0.113.20:3128
check "value back at the next renewal" wait_for 15 if_is wan1 resolved 203.0.113.20:3128

# --- 4. enable-proxy-discovery: false learns nothing ---
dhclient_start wan3
check "dhclient binds on wan3" wait_for 15 bound wan3
check "wan3 lease carried option 43" wait_for 5 grep -q 'vendor-encapsulated-options' "$W/dhclient-wan3.leases"
n=$(nlines wan3)
wait_for 15 renewed_after wan3 "$n"	# one more ACK, to be sure
# Every eligible interface is listed (wan2: pending, no ACK yet); wan3 never.
check "show dhcp learned-proxies lists wan1 and wan2, not wan3 ($(learned_ifaces))" \
	[ "$(learned_ifaces)" = wan1,wan2 ]
check "wan2 pending before its first ACK" [ "$(JQ='.[] | select(.interface == "wan2") | ."resolution-state"' \
	jget show dhcp learned-proxies)" = pending ]
check "no candidate from wan3" [ "$(ncand dhcp:wan3)" = 0 ]
check "no state file for wan3" test ! -e "$STATE/dhcp/wan3"
check "203.0.113.5 (lower, but discovery off) not selected" is_selected 203.0.113.20:3128

# --- 5. two WANs with different proxies: the lowest is selected ---
dhclient_start wan2
check "dhclient binds on wan2" wait_for 15 bound wan2
check "wan2 file: resolved 203.0.113.10:3128" wait_for 5 if_is wan2 resolved 203.0.113.10:3128
check "two dhcp candidates" [ "$(cand_of dhcp:wan1),$(cand_of dhcp:wan2)" = 203.0.113.20:3128,203.0.113.10:3128 ]
check "203.0.113.10:3128 (lowest) selected" wait_for 5 is_selected 203.0.113.10:3128
check "and active" wait_for 5 is_active 203.0.113.10:3128
check "show dhcp learned-proxies: wan1 and wan2 resolved" [ "$(JQ='[.[] | ."resolution-state"] | join(",")' \
	jget show dhcp learned-proxies)" = resolved,resolved ]

# --- 6. link down clears that interface at once ---
in_r ip link set wan2 down
check "wan2 file: link-down, no proxies" wait_for 3 if_is wan2 link-down ""
check "no candidate from wan2" [ "$(ncand dhcp:wan2)" = 0 ]
check "203.0.113.20:3128 selected again" wait_for 3 is_selected 203.0.113.20:3128
check "log says wan2 down" grep -q 'dhcp: wan2 down: its proxies are forgotten' "$LOG"
dhclient_stop wan2
in_r ip link set wan2 up

# --- 7. spoofed and malformed replies: nothing changes, logged, limited ---
# A DHCP ACK (BOOTP header, cookie, options) for another chaddr, sent from
# the server's namespace, udp 67 -> 68, to wan1's leased address.
ack() {	# ack CHADDR-ESCAPES: the message on stdout
	printf '\x02\x01\x06\x00\x12\x34\x56\x78\x00\x00\x00\x00'	# op htype hlen hops xid secs flags
	printf '\x00\x00\x00\x00\xc0\x00\x02\x64\x00\x00\x00\x00\x00\x00\x00\x00'	# ci yi si gi
	printf "$1"; head -c 10 /dev/zero				# chaddr (16)
	head -c 192 /dev/zero						# sname, file
	printf '\x63\x82\x53\x63\x35\x01\x05\x36\x04\xc0\x00\x02\x01\x33\x04\x00\x00\x0e\x10'
	printf '\x2b\x12\x80\x10203.0.113.1:3128\xff'			# 43/128 "203.0.113.1:3128" 
}
wan1_ip=$(in_r ip -4 -o addr show dev wan1 | awk '{sub("/.*", "", $4); print $4; exit}')
send_from_wan1() {	# stdin -> udp 192.0.2.1:67 -> wan1_ip:68
	ip netns exec "$P-wan1" socat -u STDIN \
	    UDP-SENDTO:"$wan1_ip":68,bind=192.0.2.1:67,reuseaddr,reuseport 2>>"$W/socat.err"
}
nref=$(grep -c 'refused' "$LOG"); nmal=$(grep -c 'malformed' "$LOG")
check "wan1 has an address to spoof to (${wan1_ip:-none})" [ -n "$wan1_ip" ]
for k in $(seq 50); do ack '\x02\xde\xad\xbe\xef\x01' | send_from_wan1; done
for k in $(seq 50); do ack '\x02\xde\xad\xbe\xef\x01' | head -c 100 | send_from_wan1; done
sleep 1
check "spoofed ACK refused and logged" wait_for 3 bash -c "[ \$(grep -c 'ACK on wan1 refused: chaddr' '$LOG') -ge 1 ]"
check "truncated reply logged as malformed" wait_for 3 bash -c "[ \$(grep -c 'malformed reply on wan1' '$LOG') -ge 1 ]"
nref2=$(grep -c 'refused' "$LOG"); nmal2=$(grep -c 'malformed' "$LOG")
check "50 spoofed ACKs: logged once ($((nref2 - nref)) lines)" [ $((nref2 - nref)) -le 1 ]
check "50 truncated replies: logged once ($((nmal2 - nmal)) lines)" [ $((nmal2 - nmal)) -le 1 ]
# A renewal may have rewritten the file meanwhile: compare what matters.
check "wan1 unchanged: resolved 203.0.113.20:3128" if_is wan1 resolved 203.0.113.20:3128
check "203.0.113.1 never a candidate" [ "$(JQ='[.candidates[] | select(.proxy == "203.0.113.1:3128")] | length' jget show management-proxy)" = 0 ]
check "daemon still alive" kill -0 "$MPD_PID"

# --- 7b. forged ACKs that carry wan1's own chaddr change nothing ---
# A request of our own to answer: a DHCPREQUEST leaving wan1 (as dhclient
# sends it, on a packet socket) that names a second server, 192.0.2.2, on
# the link. dhcpd stays silent: the request names another server.
wan1_mac=$(in_r cat /sys/class/net/wan1/address)
forge_request() { in_r $FORGE request wan1 192.0.2.2 "$@"; }
forge_ack() {	# forge_ack NS SRC SERVER XID:PROXY...: to wan1_ip, yiaddr wan1_ip
	local ns=$1 src=$2 server=$3; shift 3
	ip netns exec "$ns" $FORGE ack "$src" "$wan1_ip" "$wan1_mac" "$server" "$wan1_ip" "$@"
}
applied() { grep -c "dhcp: ACK on wan1: resolved $1" "$LOG"; }
never_applied() { [ "$(applied "$1")" = 0 ]; }
logged() { grep -q "$1" "$LOG"; }
check "wan1 still resolved 203.0.113.20:3128 before forging" if_is wan1 resolved 203.0.113.20:3128
forge_request 5a5a0001
# (a) right chaddr, from the server named in the request, wrong xid
forge_ack "$P-wan1" 192.0.2.2 192.0.2.2 5a5a0002:203.0.113.1:3128
# (b) right xid, from and naming a server the request did not choose
forge_ack "$P-wan1" 192.0.2.1 192.0.2.1 5a5a0001:203.0.113.2:3128
# (c) right xid and server id, but routed in from a non-server address
forge_ack "$P-far" 203.0.113.150 192.0.2.2 5a5a0001:203.0.113.3:3128
check "wrong xid: refused and logged" wait_for 5 logged 'ACK on wan1 refused: answers no recent request of ours'
check "wrong server: refused and logged" wait_for 5 logged 'ACK on wan1 refused: server identifier is not the lease'
check "routed from 203.0.113.150: refused and logged" wait_for 5 logged 'ACK on wan1 refused: not addressed as a server reply on this link'
refused() {	# refused [REASON]: wan1's refusal counter (no REASON: all)
	local f='[.[]] | add'
	[ -n "${1:-}" ] && f=".\"$1\""
	JQ=".[] | select(.interface == \"wan1\") | .\"refused-replies\" | $f" \
	    jget show dhcp learned-proxies
}
for k in no-request wrong-server off-link; do
	check "refusals counted: $k = $(refused $k)" [ "$(refused $k)" -ge 1 ]
done
for a in 1 2 3; do
	check "forged value 203.0.113.$a:3128 never applied" never_applied "203.0.113.$a:3128"
done
check "wan1 unchanged: resolved 203.0.113.20:3128 ($(ifstate wan1) $(ifproxies wan1))" \
	if_is wan1 resolved 203.0.113.20:3128
check "show dhcp learned-proxies unchanged" [ "$(JQ='.[] | select(.interface == "wan1") | (."management-proxies" | join(","))' \
	jget show dhcp learned-proxies)" = 203.0.113.20:3128 ]
# The same answer from the chosen server on the link is believed: the
# refusals above were for the reasons logged, not for the xid. And a real
# renewal from dhcpd (to its own server, 192.0.2.1) still updates.
forge_ack "$P-wan1" 192.0.2.2 192.0.2.2 5a5a0001:203.0.113.5:3128
# Believed means applied, or held back by the pacer when earlier sections
# used the interface's burst (a renewal from dhcpd with the value in force
# may then cancel it, as it should): either way it passed the guard.
believed_5() {
	if_is wan1 resolved 203.0.113.5:3128 ||
	    logged 'ACK on wan1: change to resolved 203.0.113.5:3128 held back'
}
check "the chosen server's answer on the link is believed" wait_for 5 believed_5
if ! believed_5; then
	echo "# expected resolved 203.0.113.5:3128 (or held back), got $(ifstate wan1) $(ifproxies wan1)"
fi
check "its request is answered once only" bash -c "
	ip netns exec '$P-wan1' $FORGE ack 192.0.2.2 '$wan1_ip' '$wan1_mac' 192.0.2.2 '$wan1_ip' 5a5a0001:203.0.113.4:3128
	sleep 1; ! grep -q 'ACK on wan1: resolved 203.0.113.4' '$LOG'"
check "a real renewal from dhcpd updates again" wait_for 40 if_is wan1 resolved 203.0.113.20:3128

# --- 7c. a flood of alternating values is applied at a bounded rate ---
# 20 requests of our own, each answered by the chosen server on the link,
# alternating 203.0.113.10 / 203.0.113.5: all pass the checks above. At most
# 3 changes apply at once, then one per 10 s; the latest (.5) wins.
dhclient_stop wan1	# no renewal in between
xids=$(for k in $(seq 10 29); do printf '5a5a00%02x ' "$k"; done)
pairs=$(k=0; for x in $xids; do
	[ $((k % 2)) = 0 ] && v=10 || v=5; printf '%s:203.0.113.%s:3128 ' "$x" "$v"; k=$((k + 1)); done)
n0=$(grep -c 'dhcp: ACK on wan1: resolved' "$LOG")
l0=$(($(wc -l < "$LOG") + 1))
r0=$(refused)
bx= bp=
h0=$(grep -c 'changing too often' "$LOG")
t0=$(date +%s)
set -- $pairs
for x in $xids; do	# 5 at a time: a client has few requests in flight
	bx="$bx $x"; bp="$bp $1"; shift
	[ "$(echo $bx | wc -w)" = 5 ] || continue
	forge_request $bx
	forge_ack "$P-wan1" 192.0.2.2 192.0.2.2 $bp
	bx= bp=
done
t1=$(date +%s)
check "the latest value of the flood applies when its turn comes" wait_for 40 if_is wan1 resolved 203.0.113.5:3128
t2=$(date +%s)
n1=$(grep -c 'dhcp: ACK on wan1: resolved' "$LOG")
bound=$((3 + (t2 - t0) / 10 + 1))
check "20 alternating ACKs in $((t1 - t0)) s: $((n1 - n0)) changes applied in $((t2 - t0)) s (at most $bound)" \
	[ $((n1 - n0)) -le "$bound" ]
h1=$(grep -c 'changing too often' "$LOG")
check "none of the 20 was refused (refused: $r0 -> $(refused))" [ "$(refused)" = "$r0" ]
check "held-back changes logged at most once, rate-limited ($((h1 - h0)) lines)" [ $((h1 - h0)) -le 1 ]
# The latest value is applied by the pacer when its slot comes, or
# directly when the last ACK itself lands in a free slot (it then replaces
# what was held): either way exactly the flood's latest word, never an
# earlier one after it.
last_applied=$(tail -n +"$l0" "$LOG" | grep 'dhcp: ACK on wan1: resolved' | tail -n 1)
check "the flood's latest value is the last one applied ($last_applied)" \
	eval 'case $last_applied in *"resolved 203.0.113.5:3128"*) true ;; *) false ;; esac'
dhclient_start wan1
check "dhclient's renewals bring the server's value back" wait_for 60 if_is wan1 resolved 203.0.113.20:3128

# --- 7d. a LAN host masqueraded out of wan1 cannot speak as wan1 ---
# It sends a DHCPREQUEST with wan1's MAC as chaddr, its own xid and
# server 192.0.2.2 (in the wan1 namespace); after NAT it would leave with
# wan1's address and port 68, and look like our client's. The snooping
# table drops it in forward, so the server's answer matches nothing.
ns_create "$P-lan"
ns_veth "$R" lan0 169.254.77.1/24 "$P-lan" eth0 169.254.77.2/24
ip -n "$P-lan" route add default via 169.254.77.1
ip -n "$P-wan1" addr add 192.0.2.2/32 dev s1
in_r sysctl -qw net.ipv4.ip_forward=1
in_r nft -f - <<'EOF'
table ip mpt_test_masq {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan1" masquerade
	}
}
EOF
masq_dropped() { packets mgmt_proxy_dhcp forward; }
refused_more() { [ "$(refused no-request)" -gt "$1" ]; }
held_back() {
	JQ='.[] | select(.interface == "wan1") | ."change-held-back" // false' \
	    jget show dhcp learned-proxies
}
d0=$(masq_dropped) r0=$(refused no-request) a0=$(refused)
ip netns exec "$P-lan" $FORGE relayed 192.0.2.2 "$wan1_mac" 192.0.2.2 5a5a0077
forge_ack "$P-wan1" 192.0.2.2 192.0.2.2 5a5a0077:203.0.113.6:3128
check "its answer refused: no request of ours" wait_for 5 refused_more "$r0"
echo "# refusals: no-request $r0 -> $(refused no-request), all $a0 -> $(refused); change held back: $(held_back)"
check "forwarded request as wan1 dropped ($d0 -> $(masq_dropped))" [ "$(masq_dropped)" -gt "${d0:-0}" ]
check "no change held back on wan1" [ "$(held_back)" = false ]
check "203.0.113.6:3128 never applied" never_applied 203.0.113.6:3128
check "wan1 unchanged: resolved 203.0.113.20:3128 ($(ifstate wan1) $(ifproxies wan1))" \
	if_is wan1 resolved 203.0.113.20:3128
in_r nft delete table ip mpt_test_masq
in_r sysctl -qw net.ipv4.ip_forward=0
ip -n "$P-wan1" addr del 192.0.2.2/32 dev s1
ns_delete "$P-lan"

# --- 8. reload: the jump rule follows the configuration, the queue rule
# stays exactly one, and snooping goes on ---
sed -i 's/{name: wan2, dhcp: v4, enable-proxy-discovery: true}/{name: wan2, dhcp: v4, enable-proxy-discovery: false}/' "$CFG"
check "reload with wan2's discovery turned off" bash -c "ip netns exec '$R' '$MPC' --run-dir '$RUN' reload >/dev/null"
check "jump rule now for wan1 only" bash -c \
	"ip netns exec '$R' nft list chain ip mgmt_proxy_dhcp prerouting | grep -q 'iifname.*wan1' &&
	 ! ip netns exec '$R' nft list chain ip mgmt_proxy_dhcp prerouting | grep -q wan2"
check "still exactly one queue rule" queue_rule
check "wan2 no longer listed" [ "$(learned_ifaces)" = wan1 ]
dhcpd_restart 1 203.0.113.30:3128
check "after reload a changed value is still learned" wait_for 40 if_is wan1 resolved 203.0.113.30:3128

# --- 9. fail-open: DHCP works whatever state the daemon is in ---
dhclient_fresh() {	# a new client with no lease file must bind
	dhclient_stop "$1"
	rm -f "$W/dhclient-$1.leases" "$W/events-$1"
	in_r ip addr flush dev "$1"
	dhclient_start "$1"
	wait_for 15 bound "$1"
}
# Each: a fresh client binds AND the replies got past our hook (counter).
fail_open() {	# fail_open WHAT
	local c0
	c0=$(passed)
	check "$1: dhclient still obtains a lease" dhclient_fresh wan1
	check "$1: the replies passed through netfilter" wait_for 3 passed_more "$c0"
}
# Hung, not dead: the kernel holds at most 16 replies for it, then lets
# the rest through (fail-open queue). Fill it with spoofed ones first.
kill -STOP "$MPD_PID"
c0=$(passed)
for k in $(seq 24); do ack '\x02\xde\xad\xbe\xef\x01' | send_from_wan1; done
check "daemon hung (SIGSTOP): beyond 16 held, replies pass ($c0 -> $(passed))" passed_more "$c0"
fail_open "daemon hung, queue full"
kill -CONT "$MPD_PID"
check "daemon resumes and answers" wait_for 5 is_selected 203.0.113.30:3128
check "wan1 state intact after the hang" if_is wan1 resolved 203.0.113.30:3128

stop_daemon
check "clean stop removes the snooping table" bash -c "! ip netns exec '$R' nft list table ip mgmt_proxy_dhcp 2>/dev/null"
fail_open "daemon stopped"
start_daemon
check "daemon back: table re-installed" wait_for 3 queue_rule
stop_daemon KILL
check "daemon killed -9: its queue rule stays" queue_rule
fail_open "queue rule left with no reader (bypass)"
n=$(nlines wan1)
check "and renews through it" wait_for 15 renewed_after wan1 "$n"
dhcpd_restart 1 203.0.113.20:3128
start_daemon
check "restart over the stale table: still exactly one queue rule" wait_for 3 queue_rule
check "restarted daemon learns the new value at renewal" wait_for 15 if_is wan1 resolved 203.0.113.20:3128
check "and selects it" wait_for 5 is_selected 203.0.113.20:3128
stop_daemon

# --- 10. no interface eligible: a stale snooping table is removed at
# start-up and at exit all the same ---
sed -i 's/enable-proxy-discovery: true}/enable-proxy-discovery: false}/; s/{name: wan1, dhcp: v4}/{name: wan1, dhcp: v4, enable-proxy-discovery: false}/' "$CFG"
in_r nft add table ip mgmt_proxy_dhcp
check "a stale table is there before the start" table_present
start_daemon
check "no interface eligible: start-up removed the stale table" wait_for 3 bash -c "! ip netns exec '$R' nft list table ip mgmt_proxy_dhcp >/dev/null 2>&1"
in_r nft add table ip mgmt_proxy_dhcp
stop_daemon
check "no interface eligible: the stop removed it as well" bash -c "! ip netns exec '$R' nft list table ip mgmt_proxy_dhcp >/dev/null 2>&1"
t_finish
