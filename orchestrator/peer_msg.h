/* The HA peer datagram (pure): encoding, strict decoding, and the replay
 * and freshness decision. Nothing here does I/O or reads a clock; the
 * shell (peer.c) passes the time in. docs/ha.md has the layout table;
 * peer_replay.c decides about replays and freshness.
 *
 * Each node sends the candidates it learned itself (DHCP), never those it
 * got from its peer, so a candidate cannot loop between the nodes and
 * outlive its lease.
 *
 * Security properties (docs/ha.md says exactly what an attacker can do):
 *  - Authenticity and integrity: HMAC-SHA256 with the pre-shared key over
 *    every byte before the tag, compared in constant time. Only a holder
 *    of the key can make a message that decodes.
 *  - Runs are ordered: a boot id is above every earlier boot id of the
 *    same node (peer.c keeps a counter in the state directory and never
 *    goes below the wall clock in ms), so a higher boot id is a restart
 *    and a lower one is an earlier run, i.e. a replay.
 *  - Replay: within the followed run, the sequence number must grow. A
 *    lower boot id is refused unless it proves to be alive: it echoes one
 *    of our messages sent after we took up the run we follow (the peer's
 *    counter went back, its state directory was lost). Only such a proof
 *    retires a run for good; a higher boot id that proves nothing is
 *    followed but retires nothing, so a replay can never shut out the run
 *    that really lives.
 *  - Freshness: only a message that echoes one of our messages sent after
 *    we took up its run, at most PEER_MSG_ECHO_MAX_MS ago, counts the
 *    peer as up and lets its candidates in. A recorded message was made
 *    before we took its run up, so a replay is never fresh.
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
#include "learned.h"

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

/* A lease expiry that moved by this much or less is the same expiry:
 * "remaining seconds" read at two whole-second clocks jitters by one. */
#define PEER_MSG_EXPIRY_SLACK	2
struct peer_msg_cand {
	struct proxy_addr addr;
	char ifname[IFNAMSIZ];		/* [A-Za-z0-9_.-], 1..15 */
	uint32_t remaining;		/* seconds, or PEER_MSG_NO_EXPIRY */
};

struct peer_msg {
	uint8_t flags;
	char node[CFG_NAME_MAX];	/* printable ASCII (0x20-0x7e), 1..63 */
	uint64_t boot;			/* grows with every daemon start, != 0 */
	uint64_t seq;			/* strictly increasing per boot, != 0 */
	uint64_t time_ms;		/* sender's stamp (peer_replay_stamp); echoed back */
	uint64_t echo_boot;		/* receiver's boot id, with F_ECHO */
	uint64_t echo_time_ms;		/* time_ms of that message, with F_ECHO */
	struct peer_msg_cand cand[PEER_MSG_MAX_CAND];
	size_t ncand;
};

/* A locally learned candidate as the sender keeps it between sends. */
struct peer_local {
	struct proxy_addr addr;
	char ifname[IFNAMSIZ];
	int64_t expiry;			/* epoch seconds, 0 = not recorded */
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

/* The boot id file of the state directory: the last boot id in decimal,
 * one optional trailing newline, nothing else; false when it is not. */
bool peer_msg_boot_parse(const char *buf, size_t len, uint64_t *out);
/* The boot id of a new run after `last` (0: none recorded): above it, and
 * not below the wall clock in ms, so that a lost state directory still
 * gives a higher id while the clock is right. Never 0. */
uint64_t peer_msg_boot_next(uint64_t last, int64_t realtime_ms);

/* What this node may advertise: the valid local candidates exactly as
 * selection counts them (learned_local), at most `max` (the rest are
 * counted in *dropped). Never the peer's own candidates: those are not in
 * dhcp[], and re-advertising them could keep a dead lease alive in a loop. */
size_t peer_msg_gather(const struct dhcp_info *dhcp, size_t n,
    const struct config *cfg, int64_t now, const uint32_t *local_ip,
    size_t nlocal_ip, struct peer_local *out, size_t max, size_t *dropped);
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
