/* HAProxy's life-cycle machine on a simulated clock (haproxy_fsm.c),
 * through the paths the integration tests found bugs in. */
#include "haproxy_fsm.h"
#include "unit.h"

static struct haproxy_fsm f;
static struct hfsm_actions act;
static int64_t now;

static void
setup(void)
{
	haproxy_fsm_init(&f);
	now = 1000;
}

#define HAS(fl)	((act.flags & (fl)) != 0)

static void
ev(enum hfsm_event type)
{
	struct hfsm_ev e = { .type = type, .gen = f.gen };

	haproxy_fsm_step(&f, &e, now, &act);
}

static void
apply(bool force)
{
	struct hfsm_ev e = { .type = HFSM_EV_APPLY, .force = force };

	haproxy_fsm_step(&f, &e, now, &act);
}

static void
health(bool ok)
{
	struct hfsm_ev e = { .type = HFSM_EV_HEALTH, .ok = ok };

	now += HPW_INTERVAL_MS;
	haproxy_fsm_step(&f, &e, now, &act);
}

/* Apply, check, start, load, the reload gap over: a running HAProxy
 * that answers and may be reloaded. */
static void
running(void)
{
	apply(false);
	ev(HFSM_EV_CHECKED);
	ev(HFSM_EV_LOADED);
	ck_assert_int_eq(f.state, HFSM_RUNNING);
	ev(HFSM_EV_GAP_OVER);
}

START_TEST(first_start_checks_then_starts)
{
	apply(false);
	ck_assert_int_eq(f.state, HFSM_CHECKING);
	ck_assert(HAS(HFSM_ACT_CHECK));
	ck_assert(!act.may_skip);		/* nothing runs it yet */
	ck_assert_int_eq(act.t.from, HFSM_STOPPED);
	ck_assert_int_eq(act.t.to, HFSM_CHECKING);
	ck_assert_str_eq(act.t.cause, "new configuration");
	ck_assert(!haproxy_fsm_master(&f));
	ev(HFSM_EV_CHECKED);
	ck_assert_int_eq(f.state, HFSM_STARTING);
	ck_assert(HAS(HFSM_ACT_START));
	ck_assert(haproxy_fsm_master(&f));
	ck_assert(!haproxy_fsm_loaded(&f));	/* no listeners before the report */
	ev(HFSM_EV_LOADED);
	ck_assert_int_eq(f.state, HFSM_RUNNING);
	ck_assert(HAS(HFSM_ACT_LOADED) && HAS(HFSM_ACT_READY) && HAS(HFSM_ACT_SETTLE_STOP));
	ck_assert(!HAS(HFSM_ACT_COUNT_RELOAD));	/* a start is no reload */
	ck_assert_int_eq(act.t.health_from, HPW_STOPPED);
	ck_assert_int_eq(act.t.health_to, HPW_ANSWERING);
	ck_assert(haproxy_fsm_loaded(&f));
}
END_TEST

/* Seen: two reloads 90 ms apart left the first configuration in force. */
START_TEST(second_apply_while_loading_waits_for_the_report)
{
	running();
	apply(false);
	ck_assert_int_eq(f.state, HFSM_RECHECKING);
	ck_assert(act.may_skip);
	ev(HFSM_EV_CHECKED);
	ck_assert_int_eq(f.state, HFSM_RELOADING);
	ck_assert(HAS(HFSM_ACT_RELOAD));
	apply(false);				/* while the first one loads */
	ck_assert_uint_eq(act.flags, 0);	/* no SIGUSR2 now */
	ck_assert(f.pending);
	ev(HFSM_EV_LOADED);
	ck_assert(HAS(HFSM_ACT_COUNT_RELOAD) && HAS(HFSM_ACT_READY));
	ck_assert(HAS(HFSM_ACT_GAP_ARM) && !HAS(HFSM_ACT_CHECK));
	ev(HFSM_EV_GAP_OVER);
	ck_assert(HAS(HFSM_ACT_CHECK));	/* the waiting one, after the gap */
	ck_assert_int_eq(f.state, HFSM_RECHECKING);
	ck_assert(!f.pending);
	ev(HFSM_EV_CHECKED);
	ck_assert(HAS(HFSM_ACT_RELOAD));
	ev(HFSM_EV_LOADED);
	ck_assert_int_eq(f.state, HFSM_RUNNING);
	ck_assert(!HAS(HFSM_ACT_CHECK));
}
END_TEST

