#!/bin/bash
# mgmt-proxyctl from the box, with the real daemon in the namespace lab
# (tests/lab/lab.sh): mgmt-proxyd + HAProxy in the router namespace, Squid,
# nginx and a Python TLS origin with an untrusted CA in the wan namespace.
#
#   1 read-only access: a group (control.read-group) and two users made for
#     this test; the socket is 0660 root:GROUP; a non-member is refused
#     `show` (by the socket, and by the daemon when the socket is opened
#     up); a member (supplementary or primary group) may show, ca export
#     and test, not reload; a group that does not exist: 0600, root only;
#     a member holding every control connection it can locks root out of
#     nothing (slots kept for root)
#   2 `test URL`: no proxy in effect; HTTP and HTTPS through Squid, with the
#     steps and the origin certificate; an untrusted origin (origin-tls); a
#     Squid that demands Basic authentication (407 on CONNECT and on the
#     request; works with upstream.auth; the password in no output; a
#     non-root member tests without the credentials); Squid stopped
#     (proxy-connect)
. "$(dirname "$0")/../lib.sh"

lab_test_init mpc haproxy squid nginx curl openssl jq nft python3 setpriv useradd groupadd

SQUID=$LAB_SQUID_IP
SQA=203.0.113.13
ROGUE_IP=198.51.100.45
GRP=mpt-ro-$$
MEMBER=mptm-$$
OTHER=mpto-$$

ctl_cleanup() {
	lab_test_cleanup
	userdel "$MEMBER" 2>/dev/null
	userdel "$OTHER" 2>/dev/null
	groupdel "$GRP" 2>/dev/null
}
trap ctl_cleanup EXIT

# as USER [setpriv options] -- CTL-ARGS...: mgmt-proxyctl as that user,
# in the router namespace; stdout and stderr together.
as() {
	local user=$1 opts=()
	shift
	while [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	in_r timeout 20 setpriv --reuid="$user" "${opts[@]}" "$MPC" --run-dir "$RUN" "$@" 2>&1
}
# expect_fail WANT OUTPUT-AND-STATUS...: a command exits 1 and says WANT.
expect_fail() {
	local want=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ "$rc" = 1 ] && grep -qF -- "$want" <<<"$out" && return 0
	echo "#   expected exit 1 and '$want'; got exit $rc:" >&2
	sed 's/^/#     /' <<<"$out" >&2
	return 1
}
expect_ok() {	# expect_ok COMMAND...: exit 0, output shown on failure
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	[ "$rc" = 0 ] && return 0
	echo "#   expected exit 0; got exit $rc:" >&2
	sed 's/^/#     /' <<<"$out" >&2
	return 1
}
# tjson URL JQ: one `test URL --json` as root, filtered by JQ.
tjson() { ctl test "$1" --json 2>/dev/null | jq -r "$2"; }

EXTRA=
write_cfg() {	# write_cfg MODE-YAML: lab config plus $EXTRA under mgmt-proxy
	lab_write_cfg <<<"$1"
	printf '%s\n' "$EXTRA" >> "$CFG"
}
disabled() {
	printf '      management-proxy: {mode: disabled}\n      node:\n        - name: n1\n'
}
static() {
	printf '      management-proxy:\n        mode: static\n        proxy:\n'
	printf '          - {name: up, address: %s, port: %s}\n' "$1" "$LAB_SQUID_PORT"
	printf '      node:\n        - name: n1\n'
}
# switch_to PROXY-IP: static proxy + reload, in effect.
switch_to() {
	write_cfg "$(static "$1")"
	ctl reload >/dev/null 2>&1 || echo "# reload refused"
	wait_for 10 is_active "$1:$LAB_SQUID_PORT"
}

# ------------------------------------------------------------------ lab
rogue_start() { lab_tls_origin_start rogue "$ROGUE_IP" rogue -- rogue.test; }
lab_setup lab_up rogue_start lab_squid_start lab_origin_start
lab_pki_ca ca "/CN=ctl test CA $$" "$W"

groupadd "$GRP"
useradd -M -N -s /usr/sbin/nologin -G "$GRP" "$MEMBER"
useradd -M -N -s /usr/sbin/nologin "$OTHER"

EXTRA="  control: {read-group: $GRP}"
write_cfg "$(disabled)"
check "configuration with control.read-group accepted" "$MPD" --check-config "$CFG"
check "daemon starts" lab_start_daemon

