/* Candidate gathering and selection (select.c). */
#include <stdio.h>
#include <string.h>

#include "select.h"
#include "unit.h"

static struct config cfg;
static struct onboarding onb;
static struct dhcp_info dhcp[3];
static struct peer_info peer;
static struct cand_set set;
static uint32_t local[2];		/* this box's addresses */
static size_t nlocal;

static void
setup(void)
{
	memset(&onb, 0, sizeof(onb));
	memset(dhcp, 0, sizeof(dhcp));
	memset(&peer, 0, sizeof(peer));
	nlocal = 0;
	config_defaults(&cfg);
	snprintf(cfg.router, sizeof(cfg.router), "router");
	snprintf(cfg.node, sizeof(cfg.node), "node1");
	cfg.niface = 3;
	snprintf(cfg.iface[0].name, IFNAMSIZ, "wan1");
	cfg.iface[0].dhcp_v4 = true;
	cfg.iface[0].proxy_discovery = true;
	snprintf(cfg.iface[1].name, IFNAMSIZ, "wan2");
	cfg.iface[1].dhcp_v4 = true;
	cfg.iface[1].proxy_discovery = false;	/* excluded by the operator */
	snprintf(cfg.iface[2].name, IFNAMSIZ, "lan1");
	cfg.iface[2].dhcp_v4 = false;		/* not DHCP at all */
}

static void
learn(int i, const char *ifname, const char *p1, const char *p2, int64_t expiry)
{
	snprintf(dhcp[i].ifname, IFNAMSIZ, "%s", ifname);
	dhcp[i].state = LEARNED_RESOLVED;
	dhcp[i].nproxy = 0;
	if (p1)
		snprintf(dhcp[i].proxy[dhcp[i].nproxy++], SF_TEXT_MAX, "%s", p1);
	if (p2)
		snprintf(dhcp[i].proxy[dhcp[i].nproxy++], SF_TEXT_MAX, "%s", p2);
	dhcp[i].lease_expiry = expiry;
}

static const struct candidate *
run(int64_t now, bool with_peer)
{
	struct sel_input in = { &cfg, &onb, dhcp, 3, with_peer ? &peer : NULL, now,
	    local, nlocal };

	select_gather(&in, &set);
	return select_pick(&set);
}

static void
set_static(const char *ip, uint16_t port)
{
	const char *why;

	cfg.has_mp = true;
	cfg.enabled = true;
	cfg.mode = MODE_STATIC;
	cfg.nproxy = 1;
	snprintf(cfg.proxy[0].name, CFG_NAME_MAX, "%s", ip);
	ck_assert(addr_parse_ipv4(ip, strlen(ip), &cfg.proxy[0].addr.ip, &why));
	cfg.proxy[0].addr.port = port;
}

/* Learned mode with wan1 having learned p1 (and p2): the pick at 100. */
static const struct candidate *
pick_learned(const char *p1, const char *p2)
{
	cfg.has_mp = true;
	cfg.mode = MODE_LEARNED;
	learn(0, "wan1", p1, p2, 0);
	return run(100, false);
}

START_TEST(numeric_not_lexical)
{
	const struct candidate *c;

	c = pick_learned("127.0.0.10:3128", "127.0.0.9:3128");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->text, "127.0.0.9:3128");
	ck_assert(c->selected);
	ck_assert(!set.c[0].selected);

	learn(0, "wan1", "10.0.0.0:80", "9.255.255.255:80", 0);
	c = run(100, false);
	ck_assert_str_eq(c->text, "9.255.255.255:80");
}
END_TEST

START_TEST(tie_broken_by_port)
{
	ck_assert_str_eq(pick_learned("192.0.2.1:8080", "192.0.2.1:3128")->text,
	    "192.0.2.1:3128");
}
END_TEST

