/* Lease decisions (dhcp_lease.c) and the snooping ruleset (dhcp_snoop.c). */
#include <stdio.h>
#include <string.h>

#include "dhcp_lease.h"
#include "dhcp_snoop.h"
#include "unit.h"

static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static struct dhcp_info info;
static struct dhcp_reply r;

static void
setup(void)
{
	memset(&r, 0, sizeof(r));
	r.msg_type = DHCP_MSG_ACK;
	memcpy(r.chaddr, mac, 6);
	r.server_id = 0xc0000201u;
	r.lease_time = 600;
	r.has_vendor = true;
	r.has_proxy = true;
	snprintf(r.proxy, sizeof(r.proxy), "198.51.100.10:3128");
	dhcp_lease_clear(&info, "wan1", DHCP_STATE_PENDING);
}

START_TEST(ack_resolves)
{
	const char *why;

	ck_assert_int_eq(dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why),
	    DHCP_LEASE_UPDATED);
	ck_assert_str_eq(info.state, "resolved");
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
	ck_assert_str_eq(info.state, "pending");
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
	ck_assert_str_eq(info.state, "resolved");
}
END_TEST

START_TEST(nak_clears)
{
	const char *why;

	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	r.msg_type = DHCP_MSG_NAK;
	ck_assert_int_eq(dhcp_lease_apply(&info, "wan1", mac, &r, 1001, &why),
	    DHCP_LEASE_UPDATED);
	ck_assert_str_eq(info.state, "nak");
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
	ck_assert_str_eq(info.state, "no-option-43");
	ck_assert_uint_eq(info.nproxy, 0);
	r.has_vendor = true;
	dhcp_lease_apply(&info, "wan1", mac, &r, 1300, &why);
	ck_assert_str_eq(info.state, "no-sub-option-128");
}
END_TEST

START_TEST(invalid_value_kept_for_display)
{
	const char *why;

	snprintf(r.proxy, sizeof(r.proxy), "10.0.0.1:99999");
	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	ck_assert_str_eq(info.state, "invalid-value");
	ck_assert_uint_eq(info.nproxy, 1);
	r.proxy[0] = '\0';
	r.proxy_problem = "sub-option 128 not printable";
	dhcp_lease_apply(&info, "wan1", mac, &r, 1000, &why);
	ck_assert_str_eq(info.state, "invalid-value");
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
	ck_assert_str_eq(info.state, "expired");
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
	snprintf(b.state, sizeof(b.state), "nak");
	ck_assert(!dhcp_lease_same(&a, &b));
}
END_TEST

START_TEST(ruleset_lists_eligible_only)
{
	static struct config cfg;
	struct dhcp_snoop_hw hw[3] = {
		{ true, { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 } },
		{ true, { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x02 } },
		{ false, { 0 } },
	};
	char buf[2048];

	config_defaults(&cfg);
	ck_assert_int_eq(dhcp_snoop_ruleset(&cfg, hw, buf, sizeof(buf)), 0);
	cfg.niface = 3;
	snprintf(cfg.iface[0].name, IFNAMSIZ, "wan1");
	cfg.iface[0].dhcp_v4 = cfg.iface[0].proxy_discovery = true;
	snprintf(cfg.iface[1].name, IFNAMSIZ, "wan2");
	cfg.iface[1].dhcp_v4 = true;
	snprintf(cfg.iface[2].name, IFNAMSIZ, "wan3");
	cfg.iface[2].dhcp_v4 = cfg.iface[2].proxy_discovery = true;
	ck_assert_int_gt(dhcp_snoop_ruleset(&cfg, hw, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "iifname { \"wan1\", \"wan3\" } udp sport 67 "
	    "udp dport 68 jump dhcp_queue"));
	ck_assert_ptr_null(strstr(buf, "wan2"));
	/* A reload replaces the jump rule in place; deleting the table would
	 * take the queue rule (added by nftq, not here) with it. */
	ck_assert_ptr_nonnull(strstr(buf, "flush chain ip mgmt_proxy_dhcp prerouting\n"));
	ck_assert_ptr_nonnull(strstr(buf, "add chain ip mgmt_proxy_dhcp dhcp_queue\n"));
	ck_assert_ptr_nonnull(strstr(buf, "hook prerouting priority raw;"));
	ck_assert_ptr_null(strstr(buf, "delete"));
	ck_assert_ptr_null(strstr(buf, "flush chain ip mgmt_proxy_dhcp dhcp_queue"));
	ck_assert_int_eq(dhcp_snoop_ruleset(&cfg, hw, buf, 40), -1);
	/* Forwarded requests sent as an eligible interface are dropped; one
	 * whose MAC is unknown gets no rule, an ineligible one none either. */
	ck_assert_int_gt(dhcp_snoop_ruleset(&cfg, hw, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "hook forward priority filter;"));
	ck_assert_ptr_nonnull(strstr(buf, "flush chain ip mgmt_proxy_dhcp forward\n"));
	ck_assert_ptr_nonnull(strstr(buf, "add rule ip mgmt_proxy_dhcp forward oifname \"wan1\" "
	    "udp sport 68 udp dport 67 @th,288,48 0x02005e005301 counter drop\n"));
	ck_assert_ptr_null(strstr(buf, "oifname \"wan3\""));
	ck_assert_ptr_null(strstr(buf, "0x02005e005302"));
	ck_assert_int_gt(dhcp_snoop_ruleset(&cfg, NULL, buf, sizeof(buf)), 0);
	ck_assert_ptr_null(strstr(buf, "oifname"));
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
		ruleset_lists_eligible_only, NULL,
	};

	return unit_suite_of("dhcp_lease", setup, NULL, tests);
}
