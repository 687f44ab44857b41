/* Which snooped replies are believed (dhcp_guard.c). */
#include <stdio.h>
#include <string.h>

#include "dhcp_guard.h"
#include "unit.h"

#define SERVER		0xc0000201u	/* 192.0.2.1 */
#define OTHER		0xc0000263u	/* 192.0.2.99, also on the link */
#define CLIENT		0xc0000264u	/* 192.0.2.100 */
#define FAR		0xcb007107u	/* 203.0.113.7, routed in */
#define BCAST		0xffffffffu

static const uint8_t mac[6] = { 0x02, 0, 0x5e, 0, 0x02, 0x64 };
static const struct dhcp_guard_prefix link_prefix = { CLIENT, 0xffffff80u };
static struct dhcp_guard g;
static struct dhcp_guard_ctx ctx;
static struct dhcp_request q;
static struct dhcp_reply r;

static void
setup(void)
{
	memset(&g, 0, sizeof(g));
	memset(&q, 0, sizeof(q));
	q.msg_type = DHCP_MSG_REQUEST;
	memcpy(q.chaddr, mac, 6);
	q.xid = 0x1234;
	q.server_id = SERVER;
	q.ip_dst = BCAST;
	memset(&r, 0, sizeof(r));
	r.msg_type = DHCP_MSG_ACK;
	memcpy(r.chaddr, mac, 6);
	r.xid = 0x1234;
	r.yiaddr = CLIENT;
	r.server_id = SERVER;
	r.ip_src = SERVER;
	r.ip_dst = BCAST;
	ctx = (struct dhcp_guard_ctx){ .mac = mac, .prefix = &link_prefix,
	    .nprefix = 1, .now = 1000 };
}

static enum dhcp_guard_verdict
judge(void)
{
	return dhcp_guard_judge(&g, &r, &ctx);
}

START_TEST(answer_to_our_request_accepted)
{
	dhcp_guard_request(&g, &q, 1000);
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
	ck_assert_str_eq(dhcp_guard_verdict_name(DHCP_GUARD_ACCEPT), "accepted");
}
END_TEST

/* A request leaving the interface may be one this host forwards for
 * another (a packet tap sees forwarded frames as outgoing too): only one
 * sent from 0.0.0.0 or from an address of the interface is our client's. */
START_TEST(forwarded_request_not_ours)
{
	struct dhcp_guard_prefix p[2] = { { OTHER, 0xffffff80u }, link_prefix };

	q.ip_src = 0;
	ck_assert(dhcp_guard_request_local(&q, p, 2));
	q.ip_src = CLIENT;
	ck_assert(dhcp_guard_request_local(&q, p, 2));
	ck_assert(!dhcp_guard_request_local(&q, p, 1));
	q.ip_src = FAR;
	ck_assert_msg(!dhcp_guard_request_local(&q, p, 2),
	    "a request from 203.0.113.7 is not our client's");
	q.ip_src = CLIENT + 1;		/* on the link, not ours */
	ck_assert(!dhcp_guard_request_local(&q, p, 2));
	ck_assert(!dhcp_guard_request_local(&q, NULL, 0));
	q.ip_src = 0;
	ck_assert(dhcp_guard_request_local(&q, NULL, 0));
}
END_TEST

START_TEST(unsolicited_refused)
{
	ck_assert_int_eq(judge(), DHCP_GUARD_NO_REQUEST);
	ck_assert_uint_eq(g.refused[DHCP_GUARD_NO_REQUEST], 1);
	r.msg_type = DHCP_MSG_NAK;	/* a forged NAK clears nothing either */
	ck_assert_int_eq(judge(), DHCP_GUARD_NO_REQUEST);
	ck_assert_uint_eq(g.refused[DHCP_GUARD_NO_REQUEST], 2);
}
END_TEST

START_TEST(wrong_xid_refused)
{
	dhcp_guard_request(&g, &q, 1000);
	r.xid = 0x1235;
	ck_assert_int_eq(judge(), DHCP_GUARD_NO_REQUEST);
	r.xid = 0x1234;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
}
END_TEST

