/* The CONNECT tally (tunnel.c): HAProxy log lines to events, counting. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "tunnel.h"
#include "unit.h"
#include "unit_tmp.h"

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

START_TEST(stderr_echo)
{
	ck_assert(tunnel_line_is_echo("[warning] 331/053047 (10329) : mgmt-proxy-tunnel opened a.test:443 200"));
	ck_assert(tunnel_line_is_echo("[warning] 331/053047 (10329) : mgmt-proxy-tunnel refused a.test:443 407"));
	/* The line itself, HAProxy's other messages, access lines: kept. */
	ck_assert(!tunnel_line_is_echo("mgmt-proxy-tunnel opened a.test:443 200"));
	ck_assert(!tunnel_line_is_echo("[NOTICE]   (13801) : Loading success."));
	ck_assert(!tunnel_line_is_echo("[WARNING]  (13801) : Former worker (13812) exited with code 0 (Exit)"));
	ck_assert(!tunnel_line_is_echo("169.254.127.127:1 dst=x fe=ls_connect : mgmt-proxy-tunnel opened a:1 200"));
	ck_assert(!tunnel_line_is_echo("[warning] 331/053047 (10329) : "));
	ck_assert(!tunnel_line_is_echo(""));
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

/* A run directory whose longer file names do not fit the path buffer:
 * refused with ENAMETOOLONG, never written under a cut name. */
START_TEST(long_dir_refused)
{
	char dir[PATH_MAX], name[256], why[512] = "";
	struct dirent *de;
	DIR *d;
	int n = 0;

	/* 270 characters: "<dir>/no-inspect.lst" fits the 288-byte buffer,
	 * "<dir>/no-inspect-suffix.lst" does not. */
	memset(name, 'd', 270 - strlen(unit_tmpdir) - 1);
	name[270 - strlen(unit_tmpdir) - 1] = '\0';
	unit_tmp_path(dir, name);
	ck_assert_uint_eq(strlen(dir), 270);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(tunnel_write_files(dir, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, strerror(ENAMETOOLONG)) != NULL, "why: %s", why);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') {
			ck_assert_str_eq(de->d_name, "no-inspect.lst");
			n++;
		}
	closedir(d);
	ck_assert_int_eq(n, 1);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		parse_lines, stderr_echo, count, long_dir_refused, NULL,
	};

	return unit_suite_of("tunnel", unit_tmp_setup, unit_tmp_teardown, tests);
}
