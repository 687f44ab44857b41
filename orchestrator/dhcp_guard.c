/* The acceptance rule for snooped DHCP replies; see dhcp_guard.h. */
#include <string.h>

#include "dhcp_guard.h"

#define DHCP_GUARD_BROADCAST	0xffffffffu

/* Log text, and the key of the counter in `show dhcp learned-proxies`. */
static const struct {
	const char *text;
	const char *key;
} dhcp_guard_names[DHCP_GUARD_NVERDICT] = {
	[DHCP_GUARD_ACCEPT] = { "accepted", "accepted" },
	[DHCP_GUARD_CHADDR] = { "chaddr is not this interface's hardware address",
	    "other-chaddr" },
	[DHCP_GUARD_NO_SERVER_ID] = { "no server identifier", "no-server-id" },
	[DHCP_GUARD_NO_REQUEST] = { "answers no recent request of ours (xid)",
	    "no-request" },
	[DHCP_GUARD_WRONG_SERVER] = { "server identifier is not the lease's server",
	    "wrong-server" },
	[DHCP_GUARD_OFF_LINK] = { "not addressed as a server reply on this link",
	    "off-link" },
};

const char *
dhcp_guard_verdict_name(enum dhcp_guard_verdict v)
{
	if ((unsigned)v < DHCP_GUARD_NVERDICT)
		return dhcp_guard_names[v].text;
	return "unknown";
}

const char *
dhcp_guard_verdict_key(enum dhcp_guard_verdict v)
{
	if ((unsigned)v < DHCP_GUARD_NVERDICT)
		return dhcp_guard_names[v].key;
	return "unknown";
}

static struct dhcp_guard_pending *
dhcp_guard_find(struct dhcp_guard *g, uint32_t xid, int64_t now)
{
	for (size_t i = 0; i < DHCP_GUARD_PENDING_MAX; i++) {
		struct dhcp_guard_pending *e = &g->p[i];

		if (e->used && e->xid == xid && now - e->sent <= DHCP_GUARD_TTL &&
		    now >= e->sent)
			return e;
	}
	return NULL;
}

void
dhcp_guard_request(struct dhcp_guard *g, const struct dhcp_request *q, int64_t now)
{
	struct dhcp_guard_pending *e = NULL;

	for (size_t i = 0; i < DHCP_GUARD_PENDING_MAX && e == NULL; i++)
		if (g->p[i].used && g->p[i].xid == q->xid)
			e = &g->p[i];
	/* A new request takes a free slot, else the oldest one's. */
	for (size_t i = 0; i < DHCP_GUARD_PENDING_MAX && e == NULL; i++)
		if (!g->p[i].used)
			e = &g->p[i];
	if (e == NULL) {
		e = &g->p[0];
		for (size_t i = 1; i < DHCP_GUARD_PENDING_MAX; i++)
			if (g->p[i].sent < e->sent)
				e = &g->p[i];
	}
	e->used = true;
	e->xid = q->xid;
	e->sent = now;
	/* The latest transmission names the server: a REQUEST in SELECTING
	 * reuses the DISCOVER's xid and adds option 54 (RFC 2131 4.4.1). A
	 * renewal is unicast to the server itself (RFC 2131 4.4.5). */
	if (q->server_id != 0)
		e->server = q->server_id;
	else if (q->ip_dst != DHCP_GUARD_BROADCAST && q->ip_dst != 0)
		e->server = q->ip_dst;
	else
		e->server = 0;
}

static bool
dhcp_guard_onlink(uint32_t a, const struct dhcp_guard_ctx *c)
{
	for (size_t i = 0; i < c->nprefix; i++)
		if (c->prefix[i].mask != 0 && c->prefix[i].mask != DHCP_GUARD_BROADCAST &&
		    (a & c->prefix[i].mask) == (c->prefix[i].addr & c->prefix[i].mask))
			return true;
	return false;
}

/* RFC 2131 4.1: a server or relay broadcasts its reply, or unicasts it to
 * the client's address (yiaddr, or ciaddr when renewing). A unicast reply
 * comes from the server's own address (the one the client reaches it at)
 * or from a relay agent on the client's link, whose address is giaddr: in
 * a subnet of the interface, or anywhere while the interface has no IPv4
 * address yet (then nothing routed can reach it by unicast: the last
 * router would have to resolve an address nobody answers for; the relay
 * sends to chaddr directly). Limited broadcast is never forwarded by a
 * router (RFC 1812 5.3.5.1), so it can only have been sent on this link. */
static bool
dhcp_guard_addressed(const struct dhcp_reply *r, const struct dhcp_guard_ctx *c)
{
	if (r->ip_dst == DHCP_GUARD_BROADCAST)
		return true;
	if (r->ip_dst == 0 || (r->ip_dst != r->yiaddr && r->ip_dst != r->ciaddr))
		return false;
	if (r->ip_src == r->server_id)
		return true;
	return r->giaddr != 0 && r->ip_src == r->giaddr &&
	    (c->nprefix == 0 || dhcp_guard_onlink(r->giaddr, c));
}

static enum dhcp_guard_verdict
dhcp_guard_verdict(struct dhcp_guard *g, const struct dhcp_reply *r,
    const struct dhcp_guard_ctx *c)
{
	struct dhcp_guard_pending *e;
	uint32_t server;

	if (memcmp(r->chaddr, c->mac, 6) != 0)
		return DHCP_GUARD_CHADDR;
	/* RFC 2131 table 3: a server MUST send option 54 in ACK and NAK. */
	if (r->server_id == 0)
		return DHCP_GUARD_NO_SERVER_ID;
	if ((e = dhcp_guard_find(g, r->xid, c->now)) == NULL)
		return DHCP_GUARD_NO_REQUEST;
	/* The server the request went to; a broadcast without option 54
	 * (rebinding, reboot) stays with the server of the lease we know. */
	server = e->server != 0 ? e->server : c->bound_server;
	if (server != 0 && r->server_id != server)
		return DHCP_GUARD_WRONG_SERVER;
	if (!dhcp_guard_addressed(r, c))
		return DHCP_GUARD_OFF_LINK;
	/* Answered: like the client, take no second reply to it. */
	e->used = false;
	return DHCP_GUARD_ACCEPT;
}

enum dhcp_guard_verdict
dhcp_guard_judge(struct dhcp_guard *g, const struct dhcp_reply *r,
    const struct dhcp_guard_ctx *c)
{
	enum dhcp_guard_verdict v = dhcp_guard_verdict(g, r, c);

	if (v != DHCP_GUARD_ACCEPT)
		g->refused[v]++;
	return v;
}

bool
dhcp_guard_request_local(const struct dhcp_request *q,
    const struct dhcp_guard_prefix *p, size_t n)
{
	if (q->ip_src == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (p[i].addr == q->ip_src)
			return true;
	return false;
}
