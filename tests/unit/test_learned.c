/* Learned mode's table and decisions (learned.c). */
#include <stdio.h>
#include <string.h>

#include "learned.h"
#include "learned_sample.h"
#include "ports.h"
#include "unit.h"

#define mac	sample_mac
static struct dhcp_info table[2];
static int64_t saved[2];
static size_t n;
static struct dhcp_reply r;
static struct learned_result res;
static struct config cfg;

static void
setup(void)
{
	sample_ack(&r);
	memset(table, 0, sizeof(table));
	memset(saved, 0, sizeof(saved));
	n = 0;
	sample_cfg(&cfg);
}

static void
apply(int64_t now)
{
	learned_dhcp_apply(table, n, saved, "wan1", mac, &r, now, &res);
}

/* The result of an ACK taken into the table, as the daemon does. */
static void
apply_and_keep(int64_t now)
{
	apply(now);
	ck_assert_int_eq(res.change, LEARNED_CHANGED);
	table[res.index] = res.info;
	saved[res.index] = now;
	if (res.index == n)
		n++;
}

START_TEST(state_names_round_trip)
{
	enum learned_state s;

	for (int i = 0; i < LEARNED_NSTATE; i++) {
		ck_assert_ptr_nonnull(learned_state_name((enum learned_state)i));
		ck_assert(learned_state_parse(learned_state_name((enum learned_state)i),
		    &s));
		ck_assert_int_eq(s, i);
	}
	/* The file and JSON strings of before. */
	ck_assert_str_eq(learned_state_name(LEARNED_NO_OPT43), "no-option-43");
	ck_assert_str_eq(learned_state_name(LEARNED_NO_SUB128), "no-sub-option-128");
	ck_assert_str_eq(learned_state_name(LEARNED_INVALID), "invalid-value");
	ck_assert_str_eq(learned_state_name(LEARNED_LINK_DOWN), "link-down");
	ck_assert_ptr_null(learned_state_name(LEARNED_NSTATE));
	ck_assert(!learned_state_parse("Resolved", &s));
	ck_assert(!learned_state_parse("", &s));
}
END_TEST

START_TEST(value_parsed_once_bounded)
{
	char text[SF_TEXT_MAX + 8];
	struct proxy_addr a;
	const char *why;

	ck_assert(learned_value_parse("192.0.2.1:3128", &a, &why));
	ck_assert_uint_eq(a.ip, 0xc0000201u);
	ck_assert_uint_eq(a.port, 3128);
	ck_assert(!learned_value_parse("192.0.2.1", &a, &why));
	ck_assert_str_eq(why, "missing port");
	memset(text, '1', sizeof(text));
	text[sizeof(text) - 1] = '\0';
	ck_assert(!learned_value_parse(text, &a, &why));
	ck_assert_str_eq(why, "too long");
}
END_TEST

START_TEST(apply_offer_ignored)
{
	r.msg_type = DHCP_MSG_OFFER;
	apply(1000);
	ck_assert_int_eq(res.change, LEARNED_IGNORED);
	ck_assert(!res.persist && !res.publish);
}
END_TEST