START_TEST(invalid_discarded_with_reason)
{
	const struct candidate *c;

	c = pick_learned("1.1.1.1:0", "192.168.10.11:3128");
	ck_assert_str_eq(c->text, "192.168.10.11:3128");
	ck_assert_uint_eq(set.n, 2);
	ck_assert(!set.c[0].valid);
	ck_assert_str_eq(set.c[0].reason, "port out of range 1-65535");
	ck_assert_str_eq(set.c[0].source, "dhcp:wan1");

	learn(0, "wan1", "0.0.0.0:80", "224.1.1.1:80", 0);
	ck_assert_ptr_null(run(100, false));
	ck_assert_uint_eq(set.n, 2);
}
END_TEST

START_TEST(control_characters_not_echoed)
{
	ck_assert_ptr_null(pick_learned("1.2.3.4:80\x1b[2J", NULL));
	ck_assert_str_eq(set.c[0].text, "1.2.3.4:80?[2J");
}
END_TEST

START_TEST(eligibility_filters_interfaces)
{
	const struct candidate *c;

	cfg.has_mp = true;
	cfg.mode = MODE_LEARNED;
	learn(0, "wan1", "192.0.2.20:3128", NULL, 0);
	learn(1, "wan2", "192.0.2.10:3128", NULL, 0);	/* discovery off */
	learn(2, "lan1", "192.0.2.5:3128", NULL, 0);	/* not DHCP */
	c = run(100, false);
	ck_assert_uint_eq(set.n, 1);
	ck_assert_str_eq(c->text, "192.0.2.20:3128");
}
END_TEST

START_TEST(two_interfaces_lowest_wins)
{
	const struct candidate *c;

	cfg.has_mp = true;
	cfg.mode = MODE_LEARNED;
	cfg.iface[1].proxy_discovery = true;
	learn(0, "wan1", "198.51.100.20:3128", NULL, 0);
	learn(1, "wan2", "198.51.100.10:3128", NULL, 0);
	c = run(100, false);
	ck_assert_str_eq(c->source, "dhcp:wan2");
}
END_TEST

START_TEST(expired_lease_ignored)
{
	const struct candidate *c;

	cfg.has_mp = true;
	cfg.mode = MODE_LEARNED;
	learn(0, "wan1", "192.0.2.10:3128", NULL, 200);
	c = run(100, false);
	ck_assert_ptr_nonnull(c);
	{
		struct sel_input in = { &cfg, &onb, dhcp, 3, NULL, 100, local, nlocal };

		ck_assert_int_eq(select_next_expiry(&in, &set), 200);
	}
	ck_assert_ptr_null(run(200, false));
	ck_assert_uint_eq(set.n, 0);
}
END_TEST

/* A lease that taught no proxy still ends (its state becomes "expired"):
 * the wake-up counts every lease, not only the candidates'. */
START_TEST(wake_up_at_first_lease_end)
{
	struct sel_input in = { &cfg, &onb, dhcp, 3, NULL, 100, local, nlocal };

	cfg.has_mp = true;
	cfg.mode = MODE_LEARNED;
	learn(0, "wan1", "192.0.2.10:3128", NULL, 300);
	learn(1, "wan2", NULL, NULL, 250);		/* not eligible, no proxy */
	dhcp[1].state = LEARNED_NO_OPT43;
	run(100, false);
	ck_assert_int_eq(select_next_expiry(&in, &set), 250);
	/* Ended leases and the candidates' past expiries do not count. */
	in.now = 260;
	ck_assert_int_eq(select_next_expiry(&in, &set), 300);
	in.now = 300;
	ck_assert_int_eq(select_next_expiry(&in, &set), 0);
	/* The peer's candidates count too. */
	peer.ncand = 1;
	snprintf(peer.cand[0].proxy, SF_TEXT_MAX, "192.0.2.20:3128");
	peer.cand[0].lease_expiry = 280;
	run(100, true);
	in.now = 100;
	ck_assert_int_eq(select_next_expiry(&in, &set), 250);
	in.now = 260;
	ck_assert_int_eq(select_next_expiry(&in, &set), 280);
}
END_TEST

