/* Supervision decisions for HAProxy, pure (time is a parameter): whether
 * its worker answers the health checks, when to take interception away
 * from it and give it back, when to restart it, and how long to wait
 * before restarting one that died. haproxy.c carries them out. */
#ifndef HAPROXY_WATCH_H
#define HAPROXY_WATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A check every 2 s, each given 1 s: after 3 misses in a row interception
 * is removed, so a connection is steered into a hung worker for at most
 * 3 * 2 s + 1 s = 7 s after its last answer. */
#define HPW_INTERVAL_MS		2000
#define HPW_TIMEOUT_MS		1000
#define HPW_MISSES		3
#define HPW_BOUND_MS		(HPW_MISSES * HPW_INTERVAL_MS + HPW_TIMEOUT_MS)
/* A worker that has not answered for this long is not coming back by
 * itself (livelock): HAProxy is restarted. */
#define HPW_RESTART_MS		30000
/* Restart delay after an unexpected exit: 1 s doubling to 30 s, back to
 * 1 s once a run has been up this long (a crash now and then is not a
 * crash loop). */
#define HPW_BACKOFF_MIN_MS	1000
#define HPW_BACKOFF_MAX_MS	30000
#define HPW_HEALTHY_MS		10000

enum hpw_state {
	HPW_STOPPED,		/* no HAProxy, or not loaded yet: nothing checked */
	HPW_ANSWERING,		/* interception may use it */
	HPW_NOT_ANSWERING,	/* HPW_MISSES misses in a row: interception removed */
};

enum hpw_action {
	HPW_NONE,
	HPW_FAIL_OPEN,		/* remove interception, keep HAProxy */
	HPW_RESTORE,		/* it answers again: interception back */
	HPW_RESTART,		/* hung too long: kill and start again */
};

struct haproxy_watch {
	enum hpw_state state;
	unsigned misses;	/* in a row */
	int64_t since_ms;	/* entered the current state */
	int64_t loaded_ms;	/* this run reported its load; 0 = not yet */
	bool restarted;		/* HPW_RESTART given in this NOT_ANSWERING spell */
	unsigned backoff_ms;	/* the next restart delay */
};

void haproxy_watch_init(struct haproxy_watch *);
const char *haproxy_watch_state_name(enum hpw_state);
/* The master reported "Loading success." (start or reload). */
void haproxy_watch_loaded(struct haproxy_watch *, int64_t now_ms);
/* One health check ended: answered or not. */
enum hpw_action haproxy_watch_result(struct haproxy_watch *, bool ok, int64_t now_ms);
/* The master exited unexpectedly: the delay before starting it again. */
unsigned haproxy_watch_exited(struct haproxy_watch *, int64_t now_ms);
/* The master is gone on purpose (stop, restart after a hang). */
void haproxy_watch_stopped(struct haproxy_watch *, int64_t now_ms);
/* A fresh start asked for by a new configuration: no backoff. */
void haproxy_watch_reset_backoff(struct haproxy_watch *);
/* Whether NUL-separated cmdline (as in /proc/PID/cmdline, len bytes) runs
 * HAProxy on configuration file cfg ("-f" followed by exactly cfg). */
bool haproxy_watch_cmdline_ours(const char *cmdline, size_t len, const char *cfg);
#endif
