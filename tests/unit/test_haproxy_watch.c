/* HAProxy supervision decisions: health verdicts, restart, backoff, and
 * which processes are ours. */
#include "unit.h"

#include "haproxy_watch.h"

static struct haproxy_watch
loaded_at(int64_t t)
{
	struct haproxy_watch w;

	haproxy_watch_init(&w);
	haproxy_watch_loaded(&w, t);
	return w;
}

/* n results of one kind, one interval apart: the action of the last. */
static enum hpw_action
results(struct haproxy_watch *w, int n, bool ok, int64_t *t)
{
	enum hpw_action a = HPW_NONE;

	for (int i = 0; i < n; i++)
		a = haproxy_watch_result(w, ok, *t += HPW_INTERVAL_MS);
	return a;
}

START_TEST(stopped_ignores_results)
{
	struct haproxy_watch w;

	haproxy_watch_init(&w);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(haproxy_watch_result(&w, false, 1000 + i), HPW_NONE);
	ck_assert_int_eq(w.state, HPW_STOPPED);
}
END_TEST

START_TEST(fail_open_after_misses_in_a_row)
{
	struct haproxy_watch w = loaded_at(1000);
	int64_t t = 1000;

	ck_assert_int_eq(w.state, HPW_ANSWERING);
	for (int i = 1; i < HPW_MISSES; i++)
		ck_assert_int_eq(haproxy_watch_result(&w, false, t += HPW_INTERVAL_MS), HPW_NONE);
	ck_assert_int_eq(haproxy_watch_result(&w, false, t += HPW_INTERVAL_MS), HPW_FAIL_OPEN);
	ck_assert_int_eq(w.state, HPW_NOT_ANSWERING);
	ck_assert_str_eq(haproxy_watch_state_name(w.state), "not-answering");
	/* Once only. */
	ck_assert_int_eq(haproxy_watch_result(&w, false, t += HPW_INTERVAL_MS), HPW_NONE);
}
END_TEST

START_TEST(an_answer_resets_the_count)
{
	struct haproxy_watch w = loaded_at(1);
	int64_t t = 1;

	for (int round = 0; round < 5; round++) {
		ck_assert_int_eq(results(&w, HPW_MISSES - 1, false, &t), HPW_NONE);
		ck_assert_int_eq(results(&w, 1, true, &t), HPW_NONE);
	}
	ck_assert_int_eq(w.state, HPW_ANSWERING);
}
END_TEST

START_TEST(restore_on_answer)
{
	struct haproxy_watch w = loaded_at(1);
	int64_t t = 1;

	results(&w, HPW_MISSES, false, &t);
	ck_assert_int_eq(results(&w, 1, true, &t), HPW_RESTORE);
	ck_assert_int_eq(w.state, HPW_ANSWERING);
	/* And it takes HPW_MISSES new misses to fail open again. */
	ck_assert_int_eq(results(&w, HPW_MISSES - 1, false, &t), HPW_NONE);
	ck_assert_int_eq(results(&w, 1, false, &t), HPW_FAIL_OPEN);
}
END_TEST

START_TEST(reload_while_not_answering_keeps_it_off)
{
	struct haproxy_watch w = loaded_at(1);
	int64_t t = 1;

	results(&w, HPW_MISSES, false, &t);
	haproxy_watch_loaded(&w, t += 100);
	ck_assert_int_eq(w.state, HPW_NOT_ANSWERING);
}
END_TEST

START_TEST(restart_when_hung_too_long)
{
	struct haproxy_watch w = loaded_at(1);
	int64_t t = 1, off;
	int restarts = 0;

	results(&w, HPW_MISSES, false, &t);
	off = t;
	while (t - off < 3 * HPW_RESTART_MS) {
		enum hpw_action a = haproxy_watch_result(&w, false, t += HPW_INTERVAL_MS);

		if (a == HPW_RESTART) {
			ck_assert_int_ge(t - off, HPW_RESTART_MS);
			restarts++;
		} else
			ck_assert_int_eq(a, HPW_NONE);
	}
	ck_assert_int_eq(restarts, 1);	/* the exit that follows ends the spell */
}
END_TEST

START_TEST(backoff_doubles_to_the_cap)
{
	struct haproxy_watch w;
	unsigned expect = HPW_BACKOFF_MIN_MS;
	int64_t t = 1;

	haproxy_watch_init(&w);
	for (int i = 0; i < 10; i++) {
		haproxy_watch_loaded(&w, t);
		ck_assert_uint_eq(haproxy_watch_exited(&w, t += 500), expect);
		ck_assert_int_eq(w.state, HPW_STOPPED);
		expect = expect * 2 > HPW_BACKOFF_MAX_MS ? HPW_BACKOFF_MAX_MS : expect * 2;
	}
	ck_assert_uint_eq(haproxy_watch_exited(&w, t += 500), HPW_BACKOFF_MAX_MS);
}
END_TEST

