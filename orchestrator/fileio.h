/* File I/O, one way for every file the daemon reads or writes: one bounded
 * reader, one atomic replace, one exclusive create, one path join, one
 * mkdir -p and one rule for files that hold a secret. Every function
 * returns -1 (or NULL) with errno set, never a cut path or a partial file. */
#ifndef FILEIO_H
#define FILEIO_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The limit of fileio_read for small files of our own (state files, PEM,
 * HAProxy's configuration). */
#define FILEIO_READ_MAX	(64 * 1024)

/* DIR/NAME into buf[size]; -1 with ENAMETOOLONG when it does not fit
 * (never a silently shortened path). */
int fileio_path(char *buf, size_t size, const char *dir, const char *name);
/* The directory part of path ("." without a slash, "/" for "/x"). */
int fileio_dirname(const char *path, char *buf, size_t size);
/* mkdir -p; directories that exist are fine. */
int fileio_mkdirs(const char *path, mode_t mode);
/* mkdir -p of the directory that holds file. */
int fileio_mkdir_parent(const char *file, mode_t mode);
/* Calls fn with each name in dir that does not start with '.', until fn
 * returns false. -1 with errno when dir cannot be opened. */
int fileio_dir_each(const char *dir, bool (*fn)(const char *name, void *arg),
    void *arg);

/* A whole file of at most max bytes, NUL-terminated; caller frees. Opened
 * non-blocking (a FIFO planted at the path must not hang the loop) with
 * the extra open(2) flags oflags (O_NOFOLLOW for files of our own). NULL
 * with errno: ENOENT when absent, EFBIG when larger than max, EISDIR for a
 * directory, EINVAL for anything else that is not a regular file. */
char *fileio_read(const char *path, size_t max, int oflags, size_t *len);
/* The text for an errno of fileio_read: "not a regular file" for EINVAL,
 * otherwise strerror(). */
const char *fileio_strerror(int errnum);

/* The rule for a secret (the HA key, the CA key), checked on the open
 * file: a regular file owned by root or by the daemon's user, with no
 * group or other permission bits (0600 or stricter). NULL when it is
 * fine, else the reason, one wording for every key. */
const char *fileio_secret_problem(const struct stat *st);
/* fileio_read for a secret: the rule above is checked on the open file
 * before a byte is read. On failure *why is the rule's reason (errno
 * EACCES) or NULL (errno as fileio_read); *st is the file's status when
 * it could be taken (zeroed otherwise). Free with fileio_secret_free. */
char *fileio_read_secret(const char *path, size_t max, int oflags,
    size_t *len, struct stat *st, const char **why);
/* Wipes the buffer before freeing it. */
void fileio_secret_free(char *buf, size_t len);

/* Atomic replace: PATH.tmp created new (whatever sat there removed first),
 * written, given mode, fsync, rename over PATH, fsync of the directory.
 * Readers see the whole old or the whole new file; on failure the old one
 * stays and no temp file is left. */
int fileio_replace(const char *path, const void *data, size_t len, mode_t mode);
/* The same without the two fsyncs: a power cut may lose it until
 * fileio_sync(path) (fsync of the file and its directory) returned 0. */
int fileio_replace_lazy(const char *path, const void *data, size_t len,
    mode_t mode);
int fileio_sync(const char *path);
/* fileio_replace() of a buffer the caller gives up: freed whatever
 * happens. NULL data (a text that could not be made, errno set) is -1
 * with nothing written. */
int fileio_replace_owned(const char *path, char *data, size_t len, mode_t mode);
/* Exclusive create (keys: mode 0600): the content is written and flushed
 * under PATH.tmp, born with mode, then linked into place only if PATH does
 * not exist (EEXIST otherwise); never readable by others, never a partial
 * file at PATH. */
int fileio_create_excl(const char *path, const void *data, size_t len,
    mode_t mode);
/* Remove the file and fsync its directory; absent is success. */
int fileio_remove(const char *path);
#endif
