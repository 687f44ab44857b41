/* The opt-in Prometheus endpoint (mgmt-proxy.metrics.listen): a small
 * HTTP/1.0 responder in the daemon's event loop. GET /metrics answers the
 * daemon's figures (metrics_render.c); GET /haproxy-metrics relays HAProxy's
 * own exporter, served on a unix socket of the run directory; anything else
 * is 404. It runs on the daemon's stream server (sock_server.c): every
 * client has a deadline and their number is bounded, so a slow or hostile
 * scraper can hold neither memory nor the loop, and when every slot is
 * taken the oldest client that has not sent its request makes room. */
#ifndef METRICS_H
#define METRICS_H
#include "config.h"
#include "metrics_render.h"

#define METRICS_CLIENTS		8
#define METRICS_DEADLINE_MS	5000
#define METRICS_HAPROXY_SOCKET	"haproxy-metrics.sock"

typedef void (*metrics_snapshot_fn)(struct metrics_snapshot *);

/* Opens, moves or closes the listener as cfg says (start-up and every
 * reload). -1 (logged) when the address cannot be bound: the endpoint is
 * then off until the next reload. */
int  metrics_configure(const struct config *cfg, const char *run_dir,
    metrics_snapshot_fn snapshot);
void metrics_close(void);
#endif
