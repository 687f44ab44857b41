/* JSON documents of show forwarder, show certificates and show ha: pure
 * builders over what the daemon's modules report (no I/O; the clock is an
 * argument). Each carries "version", "router" and "node" (status_common)
 * and gives every time in one format (status_time: ISO 8601 UTC). */
#ifndef STATUS_VIEWS_H
#define STATUS_VIEWS_H
#include <jansson.h>

#include "cert_lru.h"
#include "haproxy.h"
#include "haproxy_stats.h"
#include "peer.h"
#include "status.h"

struct status_forwarder {
	const char *state;			/* forward_state() */
	const struct haproxy_counters *counters;	/* NULL: no HAProxy */
	const struct haproxy_stats *stats;	/* its last figures */
	int64_t stats_when;			/* when read, epoch s */
	int64_t now;
};

json_t *status_views_forwarder(const struct status_view *,
    const struct status_forwarder *);
/* Most recently used first; cap is the table's bound (CERT_MAX). */
json_t *status_views_certificates(const struct status_view *,
    const struct cert_lru *, size_t cap);
json_t *status_views_ha(const struct status_view *, const struct peer_status *);
#endif
