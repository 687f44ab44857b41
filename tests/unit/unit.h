/* Shared helpers for the Check unit tests: each test_*.c defines
 * unit_suite() and links this main. */
#ifndef UNIT_H
#define UNIT_H
#include <check.h>
#include <stdlib.h>

Suite *unit_suite(void);

/* A case NAME running TESTS (NULL-terminated) in order, each between
 * SETUP and TEARDOWN (NULL: none) in its own process. */
static inline TCase *
unit_tcase_of(const char *name, SFun setup, SFun teardown,
    const TTest *const *tests)
{
	TCase *t = tcase_create(name);

	if (setup != NULL || teardown != NULL)
		tcase_add_checked_fixture(t, setup, teardown);
	for (; *tests != NULL; tests++)
		tcase_add_test(t, *tests);
	return t;
}

/* A suite NAME of that one case. */
static inline Suite *
unit_suite_of(const char *name, SFun setup, SFun teardown,
    const TTest *const *tests)
{
	Suite *s = suite_create(name);

	suite_add_tcase(s, unit_tcase_of(name, setup, teardown, tests));
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
