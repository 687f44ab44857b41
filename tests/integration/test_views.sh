#!/bin/bash
# The operator's views and the metrics endpoint, with the real daemon,
# HAProxy, Squid and nginx in the namespace lab (tests/lab/lab.sh):
#
#   1 common keys: every object document names version, router and node;
#     times are ISO 8601 UTC
#   2 show certificates: three new HTTPS names give count 3 (of 1024), each
#     with its expiry and last use
#   3 show forwarder: HAProxy running, connections and a request error
#     counted from its runtime API, tunnels opened; a reload that changes
#     HAProxy's configuration adds one to reloads
#   4 show ha without HA: not configured (the HA pair is in test_ha.sh)
#   5 metrics: absent (connection refused) while not configured; after a
#     reload that configures it, /metrics and /haproxy-metrics parse
#     (prom_check.py, and promtool when installed) and show the daemon's
#     state; 404 and 405 for anything else; 0.0.0.0 refused; idle clients
#     holding every slot keep no scraper out; removed by a reload, the port
#     is closed again
. "$(dirname "$0")/../lib.sh"

lab_test_init mpv haproxy squid nginx curl openssl jq nft python3

SQUID=$LAB_SQUID_IP:$LAB_SQUID_PORT
METRICS=127.0.0.1:9464
ISO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'

jv() {	# jv VIEW... JQ: a value of a JSON view
	local q=${*: -1}
	ctl "${@:1:$#-1}" --json 2>/dev/null | jq -r "$q"
}
iso() { [[ $1 =~ $ISO ]]; }
scrape() {	# scrape PATH OUT: GET http://$METRICS/PATH from the router namespace
	in_r timeout 10 curl -sS --max-time 8 -o "$2" -w '%{http_code}' "http://$METRICS/$1"
}
refused() {	# the endpoint's port is closed
	! in_r timeout 5 bash -c "exec 3<>/dev/tcp/${METRICS%:*}/${METRICS#*:}" 2>/dev/null
}
prom_ok() {	# prom_ok FILE: a valid exposition (promtool too when installed)
	python3 tests/integration/prom_check.py "$1" || return 1
	if command -v promtool >/dev/null; then promtool check metrics < "$1" || return 1; fi
	return 0
}
sample() { grep -qxF "$2" "$1" || { echo "#   expected line: $2"; return 1; }; }
reload() { ctl reload >/dev/null; }
ge() { [ "$1" != null ] && [ "$1" -ge "$2" ] 2>/dev/null; }

write_cfg() {	# write_cfg [METRICS-YAML]: static Squid, optional metrics key
	lab_write_cfg <<YAML
      management-proxy:
        mode: static
        proxy:
          - {name: squid, address: $LAB_SQUID_IP, port: $LAB_SQUID_PORT}
      node:
        - name: n1
YAML
	[ -n "${1:-}" ] && echo "  metrics: $1" >> "$CFG"
	return 0
}

lab_setup lab_up lab_squid_start lab_origin_start
lab_pki_ca ca "/CN=views test CA $$" "$W"
write_cfg
check "daemon starts" lab_start_daemon
check "forwarding through Squid" wait_for 15 forwarding_up
check "Squid is the active proxy" wait_for 10 is_active "$SQUID"
ctl ca export > "$W/ca.pem" 2>/dev/null

# ------------------------------------------------------------------ 1 common keys
for v in "management-proxy" forwarder certificates ha; do
	got=$(jv show $v '[.version, .router, .node] | map(tostring) | join(" ")')
	ver=$("$MPC" --version | awk '{ print $2 }')
	check_eq "show $v --json: version, router, node" "$ver r1 n1" "$got"
done
since=$(jv show management-proxy .since)
check "show management-proxy: since is ISO 8601 UTC ($since)" iso "$since"
probe=$(jv show management-proxy '."last-probe"')
check "show management-proxy: last-probe is ISO 8601 UTC ($probe)" iso "$probe"

# ------------------------------------------------------------------ 2 certificates
check_eq "show certificates: none minted yet" "0 1024" "$(jv show certificates '"\(.count) \(.cap)"')"
for n in a.test b.test c.test; do
	check "HTTPS to never-seen $n works" body_is "https://$n/v" \
		"origin https://$n/v from $LAB_SQUID_IP" --cacert "$W/ca.pem"
