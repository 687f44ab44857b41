/* The proxy state machine on a simulated clock (proxy_fsm.c). */
#include <string.h>

#include "proxy_fsm.h"
#include "unit.h"

static struct proxy_fsm f;
static struct pfsm_actions act;
static struct proxy_addr A = { 0xc0000201u, 3128 };	/* 192.0.2.1 */
static struct proxy_addr B = { 0xc0000202u, 3128 };	/* 192.0.2.2 */

static void
setup(void)
{
	proxy_fsm_init(&f, 0);
}

#define HAS(fl)	(act.flags & (fl))

START_TEST(first_selection_probes_at_once)
{
	proxy_fsm_select(&f, MODE_STATIC, &A, 10, &act);
	ck_assert_int_eq(f.state, PFSM_PROBING);
	ck_assert(HAS(PFSM_ACT_PROBE));
	ck_assert(HAS(PFSM_ACT_TIMER_ARM));
	ck_assert_int_eq(addr_cmp(&act.probe, &A), 0);
	/* Not in effect before a successful probe; leftovers are cleaned. */
	ck_assert(!f.in_effect);
	ck_assert(HAS(PFSM_ACT_STATE_REMOVE));
	ck_assert(!HAS(PFSM_ACT_FWD_ENABLE));
}
END_TEST

START_TEST(fail_alarm_recover_clear)
{
	unsigned gen;

	proxy_fsm_select(&f, MODE_STATIC, &A, 0, &act);
	gen = act.gen;
	proxy_fsm_probe_done(&f, gen, true, 1, &act);
	ck_assert_int_eq(f.state, PFSM_REACHABLE);
	ck_assert(HAS(PFSM_ACT_FWD_ENABLE) && HAS(PFSM_ACT_STATE_WRITE));
	ck_assert_int_eq(addr_cmp(&act.effect, &A), 0);

	/* One interval later the probe fails: torn down, alarm raised. */
	proxy_fsm_timer(&f, false, 60, &act);
	ck_assert(HAS(PFSM_ACT_PROBE));
	gen = act.gen;
	proxy_fsm_probe_done(&f, gen, false, 63, &act);
	ck_assert_int_eq(f.state, PFSM_UNREACHABLE);
	ck_assert(!f.in_effect);
	ck_assert(HAS(PFSM_ACT_FWD_DISABLE) && HAS(PFSM_ACT_STATE_REMOVE));
	ck_assert(HAS(PFSM_ACT_ALARM_RAISE));
	ck_assert_int_eq(f.since, 63);

	/* Still failing: nothing new, no second alarm, no failover. */
	proxy_fsm_timer(&f, false, 120, &act);
	gen = act.gen;
	proxy_fsm_probe_done(&f, gen, false, 123, &act);
	ck_assert_uint_eq(act.flags, 0);
	ck_assert_int_eq(f.state, PFSM_UNREACHABLE);

	/* Back: alarm cleared, forwarding restored. */
	proxy_fsm_timer(&f, false, 180, &act);
	gen = act.gen;
	proxy_fsm_probe_done(&f, gen, true, 180, &act);
	ck_assert_int_eq(f.state, PFSM_REACHABLE);
	ck_assert(HAS(PFSM_ACT_ALARM_CLEAR));
	ck_assert(HAS(PFSM_ACT_FWD_ENABLE) && HAS(PFSM_ACT_STATE_WRITE));
}
END_TEST

START_TEST(first_probe_failing_raises_alarm)
{
	proxy_fsm_select(&f, MODE_LEARNED, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, false, 3, &act);
	ck_assert_int_eq(f.state, PFSM_UNREACHABLE);
	ck_assert(HAS(PFSM_ACT_ALARM_RAISE));
	ck_assert(!HAS(PFSM_ACT_FWD_DISABLE));	/* it was never enabled */
}
END_TEST

START_TEST(stale_probe_result_ignored)
{
	unsigned old;

	proxy_fsm_select(&f, MODE_LEARNED, &A, 0, &act);
	old = act.gen;
	proxy_fsm_select(&f, MODE_LEARNED, &B, 1, &act);
	proxy_fsm_probe_done(&f, old, true, 2, &act);
	ck_assert_uint_eq(act.flags, 0);
	ck_assert_int_eq(f.state, PFSM_PROBING);
	ck_assert(!f.in_effect);
}
END_TEST