START_TEST(peer_candidates_in_learned_mode)
{
	const struct candidate *c;

	cfg.has_mp = true;
	cfg.mode = MODE_LEARNED;
	snprintf(peer.node, sizeof(peer.node), "node2");
	peer.ncand = 2;
	snprintf(peer.cand[0].proxy, SF_TEXT_MAX, "192.0.2.5:3128");
	peer.cand[0].lease_expiry = 500;
	snprintf(peer.cand[1].proxy, SF_TEXT_MAX, "192.0.2.1:3128");
	peer.cand[1].lease_expiry = 50;		/* dead lease: never kept alive */
	learn(0, "wan1", "192.0.2.9:3128", NULL, 0);
	c = run(100, true);
	ck_assert_str_eq(c->text, "192.0.2.5:3128");
	ck_assert_str_eq(c->source, "peer:node2");
	ck_assert_uint_eq(set.n, 2);
}
END_TEST

START_TEST(static_mode_ignores_learned)
{
	const struct candidate *c;

	set_static("203.0.113.7", 8080);
	learn(0, "wan1", "1.1.1.1:80", NULL, 0);
	snprintf(onb.proxy, sizeof(onb.proxy), "1.1.1.2:80");
	onb.has_proxy = true;
	c = run(100, true);
	ck_assert_uint_eq(set.n, 1);
	ck_assert_str_eq(c->text, "203.0.113.7:8080");
	ck_assert_str_eq(c->source, "static");
}
END_TEST

START_TEST(learned_mode_ignores_static)
{
	set_static("203.0.113.7", 8080);
	cfg.mode = MODE_LEARNED;
	ck_assert_ptr_null(run(100, false));
	ck_assert_uint_eq(set.n, 0);
}
END_TEST

START_TEST(onboarding_only_without_mp_element)
{
	const struct candidate *c;

	onb.has_proxy = true;
	snprintf(onb.proxy, sizeof(onb.proxy), "192.0.2.10:3128");
	ck_assert_int_eq(select_effective_mode(&cfg, &onb), MODE_STATIC);
	c = run(100, false);
	ck_assert_str_eq(c->source, "onboarding");

	/* Once the configuration has a management-proxy element, it wins,
	 * even when that element says disabled. */
	cfg.has_mp = true;
	cfg.mode = MODE_DISABLED;
	ck_assert_int_eq(select_effective_mode(&cfg, &onb), MODE_DISABLED);
	ck_assert_ptr_null(run(100, false));
	set_static("203.0.113.9", 3128);
	c = run(100, false);
	ck_assert_str_eq(c->source, "static");
}
END_TEST

START_TEST(disabled_flag_wins_over_mode)
{
	set_static("203.0.113.9", 3128);
	cfg.enabled = false;
	ck_assert_int_eq(select_effective_mode(&cfg, &onb), MODE_DISABLED);
	ck_assert_ptr_null(run(100, false));
}
END_TEST

START_TEST(nothing_configured_is_disabled)
{
	ck_assert_int_eq(select_effective_mode(&cfg, &onb), MODE_DISABLED);
	ck_assert_ptr_null(run(100, false));
}
END_TEST

/* HAProxy's own listeners as the proxy: HAProxy would forward to itself
 * until maxconn while the probe (a plain TCP connect) says reachable. */
#define LOOP_REASON "a listener of this box's own forwarder (HAProxy would forward to itself)"

static const struct candidate *
find(const char *text)
{
	for (size_t i = 0; i < set.n; i++)
		if (strcmp(set.c[i].text, text) == 0)
			return &set.c[i];
	ck_abort_msg("candidate %s not listed", text);
	return NULL;
}

START_TEST(own_listener_refused_static)
{
	set_static("127.0.0.1", 47080);
	ck_assert_ptr_null(run(100, false));
	ck_assert_uint_eq(set.n, 1);
	ck_assert(!set.c[0].valid);
	ck_assert_str_eq(set.c[0].reason, LOOP_REASON);
	/* Any loopback address reaches a listener bound to 127/8 or any. */
	set_static("127.3.2.1", 47443);
	ck_assert_ptr_null(run(100, false));
	/* A proxy running on the box itself stays legal. */
	set_static("127.0.0.1", 3128);
	ck_assert_ptr_nonnull(run(100, false));
	ck_assert_str_eq(set.c[0].reason, "");
}
END_TEST

