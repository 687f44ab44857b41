/* Lease decisions (dhcp_lease.c). */
#include <stdio.h>
#include <string.h>

#include "dhcp_lease.h"
#include "learned_sample.h"
#include "unit.h"

#define mac	sample_mac

static struct dhcp_info info;
static struct dhcp_reply r;

static void
setup(void)
{
	sample_ack(&r);
	learned_clear(&info, "wan1", LEARNED_PENDING);
}

START_TEST(ack_resolves)
{
	const char *why;

	ck_assert_int_eq(dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why),
	    DHCP_LEASE_UPDATED);
	ck_assert_str_eq(learned_state_name(info.state), "resolved");
	ck_assert_uint_eq(info.nproxy, 1);
	ck_assert_str_eq(info.proxy[0], "198.51.100.10:3128");
	ck_assert_int_eq(info.lease_expiry, 1600);
	ck_assert_uint_eq(info.server, 0xc0000201u);
	ck_assert_str_eq(info.ifname, "wan1");
}
END_TEST

START_TEST(renewal_replaces_value)
{
	const char *why;

	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	snprintf(r.proxy, sizeof(r.proxy), "198.51.100.11:8080");
	dhcp_lease_apply(&info, "wan1", mac, &r, 1300, &why);
	ck_assert_uint_eq(info.nproxy, 1);
	ck_assert_str_eq(info.proxy[0], "198.51.100.11:8080");
	ck_assert_int_eq(info.lease_expiry, 1900);
}
END_TEST

START_TEST(offer_ignored)
{
	const char *why;

	r.msg_type = DHCP_MSG_OFFER;
	ck_assert_int_eq(dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why),
	    DHCP_LEASE_IGNORED);
	ck_assert_str_eq(learned_state_name(info.state), "pending");
}
END_TEST

START_TEST(wrong_chaddr_refused)
{
	const char *why = NULL;

	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	r.chaddr[5] = 0x99;
	snprintf(r.proxy, sizeof(r.proxy), "1.1.1.1:80");
	ck_assert_int_eq(dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why),
	    DHCP_LEASE_REJECTED);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(info.proxy[0], "198.51.100.10:3128");	/* unchanged */
	r.msg_type = DHCP_MSG_NAK;	/* a spoofed NAK clears nothing either */
	ck_assert_int_eq(dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why),
	    DHCP_LEASE_REJECTED);
	ck_assert_str_eq(learned_state_name(info.state), "resolved");
}
END_TEST

START_TEST(nak_clears)
{
	const char *why;

	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	r.msg_type = DHCP_MSG_NAK;
	ck_assert_int_eq(dhcp_lease_apply(&info, "wan1", mac, &r, 1001, &why),
	    DHCP_LEASE_UPDATED);
	ck_assert_str_eq(learned_state_name(info.state), "nak");
	ck_assert_uint_eq(info.nproxy, 0);
}
END_TEST

START_TEST(withdrawn_option_clears)
{
	const char *why;

	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	r.has_vendor = false;
	r.has_proxy = false;
	r.proxy[0] = '\0';
	dhcp_lease_apply(&info, "wan1", mac, &r, 1300, &why);
	ck_assert_str_eq(learned_state_name(info.state), "no-option-43");
	ck_assert_uint_eq(info.nproxy, 0);
	r.has_vendor = true;
	dhcp_lease_apply(&info, "wan1", mac, &r, 1300, &why);
	ck_assert_str_eq(learned_state_name(info.state), "no-sub-option-128");
}
END_TEST

START_TEST(invalid_value_kept_for_display)
{
	const char *why;

	snprintf(r.proxy, sizeof(r.proxy), "10.0.0.1:99999");
	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	ck_assert_str_eq(learned_state_name(info.state), "invalid-value");
	ck_assert_uint_eq(info.nproxy, 1);
	r.proxy[0] = '\0';
	r.proxy_problem = "sub-option 128 not printable";
	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	ck_assert_str_eq(learned_state_name(info.state), "invalid-value");
	ck_assert_uint_eq(info.nproxy, 0);
}
END_TEST

