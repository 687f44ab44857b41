/* The HA peer channel (shell): one non-blocking UDP socket on the
 * inter-node link, a keepalive timer and a peer-down timer on the daemon's
 * event loop. The wire format and every decision are in peer_msg.c.
 *
 * The daemon learns about the peer only through the callback, which runs
 * when the peer comes up or goes down, when its candidates change, and at
 * most every PEER_HEARD_REFRESH_S to refresh last_heard — never on a plain
 * keepalive. A peer that is down is reported with up = false and no
 * candidates, so selection withdraws them. */
#ifndef PEER_H
#define PEER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "learned.h"
#include "peer_msg.h"
#include "peer_replay.h"

#define PEER_KEEPALIVE_MS	2000	/* a datagram at least this often */
#define PEER_DOWN_MISSED	3	/* keepalives missed before "down" */
#define PEER_DOWN_MS		(PEER_DOWN_MISSED * PEER_KEEPALIVE_MS)
#define PEER_HEARD_REFRESH_S	60	/* last_heard in peer-proxy.json is at most this old */
#define PEER_REPLY_MIN_MS	200	/* immediate replies at most this often */

typedef void (*peer_update_cb)(const struct peer_info *, void *);

/* Starts the channel when cfg->ha_enabled (else only remembers the
 * callback and state_dir, where <state_dir>/ha-boot keeps the last boot id,
 * and returns 0; NULL keeps the one given before). Reads the key file,
 * binds ha_listen, takes a boot id above the last, sends a first datagram
 * to ha_peer and arms the timers. If no fresh datagram
 * arrives within PEER_DOWN_MS the peer is reported down, which withdraws
 * candidates restored from an old peer-proxy.json. -1 (logged) when the
 * key file or the socket is unusable; peer_reconfigure() tries again. */
int  peer_open(const struct config *cfg, const char *state_dir,
    peer_update_cb on_update, void *arg);
/* The locally learned state changed: keep what may be advertised
 * (peer_msg_gather) and send it at once; keepalives repeat it. */
void peer_publish(const struct dhcp_info *dhcp, size_t n,
    const struct config *cfg, int64_t now);
/* After a reload: opens, closes (reporting the peer down) or updates the
 * channel. The socket is rebound only when an endpoint changed, the key is
 * re-read every time and swapped when it differs (the replay state then
 * starts over). A bad key file or a failed bind keeps what runs: -1. */
int  peer_reconfigure(const struct config *cfg);
/* What show ha reports: the channel and the peer as last heard. */
struct peer_status {
	bool open;			/* the socket is bound */
	struct cfg_endpoint listen, peer;
	uint64_t boot;			/* our boot id */
	uint64_t peer_boot;		/* the peer's, from its last fresh datagram */
	int64_t heard;			/* last fresh datagram, epoch s, 0 = never */
	bool reported;			/* info is meaningful */
	struct peer_info info;		/* up/down and its candidates */
};
void peer_status(struct peer_status *);

/* Shutdown: closes the socket and timers, wipes the key; no callback. */
void peer_close(void);

#endif