# ------------------------------------------------------------------ 1 access
SOCK=$RUN/mgmt-proxy.sock
sock_is() { [ "$(stat -c '%a %U:%G' "$SOCK")" = "$1" ]; }
# The daemon sets the group just after binding: wait, bounded.
wait_for 5 sock_is "660 root:$GRP"
check_eq "socket is 0660 root:$GRP" "660 root:$GRP" "$(stat -c '%a %U:%G' "$SOCK")"
check "non-member: show is refused (permission denied, names the group)" \
	expect_fail "permission denied: not root and not in group $GRP" \
	as "$OTHER" --init-groups -- show management-proxy
check "member: show management-proxy --json" bash -c \
	"[ \"\$(ip netns exec '$LAB-router' setpriv --reuid='$MEMBER' --init-groups '$MPC' --run-dir '$RUN' show management-proxy --json | jq -r .mode)\" = disabled ]"
check "member: show alarms" expect_ok as "$MEMBER" --init-groups -- show alarms
check "member: show dhcp learned-proxies" expect_ok as "$MEMBER" --init-groups -- show dhcp learned-proxies
check "member: ca export" bash -c \
	"ip netns exec '$LAB-router' setpriv --reuid='$MEMBER' --init-groups '$MPC' --run-dir '$RUN' ca export | grep -q 'BEGIN CERTIFICATE'"
check "member: reload is refused (needs root)" \
	expect_fail "permission denied: reload needs root" \
	as "$MEMBER" --init-groups -- reload
check "member's reload reached no reload" bash -c "! grep -q 'reload: reading' '$LOG'"
check "primary group member: show" expect_ok \
	as "$OTHER" --regid="$GRP" --clear-groups -- show management-proxy
check "primary group member: reload refused" \
	expect_fail "permission denied: reload needs root" \
	as "$OTHER" --regid="$GRP" --clear-groups -- reload
# The daemon checks the peer itself, whatever the socket's mode.
chmod 0666 "$SOCK"
check "socket opened up: the daemon still refuses a non-member" \
	expect_fail "permission denied: not root and not in group $GRP" \
	as "$OTHER" --init-groups -- show alarms
check "root: reload" ctl reload
check_eq "after the reload: socket 0660 root:$GRP again" "660 root:$GRP" \
	"$(stat -c '%a %U:%G' "$SOCK")"
EXTRA="  control: {read-group: mpt-none-$$}"
write_cfg "$(disabled)"
check "root: reload naming a group that does not exist" ctl reload
check_eq "no such group: socket 0600 root only" "600" "$(stat -c '%a' "$SOCK")"
check "no such group: a former member is refused" \
	expect_fail "permission denied: only root may use mgmt-proxyd" \
	as "$MEMBER" --init-groups -- show management-proxy
EXTRA="  control: {read-group: $GRP}"
write_cfg "$(disabled)"
ctl reload >/dev/null

# A member holding every slot it can get (16 idle connections, reopened as
# the daemon closes them) locks root out of no command.
mkdir -m 1777 "$W/hog"
ip netns exec "$LAB-router" setpriv --reuid="$MEMBER" --init-groups \
    /usr/bin/python3 - "$SOCK" 16 30 "$W/hog/ready" < tests/integration/sock_hog.py &
HOG=$!
check "member: holds 16 idle control connections" wait_for 10 test -f "$W/hog/ready"
sleep 0.5	# the daemon accepts them
for i in 1 2 3; do
	check "member holding the slots: root is still answered ($i)" expect_ok ctl show alarms
done
check "member holding the slots: root reloads" expect_ok ctl reload
kill "$HOG" 2>/dev/null
wait "$HOG" 2>/dev/null

# ------------------------------------------------------------------ 2 test
check "no proxy in effect: test exits 1 and says so" \
	expect_fail "no proxy in effect (state: disabled)" ctl test http://origin.test/
check "switch to Squid" switch_to "$SQUID"
check "HTTP through Squid: exit 0" expect_ok ctl test http://origin.test/ctl-http
check_eq "HTTP: steps" "proxy-connect proxy-reply body" \
	"$(tjson http://origin.test/ctl-http2 '[.steps[].step] | join(" ")')"
check_eq "HTTP: ok, the status and the body size" "true 200 OK" \
	"$(tjson http://origin.test/ctl-http3 '"\(.ok) " + (.steps[1].detail | sub(".*: "; ""))')"
