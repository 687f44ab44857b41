# shellcheck shell=sh
# Namespace lab for mgmt-proxy: sourced by tests/lab/demo.sh and the
# integration tests.  POSIX sh (dash) compatible.
#
# Topology (every address is a documentation or
# link-local range and lives only inside the namespaces made here):
#
#   ns ${LAB}-mgmt     mgmt0 169.254.127.127/24, default via 169.254.127.126
#        | veth
#   ns ${LAB}-router   kni254 169.254.127.126/24
#                      wan1   203.0.113.2/24, default via 203.0.113.1
#        | veth           (mgmt-proxyd + HAProxy run here)
#   ns ${LAB}-wan      up0    203.0.113.1/24 + 203.0.113.10/24 (Squid :3128)
#                      lo     198.51.100.80/32 origin.test (HTTP+HTTPS)
#                             198.51.100.43/32 secure.test a.test b.test c.test
#                                              never-seen.test pinned.test
#                      route 169.254.127.0/24 via 203.0.113.2 (direct path,
#                      used only when the interception table is absent)
#
# The origin addresses sit on the wan namespace's loopback because this
# kernel has no dummy interface driver (CONFIG_DUMMY is not set).
#
# Several labs may coexist: every name carries the prefix $LAB, interfaces are
# created directly inside their namespaces, and each lab keeps its files in
# $LAB_DIR.  lab_down only ends processes whose pid it recorded or that live
# in the lab's own namespaces.
#
# Usage (from the repository root; sources tests/lib.sh):
#   LAB=mpx . tests/lab/lab.sh
#   lab_up; lab_squid_start; lab_origin_start
#   (mgmt-proxyd in $LAB-router: daemon_start; or the stand-in forwarder of
#   tests/lab/forwarding-check.sh)
#   lab_in mgmt curl -s http://origin.test/
#   lab_down

set -eu

LAB=${LAB:-mp}
LAB_DIR=${LAB_DIR:-/tmp/mgmt-proxy-lab.$LAB}
# Directory of this file when sourced from bash; callers under dash set
# LAB_SRC themselves or run from the repository root.
LAB_SRC=${LAB_SRC:-tests/lab}
LAB_TEMPLATES=${LAB_TEMPLATES:-templates}
# The test library: waits, DHCP server and client, the daemon's helpers.
. "$LAB_SRC/../lib.sh"
MP_NS=$LAB-router

LAB_MGMT_IP=169.254.127.127
LAB_KNI_IP=169.254.127.126
LAB_RTR_WAN_IP=203.0.113.2
LAB_WAN_GW_IP=203.0.113.1
LAB_SQUID_IP=203.0.113.10
LAB_SQUID_PORT=3128
LAB_ORIGIN_HTTP_IP=198.51.100.80
LAB_ORIGIN_HTTPS_IP=198.51.100.43
# Names served by the origin; all but origin.test resolve to the HTTPS address.
# LAB_EXTRA_NAMES (set before lab_up) are added to the origin's certificate.
LAB_NAMES="origin.test secure.test a.test b.test c.test never-seen.test pinned.test"
# Destination ports intercepted (nft set syntax: numbers and commas).
LAB_HTTP_PORTS=${LAB_HTTP_PORTS:-80, 8080}
LAB_HTTPS_PORTS=${LAB_HTTPS_PORTS:-443, 8443}
# Marks and table used by the TPROXY policy routing (orchestrator defaults).
LAB_FWMARK=${LAB_FWMARK:-0x4d50}
LAB_RT_TABLE=${LAB_RT_TABLE:-100}
# Every wait in this file gives up after this many seconds.
LAB_WAIT=${LAB_WAIT:-10}

# lab_down removes $LAB_DIR recursively and names namespaces after $LAB:
# refuse values that could reach outside the lab.
case $LAB in
'' | *[!a-z0-9]*) echo "lab: LAB must be lower-case letters and digits" >&2; exit 2 ;;
esac
case $LAB_DIR in
/tmp/?* | /run/?* | /var/tmp/?*) ;;
*) echo "lab: LAB_DIR must be under /tmp, /run or /var/tmp" >&2; exit 2 ;;
esac
case $LAB_DIR in
*/../* | */..) echo "lab: LAB_DIR must not contain .." >&2; exit 2 ;;
esac

