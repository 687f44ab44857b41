/* What a snooped DHCP reply means for an interface's learned proxies
 * (pure). Only ACKs addressed to the interface's own hardware address
 * change anything (a spoofed reply for another chaddr is refused); a NAK
 * clears; OFFERs are ignored because the lease is not ours yet. */
#ifndef DHCP_LEASE_H
#define DHCP_LEASE_H
#include <stdint.h>

#include "dhcp_parse.h"
#include "learned.h"

enum dhcp_lease_result {
	DHCP_LEASE_IGNORED,	/* OFFER and the like: nothing to do */
	DHCP_LEASE_REJECTED,	/* spoofed or unusable: *why says why */
	DHCP_LEASE_UPDATED,	/* *info replaced: persist and select again */
};

enum dhcp_lease_result dhcp_lease_apply(struct dhcp_info *info, const char *ifname,
    const uint8_t mac[6], const struct dhcp_reply *r, int64_t now, const char **why);
/* The same learned state apart from the lease expiry (a plain renewal). */
bool dhcp_lease_same(const struct dhcp_info *a, const struct dhcp_info *b);
/* Marks an ended lease as expired; true when it changed *info. */
bool dhcp_lease_expire(struct dhcp_info *info, int64_t now);
/* The end to honour for a lease read back at start-up: expiry as recorded
 * by the ACK seen at `written` (when its file was written), the daemon
 * started at `started`. The client may have renewed while the daemon was
 * down, and that ACK went unseen: the lease then ends at most one lease
 * length after that renewal, which came before the recorded end and before
 * the start. 0 (no expiry) stays 0. */
int64_t dhcp_lease_restored_end(int64_t expiry, int64_t written, int64_t started);
#endif
