/* A fresh mkdtemp directory per test, for the unit tests that touch
 * files: unit_tmp_setup/unit_tmp_teardown as a checked fixture. */
#ifndef UNIT_TMP_H
#define UNIT_TMP_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* nftw() */
#endif
#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include <check.h>

static char unit_tmpdir[64];	/* short, so paths built on it always fit */

static inline void
unit_tmp_setup(void)
{
	snprintf(unit_tmpdir, sizeof(unit_tmpdir), "/tmp/unit_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(unit_tmpdir));
}

static inline int
unit_tmp_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static inline void
unit_tmp_teardown(void)
{
	nftw(unit_tmpdir, unit_tmp_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void
unit_tmp_path(char path[PATH_MAX], const char *name)
{
	ck_assert_int_lt(snprintf(path, PATH_MAX, "%s/%s", unit_tmpdir, name),
	    PATH_MAX);
}

static inline bool
unit_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}
#endif
