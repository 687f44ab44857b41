/* State files (formats in docs/architecture.md, "Files at run time"), written atomically
 * (temp file in the same directory, fsync, rename, fsync of the directory)
 * and read back at start-up. Parsers are pure and fuzzed: the files live on
 * disk where anyone with root can edit them. Proxy strings are kept as text
 * and validated later with every other candidate. */
#ifndef STATEFILE_H
#define STATEFILE_H
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "addr.h"
#include "config.h"
#include "learned.h"

#define SF_STATE_MAX	32	/* resolution-state as read */
#define SF_FILE_MAX	(64 * 1024)	/* larger state files are refused */

/* Pure parsers: false with err = "reason" (with line:col for JSON syntax). */
bool statefile_parse_dhcp(const char *buf, size_t len, struct dhcp_info *out,
    char err[CFG_ERR_LEN]);
bool statefile_parse_peer(const char *buf, size_t len, struct peer_info *out,
    char err[CFG_ERR_LEN]);
bool statefile_parse_proxy(const char *buf, size_t len, struct proxy_addr *out,
    char err[CFG_ERR_LEN]);

/* Read a whole file of at most SF_FILE_MAX bytes; caller frees.
 * NULL with errno set on failure (ENOENT when absent, EFBIG when too big). */
char *statefile_read(const char *path, size_t *len);
/* The same with another size limit and extra open(2) flags (statefile_read
 * is statefile_read_max(path, SF_FILE_MAX, O_NOFOLLOW, len)). */
char *statefile_read_max(const char *path, size_t max, int oflags, size_t *len);
/* The text for an errno of statefile_read_max: EINVAL is what it sets for
 * anything but a regular file (a FIFO, a device), otherwise strerror(). */
const char *statefile_read_error(int errnum);
/* The rule for a secret (the HA key, the CA key), checked on the open file:
 * a regular file owned by root or by the daemon's user, with no group or
 * other permission bits (0600 or stricter). NULL when it is fine, else the
 * reason, one wording for every key. */
const char *statefile_secret_problem(const struct stat *st);
/* Atomic replace: PATH.tmp, fsync, rename, fsync(dir). 0 or -1 with errno. */
int statefile_write_atomic(const char *path, const char *data, size_t len, mode_t mode);
/* The same without the two fsyncs: readers see the whole old or the whole
 * new file, but a power cut may lose it until statefile_sync(path) (fsync
 * the file and its directory) has returned 0. */
int statefile_write_atomic_nosync(const char *path, const char *data, size_t len,
    mode_t mode);
int statefile_sync(const char *path);

/* Pure: the exact file contents (indented JSON, keys in the order shown
 * above, trailing newline); caller frees. NULL with errno EINVAL when the
 * struct cannot be written (count over SF_MAX_PROXIES, unterminated string,
 * a name or state the parser would refuse, negative time) or ENOMEM. The writers below use these. */
char *statefile_dump_dhcp(const struct dhcp_info *, size_t *len);
char *statefile_dump_peer(const struct peer_info *, size_t *len);
char *statefile_dump_proxy(const struct proxy_addr *, size_t *len);

int statefile_write_dhcp(const char *path, const struct dhcp_info *);
int statefile_write_peer(const char *path, const struct peer_info *);
int statefile_write_proxy(const char *path, const struct proxy_addr *);
/* Remove the file and fsync the directory; absent is success. */
int statefile_remove(const char *path);
#endif