/* The 5th crash of a daemon's life used to cost 30 s forever after. */
START_TEST(backoff_resets_after_a_healthy_run)
{
	struct haproxy_watch w;
	int64_t t = 1;

	haproxy_watch_init(&w);
	for (int i = 0; i < 8; i++)
		haproxy_watch_exited(&w, t += 100);	/* a crash loop, never loaded */
	ck_assert_uint_eq(w.backoff_ms, HPW_BACKOFF_MAX_MS);
	haproxy_watch_loaded(&w, t += 100);
	ck_assert_uint_eq(haproxy_watch_exited(&w, t + HPW_HEALTHY_MS - 1),
	    HPW_BACKOFF_MAX_MS);	/* up, but not long enough */
	haproxy_watch_loaded(&w, t += HPW_BACKOFF_MAX_MS);
	ck_assert_uint_eq(haproxy_watch_exited(&w, t += HPW_HEALTHY_MS),
	    HPW_BACKOFF_MIN_MS);
	ck_assert_uint_eq(haproxy_watch_exited(&w, t += 10), 2 * HPW_BACKOFF_MIN_MS);
	/* The load time of a run is not carried into the next one. */
	ck_assert_uint_eq(haproxy_watch_exited(&w, t += HPW_HEALTHY_MS), 4 * HPW_BACKOFF_MIN_MS);
}
END_TEST

START_TEST(fresh_start_resets_backoff)
{
	struct haproxy_watch w;

	haproxy_watch_init(&w);
	for (int i = 0; i < 6; i++)
		haproxy_watch_exited(&w, 1 + i);
	haproxy_watch_reset_backoff(&w);
	ck_assert_uint_eq(haproxy_watch_exited(&w, 100), HPW_BACKOFF_MIN_MS);
}
END_TEST

#define CMD(s) s, sizeof(s) - 1

START_TEST(cmdline_ours)
{
	const char *cfg = "/run/mp/haproxy.cfg";

	ck_assert(haproxy_watch_cmdline_ours(CMD("/usr/sbin/haproxy\0-W\0-db\0-f\0"
	    "/run/mp/haproxy.cfg\0-p\0/run/mp/haproxy.pid\0"), cfg));
	/* After a reload the master re-executes itself with more arguments. */
	ck_assert(haproxy_watch_cmdline_ours(CMD("/usr/sbin/haproxy\0-W\0-db\0-f\0"
	    "/run/mp/haproxy.cfg\0-x\0/run/mp/haproxy.sock\0-sf\0123\0"), cfg));
}
END_TEST

START_TEST(cmdline_not_ours)
{
	const char *cfg = "/run/mp/haproxy.cfg";

	/* Another HAProxy: the Debian service, another run directory. */
	ck_assert(!haproxy_watch_cmdline_ours(CMD("/usr/sbin/haproxy\0-Ws\0-f\0"
	    "/etc/haproxy/haproxy.cfg\0-p\0/run/haproxy.pid\0"), cfg));
	ck_assert(!haproxy_watch_cmdline_ours(CMD("/usr/sbin/haproxy\0-f\0"
	    "/run/mp2/haproxy.cfg\0"), cfg));
	/* Our check of a new file, a prefix, the path elsewhere than after -f. */
	ck_assert(!haproxy_watch_cmdline_ours(CMD("/usr/sbin/haproxy\0-c\0-f\0"
	    "/run/mp/haproxy.cfg.new\0"), cfg));
	ck_assert(!haproxy_watch_cmdline_ours(CMD("haproxy\0-f\0/run/mp/haproxy.cf\0"), cfg));
	ck_assert(!haproxy_watch_cmdline_ours(CMD("haproxy\0-p\0/run/mp/haproxy.cfg\0"), cfg));
	ck_assert(!haproxy_watch_cmdline_ours(CMD("/run/mp/haproxy.cfg\0"), cfg));
	/* Cut short (no final NUL), empty. */
	ck_assert(!haproxy_watch_cmdline_ours(CMD("haproxy\0-f\0/run/mp/haproxy.cfg"), cfg));
	ck_assert(!haproxy_watch_cmdline_ours("", 0, cfg));
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		stopped_ignores_results,
		fail_open_after_misses_in_a_row,
		an_answer_resets_the_count, restore_on_answer,
		reload_while_not_answering_keeps_it_off,
		restart_when_hung_too_long, backoff_doubles_to_the_cap,
		backoff_resets_after_a_healthy_run,
		fresh_start_resets_backoff, cmdline_ours,
		cmdline_not_ours, NULL,
	};

	return unit_suite_of("haproxy_watch", NULL, NULL, tests);
}
