/* The owned tables as rendered (firewall_rules.c): only validated numbers,
 * dotted quads and interface names reach nftables, and the names the
 * daemon deletes and watches are the names the templates install. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall_rules.h"
#include "unit.h"

/* Whether a line of text starts with `word` (comments aside). */
static bool
has_command(const char *text, const char *word)
{
	for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, word, strlen(word)) == 0)
			return true;
	}
	return false;
}

START_TEST(intercept_has_only_validated_values)
{
	static struct config cfg;
	struct proxy_addr p = { 0xcb00710au, 3128 };
	const char *why = "";
	char *r;

	static const char *const want[] = {
		"iifname != { \"kni254\" } return",
		"ip daddr 203.0.113.10 return",
		"tcp dport { 80 } tproxy ip to 127.0.0.1:47080",
		"tcp dport { 443 } tproxy ip to 127.0.0.1:47443",
		"meta mark set 19792 accept",
		/* Replaced in one transaction, under the name the daemon
		 * removes. */
		"\ntable " FIREWALL_FAMILY " " FIREWALL_TABLE "\n"
		"delete table " FIREWALL_FAMILY " " FIREWALL_TABLE "\n"
		"table " FIREWALL_FAMILY " " FIREWALL_TABLE " {\n",
	};

	config_defaults(&cfg);
	r = firewall_rules_intercept(&cfg, &p, &why);
	ck_assert_msg(r != NULL, "%s", why);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(r, want[i]) != NULL, "no \"%s\" in:\n%s", want[i], r);
	unit_assert_lacks(r, "{{");
	free(r);
	/* An interface name the loader would refuse is refused here too. */
	snprintf(cfg.intercept_if[0], sizeof(cfg.intercept_if[0]), "kni\" accept #");
	ck_assert_ptr_null(firewall_rules_intercept(&cfg, &p, &why));
}
END_TEST

START_TEST(dhcp_lists_eligible_only)
{
	static struct config cfg;
	struct firewall_hw hw[3] = {
		{ true, { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x01 } },
		{ true, { 0x02, 0x00, 0x5e, 0x00, 0x53, 0x02 } },
		{ false, { 0 } },
	};
	const char *why = "";
	char *r;

	config_defaults(&cfg);
	ck_assert_uint_eq(firewall_rules_dhcp_count(&cfg), 0);
	/* No eligible interface: nothing to render (the table is removed). */
	ck_assert_ptr_null(firewall_rules_dhcp(&cfg, hw, &why));
	cfg.niface = 3;
	snprintf(cfg.iface[0].name, IFNAMSIZ, "wan1");
	cfg.iface[0].dhcp_v4 = cfg.iface[0].proxy_discovery = true;
	snprintf(cfg.iface[1].name, IFNAMSIZ, "wan2");
	cfg.iface[1].dhcp_v4 = true;
	snprintf(cfg.iface[2].name, IFNAMSIZ, "wan3");
	cfg.iface[2].dhcp_v4 = cfg.iface[2].proxy_discovery = true;
	ck_assert_uint_eq(firewall_rules_dhcp_count(&cfg), 2);
	r = firewall_rules_dhcp(&cfg, hw, &why);
	ck_assert_msg(r != NULL, "%s", why);
	ck_assert_ptr_nonnull(strstr(r, "add rule ip mgmt_proxy_dhcp prerouting "
	    "iifname { \"wan1\", \"wan3\" } udp sport 67 udp dport 68 jump dhcp_queue\n"));
	unit_assert_lacks(r, "wan2");
	unit_assert_lacks(r, "{{");
	/* A reload replaces the jump rule in place; removing the table would
	 * take the queue rule (added apart, through libnftnl) with it. */
	ck_assert(has_command(r, "add table " FIREWALL_DHCP_FAMILY " " FIREWALL_DHCP_TABLE "\n"));
	ck_assert(has_command(r, "flush chain ip mgmt_proxy_dhcp prerouting\n"));
	ck_assert(has_command(r, "add chain ip mgmt_proxy_dhcp " FIREWALL_DHCP_CHAIN "\n"));
	ck_assert_ptr_nonnull(strstr(r, "hook prerouting priority raw;"));
	ck_assert(!has_command(r, "delete"));
	unit_assert_lacks(r, "flush chain ip mgmt_proxy_dhcp dhcp_queue");
	/* Forwarded requests sent as an eligible interface are dropped (the
	 * MAC 02:00:5e:00:53:01 as one number); one whose MAC is unknown gets
	 * no rule, an ineligible one none either. */
	ck_assert_ptr_nonnull(strstr(r, "hook forward priority filter;"));
	ck_assert(has_command(r, "flush chain ip mgmt_proxy_dhcp forward\n"));
	ck_assert(has_command(r, "add rule ip mgmt_proxy_dhcp forward oifname \"wan1\" "
	    "udp sport 68 udp dport 67 @th,288,48 2200600335105 counter drop\n"));
	unit_assert_lacks(r, "oifname \"wan3\"");
	unit_assert_lacks(r, "2200600335106");
	free(r);
	r = firewall_rules_dhcp(&cfg, NULL, &why);
	ck_assert_msg(r != NULL, "%s", why);
	unit_assert_lacks(r, "oifname");
	free(r);
}
END_TEST

START_TEST(dhcp_refuses_a_bad_name)
{
	static struct config cfg;
	const char *why = "";

	config_defaults(&cfg);
	cfg.niface = 1;
	snprintf(cfg.iface[0].name, IFNAMSIZ, "wan1\" accept");
	cfg.iface[0].dhcp_v4 = cfg.iface[0].proxy_discovery = true;
	ck_assert_ptr_null(firewall_rules_dhcp(&cfg, NULL, &why));
	ck_assert_str_eq(why, "a value was refused by its validator");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		intercept_has_only_validated_values,
		dhcp_lists_eligible_only, dhcp_refuses_a_bad_name, NULL,
	};

	return unit_suite_of("firewall_rules", NULL, NULL, tests);
}
