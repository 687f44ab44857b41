/* Test-only builder for DHCP packets (IPv4 + UDP + BOOTP), used by
 * test_dhcp_parse*.c and to write the fuzz seeds, and the one way those
 * tests call the parsers. Not product code. */
#ifndef DHCP_BUILD_H
#define DHCP_BUILD_H
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp_parse.h"

#define DHCP_BUILD_IP		0
#define DHCP_BUILD_UDP		20
#define DHCP_BUILD_BOOTP	28	/* BOOTP starts after IP(20) + UDP(8) */
#define DHCP_BUILD_SNAME	44	/* offsets inside BOOTP */
#define DHCP_BUILD_FILE		108
#define DHCP_BUILD_OPTIONS	240

struct dhcp_build {
	uint8_t	 pkt[2048];
	size_t	 cur;		/* next option byte, offset inside BOOTP */
};

static inline uint8_t *
dhcp_build_bootp(struct dhcp_build *b)
{
	return b->pkt + DHCP_BUILD_BOOTP;
}

static inline void
dhcp_build_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
dhcp_build_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* BOOTREPLY, Ethernet, xid 0x01020304, yiaddr 192.0.2.100,
 * chaddr 02:00:5e:00:02:64, magic cookie; no options yet. */
static inline void
dhcp_build_init(struct dhcp_build *b)
{
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x02, 0x64 };
	uint8_t *p = dhcp_build_bootp(b);

	memset(b, 0, sizeof(*b));
	p[0] = 2;
	p[1] = 1;
	p[2] = 6;
	dhcp_build_put32(p + 4, 0x01020304);
	dhcp_build_put32(p + 16, 0xc0000264);
	memcpy(p + 28, mac, sizeof(mac));
	dhcp_build_put32(p + 236, 0x63825363);
	b->cur = DHCP_BUILD_OPTIONS;
}

static inline void
dhcp_build_raw(struct dhcp_build *b, const void *v, size_t n)
{
	if (DHCP_BUILD_BOOTP + b->cur + n > sizeof(b->pkt))
		abort();
	memcpy(dhcp_build_bootp(b) + b->cur, v, n);
	b->cur += n;
}

static inline void
dhcp_build_byte(struct dhcp_build *b, uint8_t c)
{
	dhcp_build_raw(b, &c, 1);
}

static inline void
dhcp_build_opt(struct dhcp_build *b, uint8_t code, const void *v, uint8_t n)
{
	dhcp_build_byte(b, code);
	dhcp_build_byte(b, n);
	dhcp_build_raw(b, v, n);
}

static inline void
dhcp_build_opt8(struct dhcp_build *b, uint8_t code, uint8_t v)
{
	dhcp_build_opt(b, code, &v, 1);
}

static inline void
dhcp_build_opt32(struct dhcp_build *b, uint8_t code, uint32_t v)
{
	uint8_t x[4];

	dhcp_build_put32(x, v);
	dhcp_build_opt(b, code, x, 4);
}

/* Option 43 holding one sub-option 128 with the given text. */
static inline void
dhcp_build_vendor_proxy(struct dhcp_build *b, const char *proxy)
{
	uint8_t v[257];
	size_t n = strlen(proxy);

	if (n > 253)
		abort();
	v[0] = 128;
	v[1] = (uint8_t)n;
	memcpy(v + 2, proxy, n);
	dhcp_build_opt(b, 43, v, (uint8_t)(n + 2));
}

/* Fill in the IPv4 and UDP headers (192.0.2.1:67 -> 192.0.2.100:68,
 * no UDP checksum) around the BOOTP message; returns the packet length. */
static inline size_t
dhcp_build_finish(struct dhcp_build *b)
{
	size_t blen = b->cur < 300 ? 300 : b->cur;	/* RFC 951 minimum */
	uint8_t *ip = b->pkt + DHCP_BUILD_IP, *udp = b->pkt + DHCP_BUILD_UDP;

	ip[0] = 0x45;
	dhcp_build_put16(ip + 2, (uint16_t)(28 + blen));
	ip[8] = 64;
	ip[9] = 17;
	dhcp_build_put32(ip + 12, 0xc0000201);
	dhcp_build_put32(ip + 16, 0xc0000264);
	dhcp_build_put16(udp, 67);
	dhcp_build_put16(udp + 2, 68);
	dhcp_build_put16(udp + 4, (uint16_t)(8 + blen));
	return 28 + blen;
}

