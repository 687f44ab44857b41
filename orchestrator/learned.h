/* What learned mode knows (pure): the proxies each interface learned by
 * DHCP, the peer's, and the decisions over them — what a judged DHCP
 * reply changes, when an interface forgets, which local candidates are
 * usable. The daemon keeps the table; statefile.c turns an entry into
 * JSON and back. */
#ifndef LEARNED_H
#define LEARNED_H
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"

struct dhcp_reply;

#define SF_TEXT_MAX	64	/* one proxy string as received */
#define SF_MAX_PROXIES	8	/* per interface / per peer */
/* Every proxy of every interface: what learned_local() can list. */
#define LEARNED_MAX_LOCAL	(CFG_MAX_IFACE * SF_MAX_PROXIES)

/* A renewal that changes nothing but the lease end is written (and sent
 * to the peer) at most this often per interface: a flood of ACKs for our
 * chaddr must not turn into a flood of fsyncs and datagrams. */
#define LEARNED_SAVE_MIN	2

/* resolution-state; the names are the file and JSON values (also in
 * docs/operations.md). */
enum learned_state {
	LEARNED_PENDING,	/* no ACK seen yet */
	LEARNED_RESOLVED,
	LEARNED_NO_OPT43,
	LEARNED_NO_SUB128,
	LEARNED_INVALID,
	LEARNED_NAK,
	LEARNED_EXPIRED,
	LEARNED_LINK_DOWN,
	LEARNED_NSTATE
};

/* <state-dir>/dhcp/<interface>:
 * {"dhcp-client-info": {"interface-name": "wan1", "resolution-state":
 *  "resolved", "management-proxies": ["10.92.53.8:3128"],
 *  "lease-expiry": 1790000000, "server": "192.0.2.1"}}
 * lease-expiry (epoch seconds) and server are optional extra keys. */
struct dhcp_info {
	char ifname[IFNAMSIZ];
	enum learned_state state;		/* resolution-state */
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

/* NULL for a value outside the enum. */
const char *learned_state_name(enum learned_state);
/* false when the name is none of the table's. */
bool learned_state_parse(const char *name, enum learned_state *out);

/* The one parser of a learned "A.B.C.D:P" (a DHCP value, a state file, a
 * peer's candidate), reading at most SF_TEXT_MAX bytes of text: false with
 * *why a static reason. */
bool learned_value_parse(const char *text, struct proxy_addr *out, const char **why);
/* An interface name as the config loader accepts it ([A-Za-z0-9_.-],
 * 1..15, never "." or ".."): others are shown as dhcp:NAME and sent to
 * the peer. Exactly n bytes are looked at. */
bool learned_ifname_ok(const char *s, size_t n);

/* The interface's entry, NULL when nothing was learned there. */
const struct dhcp_info *learned_find(const struct dhcp_info *, size_t n,
    const char *ifname);
/* An empty entry of the interface in the given state. */
void learned_clear(struct dhcp_info *info, const char *ifname, enum learned_state);

/* What a judged ACK or NAK changes (learned_dhcp_apply). */
enum learned_change {
	LEARNED_IGNORED,	/* an OFFER or the like: nothing */
	LEARNED_REJECTED,	/* unusable for this interface: why */
	LEARNED_RENEWED,	/* only the lease end moved: already in the table */
	LEARNED_CHANGED,	/* info is the interface's new entry */
};

struct learned_result {
	enum learned_change change;
	size_t index;		/* the interface's slot; n when it has none yet */
	struct dhcp_info info;	/* the entry as it is to be (RENEWED, CHANGED) */
	/* Write the entry to its file and send it to the peer: always for a
	 * change (once pacing lets it through), for a renewal at most every
	 * LEARNED_SAVE_MIN seconds. Selection runs again in every case but
	 * IGNORED and REJECTED. */
	bool persist, publish;
	const char *why;	/* REJECTED */
};

/* Applies a reply the guard accepted on interface ifname (hardware address
 * mac) to table[0..n). saved[i] is when table[i] was last written. A
 * renewal updates table[index].lease_expiry; a change leaves the table to
 * the caller, which may hold it back. */
void learned_dhcp_apply(struct dhcp_info *table, size_t n, const int64_t *saved,
    const char *ifname, const uint8_t mac[6], const struct dhcp_reply *r,
    int64_t now, struct learned_result *out);
/* The interface went down (up false) or away: true with *info its cleared
 * entry when it had learned something not yet forgotten for that reason. */
bool learned_link(const struct dhcp_info *table, size_t n, const char *ifname,
    bool up, bool removed, struct dhcp_info *info);

/* One local candidate: a proxy an interface learned, with the verdict. */
struct learned_cand {
	const char *text;		/* the entry's proxy string */
	const char *ifname;
	struct proxy_addr addr;		/* when valid */
	int64_t expiry;			/* epoch s, 0 = none */
	bool valid;
	const char *reason;		/* why not valid; static */
};

/* Lists the proxies of eligible interfaces whose lease has not ended at
 * `now` (table order, at most max; the rest are counted in *dropped).
 * Valid — selectable here and sent to the peer, which then accepts and
 * selects it too — when the text parses, the interface is "resolved" under
 * a name the peer accepts, and it reaches none of this box's forwarder
 * listeners (ports_own_listener over local_ip). */
size_t learned_local(const struct dhcp_info *table, size_t n,
    const struct config *cfg, int64_t now, const uint32_t *local_ip,
    size_t nlocal_ip, struct learned_cand *out, size_t max, size_t *dropped);
#endif
