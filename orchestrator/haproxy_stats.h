/* The figures of show forwarder and of the metrics endpoint: HAProxy's
 * own counters, read from its runtime API ("show info" and "show stat" of
 * frontends and backends) every HASTATS_INTERVAL_MS on a client of their
 * own, so that a control request is answered at once from the last figures
 * and never waits for HAProxy, and certificate loads never wait for them. */
#ifndef HAPROXY_STATS_H
#define HAPROXY_STATS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HASTATS_INTERVAL_MS	5000
#define HASTATS_VERSION_MAX	32

struct haproxy_stats {
	bool valid;			/* every figure below was read */
	char version[HASTATS_VERSION_MAX];
	uint64_t pid;			/* the worker that answered */
	uint64_t uptime;		/* the worker's, seconds */
	uint64_t cur_conns;		/* connections open now */
	uint64_t cum_conns;		/* accepted by this worker */
	uint64_t cum_req;		/* HTTP requests of this worker */
	/* Summed over frontends (requests refused or malformed) and
	 * backends (connections to the proxy that failed, bad answers). */
	uint64_t req_errors, conn_errors, resp_errors;
};

/* Pure: the answer to "show info;show stat -1 3 -1". True when the info
 * part was complete (Pid, Uptime_sec, CurrConns, CumConns); lines that do
 * not parse are skipped. */
bool haproxy_stats_parse(const char *answer, struct haproxy_stats *out);

/* Starts the periodic reading of sock_path (while HAProxy is loaded). */
int  haproxy_stats_start(const char *sock_path);
/* Reads at once (HAProxy just started or reloaded). */
void haproxy_stats_refresh(void);
/* The last figures and when they were read (epoch s, 0 = never). */
const struct haproxy_stats *haproxy_stats_last(int64_t *when);
#endif
