/* How often the network may change an interface's learned state (pure).
 *
 * Every applied change costs log lines, a state file written with fsync,
 * a probe and an HAProxy reload; replies that alternate a value must not
 * make that a per-packet cost. A token bucket (GCRA) per interface: up to
 * DHCP_PACE_BURST changes apply at once, then one per DHCP_PACE_PERIOD
 * seconds. A change that finds no token is held back; a later reply
 * replaces it (the latest value wins) and it is applied when the next
 * token is due. A legitimate change, rare by nature, applies at once. */
#ifndef DHCP_PACE_H
#define DHCP_PACE_H
#include <stdbool.h>
#include <stdint.h>

#include "learned.h"

#define DHCP_PACE_BURST		3
#define DHCP_PACE_PERIOD	10	/* s per change once the burst is spent */

struct dhcp_pace {
	int64_t		 tat;		/* GCRA theoretical arrival time, s */
	bool		 held;		/* a change waits in info */
	struct dhcp_info info;
};

/* Seconds from now until a change may apply (0: at once). */
int64_t	dhcp_pace_wait(const struct dhcp_pace *, int64_t now);
/* A change is due at now: true (and the token taken) when it may apply at
 * once, else false with *wait the seconds until it may. */
bool	dhcp_pace_allow(struct dhcp_pace *, int64_t now, int64_t *wait);
/* Hold back info as the latest change (replacing any held one). */
void	dhcp_pace_hold(struct dhcp_pace *, const struct dhcp_info *);
/* Forget the held change: the state it would have replaced is current
 * again (same value), or was cleared locally (link down). */
void	dhcp_pace_drop(struct dhcp_pace *);
/* The held change if its token is due at now (token taken), else NULL;
 * *wait is the seconds until it is (0 when nothing is held). */
const struct dhcp_info *dhcp_pace_due(struct dhcp_pace *, int64_t now, int64_t *wait);
#endif
