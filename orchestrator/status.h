/* What the show commands report, as JSON (pure builders over the daemon's
 * state; its keys are a contract that scripts rely on). mgmt-proxyctl renders the same
 * documents as plain tables. */
#ifndef STATUS_H
#define STATUS_H
#include <jansson.h>
#include <stdbool.h>

#include "alarm.h"
#include "config.h"
#include "proxy_fsm.h"
#include "learned.h"
#include "select.h"
#include "tunnel_stats.h"

struct status_view {
	const char *version;		/* the daemon's package version */
	const struct config *cfg;
	enum mp_mode mode;		/* effective */
	const struct proxy_fsm *fsm;
	const struct cand_set *cands;
	const struct dhcp_info *dhcp;
	size_t ndhcp;
	const struct alarm *alarm;
	bool forwarding;		/* the forwarder reports traffic steered */
	const char *forwarding_error;	/* why it was lost, "" or NULL if not */
	const char *forwarder_state;	/* forward_state(); NULL: not shown */
	int64_t last_probe;		/* epoch s, 0 = never */
	const char *last_probe_error;	/* "" when the last probe succeeded */
	const struct tunnel_stats *tunnels;	/* CONNECT tally, NULL: none */
};

/* Adds "version", "router" and "node" to an object document: every view
 * names what answered, so collected documents of many boxes stay apart. */
void status_common(json_t *doc, const struct status_view *);
/* A time as every view shows it (ISO 8601 UTC), or JSON null for 0. */
json_t *status_time(int64_t t);
json_t *status_proxy(const struct status_view *);
json_t *status_dhcp(const struct status_view *);
json_t *status_alarms(const struct status_view *);
#endif
