/* Which snooped DHCP replies to believe (pure).
 *
 * A reply is believed only as the interface's own DHCP client would
 * believe it, and a little more strictly: it must answer a DISCOVER or
 * REQUEST that this interface sent within DHCP_GUARD_TTL seconds (same xid,
 * same chaddr; each request answered once), come from the server that
 * lease is with (option 54), and be addressed as a server's reply on that
 * link (limited broadcast, which no router forwards, or unicast to the
 * offered or current address from the server itself or from a relay agent
 * whose giaddr is on the interface's subnet). Every other ACK or NAK
 * changes nothing; the snooper counts it by reason. */
#ifndef DHCP_GUARD_H
#define DHCP_GUARD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dhcp_parse.h"

#define DHCP_GUARD_TTL		60	/* s; RFC 2131 4.1 retransmits up to 64 s */
#define DHCP_GUARD_PENDING_MAX	8	/* requests remembered per interface */
#define DHCP_GUARD_PREFIX_MAX	8	/* interface addresses considered */

enum dhcp_guard_verdict {
	DHCP_GUARD_ACCEPT,
	DHCP_GUARD_CHADDR,	/* for another client */
	DHCP_GUARD_NO_SERVER_ID,
	DHCP_GUARD_NO_REQUEST,	/* no request of ours with that xid */
	DHCP_GUARD_WRONG_SERVER,
	DHCP_GUARD_OFF_LINK,	/* not addressed as a reply on this link */
	DHCP_GUARD_NVERDICT,
};

/* A DISCOVER or REQUEST our client sent; server is whom it addressed
 * (option 54, else the unicast destination of a renewal), 0 for anyone. */
struct dhcp_guard_pending {
	uint32_t	 xid;
	uint32_t	 server;
	int64_t		 sent;		/* s, latest (re)transmission */
	bool		 used;		/* slot holds a request */
};

/* One interface's requests in flight and what was refused. */
struct dhcp_guard {
	struct dhcp_guard_pending p[DHCP_GUARD_PENDING_MAX];
	uint64_t	 refused[DHCP_GUARD_NVERDICT];
};

/* An IPv4 address of the interface and its netmask, host order. */
struct dhcp_guard_prefix {
	uint32_t	 addr;
	uint32_t	 mask;
};

/* What is known about a snooped ACK or NAK besides its content. */
struct dhcp_guard_ctx {
	const uint8_t	*mac;		/* the interface's hardware address */
	uint32_t	 bound_server;	/* server of the current lease; 0 none */
	const struct dhcp_guard_prefix *prefix;
	size_t		 nprefix;
	int64_t		 now;
};

/* Pure: a request seen leaving the interface can be our client's: sent
 * from 0.0.0.0 or from one of the interface's addresses. A packet tap
 * also sees the frames this host forwards for others as outgoing; a
 * forwarded request comes from another address (a router forwards nothing
 * from 0.0.0.0). */
bool	dhcp_guard_request_local(const struct dhcp_request *,
	    const struct dhcp_guard_prefix *, size_t nprefix);
/* Remember a request our client sent on this interface (the caller has
 * checked that it left through the interface with its chaddr, from an
 * address of ours: dhcp_guard_request_local). */
void	dhcp_guard_request(struct dhcp_guard *, const struct dhcp_request *,
	    int64_t now);
/* Judge an ACK or NAK; an accepted one uses up its request. Every
 * refusal is counted in g->refused. */
enum dhcp_guard_verdict dhcp_guard_judge(struct dhcp_guard *,
	    const struct dhcp_reply *, const struct dhcp_guard_ctx *);
/* Static text for logs: "answers no request of ours", ... */
const char *dhcp_guard_verdict_name(enum dhcp_guard_verdict);
/* Static JSON key: "no-request", "wrong-server", ... */
const char *dhcp_guard_verdict_key(enum dhcp_guard_verdict);
#endif