lab_log() {
	echo "lab[$LAB]: $*" >&2
}

lab_die() {
	lab_log "error: $*"
	return 1
}

# lab_in NS CMD...: run CMD inside ${LAB}-NS (NS is mgmt, router or wan).
# ip netns exec also bind-mounts /etc/netns/${LAB}-NS/hosts on /etc/hosts.
lab_in() {
	_ns=$1
	shift
	ip netns exec "$LAB-$_ns" "$@"
}

# lab_bg NAME NS CMD...: start CMD in the background inside the namespace,
# output to $LAB_DIR/NAME.out, pid recorded so lab_down can end it by id.
lab_bg() {
	_name=$1
	_ns=$2
	shift 2
	ip netns exec "$LAB-$_ns" "$@" >"$LAB_DIR/$_name.out" 2>&1 </dev/null &
	echo $! >"$LAB_DIR/pids/$_name.pid"
}

# lab_listening NS ADDR PORT: a TCP listener exists.
lab_listening() {
	lab_in "$1" ss -Hltn "src $2 and sport = :$3" 2>/dev/null | grep -q LISTEN
}

# lab_wait_listen NS ADDR PORT: wait (bounded) until a TCP listener exists.
lab_wait_listen() {
	wait_for "$LAB_WAIT" lab_listening "$@" || lab_die "nothing listens on $2:$3 in $LAB-$1"
}

# lab_kill_pidfile FILE: kill_pidfile (tests/lib.sh) within the lab's bound.
lab_kill_pidfile() { kill_pidfile "$1" "$LAB_WAIT"; }

# The router's WAN address (and the management client's, whose own CONNECT
# the bench sends to Squid) have names too: Squid looks its client up by
# address for every connection, and the lab has no DNS server. Unanswered,
# each lookup waits 30 s; at a thousand tunnels a second their queue grew
# to tens of thousands, and Squid's retransmit pass over it (every 5 s,
# quadratic) stalled every tunnel for 1-3 s (seen with perf and Squid's
# mgr:fqdncache: all misses, one pending entry per connection).
lab_hosts() {
	cat <<EOF
127.0.0.1 localhost
$LAB_ORIGIN_HTTP_IP origin.test
$LAB_ORIGIN_HTTPS_IP secure.test a.test b.test c.test never-seen.test pinned.test
$LAB_SQUID_IP squid.test
$LAB_RTR_WAN_IP router-wan.test
$LAB_MGMT_IP mgmt.test
EOF
}

# ---------------------------------------------------------------- PKI
# Two CAs: "public" signs the origin's certificate and is trusted by Squid
# only; "local" stands in for mgmt-proxy's local CA and is trusted by the
# management client only.  EC P-256 keys: fast to make.

# lab_pki_ca NAME SUBJECT [DIR]: a CA, DIR/NAME.crt and DIR/NAME.key (mode
# 600; DIR: $LAB_DIR/pki).
lab_pki_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "${3:-$LAB_DIR/pki}/$1.key" -out "${3:-$LAB_DIR/pki}/$1.crt" \
		-days 30 -subj "$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null &&
		chmod 600 "${3:-$LAB_DIR/pki}/$1.key"
}

# lab_mint_leaf CA OUT NAME...: leaf for NAME... signed by CA, written as
# OUT.crt, OUT.key and OUT.pem (cert then key, the form HAProxy loads).
lab_mint_leaf() {
	_ca=$1
	_out=$2
	shift 2
	_san=""
	for _n in "$@"; do
		_san="${_san:+$_san,}DNS:$_n"
	done
	printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
		"$_san" >"$_out.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$_out.key" -out "$_out.csr" -subj "/CN=$1" 2>/dev/null
	openssl x509 -req -in "$_out.csr" -CA "$LAB_DIR/pki/$_ca.crt" \
		-CAkey "$LAB_DIR/pki/$_ca.key" -CAcreateserial -days 7 \
		-extfile "$_out.ext" -out "$_out.crt" 2>/dev/null
	cat "$_out.crt" "$_out.key" >"$_out.pem"
	rm -f "$_out.csr" "$_out.ext"
}

