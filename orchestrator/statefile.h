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
#include <sys/stat.h>
#include <sys/types.h>

#include "addr.h"
#include "config.h"

#define SF_TEXT_MAX	64	/* one proxy string as received */
#define SF_MAX_PROXIES	8	/* per interface / per peer */
#define SF_STATE_MAX	32
#define SF_FILE_MAX	(64 * 1024)	/* larger state files are refused */

/* <state-dir>/dhcp/<interface>:
 * {"dhcp-client-info": {"interface-name": "wan1", "resolution-state":
 *  "resolved", "management-proxies": ["10.92.53.8:3128"],
 *  "lease-expiry": 1790000000, "server": "192.0.2.1"}}
 * lease-expiry (epoch seconds) and server are optional extra keys. */
struct dhcp_info {
	char ifname[IFNAMSIZ];
	char state[SF_STATE_MAX];		/* resolution-state */
	char proxy[SF_MAX_PROXIES][SF_TEXT_MAX];
	size_t nproxy;
	int64_t lease_expiry;			/* 0 = not recorded */
	uint32_t server;			/* 0 = not recorded */
};

/* <run-dir>/peer-proxy.json:
 * {"node": "node2", "up": true, "last-heard": 1790000000,
 *  "management-proxies": [{"proxy": "A.B.C.D:P", "source": "dhcp:wan1",
 *  "lease-expiry": 1790000100}]} */
struct peer_info {
	char node[CFG_NAME_MAX];
	bool up;
	int64_t last_heard;			/* epoch seconds, 0 = never */
	struct {
		char proxy[SF_TEXT_MAX];
		char source[CFG_NAME_MAX];	/* the peer's own source tag */
		int64_t lease_expiry;		/* 0 = none */
	} cand[SF_MAX_PROXIES];
	size_t ncand;
};

/* Pure parsers: false with err = "reason" (with line:col for JSON syntax). */
bool statefile_parse_dhcp(const char *buf, size_t len, struct dhcp_info *out,
    char err[CFG_ERR_LEN]);
bool statefile_parse_peer(const char *buf, size_t len, struct peer_info *out,
    char err[CFG_ERR_LEN]);
bool statefile_parse_proxy(const char *buf, size_t len, struct proxy_addr *out,
    char err[CFG_ERR_LEN]);

/* Pure: the exact file contents (indented JSON, keys in the order shown
 * above, trailing newline); caller frees. NULL with errno EINVAL when the
 * struct cannot be written (count over SF_MAX_PROXIES, unterminated string,
 * a name or state the parser would refuse, negative time) or ENOMEM. The writers below use these. */
char *statefile_dump_dhcp(const struct dhcp_info *, size_t *len);
char *statefile_dump_peer(const struct peer_info *, size_t *len);
char *statefile_dump_proxy(const struct proxy_addr *, size_t *len);

/* The dump, written with fileio_replace (mode 0644). Read the files with
 * fileio_read(path, SF_FILE_MAX, O_NOFOLLOW, ...): state files are ours,
 * a symlink is someone else's. */
int statefile_write_dhcp(const char *path, const struct dhcp_info *);
int statefile_write_peer(const char *path, const struct peer_info *);
int statefile_write_proxy(const char *path, const struct proxy_addr *);

#endif
