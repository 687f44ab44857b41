#!/bin/bash
# Running mgmt-proxyd as a service, in a private namespace on 127.0.0.0/8:
#
#   1 a background start returns 0 only once the daemon is ready (relative
#     --config; capabilities limited as in the unit), and non-zero with the
#     reason when it cannot come up (its control socket path is taken by a
#     directory)
#   2 a second instance on the same run directory is refused ("already
#     running (pid N)") and leaves the first one's HAProxy, nftables table
#     and sockets alone
#   3 relative --config + reload after daemonising; log level from the
#     configuration (no debug lines at info, debug lines after a reload)
#   4 SIGUSR1 reopens a log file moved away, without a reload; the shipped
#     logrotate file rotates the log and the daemon writes a new one
#   5 systemd: READY=1 on $NOTIFY_SOCKET, journal lines with priorities
#   6 --version and --help of both binaries
#   7 make install DESTDIR=... PREFIX=/usr: every file with its mode, the
#     unit passes systemd-analyze verify, the sample passes --check-config,
#     every man page renders without warnings; make uninstall removes them
. "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NS=mpt-svc-$$
MP_NS=$NS
W=$(mktemp -d /tmp/mpt-svc.XXXXXX)
chmod 755 "$W"
STATE=$W/state RUN=$W/run LOG=$W/mp.log ONB=$W/onboarding.json
PROXY=127.0.0.2

cleanup() {
	local p
	for p in $(cat "$RUN/mgmt-proxyd.pid" "$W"/run2/mgmt-proxyd.pid 2>/dev/null); do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.5
	ns_delete "$NS"
	t_workdir_done
}
trap cleanup EXIT
ns_create "$NS"
ns_veth "$NS" kni254 169.254.127.126/30 "$NS" kni254p -

in_ns() { ip netns exec "$NS" "$@"; }
expect() { check_eq "$@"; }	# expect WHAT EXPECTED GOT
# has WHAT FILE PATTERN / lacks WHAT FILE PATTERN: grep -E, explained.
has() {
	if grep -qE -- "$3" "$2" 2>/dev/null; then ok "$1"; else
		fail "$1"; echo "#   expected a line matching '$3' in $2, got:"
		tail -5 "$2" 2>/dev/null | sed 's/^/#   /'
	fi
}
lacks() {
	if ! grep -qE -- "$3" "$2" 2>/dev/null; then ok "$1"; else
		fail "$1"; echo "#   expected no line matching '$3' in $2, got:"
		grep -E -- "$3" "$2" | head -3 | sed 's/^/#   /'
	fi
}

write_cfg() {	# write_cfg FILE [LOG-LEVEL]
	{ printf 'authority:\n  router:\n    - name: r1\n'; cfg_static upstream "$PROXY" 3128; } > "$1"
	cat >> "$1" <<YAML
      node:
        - name: n1
mgmt-proxy:
  forwarder: haproxy
  health-check: {interval: 1, timeout: 1}
  intercept: {interfaces: [kni254], http-ports: [80], https-ports: [443]}
  tls: {ca-cert: $W/ca.crt, ca-key: $W/ca.key}
YAML
	[ -n "${2:-}" ] && echo "  log: {level: $2}" >> "$1"
}

# The proxy: a listener that accepts (probes only; no traffic is sent).
in_ns socat TCP-LISTEN:3128,bind=$PROXY,reuseaddr,fork EXEC:/bin/true &
wait_for 5 in_ns bash -c "exec 3<>/dev/tcp/$PROXY/3128" || fail "proxy listener"

# ------------------------------------------------------ 1 readiness
mkdir -p "$W/cwd"
write_cfg "$W/cwd/mp.yaml" info
# First, while no other instance runs: the failed one tears forwarding down
# on its way out, and the table is one per namespace.
mkdir -p "$W/bad/run/mgmt-proxy.sock/x"
write_cfg "$W/bad/mp.yaml"
in_ns "$MPD" --config "$W/bad/mp.yaml" --onboarding "$ONB" --state-dir "$W/bad/state" \
    --run-dir "$W/bad/run" --log-file "$W/bad/mp.log" >"$W/bad.out" 2>&1
rc=$?
check "a daemon that cannot bind its control socket: start exits non-zero ($rc)" [ "$rc" -ne 0 ]
has "... and says why" "$W/bad.out" "control socket .*/mgmt-proxy.sock: Address already in use"
# Started from another directory with a relative --config; no --foreground;
# with the unit's capability bounding set and no new privileges, as systemd
# would start it: HAProxy must come up all the same.
SANDBOX=$(unit_sandbox)
(cd "$W/cwd" && in_ns $SANDBOX "$MPD" --config mp.yaml --onboarding "$ONB" \
    --state-dir "$STATE" --run-dir "$RUN" --log-file "$LOG" \
    >"$W/start.out" 2>&1)