START_TEST(change_is_make_before_break)
{
	proxy_fsm_select(&f, MODE_LEARNED, &B, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, true, 1, &act);
	/* A lower candidate appears: B stays in effect while A is probed. */
	proxy_fsm_select(&f, MODE_LEARNED, &A, 5, &act);
	ck_assert_int_eq(f.state, PFSM_PROBING);
	ck_assert(f.in_effect);
	ck_assert_int_eq(addr_cmp(&f.effect, &B), 0);
	ck_assert(!HAS(PFSM_ACT_FWD_DISABLE));
	proxy_fsm_probe_done(&f, act.gen, true, 6, &act);
	ck_assert(HAS(PFSM_ACT_FWD_ENABLE));	/* refreshed to A */
	ck_assert_int_eq(addr_cmp(&act.effect, &A), 0);
	ck_assert(!HAS(PFSM_ACT_SESSIONS_CLEAR));
}
END_TEST

START_TEST(same_selection_changes_nothing)
{
	proxy_fsm_select(&f, MODE_LEARNED, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, true, 1, &act);
	proxy_fsm_select(&f, MODE_LEARNED, &A, 2, &act);
	ck_assert_uint_eq(act.flags, 0);
	ck_assert_int_eq(f.state, PFSM_REACHABLE);
}
END_TEST

START_TEST(mode_change_clears_sessions)
{
	proxy_fsm_select(&f, MODE_LEARNED, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, true, 1, &act);
	proxy_fsm_select(&f, MODE_STATIC, &B, 2, &act);
	ck_assert(HAS(PFSM_ACT_SESSIONS_CLEAR));
	ck_assert(HAS(PFSM_ACT_FWD_DISABLE) && HAS(PFSM_ACT_STATE_REMOVE));
	ck_assert(HAS(PFSM_ACT_PROBE));
	ck_assert(!f.in_effect);
	ck_assert_int_eq(f.state, PFSM_PROBING);
}
END_TEST

START_TEST(mode_change_to_static_same_proxy_reprobes)
{
	proxy_fsm_select(&f, MODE_LEARNED, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, true, 1, &act);
	proxy_fsm_select(&f, MODE_STATIC, &A, 2, &act);
	ck_assert(HAS(PFSM_ACT_SESSIONS_CLEAR));
	ck_assert(HAS(PFSM_ACT_PROBE));
}
END_TEST

START_TEST(disable_tears_down_and_clears_alarm)
{
	proxy_fsm_select(&f, MODE_STATIC, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, false, 3, &act);
	ck_assert(f.alarm);
	proxy_fsm_select(&f, MODE_DISABLED, NULL, 10, &act);
	ck_assert_int_eq(f.state, PFSM_DISABLED);
	ck_assert(HAS(PFSM_ACT_ALARM_CLEAR));
	ck_assert(HAS(PFSM_ACT_TIMER_STOP));
	ck_assert(!f.has_target);
	/* A timer that fires late does nothing. */
	proxy_fsm_timer(&f, false, 60, &act);
	ck_assert_uint_eq(act.flags, 0);
}
END_TEST

START_TEST(candidate_lost_goes_no_candidate)
{
	proxy_fsm_select(&f, MODE_LEARNED, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, true, 1, &act);
	proxy_fsm_select(&f, MODE_LEARNED, NULL, 5, &act);
	ck_assert_int_eq(f.state, PFSM_NO_CANDIDATE);
	ck_assert(HAS(PFSM_ACT_FWD_DISABLE) && HAS(PFSM_ACT_STATE_REMOVE));
	ck_assert(!HAS(PFSM_ACT_SESSIONS_CLEAR));
}
END_TEST

START_TEST(names_cover_every_state)
{
	ck_assert_str_eq(proxy_fsm_state_name(PFSM_DISABLED), "disabled");
	ck_assert_str_eq(proxy_fsm_state_name(PFSM_NO_CANDIDATE), "no-candidate");
	ck_assert_str_eq(proxy_fsm_state_name(PFSM_PROBING), "probing");
	ck_assert_str_eq(proxy_fsm_state_name(PFSM_REACHABLE), "reachable");
	ck_assert_str_eq(proxy_fsm_state_name(PFSM_UNREACHABLE), "unreachable");
}
END_TEST

/* Reachable A, probed by the timer: the result of that probe. */
static void
probe_result(bool ok, int64_t now)
{
	proxy_fsm_timer(&f, false, now, &act);
	ck_assert(HAS(PFSM_ACT_PROBE));
	proxy_fsm_probe_done(&f, act.gen, ok, now, &act);
}

