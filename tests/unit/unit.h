/* Shared helpers for the Check unit tests: each test_*.c defines
 * unit_suite() and links this main. */
#ifndef UNIT_H
#define UNIT_H
#include <check.h>
#include <stdlib.h>
#include <string.h>

Suite *unit_suite(void);

/* TEXT holds (or lacks) WANT; a failure prints both. */
#define unit_assert_has(text, want) do {				\
	const char *unit_t_ = (text), *unit_w_ = (want);		\
	ck_assert_msg(strstr(unit_t_, unit_w_) != NULL,			\
	    "expected to find \"%s\" in:\n%s", unit_w_, unit_t_);	\
} while (0)
#define unit_assert_lacks(text, want) do {				\
	const char *unit_t_ = (text), *unit_w_ = (want);		\
	ck_assert_msg(strstr(unit_t_, unit_w_) == NULL,			\
	    "expected no \"%s\" in:\n%s", unit_w_, unit_t_);		\
} while (0)

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

/* A case NAME running TESTS (NULL-terminated) in order, each between
 * SETUP and TEARDOWN (NULL: none) in its own process. */
static inline TCase *
unit_tcase_of(const char *name, SFun setup, SFun teardown,
    const TTest *const *tests)
{
	TCase *t = tcase_create(name);

	/* Key generation under the sanitizers on a loaded box takes seconds. */
	tcase_set_timeout(t, 30);
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

/* A suite NAME of one case: TESTS, then LOOP once for each row 0..N-1 of
 * a table (_i in LOOP). */
static inline Suite *
unit_suite_loop(const char *name, const TTest *const *tests,
    const TTest *loop, size_t n)
{
	Suite *s = suite_create(name);
	TCase *t = unit_tcase_of(name, NULL, NULL, tests);

	tcase_add_loop_test(t, loop, 0, (int)n);
	suite_add_tcase(s, t);
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