START_TEST(other_chaddr_refused)
{
	dhcp_guard_request(&g, &q, 1000);
	r.chaddr[5] ^= 1;
	ck_assert_int_eq(judge(), DHCP_GUARD_CHADDR);
	ck_assert_str_eq(dhcp_guard_verdict_name(DHCP_GUARD_CHADDR),
	    "chaddr is not this interface's hardware address");
}
END_TEST

START_TEST(no_server_id_refused)
{
	dhcp_guard_request(&g, &q, 1000);
	r.server_id = 0;
	ck_assert_int_eq(judge(), DHCP_GUARD_NO_SERVER_ID);
}
END_TEST

/* Each request is answered once, as by the client itself. */
START_TEST(second_answer_refused)
{
	dhcp_guard_request(&g, &q, 1000);
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
	ck_assert_int_eq(judge(), DHCP_GUARD_NO_REQUEST);
	/* A retransmission, same xid, makes it pending again. */
	dhcp_guard_request(&g, &q, 1003);
	ctx.now = 1003;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
}
END_TEST

START_TEST(old_request_expires)
{
	dhcp_guard_request(&g, &q, 1000);
	ctx.now = 1000 + DHCP_GUARD_TTL + 1;
	ck_assert_int_eq(judge(), DHCP_GUARD_NO_REQUEST);
	ctx.now = 1000 + DHCP_GUARD_TTL;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
	/* A clock that went back does not revive anything either. */
	dhcp_guard_request(&g, &q, 2000);
	ctx.now = 1999;
	ck_assert_int_eq(judge(), DHCP_GUARD_NO_REQUEST);
}
END_TEST

/* SELECTING: the REQUEST's option 54 names the server. */
START_TEST(requested_server_only)
{
	dhcp_guard_request(&g, &q, 1000);
	r.server_id = OTHER;
	r.ip_src = OTHER;
	ck_assert_int_eq(judge(), DHCP_GUARD_WRONG_SERVER);
	ck_assert_uint_eq(g.refused[DHCP_GUARD_WRONG_SERVER], 1);
	r.server_id = SERVER;
	r.ip_src = SERVER;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
}
END_TEST

/* The DISCOVER's xid is reused by the REQUEST that names a server. */
START_TEST(latest_transmission_names_server)
{
	q.msg_type = DHCP_MSG_DISCOVER;
	q.server_id = 0;
	dhcp_guard_request(&g, &q, 1000);
	q.msg_type = DHCP_MSG_REQUEST;
	q.server_id = OTHER;
	dhcp_guard_request(&g, &q, 1001);
	ctx.now = 1001;
	ck_assert_int_eq(judge(), DHCP_GUARD_WRONG_SERVER);
	r.server_id = OTHER;
	r.ip_src = OTHER;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
}
END_TEST

/* RENEWING: unicast to the server, no option 54. */
START_TEST(renewal_goes_to_its_server)
{
	q.server_id = 0;
	q.ciaddr = CLIENT;
	q.ip_src = CLIENT;
	q.ip_dst = SERVER;
	dhcp_guard_request(&g, &q, 1000);
	r.ciaddr = CLIENT;
	r.ip_dst = CLIENT;
	r.server_id = OTHER;
	ck_assert_int_eq(judge(), DHCP_GUARD_WRONG_SERVER);
	r.server_id = SERVER;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
}
END_TEST

/* REBINDING or INIT-REBOOT: broadcast without option 54; the lease we know
 * names the server. Without one, any server may answer. */
START_TEST(broadcast_request_bound_server)
{
	q.server_id = 0;
	dhcp_guard_request(&g, &q, 1000);
	ctx.bound_server = SERVER;
	r.server_id = OTHER;
	ck_assert_int_eq(judge(), DHCP_GUARD_WRONG_SERVER);
	ctx.bound_server = 0;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
}
END_TEST

/* The first ACK after a REQUEST: option 54 of the request wins over the
 * server of the lease it replaces. */
