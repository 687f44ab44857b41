/* Per-interface pacing of learned-state changes; see dhcp_pace.h. */
#include <string.h>

#include "dhcp_pace.h"

/* GCRA: a token is free when the theoretical arrival time is at most
 * (burst - 1) periods ahead of now. */
#define DHCP_PACE_TOLERANCE	((int64_t)(DHCP_PACE_BURST - 1) * DHCP_PACE_PERIOD)

int64_t
dhcp_pace_wait(const struct dhcp_pace *p, int64_t now)
{
	int64_t tat = p->tat > now ? p->tat : now;

	return tat - now > DHCP_PACE_TOLERANCE ? tat - now - DHCP_PACE_TOLERANCE : 0;
}

bool
dhcp_pace_allow(struct dhcp_pace *p, int64_t now, int64_t *wait)
{
	if ((*wait = dhcp_pace_wait(p, now)) > 0)
		return false;
	p->tat = (p->tat > now ? p->tat : now) + DHCP_PACE_PERIOD;
	return true;
}

void
dhcp_pace_hold(struct dhcp_pace *p, const struct dhcp_info *info)
{
	p->info = *info;
	p->held = true;
}

void
dhcp_pace_drop(struct dhcp_pace *p)
{
	p->held = false;
	memset(&p->info, 0, sizeof(p->info));
}

const struct dhcp_info *
dhcp_pace_due(struct dhcp_pace *p, int64_t now, int64_t *wait)
{
	*wait = 0;
	if (!p->held || !dhcp_pace_allow(p, now, wait))
		return NULL;
	p->held = false;
	return &p->info;
}