/* Seen on HAProxy 2.6.12: reloads ~1 s apart crashed the replaced worker
 * on its way out and left the next one without the listening sockets. */
START_TEST(reload_waits_the_gap_after_a_load)
{
	apply(false);
	ev(HFSM_EV_CHECKED);
	ev(HFSM_EV_LOADED);
	ck_assert(HAS(HFSM_ACT_GAP_ARM) && f.gap);
	apply(false);				/* within the gap */
	ck_assert_uint_eq(act.flags, 0);
	ck_assert(f.pending);
	ck_assert_int_eq(f.state, HFSM_RUNNING);
	ev(HFSM_EV_GAP_OVER);
	ck_assert_int_eq(f.state, HFSM_RECHECKING);
	ck_assert(HAS(HFSM_ACT_CHECK) && !f.pending && !f.gap);
	ev(HFSM_EV_CHECKED);
	ev(HFSM_EV_LOADED);			/* a gap after a reload too */
	ck_assert(HAS(HFSM_ACT_GAP_ARM) && f.gap);
	ev(HFSM_EV_STOP);			/* a stop ends the gap */
	ck_assert(HAS(HFSM_ACT_GAP_STOP) && !f.gap);
	ev(HFSM_EV_GAP_OVER);
	ck_assert_uint_eq(act.flags, 0);
	ck_assert_int_eq(f.state, HFSM_STOPPING);
}
END_TEST

START_TEST(apply_during_check_and_start_waits)
{
	apply(false);
	apply(false);				/* during the first check */
	ck_assert(!HAS(HFSM_ACT_CHECK));
	ev(HFSM_EV_CHECKED);
	ck_assert(HAS(HFSM_ACT_START));
	ck_assert(!HAS(HFSM_ACT_CHECK));	/* a starting master is not signalled */
	ev(HFSM_EV_SETTLE_DUE);			/* it never reported */
	ck_assert_int_eq(f.state, HFSM_RECHECKING);
	ck_assert(HAS(HFSM_ACT_CHECK));
	ck_assert(!HAS(HFSM_ACT_READY));
}
END_TEST

START_TEST(unchanged_rendering_needs_no_reload)
{
	running();
	apply(false);
	ck_assert(act.may_skip);
	ev(HFSM_EV_SAME);
	ck_assert_int_eq(f.state, HFSM_RUNNING);
	ck_assert_uint_eq(act.flags, 0);
}
END_TEST

/* Only the proxy changed: taken at run time, no reload and no gap; an
 * apply that came meanwhile is checked at once. */
START_TEST(proxy_change_at_run_time_needs_no_reload)
{
	running();
	apply(false);
	ck_assert(act.may_skip);
	apply(false);				/* during the change */
	ck_assert(!HAS(HFSM_ACT_CHECK));
	ev(HFSM_EV_SWITCHED);
	ck_assert(HAS(HFSM_ACT_COUNT_SWITCH));
	ck_assert(!HAS(HFSM_ACT_RELOAD) && !HAS(HFSM_ACT_GAP_ARM));
	ck_assert(HAS(HFSM_ACT_CHECK));		/* the pending apply */
	ck_assert_int_eq(f.state, HFSM_RECHECKING);
	ev(HFSM_EV_SWITCHED);
	ck_assert_int_eq(f.state, HFSM_RUNNING);
	ck_assert_uint_eq(act.flags, HFSM_ACT_COUNT_SWITCH);
	ck_assert(haproxy_fsm_loaded(&f));
}
END_TEST

/* The runtime API refused it: the shell reports it checked (the map file
 * names the new proxy), and a reload reads it. */
START_TEST(proxy_change_refused_at_run_time_reloads)
{
	running();
	apply(false);
	ev(HFSM_EV_CHECKED);
	ck_assert(HAS(HFSM_ACT_RELOAD));
	ck_assert_int_eq(f.state, HFSM_RELOADING);
}
END_TEST

/* The master died while its worker took the proxy: started with the same
 * files, as after any check. */
START_TEST(proxy_change_when_the_master_died_starts_it)
{
	running();
	apply(false);
	ev(HFSM_EV_EXITED);
	ck_assert_int_eq(f.state, HFSM_CHECKING);
	ev(HFSM_EV_SWITCHED);
	ck_assert_int_eq(f.state, HFSM_STARTING);
	ck_assert(HAS(HFSM_ACT_START) && !HAS(HFSM_ACT_COUNT_SWITCH));
}
END_TEST

