/* The HA peer datagram (pure): encoding, strict decoding, and the replay
 * and freshness decision. Nothing here does I/O or reads a clock; the
 * shell (peer.c) passes the time in. docs/ha.md has the layout table.
 *
 * Each node sends the candidates it learned itself (DHCP), never those it
 * got from its peer, so a candidate cannot loop between the nodes and
 * outlive its lease (DESIGN.md, "HA peers exchange full state ...").
 *
 * Security properties:
 *  - Authenticity and integrity: HMAC-SHA256 with the pre-shared key over
 *    every byte before the tag, compared in constant time. Only a holder
 *    of the key can make a message that decodes.
 *  - Replay: a message is accepted only with a sequence number above the
 *    last one of the sender's current boot id; a boot id seen earlier and
 *    then replaced is refused for good (up to PEER_REPLAY_HISTORY of them).
 *  - Freshness across our own restarts: a message proves that it was made
 *    after it heard us by echoing our boot id and the send time of one of
 *    our messages, not older than PEER_MSG_ECHO_MAX_MS. Only such "fresh"
 *    messages count the peer as up and let its candidates in, so a
 *    recorded message replayed after a restart of ours teaches nothing.
 *  - Reflection: a message carrying our own node name is refused, and after
 *    the first accepted message only that node name is accepted.
 *  - What an on-path attacker can still do: drop or delay datagrams (the
 *    peer then counts as down after the keepalive timeout and its
 *    candidates are withdrawn; a delay beyond the echo window makes a
 *    message count as not fresh), and read them: there is no
 *    confidentiality, the proxy addresses are not secret. */
#ifndef PEER_MSG_H
#define PEER_MSG_H
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"
#include "statefile.h"

#define PEER_MSG_MAGIC		0x4d504841u	/* "MPHA" */
#define PEER_MSG_VERSION	1
#define PEER_MSG_HDR_LEN	48	/* fixed part before the node name */
#define PEER_MSG_CAND_FIXED	11	/* ip 4, port 2, remaining 4, name length 1 */
#define PEER_MSG_MAC_LEN	32	/* HMAC-SHA256 */
#define PEER_MSG_MAX		1200	/* never larger on the wire */
#define PEER_MSG_MAX_CAND	SF_MAX_PROXIES
#define PEER_MSG_NODE_MAX	(CFG_NAME_MAX - 1)
#define PEER_MSG_KEY_MIN	16
#define PEER_MSG_KEY_MAX	512

#define PEER_MSG_F_ECHO		0x01	/* "I heard you": echo fields are set */
#define PEER_MSG_F_ALL		PEER_MSG_F_ECHO

/* remaining == PEER_MSG_NO_EXPIRY: the sender recorded no lease expiry. */
#define PEER_MSG_NO_EXPIRY	UINT32_MAX

/* An echo older than this does not prove the peer hears us now: the
 * keepalive period (2 s) plus up to two lost datagrams plus slack. */
#define PEER_MSG_ECHO_MAX_MS	8000
/* A lease expiry that moved by this much or less is the same expiry:
 * "remaining seconds" read at two whole-second clocks jitters by one. */
#define PEER_MSG_EXPIRY_SLACK	2
#define PEER_REPLAY_HISTORY	8

struct peer_msg_cand {
	struct proxy_addr addr;
	char ifname[IFNAMSIZ];		/* [A-Za-z0-9_.-], 1..15 */
	uint32_t remaining;		/* seconds, or PEER_MSG_NO_EXPIRY */
};

struct peer_msg {
	uint8_t flags;
	char node[CFG_NAME_MAX];	/* printable ASCII (0x20-0x7e), 1..63 */
	uint64_t boot;			/* random per daemon start, != 0 */
	uint64_t seq;			/* strictly increasing per boot, != 0 */
	uint64_t time_ms;		/* sender's monotonic clock; echoed back */
	uint64_t echo_boot;		/* receiver's boot id, with F_ECHO */
	uint64_t echo_time_ms;		/* time_ms of that message, with F_ECHO */
	struct peer_msg_cand cand[PEER_MSG_MAX_CAND];
	size_t ncand;
};

