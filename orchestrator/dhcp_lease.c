/* DHCP lease decisions for learned mode. */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "dhcp_lease.h"

enum dhcp_lease_result
dhcp_lease_apply(struct dhcp_info *info, const char *ifname, const uint8_t mac[6],
    const struct dhcp_reply *r, int64_t now, const char **why)
{
	struct proxy_addr a;
	const char *bad;

	if (r->msg_type != DHCP_MSG_ACK && r->msg_type != DHCP_MSG_NAK)
		return DHCP_LEASE_IGNORED;
	if (memcmp(r->chaddr, mac, 6) != 0) {
		*why = "chaddr is not this interface's hardware address";
		return DHCP_LEASE_REJECTED;
	}
	if (r->msg_type == DHCP_MSG_NAK) {
		learned_clear(info, ifname, LEARNED_NAK);
		return DHCP_LEASE_UPDATED;
	}
	learned_clear(info, ifname, LEARNED_RESOLVED);
	info->server = r->server_id;
	/* RFC 2132 9.2: 0xffffffff is an infinite lease; 0 means absent. */
	if (r->lease_time != 0 && r->lease_time != 0xffffffffu)
		info->lease_expiry = now + (int64_t)r->lease_time;
	if (!r->has_vendor) {
		info->state = LEARNED_NO_OPT43;
		return DHCP_LEASE_UPDATED;
	}
	if (!r->has_proxy) {
		info->state = LEARNED_NO_SUB128;
		return DHCP_LEASE_UPDATED;
	}
	if (r->proxy_problem != NULL || r->proxy[0] == '\0' ||
	    !learned_value_parse(r->proxy, &a, &bad)) {
		/* Keep printable text so the operator can see what was sent;
		 * selection will list it as invalid with the reason. */
		info->state = LEARNED_INVALID;
		if (r->proxy[0] != '\0') {
			snprintf(info->proxy[0], sizeof(info->proxy[0]), "%s", r->proxy);
			info->nproxy = 1;
		}
		return DHCP_LEASE_UPDATED;
	}
	snprintf(info->proxy[0], sizeof(info->proxy[0]), "%s", r->proxy);
	info->nproxy = 1;
	return DHCP_LEASE_UPDATED;
}

bool
dhcp_lease_same(const struct dhcp_info *a, const struct dhcp_info *b)
{
	if (strcmp(a->ifname, b->ifname) != 0 || a->state != b->state ||
	    a->server != b->server || a->nproxy != b->nproxy)
		return false;
	for (size_t i = 0; i < a->nproxy; i++)
		if (strcmp(a->proxy[i], b->proxy[i]) != 0)
			return false;
	return true;
}

bool
dhcp_lease_expire(struct dhcp_info *info, int64_t now)
{
	char ifname[IFNAMSIZ];

	if (info->lease_expiry == 0 || info->lease_expiry > now ||
	    info->state == LEARNED_EXPIRED)
		return false;
	memcpy(ifname, info->ifname, sizeof(ifname));
	learned_clear(info, ifname, LEARNED_EXPIRED);
	return true;
}

int64_t
dhcp_lease_restored_end(int64_t expiry, int64_t written, int64_t started)
{
	int64_t lease = expiry - written, renewed;

	/* Without a lease length a DHCP server can grant, nothing can be
	 * inferred: the recorded end stands. */
	if (expiry == 0 || written <= 0 || lease <= 0 || lease > UINT32_MAX)
		return expiry;
	renewed = started < expiry ? started : expiry;
	if (renewed <= expiry - lease || renewed > INT64_MAX - lease)
		return expiry;
	return renewed + lease;
}
