/* What the HA peer's unit tests share: a key and a sample datagram of
 * node2 (test_peer_msg.c, test_peer_replay.c). */
#ifndef PEER_SAMPLE_H
#define PEER_SAMPLE_H
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "peer_msg.h"

static const uint8_t key[] = "0123456789abcdef0123456789abcdef";
#define KEYLEN	32

#define SELF_BOOT	0x1111111111111111ULL
#define PEER_BOOT	0x2222222222222222ULL

static void
cand(struct peer_msg *m, const char *ip, uint16_t port, const char *ifname,
    uint32_t remaining)
{
	struct peer_msg_cand *c = &m->cand[m->ncand++];
	const char *why;

	ck_assert(addr_parse_ipv4(ip, strlen(ip), &c->addr.ip, &why));
	c->addr.port = port;
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	c->remaining = remaining;
}

/* node2 speaking, echoing a message of ours sent at 5000 ms. */
static void
sample(struct peer_msg *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->node, sizeof(m->node), "node2");
	m->boot = PEER_BOOT;
	m->seq = 7;
	m->time_ms = 123456789;
	m->flags = PEER_MSG_F_ECHO;
	m->echo_boot = SELF_BOOT;
	m->echo_time_ms = 5000;
	cand(m, "192.0.2.10", 3128, "wan1", 3600);
	cand(m, "198.51.100.7", 8080, "wan-2.x_y", PEER_MSG_NO_EXPIRY);
}
#endif