lab_pki() {
	mkdir -p "$LAB_DIR/pki" "$LAB_DIR/certs"
	lab_pki_ca public "/CN=mgmt-proxy lab public CA ($LAB)"
	lab_pki_ca local "/CN=mgmt-proxy lab local CA ($LAB)"
	# shellcheck disable=SC2086
	lab_mint_leaf public "$LAB_DIR/pki/origin" $LAB_NAMES ${LAB_EXTRA_NAMES:-}
	# Default certificate of the HTTPS bind: used when no SNI matches.
	lab_mint_leaf local "$LAB_DIR/certs/default" mgmt-proxy.invalid
}

# ---------------------------------------------------------------- network

lab_up() {
	lab_down
	mkdir -p "$LAB_DIR/pids" "$LAB_DIR/run"
	chmod 755 "$LAB_DIR"
	for _ns in mgmt router wan; do
		ip netns add "$LAB-$_ns"
		mkdir -p "/etc/netns/$LAB-$_ns"
		lab_hosts >"/etc/netns/$LAB-$_ns/hosts"
		# An empty resolv.conf: no name server outside the lab is ever asked.
		: >"/etc/netns/$LAB-$_ns/resolv.conf"
		lab_in "$_ns" ip link set lo up
	done

	# Made inside the namespaces directly so that no name ever exists in the
	# root namespace and labs with other prefixes do not collide.
	ip link add kni254 netns "$LAB-router" type veth \
		peer name mgmt0 netns "$LAB-mgmt"
	ip link add wan1 netns "$LAB-router" type veth \
		peer name up0 netns "$LAB-wan"

	lab_in mgmt ip addr add "$LAB_MGMT_IP/24" dev mgmt0
	lab_in mgmt ip link set mgmt0 up
	lab_in mgmt ip route add default via "$LAB_KNI_IP"

	lab_in router ip addr add "$LAB_KNI_IP/24" dev kni254
	lab_in router ip addr add "$LAB_RTR_WAN_IP/24" dev wan1
	lab_in router ip link set kni254 up
	lab_in router ip link set wan1 up
	lab_in router ip route add default via "$LAB_WAN_GW_IP"
	# Forwarding lets management traffic go direct when the interception
	# table is absent (forwarder torn down); TPROXY itself needs no forwarding.
	lab_in router sysctl -qw net.ipv4.ip_forward=1

	lab_in wan ip addr add "$LAB_WAN_GW_IP/24" dev up0
	lab_in wan ip addr add "$LAB_SQUID_IP/24" dev up0
	lab_in wan ip link set up0 up
	lab_in wan ip addr add "$LAB_ORIGIN_HTTP_IP/32" dev lo
	lab_in wan ip addr add "$LAB_ORIGIN_HTTPS_IP/32" dev lo
	lab_in wan ip route add 169.254.127.0/24 via "$LAB_RTR_WAN_IP"

	lab_pki
	lab_log "up: namespaces $LAB-mgmt $LAB-router $LAB-wan, files in $LAB_DIR"
}

