/* Which snooped replies are believed (dhcp_guard.c) and how often the
 * network may change learned state (dhcp_pace.c). */
#include <stdio.h>
#include <string.h>

#include "dhcp_guard.h"
#include "dhcp_pace.h"
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

/* ---- pacing ---- */

START_TEST(pace_burst_then_period)
{
	struct dhcp_pace p;
	int64_t wait;

	memset(&p, 0, sizeof(p));
	for (int i = 0; i < DHCP_PACE_BURST; i++)
		ck_assert(dhcp_pace_allow(&p, 1000, &wait));
	ck_assert(!dhcp_pace_allow(&p, 1000, &wait));
	ck_assert_int_eq(wait, DHCP_PACE_PERIOD);
	ck_assert(!dhcp_pace_allow(&p, 1000 + DHCP_PACE_PERIOD - 1, &wait));
	ck_assert_int_eq(wait, 1);
	ck_assert(dhcp_pace_allow(&p, 1000 + DHCP_PACE_PERIOD, &wait));
	ck_assert(!dhcp_pace_allow(&p, 1000 + DHCP_PACE_PERIOD, &wait));
	/* Quiet for a while: the whole burst is back. */
	for (int i = 0; i < DHCP_PACE_BURST; i++)
		ck_assert(dhcp_pace_allow(&p, 2000, &wait));
}
END_TEST

/* A flood of alternating values, one per 100 ms for 60 s: the changes
 * applied stay within burst + one per period, the last value wins. */
START_TEST(pace_flood_bounded)
{
	struct dhcp_pace p;
	const struct dhcp_info *due;
	struct dhcp_info v;
	int applied = 0, last = -1;
	int64_t wait;

	memset(&p, 0, sizeof(p));
	memset(&v, 0, sizeof(v));
	for (int k = 0; k < 600; k++) {
		int64_t now = 1000 + k / 10;

		v.nproxy = (size_t)(k % 2 + 1);	/* alternates 1, 2 */
		if ((due = dhcp_pace_due(&p, now, &wait)) != NULL) {
			applied++;
			last = (int)due->nproxy;
		}
		if (dhcp_pace_allow(&p, now, &wait)) {
			applied++;
			last = (int)v.nproxy;
		} else
			dhcp_pace_hold(&p, &v);
	}
	ck_assert_int_le(applied, DHCP_PACE_BURST + 60 / DHCP_PACE_PERIOD + 1);
	ck_assert_int_ge(applied, 60 / DHCP_PACE_PERIOD);
	/* The held one (the 600th, value 2) applies when its token is due. */
	ck_assert(p.held);
	ck_assert_ptr_null(dhcp_pace_due(&p, 1059, &wait));
	ck_assert_int_gt(wait, 0);
	due = dhcp_pace_due(&p, 1059 + wait, &wait);
	ck_assert_ptr_nonnull(due);
	ck_assert_uint_eq(due->nproxy, 2);
	ck_assert(!p.held);
	ck_assert_int_ne(last, -1);
}
END_TEST

START_TEST(pace_drop_forgets)
{
	struct dhcp_pace p;
	struct dhcp_info v;
	int64_t wait;

	memset(&p, 0, sizeof(p));
	memset(&v, 0, sizeof(v));
	snprintf(v.ifname, sizeof(v.ifname), "wan1");
	for (int i = 0; i < DHCP_PACE_BURST; i++)
		dhcp_pace_allow(&p, 1000, &wait);
	dhcp_pace_hold(&p, &v);
	ck_assert(p.held);
	ck_assert_int_eq(dhcp_pace_wait(&p, 1000), DHCP_PACE_PERIOD);
	dhcp_pace_drop(&p);
	ck_assert(!p.held);
	ck_assert_ptr_null(dhcp_pace_due(&p, 5000, &wait));
	ck_assert_int_eq(wait, 0);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("dhcp_guard");
	TCase *t = tcase_create("dhcp_guard");

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, answer_to_our_request_accepted);
	tcase_add_test(t, unsolicited_refused);
	tcase_add_test(t, forwarded_request_not_ours);
	tcase_add_test(t, wrong_xid_refused);
	tcase_add_test(t, other_chaddr_refused);
	tcase_add_test(t, no_server_id_refused);
	tcase_add_test(t, second_answer_refused);
	tcase_add_test(t, old_request_expires);
	tcase_add_test(t, requested_server_only);
	tcase_add_test(t, latest_transmission_names_server);
	tcase_add_test(t, renewal_goes_to_its_server);
	tcase_add_test(t, broadcast_request_bound_server);
	tcase_add_test(t, request_server_beats_bound_server);
	tcase_add_test(t, routed_reply_refused);
	tcase_add_test(t, unicast_addressing);
	tcase_add_test(t, relay_on_link_accepted);
	tcase_add_test(t, table_keeps_the_latest);
	tcase_add_test(t, verdict_names);
	tcase_add_test(t, pace_burst_then_period);
	tcase_add_test(t, pace_flood_bounded);
	tcase_add_test(t, pace_drop_forgets);
	suite_add_tcase(s, t);
	return s;
}
