/* What the learned-mode unit tests share (test_learned.c,
 * test_dhcp_lease.c, test_peer_msg.c): a DHCP ACK that resolves, and a
 * configuration where wan1 learns and wan2 is excluded by the operator. */
#ifndef LEARNED_SAMPLE_H
#define LEARNED_SAMPLE_H
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "dhcp_parse.h"

static const uint8_t sample_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

/* An ACK for sample_mac from 192.0.2.1, 600 s, proxy 198.51.100.10:3128. */
static inline void
sample_ack(struct dhcp_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->msg_type = DHCP_MSG_ACK;
	memcpy(r->chaddr, sample_mac, 6);
	r->server_id = 0xc0000201u;
	r->lease_time = 600;
	r->has_vendor = true;
	r->has_proxy = true;
	snprintf(r->proxy, sizeof(r->proxy), "198.51.100.10:3128");
}

static inline void
sample_cfg(struct config *cfg)
{
	config_defaults(cfg);
	cfg->niface = 2;
	snprintf(cfg->iface[0].name, IFNAMSIZ, "wan1");
	cfg->iface[0].dhcp_v4 = cfg->iface[0].proxy_discovery = true;
	snprintf(cfg->iface[1].name, IFNAMSIZ, "wan2");
	cfg->iface[1].dhcp_v4 = true;
	cfg->iface[1].proxy_discovery = false;
}
#endif