done
check_eq "show certificates: count 3 of 1024" "3 1024" "$(jv show certificates '"\(.count) \(.cap)"')"
check_eq "show certificates: the three names" "a.test b.test c.test" \
	"$(jv show certificates '[.certificates[].name] | sort | join(" ")')"
exp=$(jv show certificates '.certificates[0].expires')
used=$(jv show certificates '.certificates[0]."last-used"')
check "show certificates: expiry ISO 8601 UTC ($exp)" iso "$exp"
check "show certificates: expiry after now and by the CA's end (30 days)" bash -c \
	"[ \$(date -d '$exp' +%s) -gt \$(date +%s) ] && [ \$(date -d '$exp' +%s) -le \$(( \$(date +%s) + 31 * 86400 )) ]"
check "show certificates: last use within the last 2 minutes ($used)" bash -c \
	"iso='$used'; [[ \$iso =~ $ISO ]] && [ \$(( \$(date +%s) - \$(date -d \"\$iso\" +%s) )) -le 120 ]"
check_eq "show certificates: most recently used first" c.test "$(jv show certificates '.certificates[0].name')"
ctl show certificates > "$W/certs.txt" 2>&1
check "plain show certificates: count line and a table row per name" bash -c \
	"grep -q '^Minted Certificates: 3 of 1024' '$W/certs.txt' && [ \$(grep -cE '^ (a|b|c)\.test ' '$W/certs.txt') = 3 ]"

# ------------------------------------------------------------------ 3 forwarder
check_eq "show forwarder: forwarding" "haproxy forwarding" "$(jv show forwarder '"\(.forwarder) \(.state)"')"
check "show forwarder: HAProxy running with a pid (figures read)" wait_for 15 \
	bash -c "[ \"\$(ip netns exec '$LAB-router' '$MPC' --run-dir '$RUN' show forwarder --json | jq -r '.haproxy.running')\" = true ]"
for i in 1 2 3; do mcurl -o /dev/null "http://origin.test/c$i"; done
# A malformed request line: an error HAProxy counts for its frontend.
in_m timeout 5 bash -c 'exec 3<>/dev/tcp/198.51.100.80/80; printf "NOT HTTP\r\n\r\n" >&3; cat <&3 >/dev/null' 2>/dev/null
conns() { ge "$(jv show forwarder '.haproxy."total-connections"')" 4; }
ereq() { ge "$(jv show forwarder '.haproxy.errors.request')" 1; }
check "show forwarder: total connections counted (>= 4 within 15 s)" wait_for 15 conns
check "show forwarder: a request error counted (within 15 s)" wait_for 15 ereq
check "show forwarder: tunnels opened for the inspected names" \
	ge "$(jv show forwarder '.tunnels.opened')" 1
check "show forwarder: started and read-at are ISO 8601 UTC" bash -c \
	"[[ '$(jv show forwarder '.haproxy.started')' =~ $ISO ]] && [[ '$(jv show forwarder '.haproxy."read-at"')' =~ $ISO ]]"
r0=$(jv show forwarder '.haproxy.reloads')
# A configuration HAProxy must reload for: a name tunnelled as is.
write_cfg
sed -i 's|^  tls:$|  tls:\n    no-inspect: [pinned.test]|' "$CFG"
check "reload with tls.no-inspect" reload
reloaded() { [ "$(jv show forwarder '.haproxy.reloads')" = "$((r0 + 1))" ]; }
check "show forwarder: reloads $r0 -> $((r0 + 1)) after the reload" wait_for 15 reloaded
check "show forwarder: last-reload is ISO 8601 UTC" iso "$(jv show forwarder '.haproxy."last-reload"')"
ctl show forwarder > "$W/fwd.txt" 2>&1
check "plain show forwarder: state, reloads and tunnels lines" bash -c \
	"grep -q '^  Forwarder: *haproxy (forwarding)' '$W/fwd.txt' && grep -q '^  Reloads: *$((r0 + 1)) ' '$W/fwd.txt' && grep -q '^  Tunnels: ' '$W/fwd.txt'"

# ------------------------------------------------------------------ 4 ha
check_eq "show ha without HA: not enabled" false "$(jv show ha .enabled)"
check "plain show ha: not configured" bash -c "ip netns exec '$LAB-router' '$MPC' --run-dir '$RUN' show ha | grep -q 'not configured'"