START_TEST(apply_spoofed_rejected)
{
	r.chaddr[5] = 0x99;
	apply(1000);
	ck_assert_int_eq(res.change, LEARNED_REJECTED);
	ck_assert_str_eq(res.why, "chaddr is not this interface's hardware address");
	ck_assert(!res.persist && !res.publish);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(apply_first_ack_changes)
{
	apply(1000);
	ck_assert_int_eq(res.change, LEARNED_CHANGED);
	ck_assert_uint_eq(res.index, 0);	/* a new slot: n */
	ck_assert(res.persist && res.publish);
	ck_assert_int_eq(res.info.state, LEARNED_RESOLVED);
	ck_assert_str_eq(res.info.proxy[0], "198.51.100.10:3128");
	ck_assert_int_eq(res.info.lease_expiry, 1600);
	ck_assert_uint_eq(n, 0);		/* the table is the caller's */
}
END_TEST

START_TEST(apply_new_value_changes)
{
	apply_and_keep(1000);
	snprintf(r.proxy, sizeof(r.proxy), "198.51.100.11:3128");
	apply(1001);
	ck_assert_int_eq(res.change, LEARNED_CHANGED);
	ck_assert_uint_eq(res.index, 0);
	ck_assert(res.persist && res.publish);
	ck_assert_str_eq(res.info.proxy[0], "198.51.100.11:3128");
	ck_assert_str_eq(table[0].proxy[0], "198.51.100.10:3128");
	/* A NAK is a change too. */
	r.msg_type = DHCP_MSG_NAK;
	apply(1002);
	ck_assert_int_eq(res.change, LEARNED_CHANGED);
	ck_assert_int_eq(res.info.state, LEARNED_NAK);
	ck_assert_uint_eq(res.info.nproxy, 0);
}
END_TEST

START_TEST(apply_renewal_throttled)
{
	apply_and_keep(1000);
	/* The same word within LEARNED_SAVE_MIN: the lease end moves in
	 * the table, nothing is written or sent. */
	apply(1000 + LEARNED_SAVE_MIN - 1);
	ck_assert_int_eq(res.change, LEARNED_RENEWED);
	ck_assert(!res.persist && !res.publish);
	ck_assert_int_eq(table[0].lease_expiry, 1000 + LEARNED_SAVE_MIN - 1 + 600);
	/* Once LEARNED_SAVE_MIN has passed since the last write: both. */
	apply(1000 + LEARNED_SAVE_MIN);
	ck_assert_int_eq(res.change, LEARNED_RENEWED);
	ck_assert(res.persist && res.publish);
	ck_assert_int_eq(res.info.lease_expiry, 1000 + LEARNED_SAVE_MIN + 600);
	ck_assert_int_eq(table[0].lease_expiry, res.info.lease_expiry);
}
END_TEST

START_TEST(apply_other_interface_slot)
{
	apply_and_keep(1000);
	learned_dhcp_apply(table, n, saved, "wan2", mac, &r, 1000, &res);
	ck_assert_int_eq(res.change, LEARNED_CHANGED);
	ck_assert_uint_eq(res.index, 1);
	ck_assert_str_eq(res.info.ifname, "wan2");
}
END_TEST

START_TEST(link_down_clears_once)
{
	struct dhcp_info info;

	ck_assert(!learned_link(table, n, "wan1", false, false, &info));
	apply_and_keep(1000);
	ck_assert(!learned_link(table, n, "wan1", true, false, &info));
	ck_assert(learned_link(table, n, "wan1", false, false, &info));
	ck_assert_int_eq(info.state, LEARNED_LINK_DOWN);
	ck_assert_uint_eq(info.nproxy, 0);
	ck_assert_str_eq(info.ifname, "wan1");
	ck_assert(learned_link(table, n, "wan1", true, true, &info));
	table[0] = info;
	/* Already forgotten for that reason: nothing more to do. */
	ck_assert(!learned_link(table, n, "wan1", false, true, &info));
}
END_TEST

START_TEST(local_candidates_one_rule)
{
	struct learned_cand c[LEARNED_MAX_LOCAL];
	const uint32_t self_ip = 0xc0000205u;	/* 192.0.2.5 */
	size_t k, over;

	apply_and_keep(1000);
	table[0].nproxy = 4;
	snprintf(table[0].proxy[1], SF_TEXT_MAX, "192.0.2.1:0");
	snprintf(table[0].proxy[2], SF_TEXT_MAX, "192.0.2.5:%d", HAPROXY_HTTP_PORT);
	snprintf(table[0].proxy[3], SF_TEXT_MAX, "127.0.0.1:%d", HAPROXY_HTTPS_PORT);
	table[1] = table[0];
	snprintf(table[1].ifname, IFNAMSIZ, "wan2");	/* not eligible */
	n = 2;
	k = learned_local(table, n, &cfg, 1100, &self_ip, 1, c, LEARNED_MAX_LOCAL,
	    &over);
	ck_assert_uint_eq(k, 4);
	ck_assert_uint_eq(over, 0);
	ck_assert(c[0].valid);
	ck_assert_str_eq(c[0].reason, "");
	ck_assert_str_eq(c[0].ifname, "wan1");
	ck_assert_int_eq(c[0].expiry, 1600);
	ck_assert(!c[1].valid);
	ck_assert(!c[2].valid);
	ck_assert_str_eq(c[2].reason, PORTS_OWN_LISTENER_WHY);
	ck_assert(!c[3].valid);
	/* Another box's address on that port is a proxy like any other. */
	ck_assert_uint_eq(learned_local(table, 1, &cfg, 1100, NULL, 0, c, 4,
	    &over), 4);
	ck_assert(c[2].valid);
	/* Listed but not usable unless resolved. */
	table[0].state = LEARNED_INVALID;
	ck_assert_uint_eq(learned_local(table, 1, &cfg, 1100, NULL, 0, c, 4,
	    &over), 4);
	ck_assert(!c[0].valid);
	table[0].state = LEARNED_RESOLVED;
	/* A bounded list counts the rest; an ended lease lists nothing. */
	ck_assert_uint_eq(learned_local(table, 1, &cfg, 1100, NULL, 0, c, 1,
	    &over), 1);
	ck_assert_uint_eq(over, 3);
	ck_assert_uint_eq(learned_local(table, 1, &cfg, 1600, NULL, 0, c, 4,
	    &over), 0);
}
END_TEST

START_TEST(ifname_rule)
{
	ck_assert(learned_ifname_ok("wan-2.x_y", 9));
	ck_assert(!learned_ifname_ok("", 0));
	ck_assert(!learned_ifname_ok(".", 1));
	ck_assert(!learned_ifname_ok("..", 2));
	ck_assert(!learned_ifname_ok("wan 1", 5));
	ck_assert(!learned_ifname_ok("abcdefghijklmnop", 16));
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		state_names_round_trip, value_parsed_once_bounded,
		apply_offer_ignored, apply_spoofed_rejected,
		apply_first_ack_changes, apply_new_value_changes,
		apply_renewal_throttled, apply_other_interface_slot,
		link_down_clears_once, local_candidates_one_rule,
		ifname_rule, NULL,
	};

	return unit_suite_of("learned", setup, NULL, tests);
}