expect "background start exits 0" 0 "$?"
# Ready means the control socket answers at once, no wait.
expect "control socket answers as soon as the start command returned" \
    "$PROXY:3128" "$(active)"
PID=$(cat "$RUN/mgmt-proxyd.pid" 2>/dev/null)
expect "lock file names the daemon" "${PID:-no pid file}" "$(cat "$RUN/mgmt-proxy.lock" 2>/dev/null)"
check "forwarding up (HAProxy listening, table installed)" wait_for 20 forwarding_up
BND=$(awk '/^CapBnd:/ { print $2 }' "/proc/$PID/status" 2>/dev/null)
check "... with the unit's bounding set ($SANDBOX: $BND)" [ "$BND" != 000001ffffffffff ]


# ------------------------------------------------------ 2 single instance
HP1=$(hp_masters)
SOCK1=$(stat -c %i "$RUN/mgmt-proxy.sock" 2>/dev/null)
for mode in --foreground ""; do
	in_ns timeout 20 "$MPD" --config "$W/cwd/mp.yaml" --onboarding "$ONB" \
	    --state-dir "$STATE" --run-dir "$RUN" --log-file "$W/second.log" \
	    $mode >"$W/second.out" 2>&1
	rc=$?
	expect "second instance ${mode:-(background)} refused with status 1" 1 "$rc"
	has "... naming the first" "$W/second.out" "already running \\(pid $PID\\)"
done
expect "first instance's HAProxy master untouched" "$HP1" "$(hp_masters)"
expect "first instance's control socket untouched" "$SOCK1" \
    "$(stat -c %i "$RUN/mgmt-proxy.sock" 2>/dev/null)"
check "first instance's table still installed" table_present
expect "first instance still answers" "$PROXY:3128" "$(active)"
check "first instance alive" kill -0 "$PID"

# ------------------------------------------------------ 3 reload, levels
lacks "no debug lines at level info" "$LOG" " debug: "
write_cfg "$W/loud.yaml" loud
"$MPD" --check-config "$W/loud.yaml" >"$W/loud.out" 2>&1
has "an unknown log level is refused" "$W/loud.out" "unknown log level \"loud\""
write_cfg "$W/cwd/mp.yaml" debug
ctl reload >"$W/reload.out" 2>&1
expect "reload with a relative --config succeeds" 0 "$?"
has "... reading the file by its absolute path" "$LOG" "reload: reading $W/cwd/mp.yaml"
check "debug lines after the level was raised to debug" \
    wait_for 5 grep -q " debug: " "$LOG"

# ------------------------------------------------------ 4 SIGUSR1
mv "$LOG" "$LOG.moved"
kill -USR1 "$PID"
check "SIGUSR1: a new log file is created" wait_for 5 test -s "$LOG"
has "... and written" "$LOG" "log files reopened"
lacks "... without a reload" "$LOG" "reload: reading"
check "daemon alive after SIGUSR1" kill -0 "$PID"
# The shipped logrotate file, pointed at this daemon's log and pid file.
sed -e "s|/var/log/128technology/management-proxy|$W/mp|g" -e "s|/run/128technology|$RUN|g" \
    "$ROOT/dist/mgmt-proxy.logrotate" > "$W/logrotate.conf"
logrotate -f -s "$W/logrotate.state" "$W/logrotate.conf" >"$W/logrotate.out" 2>&1
expect "logrotate with the shipped file" "0" "$?"
check "... rotated the log away" test -s "$LOG.1"
check "... and the daemon writes a new one" wait_for 5 grep -q "log files reopened" "$LOG"

kill -TERM "$PID"
check "daemon stops on SIGTERM" wait_for 10 gone "$PID"
check "... and removes its table" wait_for 5 bash -c "! ip netns exec $NS nft list table inet mgmt_proxy"
check "... and its HAProxy" wait_for 5 test -z "$(hp_masters)"