/* What the receiver remembers about its peer to refuse replays. */
struct peer_replay {
	char self[CFG_NAME_MAX];	/* our node name */
	char expect[CFG_NAME_MAX];	/* "" = lock onto the first sender */
	char locked[CFG_NAME_MAX];	/* the sender we accepted first */
	uint64_t self_boot;		/* our boot id, which fresh messages echo */
	bool have_boot;
	uint64_t boot;			/* the peer's current boot id */
	uint64_t seq;			/* its last accepted sequence number */
	uint64_t old[PEER_REPLAY_HISTORY];	/* replaced boot ids */
	size_t nold;
};

/* A locally learned candidate as the sender keeps it between sends. */
struct peer_local {
	struct proxy_addr addr;
	char ifname[IFNAMSIZ];
	int64_t expiry;			/* epoch seconds, 0 = not recorded */
};

enum peer_accept {
	PEER_MSG_REFUSED = 0,	/* replayed, reflected or foreign: drop */
	PEER_MSG_ONEWAY,	/* new, but no proof the peer hears us: echo it only */
	PEER_MSG_FRESH,		/* new and echoes us: the peer is up */
};

/* A node name the datagram can carry: 1..63 bytes of printable ASCII. */
bool peer_msg_node_ok(const char *node);
/* HMAC-SHA256 of buf[0..len) with the key; false on a libcrypto failure. */
bool peer_msg_mac(const uint8_t *key, size_t keylen, const uint8_t *buf,
    size_t len, uint8_t out[PEER_MSG_MAC_LEN]);
/* Writes the datagram into buf[size]; returns its length, or 0 when a
 * field is invalid (the same checks as decode) or it does not fit. */
size_t peer_msg_encode(const struct peer_msg *m, const uint8_t *key,
    size_t keylen, uint8_t *buf, size_t size);
/* Strict decode: false with *why a static reason when anything is off. */
bool peer_msg_decode(const uint8_t *buf, size_t len, const uint8_t *key,
    size_t keylen, struct peer_msg *out, const char **why);

void peer_replay_init(struct peer_replay *st, const char *self,
    const char *expect, uint64_t self_boot);
/* Decides about an authentic message and, unless it is refused, records
 * its boot id and sequence number. now_ms: our monotonic clock, the one
 * our time_ms values come from. */
enum peer_accept peer_msg_accept(struct peer_replay *st, const struct peer_msg *m,
    int64_t now_ms, const char **why);

/* What this node may advertise: the proxies of eligible interfaces
 * (config_iface_eligible) in resolution-state "resolved" whose lease has
 * not ended at `now`, valid and usable, at most `max` (the rest are
 * counted in *dropped). Never the peer's own candidates: those are not in
 * dhcp[], and re-advertising them could keep a dead lease alive in a loop. */
size_t peer_msg_gather(const struct dhcp_info *dhcp, size_t n,
    const struct config *cfg, int64_t now, struct peer_local *out, size_t max,
    size_t *dropped);
/* Copies into m the local candidates still alive at `now`, converting each
 * expiry into remaining seconds. */
void peer_msg_fill(struct peer_msg *m, const struct peer_local *local,
    size_t n, int64_t now);

/* The peer_info the daemon stores (up, heard at `now`, epoch seconds):
 * remaining seconds become now + remaining on our own clock. */
void peer_msg_to_info(const struct peer_msg *m, int64_t now, struct peer_info *out);
/* Equal for the daemon's purposes: node, up, the same candidates in the
 * same order, expiries within PEER_MSG_EXPIRY_SLACK. last_heard is
 * ignored. */
bool peer_msg_info_same(const struct peer_info *a, const struct peer_info *b);
#endif