START_TEST(fall_needs_failures_in_a_row)
{
	proxy_fsm_configure(&f, 3, 1);
	proxy_fsm_select(&f, MODE_STATIC, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, true, 0, &act);
	ck_assert_int_eq(f.state, PFSM_REACHABLE);
	/* Two failures, then a success: the count starts again. */
	probe_result(false, 1);
	ck_assert_uint_eq(act.flags, PFSM_ACT_FAIL_COUNTED);
	ck_assert(act.count == 1 && act.need == 3);
	probe_result(false, 2);
	ck_assert_uint_eq(act.flags, PFSM_ACT_FAIL_COUNTED);
	ck_assert(act.count == 2 && act.need == 3);
	ck_assert_int_eq(act.tr.from, act.tr.to);
	ck_assert_int_eq(f.state, PFSM_REACHABLE);
	ck_assert(f.in_effect);
	probe_result(true, 3);
	ck_assert_uint_eq(act.flags, 0);
	probe_result(false, 4);
	ck_assert(act.count == 1);
	probe_result(false, 5);
	ck_assert_int_eq(f.state, PFSM_REACHABLE);
	ck_assert(!HAS(PFSM_ACT_ALARM_RAISE));
	/* The third in a row. */
	probe_result(false, 6);
	ck_assert_int_eq(f.state, PFSM_UNREACHABLE);
	ck_assert(HAS(PFSM_ACT_ALARM_RAISE) && HAS(PFSM_ACT_FWD_DISABLE));
}
END_TEST

START_TEST(rise_needs_successes_in_a_row)
{
	proxy_fsm_configure(&f, 1, 2);
	proxy_fsm_select(&f, MODE_STATIC, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, false, 0, &act);
	ck_assert_int_eq(f.state, PFSM_UNREACHABLE);
	probe_result(true, 1);
	ck_assert_uint_eq(act.flags, PFSM_ACT_OK_COUNTED);
	ck_assert(act.count == 1 && act.need == 2);
	ck_assert(f.alarm && !f.in_effect);
	probe_result(false, 2);
	probe_result(true, 3);
	ck_assert_int_eq(f.state, PFSM_UNREACHABLE);
	probe_result(true, 4);
	ck_assert_int_eq(f.state, PFSM_REACHABLE);
	ck_assert(HAS(PFSM_ACT_ALARM_CLEAR) && HAS(PFSM_ACT_FWD_ENABLE));
}
END_TEST

START_TEST(defaults_are_one_and_one)
{
	ck_assert_uint_eq(f.fall, 1);
	ck_assert_uint_eq(f.rise, 1);
	proxy_fsm_configure(&f, 0, 99);		/* clamped */
	ck_assert_uint_eq(f.fall, 1);
	ck_assert_uint_eq(f.rise, PFSM_FALL_RISE_MAX);
}
END_TEST

START_TEST(new_target_decided_by_first_result)
{
	proxy_fsm_configure(&f, 3, 3);
	proxy_fsm_select(&f, MODE_STATIC, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, true, 0, &act);
	ck_assert_int_eq(f.state, PFSM_REACHABLE);
	proxy_fsm_select(&f, MODE_STATIC, &B, 1, &act);
	proxy_fsm_probe_done(&f, act.gen, false, 1, &act);
	ck_assert_int_eq(f.state, PFSM_UNREACHABLE);
	ck_assert(HAS(PFSM_ACT_ALARM_RAISE));
}
END_TEST

START_TEST(failed_traffic_probes_early_rate_limited)
{
	unsigned gen;

	proxy_fsm_select(&f, MODE_STATIC, &A, 0, &act);
	gen = act.gen;
	/* Probing already: nothing more. */
	proxy_fsm_traffic_failed(&f, false, 1000, &act);
	ck_assert_uint_eq(act.flags, 0);
	proxy_fsm_probe_done(&f, gen, true, 0, &act);
	proxy_fsm_traffic_failed(&f, true, 1000, &act);	/* a probe in flight */
	ck_assert_uint_eq(act.flags, 0);
	proxy_fsm_traffic_failed(&f, false, 1000, &act);
	ck_assert(HAS(PFSM_ACT_PROBE) && HAS(PFSM_ACT_TIMER_ARM));
	ck_assert_int_eq(addr_cmp(&act.probe, &A), 0);
	ck_assert_uint_eq(act.gen, f.gen);
	proxy_fsm_traffic_failed(&f, false, 1000 + PFSM_EARLY_MIN_MS - 1, &act);
	ck_assert_uint_eq(act.flags, 0);
	proxy_fsm_traffic_failed(&f, false, 1000 + PFSM_EARLY_MIN_MS, &act);
	ck_assert(HAS(PFSM_ACT_PROBE));
	/* Its failure raises the alarm as a timed probe's would. */
	proxy_fsm_probe_done(&f, act.gen, false, 4, &act);
	ck_assert_int_eq(f.state, PFSM_UNREACHABLE);
	ck_assert(HAS(PFSM_ACT_ALARM_RAISE));
	/* Unreachable carries no traffic: no early probe. */
	proxy_fsm_traffic_failed(&f, false, 60000, &act);
	ck_assert_uint_eq(act.flags, 0);
}
END_TEST