check "HTTP: Squid saw the request" wait_for 5 squid_has squid "GET http://origin.test/ctl-http"
check "HTTPS through Squid: exit 0" expect_ok ctl test https://secure.test/ctl-https
ctl test https://secure.test/ctl-https2 --json > "$W/https.json" 2>&1
check_eq "HTTPS: steps" "proxy-connect proxy-reply origin-tls http body" \
	"$(jq -r '[.steps[].step] | join(" ")' "$W/https.json")"
check_eq "HTTPS: the proxy's reply to CONNECT" "CONNECT: 200 Connection established" \
	"$(jq -r '.steps[1].detail' "$W/https.json")"
check "HTTPS: origin certificate subject and issuer (the lab's public CA)" bash -c \
	"jq -r '.steps[2].detail' '$W/https.json' | grep -q 'subject CN *= *origin.test.*issuer.*mgmt-proxy lab public CA'"
check "HTTPS: Squid saw CONNECT secure.test:443" wait_for 5 squid_has squid "CONNECT secure.test:443"
check "untrusted origin certificate: fails at origin-tls" \
	expect_fail "FAILED at origin-tls: origin certificate not trusted" ctl test https://rogue.test/
check_eq "untrusted: --json failed-step" "false origin-tls" \
	"$(tjson https://rogue.test/ '"\(.ok) \(."failed-step")"')"
check "member (not root): test through Squid" expect_ok \
	as "$MEMBER" --init-groups -- test https://secure.test/member

SECRET="s3cret-$$"
lab_squid_auth_start "$SQA" mgmt "$SECRET" >>"$W/lab.out" 2>&1 || cat "$W/lab.out"
check "switch to a Squid that demands authentication" switch_to "$SQA"
check "no credentials, HTTPS: proxy refused CONNECT: 407" \
	expect_fail "FAILED at proxy-reply: proxy refused CONNECT: 407 Proxy Authentication Required" \
	ctl test https://secure.test/noauth
check "no credentials, HTTP: proxy refused the request: 407" \
	expect_fail "FAILED at proxy-reply: proxy refused the request: 407 Proxy Authentication Required" \
	ctl test http://origin.test/noauth
printf 'mgmt:%s\n' "$SECRET" > "$W/cred"
chmod 600 "$W/cred"
EXTRA="  control: {read-group: $GRP}
  upstream:
    auth: {type: basic, credentials-file: $W/cred}"
check "with credentials: reload" switch_to "$SQA"
ctl test https://secure.test/authed > "$W/auth.out" 2>&1
check_eq "with credentials: HTTPS through the authenticating Squid" 0 "$?"
ctl test http://origin.test/authed --json > "$W/auth.json" 2>&1
check_eq "with credentials: HTTP through the authenticating Squid" true "$(jq -r .ok "$W/auth.json")"
B64=$(printf 'mgmt:%s' "$SECRET" | base64 -w0)
check "the credentials are in no output of test" bash -c \
	"! grep -qF -e '$SECRET' -e '$B64' '$W/auth.out' '$W/auth.json'"
check "member (cannot read the credentials): says so, gets the 407" \
	expect_fail "proxy refused CONNECT: 407" as "$MEMBER" --init-groups -- test https://secure.test/m
check "member: the credentials file is named as not used" bash -c \
	"ip netns exec '$LAB-router' setpriv --reuid='$MEMBER' --init-groups '$MPC' --run-dir '$RUN' test https://secure.test/m2 | grep -q 'proxy-auth .*not used: $W/cred'"

EXTRA="  control: {read-group: $GRP}"
check "back to Squid" switch_to "$SQUID"
lab_squid_stop
state_unreachable() { [ "$(JQ=.state jget show management-proxy)" = unreachable ]; }
check "Squid stopped: the daemon finds it unreachable" wait_for 10 state_unreachable
check "Squid stopped: test fails at proxy-connect (connection refused)" \
	expect_fail "FAILED at proxy-connect: no proxy in effect (state: unreachable); the selected proxy $SQUID:$LAB_SQUID_PORT: cannot connect to proxy $SQUID:$LAB_SQUID_PORT: Connection refused" \
	ctl test http://origin.test/stopped
check_eq "Squid stopped: --json" "false proxy-connect $SQUID:$LAB_SQUID_PORT" \
	"$(tjson https://secure.test/stopped '"\(.ok) \(."failed-step") \(.proxy)"')"
t_finish
