/* fileio: the bounded reader, atomic replace, exclusive create, path
 * join, mkdir -p and the secret-file rule. */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "unit.h"
#include "unit_tmp.h"

static void
write_raw(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* expr fails (-1 or NULL) with errno want. */
#define FAILS_WITH(expr, want)	do {				\
	errno = 0;							\
	ck_assert_int_eq((expr), -1);					\
	ck_assert_int_eq(errno, (want));				\
} while (0)
#define NULL_WITH(expr, want)	do {				\
	errno = 0;							\
	ck_assert_ptr_null(expr);					\
	ck_assert_int_eq(errno, (want));				\
} while (0)

/* A file's path and the temp name the writers use beside it. */
static void
tmp_pair(char path[PATH_MAX], char tmp[PATH_MAX + 8], const char *name)
{
	unit_tmp_path(path, name);
	snprintf(tmp, PATH_MAX + 8, "%s.tmp", path);
}

/* The reader as the state files use it. */
static char *
rd(const char *path, size_t *len)
{
	return fileio_read(path, FILEIO_READ_MAX, O_NOFOLLOW, len);
}

static void
assert_content(const char *path, const char *want)
{
	size_t len;
	char *buf = rd(path, &len);

	ck_assert_msg(buf != NULL, "%s: %s", path, strerror(errno));
	ck_assert_str_eq(buf, want);
	free(buf);
}

START_TEST(test_atomic_mode_and_no_temp)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct stat st;
	mode_t old = umask(077);

	tmp_pair(path, tmp, "proxy-address.json");
	/* An old file with other bits, and a stale temp from a crash. */
	write_raw(path, "old", 3);
	ck_assert_int_eq(chmod(path, 0600), 0);
	write_raw(tmp, "stale", 5);
	ck_assert_int_eq(chmod(tmp, 0600), 0);
	ck_assert_int_eq(fileio_replace(path, "new", 3, 0644), 0);
	ck_assert(!unit_exists(tmp));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert(S_ISREG(st.st_mode));

	/* Secrets get 0600 whatever the umask. */
	umask(0);
	ck_assert_int_eq(fileio_replace(path, "k", 1, 0600), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_size, 1);
	ck_assert(!unit_exists(tmp));
	umask(old);
}
END_TEST

/* The state files' path: the buffer is the writer's to free, and a dump
 * that failed (NULL) writes nothing and keeps the dump's errno. */
