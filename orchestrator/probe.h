/* TCP liveness probe: a non-blocking connect to
 * the proxy with a timeout, closed at once; no byte is sent. */
#ifndef PROBE_H
#define PROBE_H
#include <stdbool.h>

#include "addr.h"
#include "event.h"

struct probe {
	int fd;				/* -1 between attempts */
	bool active;			/* a probe is under way */
	bool give_up;			/* report the last error next */
	int err;			/* last attempt's error */
	int64_t deadline_ms;		/* monotonic end of this probe */
	unsigned gen;
	struct proxy_addr addr;
	struct event_timer timeout;
	struct event_timer retry;
	void (*done)(unsigned gen, bool ok, const char *why, void *arg);
	void *arg;
};

int  probe_init(struct probe *, void (*done)(unsigned, bool, const char *, void *),
    void *arg);
/* Starts a probe, cancelling one in flight. The result always arrives
 * through done(), never from inside probe_start(). */
void probe_start(struct probe *, const struct proxy_addr *, unsigned timeout_s,
    unsigned gen);
void probe_cancel(struct probe *);
bool probe_busy(const struct probe *);
void probe_fini(struct probe *);
#endif