/* Leaves of another CA are new files under the same names. */
START_TEST(ca_change_forces_a_reload)
{
	running();
	apply(true);
	ck_assert(HAS(HFSM_ACT_CHECK));
	ck_assert(!act.may_skip);
	ev(HFSM_EV_CHECKED);
	ck_assert(HAS(HFSM_ACT_RELOAD));
	ev(HFSM_EV_LOADED);
	ev(HFSM_EV_GAP_OVER);
	apply(false);				/* used up by that reload */
	ck_assert(act.may_skip);
}
END_TEST

START_TEST(force_waits_with_the_pending_apply)
{
	running();
	apply(false);
	apply(true);				/* during the check */
	ev(HFSM_EV_SAME);
	ck_assert(HAS(HFSM_ACT_CHECK));
	ck_assert(!act.may_skip);
}
END_TEST

/* A forced check refused (a corrupted leaf under the same name): the
 * files are still not loaded, so the next check, of an apply that waited
 * or a later one, must not skip either (nor take only the proxy), until a
 * load reads them. */
START_TEST(refused_forced_check_stays_forced_until_loaded)
{
	running();
	apply(true);
	apply(false);				/* the proxy changes meanwhile */
	ev(HFSM_EV_REFUSED);
	ck_assert(HAS(HFSM_ACT_CHECK));
	ck_assert(!act.may_skip);
	ev(HFSM_EV_REFUSED);
	ck_assert(HAS(HFSM_ACT_FAILED));
	apply(false);
	ck_assert(!act.may_skip);
	ev(HFSM_EV_CHECKED);
	ev(HFSM_EV_LOAD_FAILED);		/* still not loaded */
	ev(HFSM_EV_GAP_OVER);
	apply(false);
	ck_assert(!act.may_skip);
	ev(HFSM_EV_CHECKED);
	ev(HFSM_EV_LOADED);
	ev(HFSM_EV_GAP_OVER);
	apply(false);
	ck_assert(act.may_skip);
}
END_TEST

START_TEST(refused_reload_keeps_the_last_good_one)
{
	running();
	apply(false);
	ev(HFSM_EV_REFUSED);
	ck_assert_int_eq(f.state, HFSM_RUNNING);
	ck_assert(HAS(HFSM_ACT_FAILED));
	ck_assert(!HAS(HFSM_ACT_RELOAD) && !HAS(HFSM_ACT_TERM));
	ck_assert(haproxy_fsm_loaded(&f));
}
END_TEST

START_TEST(refused_first_start_starts_nothing)
{
	apply(false);
	ev(HFSM_EV_REFUSED);
	ck_assert_int_eq(f.state, HFSM_STOPPED);
	ck_assert(HAS(HFSM_ACT_FAILED));
	ck_assert(!HAS(HFSM_ACT_START));
}
END_TEST

/* A refusal overtaken by a newer apply is not reported: that one is
 * checked first. */
START_TEST(refused_with_a_newer_apply_checks_that)
{
	running();
	apply(false);
	apply(false);
	ev(HFSM_EV_REFUSED);
	ck_assert(!HAS(HFSM_ACT_FAILED));
	ck_assert(HAS(HFSM_ACT_CHECK));
	ck_assert_int_eq(f.state, HFSM_RECHECKING);
}
END_TEST

START_TEST(failed_reload_is_reported_and_counted)
{
	running();
	apply(false);
	ev(HFSM_EV_CHECKED);
	ev(HFSM_EV_LOAD_FAILED);
	ck_assert_int_eq(f.state, HFSM_RUNNING);
	ck_assert(HAS(HFSM_ACT_FAILED) && HAS(HFSM_ACT_COUNT_REFUSAL));
	ck_assert(!HAS(HFSM_ACT_READY));
}
END_TEST