START_TEST(own_listener_refused_onboarding)
{
	onb.has_proxy = true;
	snprintf(onb.proxy, sizeof(onb.proxy), "127.0.0.1:47443");
	ck_assert_ptr_null(run(100, false));
	ck_assert_str_eq(set.c[0].source, "onboarding");
	ck_assert_str_eq(set.c[0].reason, LOOP_REASON);
}
END_TEST

START_TEST(own_listener_refused_learned)
{
	const struct candidate *c;
	const char *why;

	cfg.has_mp = true;
	cfg.mode = MODE_LEARNED;
	ck_assert(addr_parse_ipv4("203.0.113.5", 11, &local[0], &why));
	nlocal = 1;
	/* Numerically lowest, yet never selected. */
	learn(0, "wan1", "127.0.0.1:47080", "203.0.113.5:47443", 0);
	snprintf(peer.node, sizeof(peer.node), "node2");
	peer.ncand = 3;
	snprintf(peer.cand[0].proxy, SF_TEXT_MAX, "127.0.0.2:47080");
	snprintf(peer.cand[1].proxy, SF_TEXT_MAX, "203.0.113.5:3128");
	/* The same port on another host is an ordinary proxy. */
	snprintf(peer.cand[2].proxy, SF_TEXT_MAX, "203.0.113.6:47080");
	c = run(100, true);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->text, "203.0.113.5:3128");
	ck_assert_str_eq(find("127.0.0.1:47080")->reason, LOOP_REASON);
	ck_assert_str_eq(find("203.0.113.5:47443")->reason, LOOP_REASON);
	ck_assert_str_eq(find("127.0.0.2:47080")->reason, LOOP_REASON);
	ck_assert(find("203.0.113.6:47080")->valid);
	ck_assert(!find("203.0.113.5:47443")->selected);
	/* Without that local address, its listener port is someone else's. */
	nlocal = 0;
	c = run(100, true);
	ck_assert_str_eq(c->text, "203.0.113.5:3128");
	ck_assert(find("203.0.113.5:47443")->valid);
}
END_TEST

START_TEST(set_is_bounded)
{
	struct cand_set s = { .n = 0 };

	for (int i = 0; i < SEL_MAX_CAND + 5; i++)
		select_add(&s, SEL_DHCP, "dhcp:wan1", "192.0.2.1:80", 0);
	ck_assert_uint_eq(s.n, SEL_MAX_CAND);
	ck_assert_uint_eq(s.dropped, 5);
}
END_TEST

/* A hostile candidate never becomes a proxy address, so it can never be
 * rendered: the only path into the templates is a struct proxy_addr. */
START_TEST(injection_candidates_are_never_valid)
{
	static const char *evil[] = {
		"203.0.113.10:3128\n  server evil 1.2.3.4:80",
		"203.0.113.10:3128 #",
		"203.0.113.10:3128;flush ruleset",
		"203.0.113.10 :3128",
		"203.0.113.10:3128\r\n",
		"203.0.113.10:3128}\n",
		"203.0.113.10:3128\"",
	};
	struct cand_set hostile = { .n = 0 };

	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		struct candidate *c = select_add(&hostile, SEL_DHCP, "dhcp:wan1", evil[i], 0);

		ck_assert_ptr_nonnull(c);
		ck_assert_msg(!c->valid, "accepted: %s", evil[i]);
		ck_assert(strchr(c->text, '\n') == NULL);
	}
	ck_assert_ptr_null(select_pick(&hostile));
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		numeric_not_lexical, tie_broken_by_port,
		invalid_discarded_with_reason,
		control_characters_not_echoed,
		eligibility_filters_interfaces,
		two_interfaces_lowest_wins, expired_lease_ignored,
		peer_candidates_in_learned_mode,
		static_mode_ignores_learned,
		learned_mode_ignores_static,
		onboarding_only_without_mp_element,
		disabled_flag_wins_over_mode,
		nothing_configured_is_disabled,
		own_listener_refused_static,
		own_listener_refused_onboarding,
		own_listener_refused_learned, set_is_bounded,
		wake_up_at_first_lease_end,
		injection_candidates_are_never_valid, NULL,
	};

	return unit_suite_of("select", setup, NULL, tests);
}