START_TEST(test_replace_owned)
{
	char path[PATH_MAX];
	struct stat st;

	unit_tmp_path(path, "peer-proxy.json");
	ck_assert_int_eq(fileio_replace_owned(path, strdup("{}\n"), 3, 0644), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	assert_content(path, "{}\n");
	errno = EINVAL;
	ck_assert_int_eq(fileio_replace_owned(path, NULL, 0, 0644), -1);
	ck_assert_int_eq(errno, EINVAL);
	assert_content(path, "{}\n");
}
END_TEST

START_TEST(test_atomic_replaces_not_rewrites)
{
	char path[PATH_MAX];
	struct stat before, after;
	char *buf;
	size_t len;

	/* rename() puts a new inode in place: a reader holding the old file
	 * never sees a half-written one. */
	unit_tmp_path(path, "f");
	ck_assert_int_eq(fileio_replace(path, "one\n", 4, 0644), 0);
	ck_assert_int_eq(stat(path, &before), 0);
	ck_assert_int_eq(fileio_replace(path, "two!\n", 5, 0644), 0);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_ne(before.st_ino, after.st_ino);
	buf = rd(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_str_eq(buf, "two!\n");
	free(buf);
	/* Empty contents are fine too. */
	ck_assert_int_eq(fileio_replace(path, "", 0, 0644), 0);
	buf = rd(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, 0);
	free(buf);
}
END_TEST

START_TEST(test_atomic_nosync_then_sync)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct stat st;
	char *buf;
	size_t len;

	/* Readers see the new file at once; the flush comes later. */
	unit_tmp_path(path, "lazy");
	ck_assert_int_eq(fileio_replace_lazy(path, "one\n", 4, 0600), 0);
	ck_assert_int_eq(fileio_replace_lazy(path, "two\n", 4, 0600), 0);
	buf = rd(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_str_eq(buf, "two\n");
	free(buf);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert(!unit_exists(tmp));
	ck_assert_int_eq(fileio_sync(path), 0);
	unit_tmp_path(path, "absent");
	ck_assert_int_eq(fileio_sync(path), -1);
}
END_TEST

START_TEST(test_atomic_failures_leave_no_temp)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], inner[PATH_MAX + 8];
	char target[PATH_MAX];

	/* No directory: the caller creates it, we do not. */
	unit_tmp_path(path, "nodir/f");
	FAILS_WITH(fileio_replace(path, "x", 1, 0644), ENOENT);
	unit_tmp_path(path, "nodir");
	ck_assert(!unit_exists(path));

	/* rename() fails (a non-empty directory is in the way): the temp goes. */
	unit_tmp_path(path, "busy");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(inner, sizeof(inner), "%s/x", path);
	write_raw(inner, "x", 1);
	FAILS_WITH(fileio_replace(path, "x", 1, 0644), EISDIR);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert(!unit_exists(tmp));

	/* A link planted at the temp name, symbolic or hard, is removed, not
	 * followed: its target keeps its content and mode, and the state file
	 * is still written (a planted link must not block it for good). */
	unit_tmp_path(path, "g");
	unit_tmp_path(target, "target");
	write_raw(target, "keep", 4);
	ck_assert_int_eq(chmod(target, 0600), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_eq(symlink(target, tmp), 0);
	ck_assert_int_eq(fileio_replace(path, "new1", 4, 0644), 0);
	assert_content(path, "new1");
	ck_assert_int_eq(link(target, tmp), 0);
	ck_assert_int_eq(fileio_replace(path, "new2", 4, 0644), 0);
	assert_content(target, "keep");
	{
		struct stat st;

		ck_assert_int_eq(stat(target, &st), 0);
		ck_assert_int_eq(st.st_mode & 07777, 0600);
		ck_assert_int_eq(st.st_nlink, 1);
	}
}
END_TEST

START_TEST(test_read_limits)
{
	char path[PATH_MAX], link[PATH_MAX];
	char *big, *buf;
	size_t len = 12345;

	unit_tmp_path(path, "big");
	big = malloc(FILEIO_READ_MAX + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', FILEIO_READ_MAX + 1);
	write_raw(path, big, FILEIO_READ_MAX + 1);
	NULL_WITH(rd(path, &len), EFBIG);

	/* Exactly the limit is read whole and NUL-terminated. */
	write_raw(path, big, FILEIO_READ_MAX);
	buf = rd(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, FILEIO_READ_MAX);
	ck_assert_int_eq(buf[FILEIO_READ_MAX], '\0');
	ck_assert(memcmp(buf, big, FILEIO_READ_MAX) == 0);
	free(buf);
	free(big);

	/* A symlink is refused (O_NOFOLLOW). */
	unit_tmp_path(link, "link");
	ck_assert_int_eq(symlink(path, link), 0);
	NULL_WITH(rd(link, &len), ELOOP);

	unit_tmp_path(path, "absent");
	NULL_WITH(rd(path, &len), ENOENT);

	NULL_WITH(rd(unit_tmpdir, &len), EISDIR);

	/* A FIFO neither blocks nor is read. */
	unit_tmp_path(path, "fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	NULL_WITH(rd(path, &len), EINVAL);
}
END_TEST

START_TEST(test_remove)
{
	char path[PATH_MAX];

	unit_tmp_path(path, "proxy-address.json");
	ck_assert_int_eq(fileio_replace(path, "x", 1, 0644), 0);
	ck_assert_int_eq(fileio_remove(path), 0);
	ck_assert(!unit_exists(path));
	ck_assert_int_eq(fileio_remove(path), 0);	/* absent: fine */
}
END_TEST

START_TEST(test_read_small_limit_and_errors)
{
	char path[PATH_MAX], *buf;
	size_t len;

	unit_tmp_path(path, "f");
	write_raw(path, "12345", 5);
	NULL_WITH(fileio_read(path, 4, 0, &len), EFBIG);
	buf = fileio_read(path, 5, 0, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, 5);
	free(buf);
	/* Without O_NOFOLLOW a link to a regular file is read. */
	unit_tmp_path(path, "l");
	ck_assert_int_eq(symlink("f", path), 0);
	buf = fileio_read(path, 5, 0, &len);
	ck_assert_ptr_nonnull(buf);
	free(buf);
	/* The one wording for what is not a regular file. */
	ck_assert_str_eq(fileio_strerror(EINVAL), "not a regular file");
	ck_assert_str_eq(fileio_strerror(ENOENT), strerror(ENOENT));
}
END_TEST

START_TEST(test_replace_failure_keeps_old)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], name[256];
	struct rlimit rl, small = { 4, 4 };

	/* A write that fails half way (the file size limit): the old content
	 * stays and the temp file goes. */
	tmp_pair(path, tmp, "state");
	ck_assert_int_eq(fileio_replace(path, "old\n", 4, 0644), 0);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	small.rlim_max = rl.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	FAILS_WITH(fileio_replace(path, "0123456789", 10, 0644), EFBIG);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	ck_assert(!unit_exists(tmp));
	assert_content(path, "old\n");

	/* A name whose temp name would pass NAME_MAX: refused, old kept. */
	memset(name, 'n', 252);
	name[252] = '\0';
	unit_tmp_path(path, name);
	write_raw(path, "old", 3);
	FAILS_WITH(fileio_replace(path, "new", 3, 0644), ENAMETOOLONG);
	assert_content(path, "old");
}
END_TEST

START_TEST(test_create_excl)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct stat st;

	/* A crash's leftover at the temp name does not stop the key. */
	tmp_pair(path, tmp, "ca.key");
	write_raw(tmp, "stale", 5);
	ck_assert_int_eq(fileio_create_excl(path, "key\n", 4, 0600), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(st.st_nlink, 1);
	ck_assert(!unit_exists(tmp));
	assert_content(path, "key\n");
	/* An existing file is never replaced. */
	FAILS_WITH(fileio_create_excl(path, "other", 5, 0600), EEXIST);
	assert_content(path, "key\n");
	ck_assert(!unit_exists(tmp));
}
END_TEST

START_TEST(test_path_join)
{
	static const char *const dirs[][2] = {
		{ "/a/b", "/a" }, { "/a", "/" }, { "a", "." }, { "a/b/", "a/b" },
	};
	char buf[8];

	ck_assert_int_eq(fileio_path(buf, sizeof(buf), "/ab", "cde"), 0);
	ck_assert_str_eq(buf, "/ab/cde");
	/* One byte too long: refused, never cut to another path. */
	FAILS_WITH(fileio_path(buf, sizeof(buf), "/ab", "cdef"), ENAMETOOLONG);
	ck_assert_str_eq(buf, "");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		ck_assert_int_eq(fileio_dirname(dirs[i][0], buf, sizeof(buf)), 0);
		ck_assert_str_eq(buf, dirs[i][1]);
	}
	ck_assert_int_eq(fileio_dirname("/abcdefgh/x", buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

START_TEST(test_mkdirs)
{
	char path[PATH_MAX], file[PATH_MAX];
	struct stat st;

	unit_tmp_path(path, "a/b/c");
	ck_assert_int_eq(fileio_mkdirs(path, 0755), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(fileio_mkdirs(path, 0755), 0);	/* exists: fine */
	unit_tmp_path(file, "x/y/log");
	ck_assert_int_eq(fileio_mkdir_parent(file, 0755), 0);
	unit_tmp_path(path, "x/y");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	unit_tmp_path(file, "x/y/log");
	ck_assert(!unit_exists(file));
	/* A file in the way of a parent. */
	unit_tmp_path(file, "plain");
	write_raw(file, "", 0);
	unit_tmp_path(path, "plain/sub");
	ck_assert_int_eq(fileio_mkdirs(path, 0755), -1);
	ck_assert_int_eq(errno, ENOTDIR);
}
END_TEST

START_TEST(test_secret_rule)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0600;
	ck_assert_ptr_null(fileio_secret_problem(&st));
	st.st_mode = S_IFREG | 0400;
	ck_assert_ptr_null(fileio_secret_problem(&st));
	st.st_uid = geteuid();
	ck_assert_ptr_null(fileio_secret_problem(&st));
	st.st_mode = S_IFREG | 0640;
	ck_assert_str_eq(fileio_secret_problem(&st), "readable or writable by "
	    "group or others (must be 0600 or stricter)");
	st.st_mode = S_IFREG | 0602;
	ck_assert_ptr_nonnull(fileio_secret_problem(&st));
	st.st_mode = S_IFREG | 0600;
	st.st_uid = geteuid() + 4242;
	ck_assert_str_eq(fileio_secret_problem(&st),
	    "not owned by root or by the daemon's user");
	st.st_uid = 0;
	st.st_mode = S_IFIFO | 0600;
	ck_assert_str_eq(fileio_secret_problem(&st), "not a regular file");
}
END_TEST

START_TEST(test_read_secret)
{
	char path[PATH_MAX], *buf;
	const char *why;
	struct stat st;
	size_t len;

	unit_tmp_path(path, "key");
	write_raw(path, "secret", 6);
	ck_assert_int_eq(chmod(path, 0644), 0);
	NULL_WITH(fileio_read_secret(path, 64, O_NOFOLLOW, &len, &st, &why), EACCES);
	ck_assert_ptr_nonnull(why);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(chmod(path, 0600), 0);
	buf = fileio_read_secret(path, 64, O_NOFOLLOW, &len, &st, &why);
	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_null(why);
	ck_assert_uint_eq(len, 6);
	ck_assert_str_eq(buf, "secret");
	fileio_secret_free(buf, len);
	NULL_WITH(fileio_read_secret(path, 5, O_NOFOLLOW, &len, &st, &why), EFBIG);
	ck_assert_ptr_null(why);
	/* A FIFO: refused before the rule, without blocking. */
	unit_tmp_path(path, "fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	NULL_WITH(fileio_read_secret(path, 64, 0, &len, &st, &why), EINVAL);
	ck_assert_ptr_null(why);
}
END_TEST

static bool
count_upto_two(const char *name, void *arg)
{
	int *n = arg;

	ck_assert(name[0] != '.');
	return ++*n < 2;
}

START_TEST(test_dir_each)
{
	char path[PATH_MAX];
	int n = 0;

	unit_tmp_path(path, ".hidden");
	write_raw(path, "", 0);
	ck_assert_int_eq(fileio_dir_each(unit_tmpdir, count_upto_two, &n), 0);
	ck_assert_int_eq(n, 0);
	unit_tmp_path(path, "a");
	write_raw(path, "", 0);
	unit_tmp_path(path, "b");
	write_raw(path, "", 0);
	unit_tmp_path(path, "c");
	write_raw(path, "", 0);
	/* fn stops the walk. */
	ck_assert_int_eq(fileio_dir_each(unit_tmpdir, count_upto_two, &n), 0);
	ck_assert_int_eq(n, 2);
	unit_tmp_path(path, "absent");
	ck_assert_int_eq(fileio_dir_each(path, count_upto_two, &n), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		test_read_limits, test_read_small_limit_and_errors,
		test_secret_rule, test_read_secret,
		test_atomic_mode_and_no_temp, test_atomic_replaces_not_rewrites,
		test_atomic_nosync_then_sync, test_atomic_failures_leave_no_temp,
		test_replace_failure_keeps_old, test_create_excl, test_remove,
		test_replace_owned,
		test_path_join, test_mkdirs, test_dir_each, NULL,
	};

	return unit_suite_of("fileio", unit_tmp_setup, unit_tmp_teardown, tests);
}