# ------------------------------------------------------ 5 systemd
mkdir -p "$W/run2"
in_ns socat -u UNIX-RECV:"$W/notify" OPEN:"$W/notify.out",creat &
wait_for 5 test -S "$W/notify"
: > "$W/journal.out"
(
	exec 2>>"$W/journal.out"
	JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) NOTIFY_SOCKET=$W/notify \
	    exec ip netns exec "$NS" "$MPD" --config "$W/cwd/mp.yaml" \
	    --onboarding "$ONB" --state-dir "$W/state2" --run-dir "$W/run2" \
	    --log-file "$W/mp2.log" --log-level info --foreground
) &
check "Type=notify: READY=1 sent once ready" wait_for 10 grep -q "READY=1" "$W/notify.out"
P2=$(cat "$W/run2/mgmt-proxyd.pid" 2>/dev/null)
kill -TERM "$P2" 2>/dev/null
wait_for 10 gone "$P2"
has "journal: lines carry a syslog priority, no timestamp" "$W/journal.out" "^<[3-7]>[a-z]+: "
lacks "journal: no line without a priority" "$W/journal.out" "^[^<]"
has "... at level info" "$W/journal.out" "^<6>info: mgmt-proxyd starting"
# The configuration says debug by now: the command line wins.
lacks "--log-level info over the configuration's debug: no debug lines" \
    "$W/mp2.log" " debug: "

# ------------------------------------------------------ 6 version, help
for b in "$MPD" "$MPC"; do
	n=$(basename "$b")
	out=$("$b" --version 2>/dev/null); rc=$?
	check "$n --version on stdout, exit 0 ($rc: $out)" [ "$rc" -eq 0 -a -n "$out" ]
	out=$("$b" --help 2>/dev/null); rc=$?
	check "$n --help on stdout, exit 0 ($rc)" [ "$rc" -eq 0 ] && [[ "$out" == usage:* ]]
done

# ------------------------------------------------------ 7 make install
DEST=$W/dest
touch "$W/before-install"
make -s -C "$ROOT" BUILD="$BUILD" install DESTDIR="$DEST" PREFIX=/usr \
    >"$W/install.out" 2>&1
expect "make install DESTDIR=... PREFIX=/usr" 0 "$?"
want="755 usr/sbin/mgmt-proxyd
755 usr/sbin/mgmt-proxyctl
644 usr/lib/systemd/system/mgmt-proxy.service
644 usr/share/man/man8/mgmt-proxyd.8
644 usr/share/man/man8/mgmt-proxyctl.8
644 usr/share/man/man5/mgmt-proxy.yaml.5
644 etc/mgmt-proxy/mgmt-proxy.yaml
644 etc/logrotate.d/mgmt-proxy"
got=$(cd "$DEST" 2>/dev/null && find . -type f -printf '%m %P\n' | sort)
expect "installed files and modes" "$(sort <<<"$want")" "$got"
expect "nothing of ours installed outside DESTDIR" "" \
    "$(find /etc /usr /lib /var/lib /var/log -xdev -newer "$W/before-install" \
        -name '*mgmt-proxy*' 2>/dev/null)"
# verify needs the commands to exist: the unit's paths point into DESTDIR,
# and man finds the Documentation= pages there.
sed "s|/usr/sbin/|$DEST/usr/sbin/|g" "$DEST/usr/lib/systemd/system/mgmt-proxy.service" \
    > "$W/mgmt-proxy.service"
out=$(MANPATH=$DEST/usr/share/man systemd-analyze verify "$W/mgmt-proxy.service" 2>&1)
rc=$?
expect "systemd-analyze verify: status 0, no complaint" "0 " "$rc $out"
UNIT=$DEST/usr/lib/systemd/system/mgmt-proxy.service
has "unit: Type=notify" "$UNIT" "^Type=notify$"
has "unit: reload checks the file first" "$UNIT" \
    "^ExecReload=/usr/sbin/mgmt-proxyd --check-config /etc/mgmt-proxy/mgmt-proxy.yaml$"
out=$("$DEST/usr/sbin/mgmt-proxyd" --check-config "$DEST/etc/mgmt-proxy/mgmt-proxy.yaml" 2>&1)
expect "--check-config accepts the installed sample" "configuration OK" "$out"
has "the sample keeps the proxy disabled" "$DEST/etc/mgmt-proxy/mgmt-proxy.yaml" \
    "^        mode: disabled$"
for page in "$DEST"/usr/share/man/man*/*; do
	out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	expect "man -l $(basename "$page"): renders without warnings" "" "$out"
done
has "logrotate: SIGUSR1, no reload" "$DEST/etc/logrotate.d/mgmt-proxy" "kill -USR1"
make -s -C "$ROOT" BUILD="$BUILD" uninstall DESTDIR="$DEST" PREFIX=/usr \
    >"$W/uninstall.out" 2>&1
expect "make uninstall removes every file" "" \
    "$(cd "$DEST" && find . -type f -printf '%P\n')"

t_finish