# lab_down: idempotent; safe when nothing (or only part) of the lab exists.
lab_down() {
	if [ -d "$LAB_DIR/pids" ]; then
		for _f in "$LAB_DIR"/pids/*.pid; do
			[ -e "$_f" ] && lab_kill_pidfile "$_f"
		done
	fi
	for _ns in mgmt router wan; do
		if ip netns list 2>/dev/null | grep -q "^$LAB-$_ns\\b"; then
			# Anything still running in our own namespace was started by
			# the lab (or by a test inside it): end it by pid.
			for _p in $(ip netns pids "$LAB-$_ns" 2>/dev/null); do
				kill -KILL "$_p" 2>/dev/null || true
			done
			ip netns del "$LAB-$_ns" 2>/dev/null || true
		fi
		rm -rf "/etc/netns/$LAB-$_ns"
	done
	rm -rf "$LAB_DIR"
}

# ---------------------------------------------------------------- Squid
# The upstream corporate proxy: no cache, its own pid/logs, answers only the
# WAN subnet, verifies origin certificates against the lab's public CA.

# lab_squid_conf [IP [DIR]]: the configuration of a lab Squid listening on
# IP:$LAB_SQUID_PORT with its files in DIR (default: the first Squid).
lab_squid_conf() {
	_sq_ip=${1:-$LAB_SQUID_IP}
	_sq_dir=${2:-$LAB_DIR/squid}
	cat <<EOF
http_port $_sq_ip:$LAB_SQUID_PORT
visible_hostname squid.test
pid_filename $_sq_dir/squid.pid
cache_log $_sq_dir/cache.log
access_log stdio:$_sq_dir/access.log squid
cache_store_log none
logfile_rotate 0
coredump_dir $_sq_dir
netdb_filename none
pinger_enable off
shutdown_lifetime 1 seconds
cache deny all
cache_mem 8 MB
dns_nameservers 127.0.0.1
hosts_file /etc/netns/$LAB-wan/hosts
acl lab_wan src 203.0.113.0/24
http_access allow lab_wan
http_access deny all
tls_outgoing_options cafile=$LAB_DIR/pki/public.crt
# Origins then log the proxy's address, telling proxied from direct requests.
tcp_outgoing_address $_sq_ip
EOF
}

# lab_squid_run NAME IP: the Squid configured in $LAB_DIR/NAME/squid.conf,
# listening on IP:$LAB_SQUID_PORT.
lab_squid_run() {
	# Squid drops to the proxy user; it must be able to write its logs.
	chown -R proxy:proxy "$LAB_DIR/$1"
	# -n: a service name of our own keeps several lab Squids apart.
	lab_bg "$1" wan squid -N -n "mplab$(echo "$1$LAB" | tr -cd 'a-zA-Z0-9')" \
		-f "$LAB_DIR/$1/squid.conf"
	lab_wait_listen wan "$2" "$LAB_SQUID_PORT"
}

lab_squid_start() {
	mkdir -p "$LAB_DIR/squid"
	lab_squid_conf >"$LAB_DIR/squid/squid.conf"
	lab_squid_run squid "$LAB_SQUID_IP"
}

lab_squid_stop() {
	lab_kill_pidfile "$LAB_DIR/pids/squid.pid"
}

# A second upstream proxy, for switching the active proxy: Squid on
# $LAB_SQUID2_IP:$LAB_SQUID_PORT (an extra address on the wan side of the
# WAN link), files in $LAB_DIR/squid2; origins log it as the client.
LAB_SQUID2_IP=${LAB_SQUID2_IP:-203.0.113.11}

lab_squid2_start() {
	mkdir -p "$LAB_DIR/squid2"
	lab_in wan ip addr replace "$LAB_SQUID2_IP/24" dev up0
	lab_squid_conf "$LAB_SQUID2_IP" "$LAB_DIR/squid2" >"$LAB_DIR/squid2/squid.conf"
	lab_squid_run squid2 "$LAB_SQUID2_IP"
}

lab_squid2_stop() {
	lab_kill_pidfile "$LAB_DIR/pids/squid2.pid"
}

# lab_squid_auth_start IP USER PASSWORD: a Squid on IP:$LAB_SQUID_PORT that
# requires Basic proxy authentication (basic_ncsa_auth, one user); files in
# $LAB_DIR/squid-auth.
lab_squid_auth_start() {
	_sa_dir=$LAB_DIR/squid-auth
	mkdir -p "$_sa_dir"
	lab_in wan ip addr replace "$1/24" dev up0
	printf '%s:%s\n' "$2" "$(openssl passwd -apr1 "$3")" >"$_sa_dir/htpasswd"
	lab_squid_conf "$1" "$_sa_dir" |
		sed -e "s|^http_access allow lab_wan\$|auth_param basic program /usr/lib/squid/basic_ncsa_auth $_sa_dir/htpasswd\\
acl authed proxy_auth REQUIRED\\
http_access allow lab_wan authed|" >"$_sa_dir/squid.conf"
	lab_squid_run squid-auth "$1"
}

# ---------------------------------------------------------------- origin
# nginx answers on both origin addresses, HTTP and HTTPS, with one line that
# names scheme, host and the client address it saw: the client address tells
# whether a request came through Squid (203.0.113.10) or direct.

lab_origin_conf() {
	cat <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $LAB_DIR/origin/nginx.pid;
error_log $LAB_DIR/origin/error.log info;
events { worker_connections 256; }
http {
    client_body_temp_path $LAB_DIR/origin/tmp/body;
    proxy_temp_path $LAB_DIR/origin/tmp/proxy;
    fastcgi_temp_path $LAB_DIR/origin/tmp/fastcgi;
    uwsgi_temp_path $LAB_DIR/origin/tmp/uwsgi;
    scgi_temp_path $LAB_DIR/origin/tmp/scgi;
    log_format lab '\$remote_addr \$scheme://\$host:\$server_port "\$request" \$status sni=\$ssl_server_name';
    access_log $LAB_DIR/origin/access.log lab;
    server {
        listen $LAB_ORIGIN_HTTP_IP:80;
        listen $LAB_ORIGIN_HTTPS_IP:80;
        listen $LAB_ORIGIN_HTTP_IP:443 ssl;
        listen $LAB_ORIGIN_HTTPS_IP:443 ssl;
        # Non-default ports, for interception of more than 80 and 443.
        listen $LAB_ORIGIN_HTTP_IP:8080;
        listen $LAB_ORIGIN_HTTPS_IP:8080;
        listen $LAB_ORIGIN_HTTP_IP:8443 ssl;
        listen $LAB_ORIGIN_HTTPS_IP:8443 ssl;
        ssl_certificate $LAB_DIR/pki/origin.crt;
        ssl_certificate_key $LAB_DIR/pki/origin.key;
        location / {
            default_type text/plain;
            return 200 "origin \$scheme://\$host\$request_uri from \$remote_addr\n";
        }
        # A large file, when one was put there (bench downloads).
        location = /big {
            default_type application/octet-stream;
            alias $LAB_DIR/origin/big.bin;
        }
    }
}
EOF
}

lab_origin_start() {
	mkdir -p "$LAB_DIR/origin/tmp"
	lab_origin_conf >"$LAB_DIR/origin/nginx.conf"
	lab_bg origin wan nginx -p "$LAB_DIR/origin/" -e "$LAB_DIR/origin/error.log" \
		-c "$LAB_DIR/origin/nginx.conf"
	lab_wait_listen wan "$LAB_ORIGIN_HTTP_IP" 80
	lab_wait_listen wan "$LAB_ORIGIN_HTTPS_IP" 443
}

lab_origin_stop() {
	lab_kill_pidfile "$LAB_DIR/pids/origin.pid"
}

# lab_tls_origin_start NAME IP CA [BIGFILE] -- HOST...: a Python ssl
# TLS 1.3-only origin (tests/lab/tls_origin.py) on IP:443 in the wan
# namespace, with a leaf for HOST... signed by the lab CA named CA (made
# with lab_pki_ca when it does not exist yet); the names resolve to IP in
# every namespace (call before lab_squid_start). GET /big serves BIGFILE.
lab_tls_origin_start() {
	_to_name=$1
	_to_ip=$2
	_to_ca=$3
	_to_big=
	shift 3
	if [ "$1" != "--" ]; then
		_to_big=$1
		shift
	fi
	shift
	[ -e "$LAB_DIR/pki/$_to_ca.crt" ] ||
		lab_pki_ca "$_to_ca" "/CN=mgmt-proxy lab $_to_ca CA ($LAB)"
	lab_mint_leaf "$_to_ca" "$LAB_DIR/pki/leaf-$_to_name" "$@"
	lab_in wan ip addr add "$_to_ip/32" dev lo
	lab_add_names "$_to_ip" "$@"
	lab_bg "$_to_name" wan python3 "$LAB_SRC/tls_origin.py" "$_to_ip" 443 \
		"$LAB_DIR/pki/leaf-$_to_name.crt" "$LAB_DIR/pki/leaf-$_to_name.key" $_to_big
	lab_wait_listen wan "$_to_ip" 443
}

# lab_fake_proxy_start IP PORT MODEFILE: tests/lab/fake_proxy.py, a proxy
# whose answer to each CONNECT is the mode written in MODEFILE; what it
# was asked is logged to $LAB_DIR/fake-proxy.log.
lab_fake_proxy_start() {
	lab_in wan ip addr replace "$1/24" dev up0
	lab_bg fakeproxy wan python3 "$LAB_SRC/fake_proxy.py" "$1" "$2" "$3" \
		"$LAB_DIR/fake-proxy.log"
	lab_wait_listen wan "$1" "$2"
}

# ---------------------------------------------------------------- DHCP
# Learned-mode variant (tests/lab/demo.sh, tests/bench/run.sh and the DHCP
# tests).  ISC dhcpd runs in the wan namespace on up0 with the snippet of
# examples/dhcp/dhcpd.conf; its one-address pool hands wan1 the address
# lab_up would have given it statically ($LAB_RTR_WAN_IP), so the wan
# side's route back to the management subnet stays valid.  dhclient
# (Option 60 "JuniperSSR", examples/dhcp/dhclient.conf) runs in the router
# namespace on wan1 with a script that sets only the address and the
# default route.  Files in $LAB_DIR/dhcp.

LAB_DHCP_LEASE=${LAB_DHCP_LEASE:-600}

# lab_up_dhcp: lab_up, then wan1 left without address or default route:
# dhclient provides both.
lab_up_dhcp() {
	lab_up
	lab_in router ip route del default 2>/dev/null || true
	lab_in router ip addr flush dev wan1
	lab_log "wan1 unaddressed: waiting for DHCP (lab_dhcpd_start, lab_dhclient_start)"
}

# lab_add_names IP NAME...: extra names in every namespace's hosts file
# (call before lab_squid_start: Squid reads its hosts_file at start).
lab_add_names() {
	_ip=$1
	shift
	for _ns in mgmt router wan; do
		echo "$_ip $*" >>"/etc/netns/$LAB-$_ns/hosts"
	done
}

# lab_dhcpd_start [PROXY]: dhcpd in the wan namespace on up0; PROXY
# (address:port, default: the lab's Squid) is sent as Option 43
# sub-option 128 to clients with Option 60 "JuniperSSR".
lab_dhcpd_start() {
	mkdir -p "$LAB_DIR/dhcp"
	dhcpd_render 203.0.113.0 255.255.255.0 "$LAB_RTR_WAN_IP" "$LAB_RTR_WAN_IP" \
		"${1:-$LAB_SQUID_IP:$LAB_SQUID_PORT}" "$LAB_DHCP_LEASE" "$LAB_WAN_GW_IP" \
		>"$LAB_DIR/dhcp/dhcpd.conf"
	dhcpd_serve "$LAB-wan" up0 "$LAB_DIR/dhcp/dhcpd" ||
		lab_die "dhcpd did not start (see $LAB_DIR/dhcp/dhcpd.log)"
	cp "$LAB_DIR/dhcp/dhcpd.pid" "$LAB_DIR/pids/dhcpd.pid"
}

lab_dhcpd_stop() {
	lab_kill_pidfile "$LAB_DIR/pids/dhcpd.pid"
}

# lab_dhclient_start: dhclient on wan1 in the router namespace; each event
# is appended to $LAB_DIR/dhcp/events-wan1 ("<epoch> <reason> <address>").
lab_dhclient_start() {
	mkdir -p "$LAB_DIR/dhcp"
	dhclient_script "$LAB_DIR/dhcp"
	dhclient_run "$LAB-router" wan1 "$LAB_DIR/dhcp"
	cp "$LAB_DIR/dhcp/dhclient-wan1.pid" "$LAB_DIR/pids/dhclient.pid"
}

lab_dhclient_stop() {
	lab_kill_pidfile "$LAB_DIR/pids/dhclient.pid"
}

# lab_dhclient_bound: true once dhclient has bound a lease on wan1.
lab_dhclient_bound() {
	grep -q ' BOUND ' "$LAB_DIR/dhcp/events-wan1" 2>/dev/null
}

# lab_squid_start_allowing CIDR...: lab_squid_start, with Squid also
# answering clients from CIDR... (tests/bench/run.sh: the management client
# using Squid explicitly, as the baseline of the interception path).
lab_squid_start_allowing() {
	mkdir -p "$LAB_DIR/squid"
	lab_squid_conf | awk -v nets="$*" '
		/^http_access deny all/ {
			print "acl lab_extra src " nets
			print "http_access allow lab_extra"
		}
		{ print }' >"$LAB_DIR/squid/squid.conf"
	lab_squid_run squid "$LAB_SQUID_IP"
}
