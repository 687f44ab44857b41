/* The tally of CONNECT tunnels (types only, no I/O): what tunnel.c counts
 * from HAProxy's log and the views show. */
#ifndef TUNNEL_STATS_H
#define TUNNEL_STATS_H
#include <stdbool.h>
#include <stdint.h>

#define TUNNEL_WHY_MAX	40
#define TUNNEL_TARGET_MAX 264	/* NAME:PORT */

struct tunnel_event {
	bool opened;
	char target[TUNNEL_TARGET_MAX];
	char why[TUNNEL_WHY_MAX];	/* the proxy's status, or what went wrong */
};

struct tunnel_stats {
	uint64_t opened, refused;
	int64_t last_refusal;		/* epoch s, 0 = never */
	char last_why[TUNNEL_WHY_MAX];
	char last_target[TUNNEL_TARGET_MAX];
};
#endif
