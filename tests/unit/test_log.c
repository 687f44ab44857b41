/* Logging: levels, the configuration's level under a command-line one,
 * HAProxy's access lines (with ours, own file, off), reopen by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"

static char dir[64], main_log[96], acc_log[96];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_log.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(main_log, sizeof(main_log), "%s/main.log", dir);
	snprintf(acc_log, sizeof(acc_log), "%s/access.log", dir);
	ck_assert_int_eq(log_open(main_log, false), 0);
}

static void
teardown(void)
{
	char moved[128];

	log_close();
	snprintf(moved, sizeof(moved), "%s.1", main_log);
	unlink(main_log);
	unlink(moved);
	unlink(acc_log);
	rmdir(dir);
}

/* The whole file, or "" when absent. */
static const char *
slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

START_TEST(levels_parse)
{
	ck_assert_int_eq(log_level_parse("error"), LOG_ERR);
	ck_assert_int_eq(log_level_parse("warning"), LOG_WARN);
	ck_assert_int_eq(log_level_parse("notice"), LOG_NOTICE);
	ck_assert_int_eq(log_level_parse("info"), LOG_INFO);
	ck_assert_int_eq(log_level_parse("debug"), LOG_DEBUG);
	ck_assert_int_eq(log_level_parse("warn"), -1);
	ck_assert_int_eq(log_level_parse(""), -1);
}
END_TEST

START_TEST(levels_filter)
{
	log_config_level(LOG_NOTICE);
	log_info("an info line");
	log_msg(LOG_NOTICE, "a notice line");
	log_config_level(-1);		/* default: info */
	log_info("info by default");
	log_debug("no debug by default");
	unit_assert_lacks(slurp(main_log), "an info line");
	unit_assert_has(slurp(main_log), " notice: a notice line");
	unit_assert_has(slurp(main_log), " info: info by default");
	unit_assert_lacks(slurp(main_log), "no debug");
}
END_TEST

START_TEST(access_lines)
{
	const char *notice = "[NOTICE]   (42) : Loading success.";
	const char *access = "169.254.127.127:40892 dst=198.51.100.80:80 fe=fe_http";

	log_haproxy_line(access);			/* default: with ours */
	unit_assert_has(slurp(main_log), "haproxy: 169.254.127.127");
	ck_assert_int_eq(log_access_configure(LOG_ACCESS_FILE, acc_log), 0);
	log_haproxy_line(notice);
	log_haproxy_line("10.0.0.1:1 own file");
	unit_assert_has(slurp(main_log), "haproxy: [NOTICE]");
	unit_assert_lacks(slurp(main_log), "own file");
	unit_assert_has(slurp(acc_log), "Z 10.0.0.1:1 own file\n");
	ck_assert_int_eq(log_access_configure(LOG_ACCESS_OFF, NULL), 0);
	log_haproxy_line("10.0.0.2:2 dropped");
	log_haproxy_line("[WARNING] kept");
	unit_assert_lacks(slurp(main_log), "dropped");
	unit_assert_lacks(slurp(acc_log), "dropped");
	unit_assert_has(slurp(main_log), "haproxy: [WARNING] kept");
}
END_TEST

START_TEST(reopen_after_move)
{
	char moved[128];

	snprintf(moved, sizeof(moved), "%s.1", main_log);
	log_info("before");
	ck_assert_int_eq(rename(main_log, moved), 0);
	log_reopen();
	log_info("after");
	unit_assert_has(slurp(main_log), "after");
	unit_assert_lacks(slurp(main_log), "before");
	unit_assert_lacks(slurp(moved), "after");
}
END_TEST

START_TEST(ratelimit_bucket)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 2);

	ck_assert(log_ratelimit_allow(&rl, 100));
	ck_assert(log_ratelimit_allow(&rl, 100));
	ck_assert(!log_ratelimit_allow(&rl, 101));
	ck_assert(!log_ratelimit_allow(&rl, 105));
	ck_assert_uint_eq(rl.suppressed, 2);
	ck_assert(log_ratelimit_allow(&rl, 111));	/* refilled */
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		levels_parse, levels_filter, access_lines,
		reopen_after_move, ratelimit_bucket, NULL,
	};

	return unit_suite_of("log", setup, teardown, tests);
}
