/* The configuration file: read it (bounded, non-blocking, regular files
 * only), parse it with the pure config_parse(), then check the files it
 * names (the upstream credentials, the notify script) with the errors at
 * the place of their value, "FILE:LINE:COL: what FILE: why". The only part
 * of the configuration module that touches the file system. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_file.h"
#include "fileio.h"

/* The one read of the file: bounded, non-blocking, a regular file only.
 * NULL with errno set on failure. */
static char *
config_file_read(const char *path, size_t *len)
{
	return fileio_read(path, CONFIG_MAX_SIZE, 0, len);
}

/* "FILE:LINE:COL: WHAT FILE: WHY" as the one error; false. */
static bool
config_file_error(struct cfg_errors *err, const char *path, size_t line,
    size_t col, const char *what, const char *file, const char *why)
{
	int n = snprintf(err->msg[0], CFG_ERR_LEN, "%s:%zu:%zu: ", path, line, col);

	if (n > 0 && n < CFG_ERR_LEN)
		snprintf(err->msg[0] + n, CFG_ERR_LEN - (size_t)n, "%s %.120s: %.100s",
		    what, file, why);
	err->n = 1;
	return false;
}

/* The loop must never wait on a file it did not create: the read does not
 * block (a FIFO at the path is refused at once, never waited on) and only
 * a regular file is read. Links are followed, since configuration files
 * under /etc are often links; the target is checked after the open. */
bool
config_file_load(const char *path, struct config *cfg, struct cfg_errors *err)
{
	char why[128];
	size_t len;
	char *buf;
	bool ok;

	memset(err, 0, sizeof(*err));
	if ((buf = config_file_read(path, &len)) == NULL) {
		snprintf(err->msg[0], CFG_ERR_LEN, "%s: %s", path,
		    errno == EFBIG ? "larger than 1 MiB" :
		    fileio_strerror(errno));
		err->n = 1;
		return false;
	}
	ok = config_parse(path, buf, len, cfg, err);
	free(buf);
	/* Files the configuration names, checked once it parsed. */
	if (ok && cfg->auth_file[0] != '\0' &&
	    !config_auth_file_ok(cfg->auth_file, why, sizeof(why)))
		ok = config_file_error(err, path, cfg->auth_line, cfg->auth_col,
		    "credentials-file", cfg->auth_file, why);
	if (ok && cfg->notify[0] != '\0' &&
	    !config_notify_file_ok(cfg->notify, why, sizeof(why)))
		ok = config_file_error(err, path, cfg->notify_line, cfg->notify_col,
		    "notify", cfg->notify, why);
	return ok;
}

#define CONFIG_AUTH_MAX	1024

/* The content of a credentials file: one line "user:password" (a final
 * newline allowed), no CR, LF or NUL inside. */
static bool
config_auth_text_ok(char *buf, size_t len, char *why, size_t wlen)
{
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (memchr(buf, '\r', len) || memchr(buf, '\n', len) || memchr(buf, '\0', len)) {
		snprintf(why, wlen, "contains CR, LF or NUL");
		return false;
	}
	buf[len] = '\0';
	if (len < 2 || strchr(buf, ':') == NULL || buf[0] == ':') {
		snprintf(why, wlen, "must hold one line user:password");
		return false;
	}
	return true;
}

/* The credentials are a secret like the CA and HA keys: the one rule of
 * fileio_secret_problem(), checked on the open file before a byte is read. */
bool
config_auth_file_ok(const char *path, char *why, size_t wlen)
{
	const char *rule;
	struct stat st;
	size_t len;
	char *buf;
	bool ok;

	buf = fileio_read_secret(path, CONFIG_AUTH_MAX, O_NOFOLLOW, &len, &st, &rule);
	if (buf == NULL && rule != NULL)
		snprintf(why, wlen, "%s (is uid %u, mode %04o)", rule,
		    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	else if (buf == NULL && errno == EFBIG)
		snprintf(why, wlen, "larger than %d bytes", CONFIG_AUTH_MAX);
	else if (buf == NULL)
		snprintf(why, wlen, "%s", fileio_strerror(errno));
	if (buf == NULL)
		return false;
	ok = config_auth_text_ok(buf, len, why, wlen);
	fileio_secret_free(buf, len);	/* the password */
	return ok;
}

/* Whoever may write a directory above the script can rename another file
 * over it: every directory of the resolved path must be root's and
 * writable by root alone, or sticky (then only root may rename or remove
 * the root-owned entry below it). */
static bool
config_notify_dirs_ok(const char *path, char *why, size_t wlen)
{
	char real[PATH_MAX], *slash;
	struct stat st;

	if (realpath(path, real) == NULL) {
		snprintf(why, wlen, "%s", strerror(errno));
		return false;
	}
	while ((slash = strrchr(real, '/')) != NULL) {
		slash[slash == real ? 1 : 0] = '\0';
		if (stat(real, &st) == -1) {
			snprintf(why, wlen, "%s: %s", real, strerror(errno));
			return false;
		}
		if (st.st_uid != 0 || ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
		    (st.st_mode & S_ISVTX) == 0)) {
			snprintf(why, wlen, "directory %s must be owned by root and not "
			    "writable by group or others (is uid %u, mode %04o)", real,
			    (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
			return false;
		}
		if (slash == real)
			break;
	}
	return true;
}

/* The script runs as root: whoever may change it is root. */
bool
config_notify_file_ok(const char *path, char *why, size_t wlen)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		snprintf(why, wlen, "%s", strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, wlen, "not a regular file");
		return false;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(why, wlen, "must be owned by root and not writable by group "
		    "or others (is uid %u, mode %04o)", (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777));
		return false;
	}
	if ((st.st_mode & S_IXUSR) == 0) {
		snprintf(why, wlen, "not executable (mode %04o)",
		    (unsigned)(st.st_mode & 07777));
		return false;
	}
	return config_notify_dirs_ok(path, why, wlen);
}