START_TEST(transition_returned_not_logged)
{
	proxy_fsm_select(&f, MODE_STATIC, &A, 0, &act);
	ck_assert_int_eq(act.tr.from, PFSM_DISABLED);
	ck_assert_int_eq(act.tr.to, PFSM_PROBING);
	ck_assert(act.tr.has_target);
	ck_assert_int_eq(addr_cmp(&act.tr.target, &A), 0);
	ck_assert_str_eq(act.tr.cause, "selected");
	proxy_fsm_probe_done(&f, act.gen, false, 1, &act);
	ck_assert_int_eq(act.tr.from, PFSM_PROBING);
	ck_assert_int_eq(act.tr.to, PFSM_UNREACHABLE);
	ck_assert_str_eq(act.tr.cause, "probe failed");
	/* A step that keeps the state says so. */
	proxy_fsm_timer(&f, false, 2, &act);
	ck_assert_int_eq(act.tr.from, act.tr.to);
	proxy_fsm_select(&f, MODE_STATIC, NULL, 3, &act);
	ck_assert_int_eq(act.tr.from, PFSM_UNREACHABLE);
	ck_assert_int_eq(act.tr.to, PFSM_NO_CANDIDATE);
	ck_assert(!act.tr.has_target);
	ck_assert_str_eq(act.tr.cause, "no valid candidate");
	proxy_fsm_select(&f, MODE_DISABLED, NULL, 4, &act);
	ck_assert_str_eq(act.tr.cause, "disabled");
}
END_TEST

START_TEST(probe_open_at_next_interval_fails)
{
	proxy_fsm_select(&f, MODE_STATIC, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, true, 1, &act);
	ck_assert_int_eq(f.state, PFSM_REACHABLE);
	/* The next probe is due while the last one has not answered: that
	 * one counts as failed, and a new one starts in the same step. */
	proxy_fsm_timer(&f, true, 60, &act);
	ck_assert(HAS(PFSM_ACT_PROBE_LOST));
	ck_assert_int_eq(f.state, PFSM_UNREACHABLE);
	ck_assert_int_eq(act.tr.from, PFSM_REACHABLE);
	ck_assert_int_eq(act.tr.to, PFSM_UNREACHABLE);
	ck_assert(HAS(PFSM_ACT_ALARM_RAISE) && HAS(PFSM_ACT_FWD_DISABLE));
	ck_assert(HAS(PFSM_ACT_PROBE) && HAS(PFSM_ACT_TIMER_ARM));
	ck_assert_uint_eq(act.gen, f.gen);
	/* The answer of the lost probe no longer counts. */
	proxy_fsm_probe_done(&f, act.gen - 1, true, 61, &act);
	ck_assert_int_eq(f.state, PFSM_UNREACHABLE);
	/* With fall 2, one lost probe is only counted. */
	proxy_fsm_init(&f, 0);
	proxy_fsm_configure(&f, 2, 1);
	proxy_fsm_select(&f, MODE_STATIC, &A, 0, &act);
	proxy_fsm_probe_done(&f, act.gen, true, 1, &act);
	proxy_fsm_timer(&f, true, 60, &act);
	ck_assert(HAS(PFSM_ACT_PROBE_LOST) && HAS(PFSM_ACT_FAIL_COUNTED));
	ck_assert_int_eq(f.state, PFSM_REACHABLE);
	ck_assert(HAS(PFSM_ACT_PROBE));
	/* Not probing: nothing to count. */
	proxy_fsm_select(&f, MODE_DISABLED, NULL, 70, &act);
	proxy_fsm_timer(&f, true, 80, &act);
	ck_assert_uint_eq(act.flags, PFSM_ACT_PROBE_LOST);
	ck_assert_int_eq(f.state, PFSM_DISABLED);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		first_selection_probes_at_once,
		fail_alarm_recover_clear,
		first_probe_failing_raises_alarm,
		stale_probe_result_ignored, change_is_make_before_break,
		same_selection_changes_nothing,
		mode_change_clears_sessions,
		mode_change_to_static_same_proxy_reprobes,
		disable_tears_down_and_clears_alarm,
		candidate_lost_goes_no_candidate,
		names_cover_every_state, transition_returned_not_logged,
		probe_open_at_next_interval_fails,
		fall_needs_failures_in_a_row,
		rise_needs_successes_in_a_row, defaults_are_one_and_one,
		new_target_decided_by_first_result,
		failed_traffic_probes_early_rate_limited, NULL,
	};

	return unit_suite_of("proxy_fsm", setup, NULL, tests);
}
