/* Replays and freshness of the HA peer's datagrams (pure): what the
 * receiver remembers about its peer, and the decision about each authentic
 * message. Nothing here does I/O or reads a clock; peer.c passes the time
 * in. The security properties are listed in peer_msg.h. */
#ifndef PEER_REPLAY_H
#define PEER_REPLAY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "peer_msg.h"

/* An echo older than this does not prove the peer hears us now: the
 * keepalive period (2 s) plus up to two lost datagrams plus slack. */
#define PEER_MSG_ECHO_MAX_MS	8000
#define PEER_REPLAY_HISTORY	8

/* What the receiver remembers about its peer to refuse replays. Stamps
 * are the time_ms values of our own messages: our monotonic clock in ms,
 * made strictly increasing, so "sent after" is a comparison. */
struct peer_replay {
	char self[CFG_NAME_MAX];	/* our node name */
	char expect[CFG_NAME_MAX];	/* "" = lock onto the first sender */
	char locked[CFG_NAME_MAX];	/* the sender we accepted first */
	uint64_t self_boot;		/* our boot id, which fresh messages echo */
	uint64_t stamp;			/* the stamp of our latest message */
	bool have_boot;
	uint64_t boot;			/* the peer's run we follow */
	uint64_t seq;			/* its last accepted sequence number */
	uint64_t since;			/* our stamp when we took that run up */
	uint64_t fresh_after;		/* fresh: echoes a stamp above this */
	uint64_t old[PEER_REPLAY_HISTORY];	/* runs proven to have ended */
	size_t nold;
};

enum peer_accept {
	PEER_REPLAY_REFUSED = 0,	/* replayed, reflected or foreign: drop */
	PEER_REPLAY_ONEWAY,		/* new, but no proof the peer hears us: echo it only */
	PEER_REPLAY_FRESH,		/* new and echoes us: the peer is up */
};

void peer_replay_init(struct peer_replay *st, const char *self,
    const char *expect, uint64_t self_boot);
/* Forgets the peer (another key, node name or endpoint is another trust
 * relation) but keeps our own run and its stamps. */
void peer_replay_forget(struct peer_replay *st, const char *self,
    const char *expect);
/* The stamp for our next message: now_ms, or one above the last stamp
 * when the clock has not moved on. Records it. */
uint64_t peer_replay_stamp(struct peer_replay *st, int64_t now_ms);
/* Decides about an authentic message and, unless it is refused, records
 * its boot id and sequence number. now_ms: our monotonic clock, the one
 * our stamps come from. */
enum peer_accept peer_replay_accept(struct peer_replay *st, const struct peer_msg *m,
    int64_t now_ms, const char **why);
#endif