START_TEST(death_backs_off_doubling_to_the_cap)
{
	unsigned expect = HPW_BACKOFF_MIN_MS;

	running();
	for (int i = 0; i < 8; i++) {	/* a crash loop: never loads again */
		ev(HFSM_EV_EXITED);
		ck_assert_int_eq(f.state, HFSM_BACKOFF);
		ck_assert(HAS(HFSM_ACT_RESTART_ARM) && HAS(HFSM_ACT_KILL_ALL));
		ck_assert(HAS(HFSM_ACT_HEALTH_STOP));
		ck_assert_uint_eq(act.delay_ms, expect);
		ck_assert(!haproxy_fsm_master(&f));
		expect = expect * 2 > HPW_BACKOFF_MAX_MS ? HPW_BACKOFF_MAX_MS : expect * 2;
		now += act.delay_ms;
		ev(HFSM_EV_RESTART_DUE);
		ck_assert_int_eq(f.state, HFSM_STARTING);
		ck_assert(HAS(HFSM_ACT_START));
		now += 500;
	}
	ck_assert_uint_eq(expect, HPW_BACKOFF_MAX_MS);
	ev(HFSM_EV_EXITED);
	ck_assert_uint_eq(act.delay_ms, HPW_BACKOFF_MAX_MS);
	/* Up and loaded, but not long enough: still the cap. */
	ev(HFSM_EV_RESTART_DUE);
	ev(HFSM_EV_LOADED);
	now += HPW_HEALTHY_MS - 1;
	ev(HFSM_EV_EXITED);
	ck_assert_uint_eq(act.delay_ms, HPW_BACKOFF_MAX_MS);
	/* Up and loaded for HPW_HEALTHY_MS: the next crash costs 1 s again. */
	ev(HFSM_EV_RESTART_DUE);
	ev(HFSM_EV_LOADED);
	now += HPW_HEALTHY_MS;
	ev(HFSM_EV_EXITED);
	ck_assert_uint_eq(act.delay_ms, HPW_BACKOFF_MIN_MS);
}
END_TEST

START_TEST(new_configuration_in_backoff_starts_at_once)
{
	running();
	ev(HFSM_EV_EXITED);
	ev(HFSM_EV_RESTART_DUE);
	ev(HFSM_EV_EXITED);
	ck_assert_uint_eq(act.delay_ms, 2 * HPW_BACKOFF_MIN_MS);
	apply(false);
	ck_assert_int_eq(f.state, HFSM_CHECKING);
	ev(HFSM_EV_RESTART_DUE);		/* the delay ends during the check */
	ck_assert_uint_eq(act.flags, 0);
	ev(HFSM_EV_CHECKED);
	ck_assert(HAS(HFSM_ACT_START) && HAS(HFSM_ACT_RESTART_STOP));
	ev(HFSM_EV_EXITED);			/* and the backoff started again */
	ck_assert_uint_eq(act.delay_ms, HPW_BACKOFF_MIN_MS);
}
END_TEST

START_TEST(death_during_a_reload_check_starts_when_checked)
{
	running();
	apply(false);
	ev(HFSM_EV_EXITED);
	ck_assert_int_eq(f.state, HFSM_CHECKING);
	ck_assert(HAS(HFSM_ACT_RESTART_ARM));
	ev(HFSM_EV_CHECKED);
	ck_assert_int_eq(f.state, HFSM_STARTING);
	ck_assert(HAS(HFSM_ACT_START) && HAS(HFSM_ACT_RESTART_STOP));
}
END_TEST

START_TEST(hung_worker_loses_interception_then_gets_it_back)
{
	running();
	for (int i = 1; i < HPW_MISSES; i++) {
		health(false);
		ck_assert_uint_eq(act.flags, 0);
	}
	health(false);
	ck_assert(HAS(HFSM_ACT_HUNG));
	ck_assert_int_eq(act.t.health_to, HPW_NOT_ANSWERING);
	ck_assert(!haproxy_fsm_loaded(&f));
	ck_assert_int_eq(f.state, HFSM_RUNNING);	/* HAProxy is kept */
	/* A reload while hung proves nothing: still no interception. */
	apply(false);
	ev(HFSM_EV_CHECKED);
	ev(HFSM_EV_LOADED);
	ck_assert(!HAS(HFSM_ACT_READY));
	health(true);
	ck_assert(HAS(HFSM_ACT_READY));
	ck_assert_int_eq(act.t.health_from, HPW_NOT_ANSWERING);
	ck_assert(haproxy_fsm_loaded(&f));
}
END_TEST

