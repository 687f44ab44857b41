/* dhcp_parse: the parser of our own client's requests (dhcp_parse.c;
 * its replies are in test_dhcp_parse.c): what the snooper remembers of
 * each request, so that only answers to it are believed. */
#include <stdlib.h>
#include <string.h>

#include "dhcp_parse.h"
#include "dhcp_build.h"
#include "unit.h"

/* The reply (or request) parser on an exact-size copy (dhcp_build.h). */
static bool
parse_request_exact(const uint8_t *p, size_t n, struct dhcp_request *q,
    const char **why)
{
	return dhcp_build_parse(DHCP_BUILD_REQUEST, p, n, q, why);
}

static void
assert_refused(struct dhcp_build *b, size_t n, const char *reason)
{
	struct dhcp_request q;
	const char *why;

	ck_assert(!parse_request_exact(b->pkt, n, &q, &why));
	ck_assert_str_eq(why, reason);
}

START_TEST(test_request)
{
	struct dhcp_build b;
	struct dhcp_request q;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	n = dhcp_build_test_request(&b, DHCP_MSG_DISCOVER, 0, 0);
	ck_assert_msg(parse_request_exact(b.pkt, n, &q, &why), "%s", why);
	ck_assert_int_eq(q.msg_type, DHCP_MSG_DISCOVER);
	ck_assert_uint_eq(q.xid, 0x01020304);
	ck_assert_uint_eq(q.server_id, 0);
	ck_assert_uint_eq(q.ip_src, 0);
	ck_assert_uint_eq(q.ip_dst, 0xffffffff);
	ck_assert_int_eq(q.chaddr[5], 0x64);
	/* A request is not a reply, and a reply not a request. */
	ck_assert(!dhcp_parse_packet(b.pkt, n, &r, &why));

	n = dhcp_build_test_request(&b, DHCP_MSG_REQUEST, 0xc0000201, 0);
	ck_assert_msg(parse_request_exact(b.pkt, n, &q, &why), "%s", why);
	ck_assert_int_eq(q.msg_type, DHCP_MSG_REQUEST);
	ck_assert_uint_eq(q.server_id, 0xc0000201);

	n = dhcp_build_test_request(&b, DHCP_MSG_REQUEST, 0, 0xc0000201);
	ck_assert_msg(parse_request_exact(b.pkt, n, &q, &why), "%s", why);
	ck_assert_uint_eq(q.ciaddr, 0xc0000264);
	ck_assert_uint_eq(q.ip_src, 0xc0000264);
	ck_assert_uint_eq(q.ip_dst, 0xc0000201);

	n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, "198.51.100.10:3128");
	assert_refused(&b, n, "not from port 68 to port 67");
	dhcp_build_as_request(&b, 0, 0xffffffff);
	dhcp_build_bootp(&b)[0] = 2;
	assert_refused(&b, n, "not a BOOTREQUEST");
	dhcp_build_bootp(&b)[0] = 1;
	assert_refused(&b, n, "DHCP message type is not DISCOVER or REQUEST");

	/* RELEASE, DECLINE and INFORM are answered by nothing we learn from. */
	n = dhcp_build_test_request(&b, DHCP_MSG_RELEASE, 0xc0000201, 0);
	ck_assert(!parse_request_exact(b.pkt, n, &q, &why));
	n = dhcp_build_test_request(&b, DHCP_MSG_INFORM, 0, 0);
	ck_assert(!parse_request_exact(b.pkt, n, &q, &why));

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_REQUEST);
	dhcp_build_opt(&b, 54, "\xc0\x00\x02", 3);
	dhcp_build_byte(&b, 255);
	n = dhcp_build_finish(&b);
	dhcp_build_as_request(&b, 0, 0xffffffff);
	assert_refused(&b, n, "bad server identifier length");
}
END_TEST

/* Every truncation of a request fails cleanly (ASan watches the reads). */
START_TEST(test_request_truncated)
{
	struct dhcp_build b;
	struct dhcp_request q;
	const char *why;
	size_t n = dhcp_build_test_request(&b, DHCP_MSG_REQUEST, 0xc0000201, 0);

	for (size_t k = 0; k < n; k++) {
		/* Shorten the packet and its IP and UDP lengths alike. */
		struct dhcp_build c = b;

		dhcp_build_put16(c.pkt + 2, (uint16_t)k);
		if (k >= 28)
			dhcp_build_put16(c.pkt + 24, (uint16_t)(k - 20));
		/* Options start at 268: the type alone (271) or type and
		 * server id (277 on) make a whole request. */
		if (k == 271 || k >= 277)
			continue;
		ck_assert_msg(!parse_request_exact(c.pkt, k, &q, &why), "at %zu", k);
	}
	ck_assert_msg(parse_request_exact(b.pkt, n, &q, &why), "%s", why);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = { test_request, test_request_truncated, NULL };

	return unit_suite_of("dhcp_parse_request", NULL, NULL, tests);
}