# ------------------------------------------------------------------ 5 metrics
check "metrics not configured: connection refused on $METRICS" refused
write_cfg '{listen: "0.0.0.0:9464"}'
check "metrics.listen 0.0.0.0 refused by --check-config, named" bash -c \
	"! '$MPD' --check-config '$CFG' > '$W/check.out' 2>&1 && grep -q 'invalid metrics listen address \"0.0.0.0:9464\": unspecified address' '$W/check.out'"
write_cfg "{listen: \"$METRICS\"}"
check "reload with metrics.listen $METRICS" reload
code=$(scrape metrics "$W/m.txt")
check_eq "GET /metrics: 200" 200 "$code"
check "/metrics is a valid exposition" prom_ok "$W/m.txt"
check "/metrics: state reachable is 1" sample "$W/m.txt" 'mgmt_proxy_state{state="reachable"} 1'
check "/metrics: state unreachable is 0" sample "$W/m.txt" 'mgmt_proxy_state{state="unreachable"} 0'
check "/metrics: mode static" sample "$W/m.txt" 'mgmt_proxy_mode{mode="static"} 1'
check "/metrics: the active proxy as a label" sample "$W/m.txt" "mgmt_proxy_active_info{proxy=\"$SQUID\"} 1"
check "/metrics: one valid candidate" sample "$W/m.txt" 'mgmt_proxy_candidates{validity="valid"} 1'
check "/metrics: no alarm" sample "$W/m.txt" 'mgmt_proxy_alarm_active 0'
check "/metrics: 3 certificates" sample "$W/m.txt" 'mgmt_proxy_certificates 3'
check "/metrics: version, router, node" grep -q '^mgmt_proxy_info{version=".*",router="r1",node="n1"} 1$' "$W/m.txt"
check "/metrics: probe latency in seconds" grep -qE '^mgmt_proxy_probe_latency_seconds [0-9]+\.[0-9]{3}$' "$W/m.txt"
check "/metrics: HAProxy reloads counted" sample "$W/m.txt" "mgmt_proxy_haproxy_reloads_total $((r0 + 1))"
code=$(scrape haproxy-metrics "$W/h.txt")
check_eq "GET /haproxy-metrics: 200" 200 "$code"
check "/haproxy-metrics: HAProxy's own exporter (haproxy_process_*)" grep -q '^haproxy_process_' "$W/h.txt"
check "/haproxy-metrics: frontends of the forwarder" grep -q 'proxy="fe_http"' "$W/h.txt"
check "/haproxy-metrics is a valid exposition" prom_ok "$W/h.txt"
check_eq "GET /other: 404" 404 "$(scrape other /dev/null)"
check_eq "POST /metrics: 405" 405 \
	"$(in_r timeout 10 curl -sS --max-time 8 -o /dev/null -w '%{http_code}' -X POST "http://$METRICS/metrics")"
check_eq "a request that is not HTTP: 400" "HTTP/1.0 400 Bad Request" \
	"$(in_r timeout 5 bash -c "exec 3<>/dev/tcp/${METRICS%:*}/${METRICS#*:}; printf 'hello\r\n\r\n' >&3; head -n1 <&3 | tr -d '\r'")"
check "a silent client is dropped at its deadline (5 s), the daemon answers meanwhile" bash -c "
	ip netns exec '$LAB-router' timeout 20 bash -c 'exec 3<>/dev/tcp/${METRICS%:*}/${METRICS#*:}; sleep 1;
		[ \"\$(curl -s -o /dev/null -w %{http_code} http://$METRICS/metrics)\" = 200 ] || exit 1;
		timeout 10 cat <&3 >/dev/null'"
# Idle clients holding every slot (reopened as the daemon closes them) keep
# no scraper out: the oldest idle one makes room.
mkdir "$W/hog"
in_r /usr/bin/python3 - "$METRICS" 8 30 "$W/hog/ready" < tests/integration/sock_hog.py &
HOG=$!
check "8 idle metrics connections held" wait_for 10 test -f "$W/hog/ready"
sleep 0.5	# the daemon accepts them
for i in 1 2 3; do
	check_eq "idle clients holding the slots: GET /metrics: 200 ($i)" 200 \
	    "$(scrape metrics /dev/null)"
done
kill "$HOG" 2>/dev/null
wait "$HOG" 2>/dev/null
write_cfg
check "reload without metrics" reload
check "metrics removed: connection refused again" wait_for 5 refused

lab_stop_checks
t_finish