START_TEST(hung_too_long_is_restarted)
{
	int64_t off;

	running();
	for (int i = 0; i < HPW_MISSES; i++)
		health(false);
	off = now;
	while (f.state == HFSM_RUNNING && now - off < 2 * HPW_RESTART_MS)
		health(false);
	ck_assert_int_ge(now - off, HPW_RESTART_MS);
	ck_assert_int_eq(f.state, HFSM_RESTARTING);
	ck_assert(HAS(HFSM_ACT_KILL_ALL));
	ck_assert(!haproxy_fsm_loaded(&f));
	ev(HFSM_EV_EXITED);
	ck_assert_int_eq(f.state, HFSM_STARTING);	/* at once, no backoff */
	ck_assert(HAS(HFSM_ACT_START) && !HAS(HFSM_ACT_RESTART_ARM));
	ev(HFSM_EV_LOADED);
	ck_assert(HAS(HFSM_ACT_READY));
}
END_TEST

START_TEST(stop_while_reloading_ignores_the_late_report)
{
	running();
	apply(false);
	ev(HFSM_EV_CHECKED);
	apply(false);				/* pending */
	ev(HFSM_EV_STOP);
	ck_assert_int_eq(f.state, HFSM_STOPPING);
	ck_assert(HAS(HFSM_ACT_TERM) && HAS(HFSM_ACT_SETTLE_STOP) &&
	    HAS(HFSM_ACT_HEALTH_STOP) && HAS(HFSM_ACT_RESTART_STOP));
	ev(HFSM_EV_LOADED);			/* the reload's report comes late */
	ck_assert_uint_eq(act.flags, 0);
	ck_assert_int_eq(f.state, HFSM_STOPPING);
	ev(HFSM_EV_EXITED);
	ck_assert_int_eq(f.state, HFSM_STOPPED);
	ck_assert(!HAS(HFSM_ACT_START) && !HAS(HFSM_ACT_CHECK) && !HAS(HFSM_ACT_RESTART_ARM));
}
END_TEST

START_TEST(wanted_again_while_stopping_starts_when_gone)
{
	running();
	ev(HFSM_EV_STOP);
	apply(false);
	ck_assert_int_eq(f.state, HFSM_RESTARTING);
	ck_assert(!HAS(HFSM_ACT_CHECK));
	ev(HFSM_EV_EXITED);
	ck_assert_int_eq(f.state, HFSM_CHECKING);
	ck_assert(HAS(HFSM_ACT_CHECK));
}
END_TEST

START_TEST(check_of_before_a_stop_is_ignored)
{
	unsigned old;

	apply(false);
	old = f.gen;
	ev(HFSM_EV_STOP);
	ck_assert_int_eq(f.state, HFSM_STOPPED);
	apply(false);
	{
		struct hfsm_ev e = { .type = HFSM_EV_CHECKED, .gen = old };

		haproxy_fsm_step(&f, &e, now, &act);
	}
	ck_assert_int_eq(f.state, HFSM_CHECKING);
	ck_assert_uint_eq(act.flags, 0);
	ev(HFSM_EV_CHECKED);
	ck_assert(HAS(HFSM_ACT_START));
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(haproxy_fsm_state_name(HFSM_STOPPED), "stopped");
	ck_assert_str_eq(haproxy_fsm_state_name(HFSM_RECHECKING), "rechecking");
	ck_assert_str_eq(haproxy_fsm_state_name(HFSM_BACKOFF), "backoff");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		first_start_checks_then_starts,
		second_apply_while_loading_waits_for_the_report,
		reload_waits_the_gap_after_a_load,
		apply_during_check_and_start_waits,
		unchanged_rendering_needs_no_reload,
		proxy_change_at_run_time_needs_no_reload,
		proxy_change_refused_at_run_time_reloads,
		proxy_change_when_the_master_died_starts_it,
		ca_change_forces_a_reload,
		force_waits_with_the_pending_apply,
		refused_forced_check_stays_forced_until_loaded,
		refused_reload_keeps_the_last_good_one,
		refused_first_start_starts_nothing,
		refused_with_a_newer_apply_checks_that,
		failed_reload_is_reported_and_counted,
		death_backs_off_doubling_to_the_cap,
		new_configuration_in_backoff_starts_at_once,
		death_during_a_reload_check_starts_when_checked,
		hung_worker_loses_interception_then_gets_it_back,
		hung_too_long_is_restarted,
		stop_while_reloading_ignores_the_late_report,
		wanted_again_while_stopping_starts_when_gone,
		check_of_before_a_stop_is_ignored, names, NULL,
	};

	return unit_suite_of("haproxy_fsm", setup, NULL, tests);
}
