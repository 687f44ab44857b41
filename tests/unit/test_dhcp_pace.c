/* How often the network may change learned state (dhcp_pace.c). */
#include <stdio.h>
#include <string.h>

#include "dhcp_pace.h"
#include "unit.h"

START_TEST(pace_burst_then_period)
{
	struct dhcp_pace p;
	int64_t wait;

	memset(&p, 0, sizeof(p));
	for (int i = 0; i < DHCP_PACE_BURST; i++)
		ck_assert(dhcp_pace_allow(&p, 1000, &wait));
	ck_assert(!dhcp_pace_allow(&p, 1000, &wait));
	ck_assert_int_eq(wait, DHCP_PACE_PERIOD);
	ck_assert(!dhcp_pace_allow(&p, 1000 + DHCP_PACE_PERIOD - 1, &wait));
	ck_assert_int_eq(wait, 1);
	ck_assert(dhcp_pace_allow(&p, 1000 + DHCP_PACE_PERIOD, &wait));
	ck_assert(!dhcp_pace_allow(&p, 1000 + DHCP_PACE_PERIOD, &wait));
	/* Quiet for a while: the whole burst is back. */
	for (int i = 0; i < DHCP_PACE_BURST; i++)
		ck_assert(dhcp_pace_allow(&p, 2000, &wait));
}
END_TEST

/* A flood of alternating values, one per 100 ms for 60 s: the changes
 * applied stay within burst + one per period, the last value wins. */
START_TEST(pace_flood_bounded)
{
	struct dhcp_pace p;
	const struct dhcp_info *due;
	struct dhcp_info v;
	int applied = 0, last = -1;
	int64_t wait;

	memset(&p, 0, sizeof(p));
	memset(&v, 0, sizeof(v));
	for (int k = 0; k < 600; k++) {
		int64_t now = 1000 + k / 10;

		v.nproxy = (size_t)(k % 2 + 1);	/* alternates 1, 2 */
		if ((due = dhcp_pace_due(&p, now, &wait)) != NULL) {
			applied++;
			last = (int)due->nproxy;
		}
		if (dhcp_pace_allow(&p, now, &wait)) {
			applied++;
			last = (int)v.nproxy;
		} else
			dhcp_pace_hold(&p, &v);
	}
	ck_assert_int_le(applied, DHCP_PACE_BURST + 60 / DHCP_PACE_PERIOD + 1);
	ck_assert_int_ge(applied, 60 / DHCP_PACE_PERIOD);
	/* The held one (the 600th, value 2) applies when its token is due. */
	ck_assert(p.held);
	ck_assert_ptr_null(dhcp_pace_due(&p, 1059, &wait));
	ck_assert_int_gt(wait, 0);
	due = dhcp_pace_due(&p, 1059 + wait, &wait);
	ck_assert_ptr_nonnull(due);
	ck_assert_uint_eq(due->nproxy, 2);
	ck_assert(!p.held);
	ck_assert_int_ne(last, -1);
}
END_TEST

START_TEST(pace_drop_forgets)
{
	struct dhcp_pace p;
	struct dhcp_info v;
	int64_t wait;

	memset(&p, 0, sizeof(p));
	memset(&v, 0, sizeof(v));
	snprintf(v.ifname, sizeof(v.ifname), "wan1");
	for (int i = 0; i < DHCP_PACE_BURST; i++)
		dhcp_pace_allow(&p, 1000, &wait);
	dhcp_pace_hold(&p, &v);
	ck_assert(p.held);
	ck_assert_int_eq(dhcp_pace_wait(&p, 1000), DHCP_PACE_PERIOD);
	dhcp_pace_drop(&p);
	ck_assert(!p.held);
	ck_assert_ptr_null(dhcp_pace_due(&p, 5000, &wait));
	ck_assert_int_eq(wait, 0);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		pace_burst_then_period, pace_flood_bounded, pace_drop_forgets,
		NULL,
	};

	return unit_suite_of("dhcp_pace", NULL, NULL, tests);
}