/* A typical reply: message type, server id 192.0.2.1, lease 600 s,
 * subnet mask, Option 43 with sub-option 128 = proxy (unless NULL), end. */
static inline size_t
dhcp_build_test_reply(struct dhcp_build *b, uint8_t msg_type,
    const char *proxy)
{
	dhcp_build_init(b);
	dhcp_build_opt8(b, 53, msg_type);
	dhcp_build_opt32(b, 54, 0xc0000201);
	if (msg_type != 6) {
		dhcp_build_opt32(b, 51, 600);
		dhcp_build_opt32(b, 1, 0xffffff00);
	}
	if (proxy != NULL)
		dhcp_build_vendor_proxy(b, proxy);
	dhcp_build_byte(b, 255);
	return dhcp_build_finish(b);
}

/* Turn a finished packet into our client's request: BOOTREQUEST, udp
 * 68 -> 67, from src to dst. */
static inline void
dhcp_build_as_request(struct dhcp_build *b, uint32_t src, uint32_t dst)
{
	uint8_t *ip = b->pkt + DHCP_BUILD_IP, *udp = b->pkt + DHCP_BUILD_UDP;

	dhcp_build_bootp(b)[0] = 1;
	dhcp_build_put32(ip + 12, src);
	dhcp_build_put32(ip + 16, dst);
	dhcp_build_put16(udp, 68);
	dhcp_build_put16(udp + 2, 67);
}

/* A typical request: message type, server id (unless 0), requested
 * address 192.0.2.100, end; broadcast from 0.0.0.0, or unicast from
 * 192.0.2.100 to unicast_to when that is not 0 (a renewal). */
static inline size_t
dhcp_build_test_request(struct dhcp_build *b, uint8_t msg_type,
    uint32_t server_id, uint32_t unicast_to)
{
	size_t n;

	dhcp_build_init(b);
	dhcp_build_put32(dhcp_build_bootp(b) + 16, 0);	/* no yiaddr */
	dhcp_build_opt8(b, 53, msg_type);
	if (server_id != 0)
		dhcp_build_opt32(b, 54, server_id);
	dhcp_build_opt32(b, 50, 0xc0000264);
	dhcp_build_byte(b, 255);
	n = dhcp_build_finish(b);
	if (unicast_to != 0) {
		dhcp_build_put32(dhcp_build_bootp(b) + 12, 0xc0000264);	/* ciaddr */
		dhcp_build_as_request(b, 0xc0000264, unicast_to);
	} else
		dhcp_build_as_request(b, 0, 0xffffffff);
	return n;
}

/* Which parser dhcp_build_parse runs, and on what. */
enum dhcp_build_parser {
	DHCP_BUILD_REPLY,		/* dhcp_parse_packet, into a reply */
	DHCP_BUILD_REPLY_BOOTP,		/* dhcp_parse_bootp, into a reply */
	DHCP_BUILD_REQUEST,		/* dhcp_parse_request, into a request */
};

/* Parse p[0..n) from an exact-size heap copy, so ASan flags any read past
 * n; a refusal must say why. */
static inline bool
dhcp_build_parse(enum dhcp_build_parser which, const uint8_t *p, size_t n,
    void *out, const char **why)
{
	uint8_t *copy = malloc(n ? n : 1);
	bool ok;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, n);
	*why = NULL;
	if (which == DHCP_BUILD_REQUEST)
		ok = dhcp_parse_request(copy, n, out, why);
	else if (which == DHCP_BUILD_REPLY)
		ok = dhcp_parse_packet(copy, n, out, why);
	else
		ok = dhcp_parse_bootp(copy, n, out, why);
	free(copy);
	if (!ok)
		ck_assert_ptr_nonnull(*why);
	return ok;
}
#endif
