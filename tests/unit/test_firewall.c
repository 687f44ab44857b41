/* The firewall owner's pure helper (firewall.c): the bounded growing
 * arrays of the rule and TIME-WAIT dumps. */
#include <stdint.h>
#include <stdlib.h>

#include "firewall_int.h"
#include "unit.h"

START_TEST(push_grows_and_stops_at_its_bound)
{
	uint32_t *a = NULL;
	size_t n = 0, cap = 0;

	for (uint32_t i = 0; i < 200; i++)
		ck_assert(firewall_push(&a, &n, &cap, 256, &i, sizeof(i)));
	ck_assert_uint_eq(n, 200);
	ck_assert_uint_eq(cap, 256);
	for (uint32_t i = 0; i < 200; i++)
		ck_assert_uint_eq(a[i], i);
	for (uint32_t i = 200; i < 256; i++)
		ck_assert(firewall_push(&a, &n, &cap, 256, &i, sizeof(i)));
	/* Full: refused, and what was kept stays. */
	ck_assert(!firewall_push(&a, &n, &cap, 256, &(uint32_t){ 7 }, sizeof(uint32_t)));
	ck_assert_uint_eq(n, 256);
	ck_assert_uint_eq(a[255], 255);
	free(a);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		push_grows_and_stops_at_its_bound, NULL,
	};

	return unit_suite_of("firewall", NULL, NULL, tests);
}