START_TEST(request_server_beats_bound_server)
{
	dhcp_guard_request(&g, &q, 1000);
	ctx.bound_server = OTHER;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
}
END_TEST

/* The right xid and server, but routed in from elsewhere. */
START_TEST(routed_reply_refused)
{
	dhcp_guard_request(&g, &q, 1000);
	r.ip_src = FAR;
	r.ip_dst = CLIENT;
	ck_assert_int_eq(judge(), DHCP_GUARD_OFF_LINK);
	/* Claiming to be a relay does not help from off the link. */
	r.giaddr = FAR;
	ck_assert_int_eq(judge(), DHCP_GUARD_OFF_LINK);
	/* Nor an on-link giaddr that is not the sender. */
	r.giaddr = OTHER;
	ck_assert_int_eq(judge(), DHCP_GUARD_OFF_LINK);
	ck_assert_uint_eq(g.refused[DHCP_GUARD_OFF_LINK], 3);
}
END_TEST

START_TEST(unicast_addressing)
{
	dhcp_guard_request(&g, &q, 1000);
	/* Unicast to an address the reply does not give or confirm. */
	r.ip_dst = OTHER;
	ck_assert_int_eq(judge(), DHCP_GUARD_OFF_LINK);
	r.ip_dst = 0;
	ck_assert_int_eq(judge(), DHCP_GUARD_OFF_LINK);
	/* From the server to yiaddr (no broadcast flag): fine. */
	r.ip_dst = CLIENT;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
}
END_TEST

START_TEST(relay_on_link_accepted)
{
	dhcp_guard_request(&g, &q, 1000);
	r.giaddr = OTHER;
	r.ip_src = OTHER;
	r.ip_dst = CLIENT;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
	/* A relay outside every subnet of the interface. */
	dhcp_guard_request(&g, &q, 1000);
	r.giaddr = r.ip_src = FAR;
	ck_assert_int_eq(judge(), DHCP_GUARD_OFF_LINK);
	/* Before the first lease the interface has no subnet: the relay
	 * unicasts to chaddr, which nothing routed could do. */
	ctx.nprefix = 0;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
	/* A relay's broadcast needs no address: it cannot be routed. */
	dhcp_guard_request(&g, &q, 1000);
	ctx.nprefix = 1;
	r.ip_dst = BCAST;
	ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
}
END_TEST

START_TEST(table_keeps_the_latest)
{
	for (uint32_t x = 0; x < DHCP_GUARD_PENDING_MAX + 3; x++) {
		q.xid = 0x100 + x;
		dhcp_guard_request(&g, &q, 1000 + x);
	}
	r.xid = 0x100;		/* the oldest: pushed out */
	ck_assert_int_eq(judge(), DHCP_GUARD_NO_REQUEST);
	for (uint32_t x = 3; x < DHCP_GUARD_PENDING_MAX + 3; x++) {
		r.xid = 0x100 + x;
		ctx.now = 1000 + DHCP_GUARD_PENDING_MAX + 3;
		ck_assert_int_eq(judge(), DHCP_GUARD_ACCEPT);
	}
}
END_TEST

START_TEST(verdict_names)
{
	for (int v = 0; v < DHCP_GUARD_NVERDICT; v++)
		ck_assert_ptr_nonnull(dhcp_guard_verdict_name(v));
	ck_assert_str_eq(dhcp_guard_verdict_name(DHCP_GUARD_NVERDICT), "unknown");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		answer_to_our_request_accepted, unsolicited_refused,
		forwarded_request_not_ours, wrong_xid_refused,
		other_chaddr_refused, no_server_id_refused,
		second_answer_refused, old_request_expires,
		requested_server_only, latest_transmission_names_server,
		renewal_goes_to_its_server,
		broadcast_request_bound_server,
		request_server_beats_bound_server, routed_reply_refused,
		unicast_addressing, relay_on_link_accepted,
		table_keeps_the_latest, verdict_names, NULL,
	};

	return unit_suite_of("dhcp_guard", setup, NULL, tests);
}
