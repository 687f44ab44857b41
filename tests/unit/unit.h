/* Shared helpers for the Check unit tests: each test_*.c defines
 * unit_suite() and links this main. */
#ifndef UNIT_H
#define UNIT_H
#include <sys/stat.h>

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

Suite *unit_suite(void);

/* A private directory for a test that writes files: made by
 * unit_tmpdir_make (a setup), removed with what it holds by
 * unit_tmpdir_remove (a teardown). Short, so paths built on it fit. */
static char unit_tmpdir[64] __attribute__((unused));

static inline int
unit_tmpdir_rm(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	return remove(path);
}

static inline void
unit_tmpdir_make(void)
{
	snprintf(unit_tmpdir, sizeof(unit_tmpdir), "/tmp/unit-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(unit_tmpdir));
}

static inline void
unit_tmpdir_remove(void)
{
	nftw(unit_tmpdir, unit_tmpdir_rm, 16, FTW_DEPTH | FTW_PHYS);
}

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
