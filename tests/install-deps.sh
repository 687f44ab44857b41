#!/bin/sh
# Install every Debian package the build, the tests and the demo need.
# Idempotent: asks apt only for what is missing. Services that Debian would
# start and enable on install (squid, nginx, haproxy, isc-dhcp-server) are
# kept from starting and disabled again: the lab runs its own instances inside
# network namespaces, and a router must not serve :80 or :3128 after its next
# reboot. Services that were installed before are left as the admin set them.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libyaml-dev libjansson-dev libssl-dev libnetfilter-queue-dev libmnl-dev
libcurl4-openssl-dev check libnftables-dev libnftnl-dev
haproxy nftables iproute2 squid isc-dhcp-server isc-dhcp-client
curl wrk openssl procps psmisc socat nginx jq strace tcpdump xxd python3
man-db systemd logrotate"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi

echo "install-deps: installing$missing"
# Keep package scripts from starting host-wide squid/dhcpd (exit 101 = deny).
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	made_policy=1
fi
trap '[ $made_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing

# Undo what the maintainer scripts of the packages installed just now did:
# the boot-time enablement (systemd and sysv links) and any start that a
# pre-existing policy-rc.d let through.
for p in $missing; do
	case $p in
	squid|nginx|haproxy) units=$p ;;
	isc-dhcp-server) units="isc-dhcp-server isc-dhcp-server6" ;;
	*) continue ;;
	esac
	for u in $units; do
		systemctl disable --quiet "$u" 2>/dev/null ||
			update-rc.d "$u" disable >/dev/null 2>&1 || true
		if [ -d /run/systemd/system ]; then
			systemctl stop "$u" 2>/dev/null || true
		else
			invoke-rc.d --force "$u" stop >/dev/null 2>&1 || true
		fi
	done
done
