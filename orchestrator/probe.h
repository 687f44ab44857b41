/* TCP liveness probe (spec, Health Checking): a non-blocking connect to
 * the proxy with a timeout, closed at once; no byte is sent. */
#ifndef PROBE_H
#define PROBE_H
#include <stdbool.h>

#include "addr.h"
#include "event.h"

struct probe {
	int fd;				/* -1 when idle */
	int err;			/* connect() failed at once */
	unsigned gen;
	struct proxy_addr addr;
	struct event_timer timeout;
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
void probe_fini(struct probe *);
#endif
