/* State files (formats in docs/architecture.md, "Files at run time"), written atomically
 * through fileio (temp file in the same directory, fsync, rename, fsync of
 * the directory) and read back at start-up. Parsers are pure and fuzzed: the files live on
 * disk where anyone with root can edit them. Proxy strings are kept as text
 * and validated later with every other candidate. */
#ifndef STATEFILE_H
#define STATEFILE_H
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* The exact file contents (indented JSON, keys in the order shown above,
 * trailing newline); caller frees. NULL with errno EINVAL when the struct
 * cannot be written (count over SF_MAX_PROXIES, unterminated string, a
 * name or state the parser would refuse, negative time) or ENOMEM. The
 * daemon writes them with fileio_replace_owned (mode 0644) and reads them
 * with fileio_read(path, SF_FILE_MAX, O_NOFOLLOW, ...): state files are
 * ours, a symlink is someone else's. */
char *statefile_dump_dhcp(const struct dhcp_info *, size_t *len);
char *statefile_dump_peer(const struct peer_info *, size_t *len);
char *statefile_dump_proxy(const struct proxy_addr *, size_t *len);

#endif
