/* The one reader of unsigned decimal numbers (num.c). */
#include <stdint.h>
#include <string.h>

#include "num.h"
#include "unit.h"

static bool
num(const char *s, uint64_t max, uint64_t *v)
{
	return num_u64(s, strlen(s), max, v);
}

START_TEST(reads_digits_up_to_max)
{
	uint64_t v = 0;

	ck_assert(num("0", 10, &v));
	ck_assert_uint_eq(v, 0);
	ck_assert(num("007", 10, &v));
	ck_assert_uint_eq(v, 7);
	ck_assert(num("10", 10, &v));
	ck_assert_uint_eq(v, 10);
	ck_assert(num("18446744073709551615", UINT64_MAX, &v));
	ck_assert(v == UINT64_MAX);
	ck_assert(num("4294967294", 4294967294u, &v));
	ck_assert_uint_eq(v, 4294967294u);
	/* Only len bytes count. */
	ck_assert(num_u64("12x", 2, 100, &v));
	ck_assert_uint_eq(v, 12);
}
END_TEST

START_TEST(refuses_the_rest)
{
	uint64_t v = 99;

	ck_assert(!num("", 10, &v));
	ck_assert(!num("11", 10, &v));
	ck_assert(!num("9", 5, &v));			/* a digit above max */
	ck_assert(!num("4294967295", 4294967294u, &v));
	ck_assert(!num("18446744073709551616", UINT64_MAX, &v));	/* overflows */
	ck_assert(!num("99999999999999999999", UINT64_MAX, &v));
	ck_assert(!num("-1", 10, &v));
	ck_assert(!num("+1", 10, &v));
	ck_assert(!num(" 1", 10, &v));
	ck_assert(!num("1 ", 10, &v));
	ck_assert(!num("1a", 10, &v));
	ck_assert_uint_eq(v, 99);			/* untouched */
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		reads_digits_up_to_max, refuses_the_rest, NULL,
	};

	return unit_suite_of("num", NULL, NULL, tests);
}
