/* File I/O for the whole daemon (fileio.h). State files, certificates,
 * keys and run-time files all pass through here, so the rules (bounded
 * reads, no FIFO hangs, no cut paths, temp + fsync + rename) hold once. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

int
fileio_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			buf[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
fileio_dirname(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		path = ".";
		n = 1;
	} else
		n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n);
	buf[n] = '\0';
	return 0;
}

int
fileio_mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf)) {
		errno = len == 0 ? ENOENT : ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
fileio_mkdir_parent(const char *file, mode_t mode)
{
	char dir[PATH_MAX];

	if (fileio_dirname(file, dir, sizeof(dir)) == -1)
		return -1;
	return fileio_mkdirs(dir, mode);
}

int
fileio_dir_each(const char *dir, bool (*fn)(const char *name, void *arg),
    void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && !fn(de->d_name, arg))
			break;
	closedir(d);
	return 0;
}

/* Opens path for reading without blocking on a FIFO and refuses what is
 * not a regular file. */
static int
fileio_open_regular(const char *path, int oflags, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | oflags), saved;

	memset(st, 0, sizeof(*st));
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1)
		goto fail;
	if (!S_ISREG(st->st_mode)) {
		errno = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Reads at most max bytes of fd into a new buffer; growth beyond max
 * (while it is read) shows as EFBIG. With wipe, the buffer is cleared
 * before it is freed on failure and never moved by realloc. */
static char *
fileio_read_fd(int fd, const struct stat *st, size_t max, bool wipe, size_t *len)
{
	char *buf, *shrunk;
	size_t have = 0;
	ssize_t n;
	int saved;

	if ((uintmax_t)st->st_size > max) {
		errno = EFBIG;
		return NULL;
	}
	/* Room for one byte more than allowed, so growth shows as EFBIG. */
	if ((buf = malloc(max + 2)) == NULL)
		return NULL;
	while (have <= max) {
		n = read(fd, buf + have, max + 1 - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	if (have > max) {
		errno = EFBIG;
		goto fail;
	}
	buf[have] = '\0';
	if (!wipe && (shrunk = realloc(buf, have + 1)) != NULL)
		buf = shrunk;
	*len = have;
	return buf;
fail:
	if (wipe)
		explicit_bzero(buf, max + 2);
	saved = errno;
	free(buf);
	errno = saved;
	return NULL;
}

static char *
fileio_read_checked(const char *path, size_t max, int oflags, size_t *len,
    struct stat *st, const char **why)
{
	char *buf;
	int fd, saved;

	if (why != NULL)
		*why = NULL;
	if ((fd = fileio_open_regular(path, oflags, st)) == -1)
		return NULL;
	if (why != NULL && (*why = fileio_secret_problem(st)) != NULL) {
		close(fd);
		errno = EACCES;
		return NULL;
	}
	buf = fileio_read_fd(fd, st, max, why != NULL, len);
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

char *
fileio_read(const char *path, size_t max, int oflags, size_t *len)
{
	struct stat st;

	return fileio_read_checked(path, max, oflags, len, &st, NULL);
}

const char *
fileio_strerror(int errnum)
{
	return errnum == EINVAL ? "not a regular file" : strerror(errnum);
}

const char *
fileio_secret_problem(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "not owned by root or by the daemon's user";
	if ((st->st_mode & 077) != 0)
		return "readable or writable by group or others "
		    "(must be 0600 or stricter)";
	return NULL;
}

char *
fileio_read_secret(const char *path, size_t max, int oflags, size_t *len,
    struct stat *st, const char **why)
{
	return fileio_read_checked(path, max, oflags, len, st, why);
}

void
fileio_secret_free(char *buf, size_t len)
{
	if (buf == NULL)
		return;
	explicit_bzero(buf, len);
	free(buf);
}

/* fsync the directory holding `path`, so a rename or unlink in it
 * survives a power cut (rename(2) alone only orders the metadata). */
static int
fileio_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	int fd, rc, saved;

	if (fileio_dirname(path, dir, sizeof(dir)) == -1)
		return -1;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static int
fileio_write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* PATH.tmp with the data, closed; tmp receives its name. */
static int
fileio_write_tmp(const char *path, const void *data, size_t len, mode_t mode,
    bool sync, char tmp[PATH_MAX])
{
	int fd, saved;

	if ((size_t)snprintf(tmp, PATH_MAX, "%s.tmp", path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Whatever sits at the temp name (a crash's leftover, or a link
	 * planted to make us truncate or chmod another file) is removed, and
	 * the temp file is created new: O_EXCL never follows a link. */
	if (unlink(tmp) == -1 && errno != ENOENT)
		return -1;
	fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd == -1)
		return -1;
	/* fchmod: the umask trimmed `mode`. */
	if (fchmod(fd, mode) == -1 || fileio_write_all(fd, data, len) == -1 ||
	    (sync && fsync(fd) == -1)) {
		saved = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) == -1) {
		saved = errno;
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	errno = saved;
	return -1;
}

static int
fileio_replace_sync(const char *path, const void *data, size_t len,
    mode_t mode, bool sync)
{
	char tmp[PATH_MAX];
	int saved;

	if (fileio_write_tmp(path, data, len, mode, sync, tmp) == -1)
		return -1;
	if (rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return sync ? fileio_sync_dir(path) : 0;
}

int
fileio_replace(const char *path, const void *data, size_t len, mode_t mode)
{
	return fileio_replace_sync(path, data, len, mode, true);
}

int
fileio_replace_owned(const char *path, char *data, size_t len, mode_t mode)
{
	int rc, saved;

	if (data == NULL)
		return -1;
	rc = fileio_replace(path, data, len, mode);
	saved = errno;
	free(data);
	errno = saved;
	return rc;
}

int
fileio_replace_lazy(const char *path, const void *data, size_t len,
    mode_t mode)
{
	return fileio_replace_sync(path, data, len, mode, false);
}

int
fileio_sync(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc, saved;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc == -1 ? -1 : fileio_sync_dir(path);
}

int
fileio_create_excl(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int rc, saved;

	if (fileio_write_tmp(path, data, len, mode, true, tmp) == -1)
		return -1;
	/* Never replaces a file that appeared meanwhile. Some file systems
	 * lack RENAME_NOREPLACE; link() is just as atomic and just as
	 * unwilling to replace a file. */
	rc = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
	if (rc == -1 && (errno == EINVAL || errno == ENOSYS))
		rc = link(tmp, path);
	saved = errno;
	(void)unlink(tmp);	/* after link() or a failure; a rename moved it */
	if (rc == -1) {
		errno = saved;
		return -1;
	}
	/* The content is what counts; a failed directory fsync only delays
	 * its durability. */
	(void)fileio_sync_dir(path);
	return 0;
}

int
fileio_remove(const char *path)
{
	if (unlink(path) == -1)
		return errno == ENOENT ? 0 : -1;
	return fileio_sync_dir(path);
}