START_TEST(infinite_lease_has_no_expiry)
{
	const char *why;

	r.lease_time = 0xffffffffu;
	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	ck_assert_int_eq(info.lease_expiry, 0);
	ck_assert(!dhcp_lease_expire(&info, 1 << 30));
}
END_TEST

START_TEST(expiry)
{
	const char *why;

	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	ck_assert(!dhcp_lease_expire(&info, 1599));
	ck_assert(dhcp_lease_expire(&info, 1600));
	ck_assert_str_eq(learned_state_name(info.state), "expired");
	ck_assert_uint_eq(info.nproxy, 0);
	ck_assert(!dhcp_lease_expire(&info, 1700));
}
END_TEST

START_TEST(same_ignores_only_the_expiry)
{
	struct dhcp_info a, b;
	const char *why;

	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	a = info;
	dhcp_lease_apply(&info, "wan1", mac, &r, 1300, &why);
	b = info;
	ck_assert(a.lease_expiry != b.lease_expiry);
	ck_assert(dhcp_lease_same(&a, &b));
	snprintf(r.proxy, sizeof(r.proxy), "198.51.100.11:3128");
	dhcp_lease_apply(&info, "wan1", mac, &r, 1300, &why);
	ck_assert(!dhcp_lease_same(&a, &info));
	b = a;
	b.server = 0xc0000202u;
	ck_assert(!dhcp_lease_same(&a, &b));
	b = a;
	b.state = LEARNED_NAK;
	ck_assert(!dhcp_lease_same(&a, &b));
}
END_TEST

/* A 60 s lease seen at 1000 (file written then, recorded end 1060); the
 * client renews about every 30 s. */
START_TEST(restored_renewal_unseen_while_stopped)
{
	/* Stopped at 1020, the client renewed at 1030 (to 1090) unseen,
	 * started again at 1035: the lease must outlive its recorded end
	 * until the renewal could end, not beyond. */
	ck_assert_int_eq(dhcp_lease_restored_end(1060, 1000, 1035), 1095);
	/* Started after the recorded end: the renewal came before it. */
	ck_assert_int_eq(dhcp_lease_restored_end(1060, 1000, 1080), 1120);
	/* Started a lease length after the recorded end: it is over. */
	ck_assert_int_eq(dhcp_lease_restored_end(1060, 1000, 1200), 1120);
}
END_TEST

START_TEST(restored_without_lease_length)
{
	/* No expiry (infinite lease), no or a nonsense file time: the
	 * recorded end stands. */
	ck_assert_int_eq(dhcp_lease_restored_end(0, 1000, 1035), 0);
	ck_assert_int_eq(dhcp_lease_restored_end(1060, 0, 1035), 1060);
	ck_assert_int_eq(dhcp_lease_restored_end(1060, 1060, 1035), 1060);
	ck_assert_int_eq(dhcp_lease_restored_end(1060, 1100, 1035), 1060);
	ck_assert_int_eq(dhcp_lease_restored_end(INT64_MAX, 1000, 1035), INT64_MAX);
	/* The clock is behind the file: nothing is added. */
	ck_assert_int_eq(dhcp_lease_restored_end(1060, 1000, 900), 1060);
	/* Close to the end of time: no overflow. */
	ck_assert_int_eq(dhcp_lease_restored_end(INT64_MAX - 10, INT64_MAX - 70,
	    INT64_MAX - 20), INT64_MAX - 10);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		ack_resolves, renewal_replaces_value, offer_ignored,
		wrong_chaddr_refused, nak_clears,
		withdrawn_option_clears, invalid_value_kept_for_display,
		infinite_lease_has_no_expiry, expiry,
		same_ignores_only_the_expiry,
		restored_renewal_unseen_while_stopped,
		restored_without_lease_length, NULL,
	};

	return unit_suite_of("dhcp_lease", setup, NULL, tests);
}
