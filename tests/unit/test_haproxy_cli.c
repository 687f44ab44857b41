/* The runtime API's pipelined answers (haproxy_cli.c): one answer per
 * command, each ended by the interactive prompt, checked in order. Texts
 * as HAProxy 2.6 prints them. */
#include <string.h>

#include "event.h"
#include "haproxy_cli.h"
#include "unit.h"

static struct hacli_cmd load[] = {
	{ NULL, "New empty certificate store", false },
	{ NULL, "Transaction created", false },
	{ NULL, "Success", false },
	{ NULL, "", false },		/* del ssl crt-list: whatever it says */
};

START_TEST(test_all_answers_as_expected)
{
	char a[] = "\n> New empty certificate store '/s/a.pem'!\n"
	    "\n> + + + Transaction created for certificate /s/a.pem!\n"
	    "\n> Committing /s/a.pem\nSuccess!\n"
	    "\n> crt-list entry not found.\n\n> ";

	ck_assert(hacli_answers_ok(a, load, 4));
}
END_TEST

START_TEST(test_a_failure_is_the_reason)
{
	char a[] = "\n> Certificate '/s/a.pem' already exists!\n"
	    "\n> + + + Transaction created for certificate /s/a.pem!\n"
	    "\n> Committing /s/a.pem\nSuccess!\n\n> \n> ";

	ck_assert(!hacli_answers_ok(a, load, 4));
	ck_assert_str_eq(a, "Certificate '/s/a.pem' already exists!\n");
}
END_TEST

START_TEST(test_missing_answers_fail)
{
	/* Cut short (HAProxy went away, or the buffer filled up). */
	char a[] = "\n> New empty certificate store '/s/a.pem'!\n"
	    "\n> + + + Transaction created";
	char none[] = "";

	ck_assert(!hacli_answers_ok(a, load, 4));
	ck_assert(!hacli_answers_ok(none, load, 1));
	/* An answer whose text comes only in a later one does not count. */
	char late[] = "\n> \n> New empty certificate store\n> ";

	ck_assert(!hacli_answers_ok(late, load, 1));
}
END_TEST

START_TEST(test_unprompt_lines)
{
	/* "show info;show stat" in interactive mode: the CSV header must
	 * start its line once the prompts are gone. */
	char a[] = "\n> Name: HAProxy\nUptime_sec: 5\n\n> # pxname,svname,ereq\n"
	    "fe_http,FRONTEND,1\n\n> ";

	hacli_unprompt(a);
	ck_assert_str_eq(a, "\nName: HAProxy\nUptime_sec: 5\n\n# pxname,svname,ereq\n"
	    "fe_http,FRONTEND,1\n\n");
}
END_TEST

static void
test_never_done(bool ok, const char *answer, void *arg)
{
	ck_abort_msg("done called for a run that never started");
}

/* A command whose text could not be made: the run is refused before any
 * connection, and the texts that were made are freed (LeakSanitizer). */
START_TEST(test_a_missing_text_is_refused)
{
	static char buf[64];
	struct hacli cli = HACLI_INIT(buf);
	struct hacli_cmd cmd[2] = { 0 };

	ck_assert_int_eq(event_init(), 0);	/* as in the daemon: timers work */
	hacli_cmd(&cmd[0], "Success", "commit ssl cert %s\n", "/x.pem");
	ck_assert_str_eq(cmd[0].text, "commit ssl cert /x.pem\n");
	ck_assert_str_eq(cmd[0].expect, "Success");
	ck_assert_int_eq(hacli_run_on(&cli, "/nonexistent/haproxy.sock", cmd, 2,
	    test_never_done, NULL), -1);
	ck_assert(!cli.busy);
	event_fini();
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		test_all_answers_as_expected, test_unprompt_lines,
		test_a_failure_is_the_reason, test_missing_answers_fail,
		test_a_missing_text_is_refused, NULL,
	};

	return unit_suite_of("haproxy_cli", NULL, NULL, tests);
}
