/* What to repair of the owned kernel state, and when to give up
 * (reconcile.c). */
#include <string.h>

#include "reconcile.h"
#include "unit.h"

static struct reconcile rec;
static const struct recon_want both = { .intercept = true, .dhcp = true };
/* Everything in place. */
static const struct recon_obs whole = {
	.table = true, .nrules = 1, .rule_ours = true, .route = true,
	.dhcp_table = true,
};

static void
setup(void)
{
	reconcile_init(&rec);
}

START_TEST(nothing_lost)
{
	ck_assert_uint_eq(reconcile_lost(&both, &whole), 0);
	ck_assert_int_eq(reconcile_decide(&rec, 0, 1000), RECON_OK);
}
END_TEST

START_TEST(flushed_ruleset)
{
	struct recon_obs o = whole;
	char text[256];
	unsigned lost;

	o.table = false;
	o.table_altered = true;		/* its deletion was the event */
	o.dhcp_table = false;
	lost = reconcile_lost(&both, &o);
	ck_assert_uint_eq(lost, RECON_TABLE | RECON_DHCP);
	reconcile_describe(lost, text, sizeof(text));
	ck_assert_str_eq(text, "table inet mgmt_proxy removed, table ip mgmt_proxy_dhcp removed");
	ck_assert_int_eq(reconcile_decide(&rec, lost, 1000), RECON_REPAIR);
}
END_TEST

START_TEST(rule_and_route)
{
	struct recon_obs o = whole;

	o.nrules = 0;
	o.rule_ours = false;
	ck_assert_uint_eq(reconcile_lost(&both, &o), RECON_RULE);
	o = whole;
	o.route = false;
	ck_assert_uint_eq(reconcile_lost(&both, &o), RECON_ROUTE);
	/* A copy at another priority does not replace ours. */
	o = whole;
	o.rule_ours = false;
	ck_assert_uint_eq(reconcile_lost(&both, &o), RECON_RULE | RECON_RULE_EXTRA);
	o = whole;
	o.nrules = 3;
	ck_assert_uint_eq(reconcile_lost(&both, &o), RECON_RULE_EXTRA);
}
END_TEST

START_TEST(altered_table)
{
	struct recon_obs o = whole;

	o.table_altered = true;
	o.dhcp_altered = true;
	ck_assert_uint_eq(reconcile_lost(&both, &o), RECON_TABLE_ALTERED | RECON_DHCP_ALTERED);
}
END_TEST

START_TEST(only_what_is_wanted)
{
	const struct recon_want none = { .intercept = false, .dhcp = false };
	const struct recon_want dhcp = { .intercept = false, .dhcp = true };
	struct recon_obs gone;

	memset(&gone, 0, sizeof(gone));
	gone.table_altered = true;
	/* Torn down on purpose: nothing to put back. */
	ck_assert_uint_eq(reconcile_lost(&none, &gone), 0);
	ck_assert_uint_eq(reconcile_lost(&dhcp, &gone), RECON_DHCP);
	/* Stale copies while interception is off are teardown's business. */
	gone.nrules = 4;
	ck_assert_uint_eq(reconcile_lost(&none, &gone), 0);
}
END_TEST

START_TEST(budget_per_window)
{
	int64_t t = 5000;

	for (int i = 0; i < RECON_MAX_REPAIRS; i++)
		ck_assert_int_eq(reconcile_decide(&rec, RECON_RULE, t + i * 1000), RECON_REPAIR);
	/* One more within the window: another process keeps undoing it. */
	ck_assert_int_eq(reconcile_decide(&rec, RECON_RULE, t + 10000), RECON_GIVE_UP);
	/* Giving up is not counted: still refused just before the window of
	 * the first repair ends, allowed once it has. */
	ck_assert_int_eq(reconcile_decide(&rec, RECON_RULE, t + RECON_WINDOW_MS - 1),
	    RECON_GIVE_UP);
	ck_assert_int_eq(reconcile_decide(&rec, RECON_RULE, t + RECON_WINDOW_MS), RECON_REPAIR);
	/* The second one's slot is next. */
	ck_assert_int_eq(reconcile_decide(&rec, RECON_RULE, t + RECON_WINDOW_MS + 1),
	    RECON_GIVE_UP);
	ck_assert_int_eq(reconcile_decide(&rec, RECON_RULE, t + 1000 + RECON_WINDOW_MS),
	    RECON_REPAIR);
	/* Nothing lost never spends budget. */
	ck_assert_int_eq(reconcile_decide(&rec, 0, t + 1000 + RECON_WINDOW_MS), RECON_OK);
}
END_TEST

START_TEST(spaced_repairs_never_give_up)
{
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(reconcile_decide(&rec, RECON_TABLE,
		    (int64_t)i * (RECON_WINDOW_MS / RECON_MAX_REPAIRS + 1)), RECON_REPAIR);
}
END_TEST

START_TEST(debounce_is_bounded)
{
	int64_t t = 100000;

	/* The first event waits for a quiet period. */
	ck_assert_int_eq(reconcile_event(&rec, t), RECON_QUIET_MS);
	/* A steady stream pushes the check back, never past the latest. */
	for (int64_t now = t + 50; now < t + 5000; now += 50) {
		int64_t d = reconcile_event(&rec, now);

		ck_assert_int_ge(d, 0);
		if (now <= t + RECON_LATEST_MS)
			ck_assert_int_le(now + d, t + RECON_LATEST_MS);
		else
			ck_assert_int_eq(d, 0);
	}
	ck_assert_int_eq(reconcile_event(&rec, t + 5000), 0);
	/* After the check a new burst starts afresh. */
	reconcile_checked(&rec);
	ck_assert_int_eq(reconcile_event(&rec, t + 6000), RECON_QUIET_MS);
}
END_TEST

START_TEST(describe_truncates)
{
	char small[16];

	reconcile_describe(RECON_TABLE | RECON_ROUTE, small, sizeof(small));
	ck_assert_uint_lt(strlen(small), sizeof(small));
	reconcile_describe(0, small, sizeof(small));
	ck_assert_str_eq(small, "");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		nothing_lost, flushed_ruleset, rule_and_route,
		altered_table, only_what_is_wanted, budget_per_window,
		spaced_repairs_never_give_up, debounce_is_bounded,
		describe_truncates, NULL,
	};

	return unit_suite_of("reconcile", setup, NULL, tests);
}
