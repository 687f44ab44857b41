/* Deciding what to repair of the kernel state the daemon owns. */
#include <stdio.h>
#include <string.h>

#include "reconcile.h"

void
reconcile_init(struct reconcile *r)
{
	memset(r, 0, sizeof(*r));
}

unsigned
reconcile_lost(const struct recon_want *w, const struct recon_obs *o)
{
	unsigned lost = 0;

	if (w->intercept) {
		if (!o->table)
			lost |= RECON_TABLE;
		else if (o->table_altered)
			lost |= RECON_TABLE_ALTERED;
		if (!o->rule_ours)
			lost |= RECON_RULE;
		if (o->nrules > (o->rule_ours ? 1u : 0u))
			lost |= RECON_RULE_EXTRA;
		if (!o->route)
			lost |= RECON_ROUTE;
	}
	if (w->dhcp) {
		if (!o->dhcp_table)
			lost |= RECON_DHCP;
		else if (o->dhcp_altered)
			lost |= RECON_DHCP_ALTERED;
	}
	return lost;
}

enum recon_verdict
reconcile_decide(struct reconcile *r, unsigned lost, int64_t now_ms)
{
	int64_t oldest = r->repairs[r->next];

	if (lost == 0)
		return RECON_OK;
	/* The ring holds the last RECON_MAX_REPAIRS repairs; the slot to be
	 * overwritten is the oldest. If it is still within the window, this
	 * repair would be one too many. */
	if (oldest != 0 && now_ms - oldest < RECON_WINDOW_MS)
		return RECON_GIVE_UP;
	r->repairs[r->next] = now_ms != 0 ? now_ms : 1;
	r->next = (r->next + 1) % RECON_MAX_REPAIRS;
	return RECON_REPAIR;
}

int64_t
reconcile_event(struct reconcile *r, int64_t now_ms)
{
	int64_t left;

	if (r->first_event == 0)
		r->first_event = now_ms != 0 ? now_ms : 1;
	left = r->first_event + RECON_LATEST_MS - now_ms;
	if (left < 0)
		left = 0;
	return left < RECON_QUIET_MS ? left : RECON_QUIET_MS;
}

void
reconcile_checked(struct reconcile *r)
{
	r->first_event = 0;
}

void
reconcile_describe(unsigned lost, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *text;
	} names[] = {
		{ RECON_TABLE, "table inet mgmt_proxy removed" },
		{ RECON_TABLE_ALTERED, "table inet mgmt_proxy changed" },
		{ RECON_RULE, "ip rule fwmark 0x4d50/0x4d50 lookup 4790 removed" },
		{ RECON_RULE_EXTRA, "extra copies of the ip rule added" },
		{ RECON_ROUTE, "route local 0.0.0.0/0 table 4790 removed" },
		{ RECON_DHCP, "table ip mgmt_proxy_dhcp removed" },
		{ RECON_DHCP_ALTERED, "table ip mgmt_proxy_dhcp changed" },
	};
	size_t n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int w;

		if (!(lost & names[i].bit))
			continue;
		w = snprintf(buf + n, len - n, "%s%s", n ? ", " : "", names[i].text);
		if (w < 0 || (size_t)w >= len - n)
			return;		/* truncated, still terminated */
		n += (size_t)w;
	}
}
