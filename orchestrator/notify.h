/* The notify hook: a script of the operator's run on every alarm raise and
 * clear and every change of the proxy in effect, as
 *
 *   SCRIPT EVENT ALARM-ID PROXY REASON
 *
 * EVENT alarm-raise | alarm-clear | proxy-change; ALARM-ID "-" for a proxy
 * change; PROXY A.B.C.D:PORT or "none". Scripts run one at a time, in the
 * order of the events, asynchronously (the event loop never waits), with
 * stdin, stdout and stderr on /dev/null, PATH as the only environment
 * variable (proc.c) and NOTIFY_TIMEOUT_MS to finish before they are killed.
 * At most NOTIFY_QUEUE_MAX events wait; one more drops the oldest. */
#ifndef NOTIFY_H
#define NOTIFY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "alarm.h"

#define NOTIFY_QUEUE_MAX	32
#define NOTIFY_TIMEOUT_MS	10000
#define NOTIFY_REASON_MAX	128

enum notify_event { NOTIFY_ALARM_RAISE, NOTIFY_ALARM_CLEAR, NOTIFY_PROXY_CHANGE };

struct notify_item {
	enum notify_event event;
	char id[ALARM_ID_MAX];		/* "-" when none */
	char proxy[ADDR_STRLEN];	/* "none" when none */
	char reason[NOTIFY_REASON_MAX];
};

/* A ring of events waiting for their script. */
struct notify_queue {
	struct notify_item item[NOTIFY_QUEUE_MAX];
	size_t head, n;
	uint64_t dropped;
};

/* Pure: false when the queue was full and its oldest event was dropped. */
bool notify_queue_push(struct notify_queue *, const struct notify_item *);
bool notify_queue_pop(struct notify_queue *, struct notify_item *);
const char *notify_event_name(enum notify_event);
/* Pure: the item of an event; proxy NULL = none, id NULL = "-". */
void notify_item_make(struct notify_item *, enum notify_event, const char *id,
    const struct proxy_addr *proxy, const char *reason);

/* Shell: the script in force ("" = no hook; the events waiting are
 * dropped). */
void notify_configure(const char *script);
/* Queues an event and runs the next script when none is running. */
void notify_event(enum notify_event, const char *id, const struct proxy_addr *proxy,
    const char *reason);
#endif
