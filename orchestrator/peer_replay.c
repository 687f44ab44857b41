/* The replay and freshness decision about the peer's datagrams. */
#include <stdio.h>
#include <string.h>

#include "peer_replay.h"

static void
peer_replay_names(struct peer_replay *st, const char *self, const char *expect)
{
	snprintf(st->self, sizeof(st->self), "%s", self != NULL ? self : "");
	snprintf(st->expect, sizeof(st->expect), "%s",
	    expect != NULL ? expect : "");
}

void
peer_replay_init(struct peer_replay *st, const char *self, const char *expect,
    uint64_t self_boot)
{
	memset(st, 0, sizeof(*st));
	peer_replay_names(st, self, expect);
	st->self_boot = self_boot;
}

void
peer_replay_forget(struct peer_replay *st, const char *self, const char *expect)
{
	uint64_t self_boot = st->self_boot, stamp = st->stamp;

	peer_replay_init(st, self, expect, self_boot);
	/* Kept: a message recorded before must still echo a stamp at or
	 * below every `since` taken from now on. */
	st->stamp = stamp;
}

uint64_t
peer_replay_stamp(struct peer_replay *st, int64_t now_ms)
{
	uint64_t now = now_ms > 0 ? (uint64_t)now_ms : 0;

	st->stamp = now > st->stamp ? now : st->stamp + 1;
	return st->stamp;
}

static bool
peer_replay_is_old(const struct peer_replay *st, uint64_t boot)
{
	for (size_t i = 0; i < st->nold; i++)
		if (st->old[i] == boot)
			return true;
	return false;
}

/* Remembers a run proven to have ended; the oldest falls out when full. */
static void
peer_replay_retire(struct peer_replay *st, uint64_t boot)
{
	if (st->nold == PEER_REPLAY_HISTORY) {
		memmove(st->old, st->old + 1, sizeof(st->old[0]) *
		    (PEER_REPLAY_HISTORY - 1));
		st->nold--;
	}
	st->old[st->nold++] = boot;
}

/* The message echoes a message of this run of ours sent after stamp
 * `after`: its run was alive after that moment. Stamps we never sent
 * prove nothing. */
static bool
peer_replay_echoes_after(const struct peer_replay *st, const struct peer_msg *m,
    uint64_t after)
{
	return (m->flags & PEER_MSG_F_ECHO) != 0 &&
	    m->echo_boot == st->self_boot && m->echo_time_ms > after &&
	    m->echo_time_ms <= st->stamp;
}

/* Takes up another run of the peer. Proven: the message heard us after we
 * took up the run we follow, so that run has ended (a node runs one
 * daemon at a time) and is retired; the message itself may be fresh.
 * Unproven: it is only the higher boot id; nothing is retired, and only a
 * later message that hears us from now on is fresh. */
static void
peer_replay_take_up(struct peer_replay *st, const struct peer_msg *m, bool proven)
{
	uint64_t since = st->since;

	if (proven && st->have_boot)
		peer_replay_retire(st, st->boot);
	st->have_boot = true;
	st->boot = m->boot;
	st->since = st->stamp;
	st->fresh_after = proven ? since : st->stamp;
}

enum peer_accept
peer_replay_accept(struct peer_replay *st, const struct peer_msg *m,
    int64_t now_ms, const char **why)
{
	const char *want = st->expect[0] != '\0' ? st->expect : st->locked;
	uint64_t now = now_ms > 0 ? (uint64_t)now_ms : 0;

	if (strcmp(m->node, st->self) == 0) {
		*why = "carries our own node name (reflected, or both nodes "
		    "are configured with the same name)";
		return PEER_REPLAY_REFUSED;
	}
	if (want[0] != '\0' && strcmp(m->node, want) != 0) {
		*why = "comes from another node than the peer";
		return PEER_REPLAY_REFUSED;
	}
	if (st->have_boot && m->boot == st->boot) {
		if (m->seq <= st->seq) {
			*why = "replayed or reordered (sequence number not "
			    "above the last one)";
			return PEER_REPLAY_REFUSED;
		}
	} else if (peer_replay_is_old(st, m->boot)) {
		*why = "replayed (a run of the peer that has ended)";
		return PEER_REPLAY_REFUSED;
	} else if (st->have_boot && peer_replay_echoes_after(st, m, st->since)) {
		peer_replay_take_up(st, m, true);
	} else if (!st->have_boot || m->boot > st->boot) {
		/* A restart of the peer, or the first run we hear of. Any
		 * sequence number starts it: its first datagrams may have been
		 * lost. */
		peer_replay_take_up(st, m, false);
	} else {
		*why = "replayed (boot id below the run of the peer we follow)";
		return PEER_REPLAY_REFUSED;
	}
	st->seq = m->seq;
	if (st->locked[0] == '\0')
		snprintf(st->locked, sizeof(st->locked), "%s", m->node);

	if ((m->flags & PEER_MSG_F_ECHO) == 0 || m->echo_boot != st->self_boot) {
		*why = "the peer has not heard this run of ours yet";
		return PEER_REPLAY_ONEWAY;
	}
	if (!peer_replay_echoes_after(st, m, st->fresh_after)) {
		*why = "echoes none of our messages sent since we took up its run";
		return PEER_REPLAY_ONEWAY;
	}
	if (now > m->echo_time_ms && now - m->echo_time_ms > PEER_MSG_ECHO_MAX_MS) {
		*why = "echoes one of our messages that is too old";
		return PEER_REPLAY_ONEWAY;
	}
	*why = "";
	return PEER_REPLAY_FRESH;
}
