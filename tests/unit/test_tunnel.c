/* The CONNECT tally (tunnel.c): HAProxy log lines to events, counting. */
#include <string.h>

#include "tunnel.h"
#include "unit.h"

START_TEST(parse_lines)
{
	struct tunnel_event ev;

	ck_assert(tunnel_parse_line("mgmt-proxy-tunnel opened a.test:443 200", &ev));
	ck_assert(ev.opened);
	ck_assert_str_eq(ev.target, "a.test:443");
	ck_assert_str_eq(ev.why, "200");
	ck_assert(tunnel_parse_line("mgmt-proxy-tunnel refused 198.51.100.4:8443 407", &ev));
	ck_assert(!ev.opened);
	ck_assert_str_eq(ev.target, "198.51.100.4:8443");
	ck_assert_str_eq(ev.why, "407");
	ck_assert(tunnel_parse_line("mgmt-proxy-tunnel refused - no-destination", &ev));
	ck_assert_str_eq(ev.why, "no-destination");
	/* HAProxy's stderr copy, access lines, anything malformed: no event. */
	ck_assert(!tunnel_parse_line("[warning] 331/053047 (10329) : mgmt-proxy-tunnel opened a.test:443 200", &ev));
	ck_assert(!tunnel_parse_line("169.254.127.127:1 dst=x mgmt-proxy-tunnel opened a:1 200", &ev));
	ck_assert(!tunnel_parse_line("mgmt-proxy-tunnel opened a.test:443", &ev));
	ck_assert(!tunnel_parse_line("mgmt-proxy-tunnel opened a.test:443 200 extra", &ev));
	ck_assert(!tunnel_parse_line("mgmt-proxy-tunnel closed a.test:443 200", &ev));
	ck_assert(!tunnel_parse_line("mgmt-proxy-tunnel opened  200", &ev));
	ck_assert(!tunnel_parse_line("mgmt-proxy-tunnel refused a.test:443 "
	    "a-reason-far-longer-than-the-forty-bytes-kept", &ev));
	ck_assert(!tunnel_parse_line("", &ev));
}
END_TEST

START_TEST(count)
{
	struct tunnel_stats st;
	struct tunnel_event ev;

	memset(&st, 0, sizeof(st));
	ck_assert(tunnel_parse_line("mgmt-proxy-tunnel opened a.test:443 200", &ev));
	tunnel_stats_add(&st, &ev, 100);
	tunnel_stats_add(&st, &ev, 101);
	ck_assert_uint_eq(st.opened, 2);
	ck_assert_uint_eq(st.refused, 0);
	ck_assert_int_eq(st.last_refusal, 0);
	ck_assert(tunnel_parse_line("mgmt-proxy-tunnel refused b.test:443 403", &ev));
	tunnel_stats_add(&st, &ev, 200);
	ck_assert(tunnel_parse_line("mgmt-proxy-tunnel refused c.test:443 garbage", &ev));
	tunnel_stats_add(&st, &ev, 300);
	ck_assert_uint_eq(st.refused, 2);
	ck_assert_int_eq(st.last_refusal, 300);
	ck_assert_str_eq(st.last_why, "garbage");
	ck_assert_str_eq(st.last_target, "c.test:443");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		parse_lines, count, NULL,
	};

	return unit_suite_of("tunnel", NULL, NULL, tests);
}
