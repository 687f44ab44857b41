/* Shared helpers for the Check unit tests: each test_*.c defines
 * unit_suite() and links this main. */
#ifndef UNIT_H
#define UNIT_H
#include <check.h>
#include <stdlib.h>
#include <string.h>

Suite *unit_suite(void);

/* A JSON object of exactly len bytes ("{" + spaces + "}"), for size
 * limits; caller frees. */
static inline char *
unit_big_object(size_t len)
{
	char *big = malloc(len);

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', len);
	big[0] = '{';
	big[len - 1] = '}';
	return big;
}

/* A suite of one test case, "core", running tests in order, each with the
 * fixture (setup, teardown) when not NULL. */
static inline Suite *
unit_suite_of(const char *name, const TTest *const *tests, size_t n,
    void (*setup)(void), void (*teardown)(void))
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	if (setup != NULL || teardown != NULL)
		tcase_add_checked_fixture(tc, setup, teardown);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(unit_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif
