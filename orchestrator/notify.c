/* The notify hook: a queue of events, one script at a time. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "config_file.h"
#include "event.h"
#include "log.h"
#include "notify.h"
#include "names.h"
#include "proc.h"

static const char *const notify_names[] = {
	[NOTIFY_ALARM_RAISE] = "alarm-raise",
	[NOTIFY_ALARM_CLEAR] = "alarm-clear",
	[NOTIFY_PROXY_CHANGE] = "proxy-change",
};

static struct {
	char script[CFG_PATH_MAX];
	struct notify_queue q;
	pid_t running;			/* 0 = none */
	int64_t started_ms;		/* monotonic, of the running script */
	struct notify_item cur;		/* the event of the running script */
} nt;

/* A failing script fails at every event: two lines a minute say so. */
static struct log_ratelimit notify_rl = LOG_RATELIMIT_INIT(60, 2);

NAMES_ACCESSOR(notify_event_name, enum notify_event, notify_names)

bool
notify_queue_push(struct notify_queue *q, const struct notify_item *it)
{
	bool room = q->n < NOTIFY_QUEUE_MAX;

	if (!room) {
		q->head = (q->head + 1) % NOTIFY_QUEUE_MAX;
		q->n--;
		q->dropped++;
	}
	q->item[(q->head + q->n) % NOTIFY_QUEUE_MAX] = *it;
	q->n++;
	return room;
}

bool
notify_queue_pop(struct notify_queue *q, struct notify_item *it)
{
	if (q->n == 0)
		return false;
	*it = q->item[q->head];
	q->head = (q->head + 1) % NOTIFY_QUEUE_MAX;
	q->n--;
	return true;
}

void
notify_item_make(struct notify_item *it, enum notify_event e, const char *id,
    const struct proxy_addr *proxy, const char *reason)
{
	memset(it, 0, sizeof(*it));
	it->event = e;
	snprintf(it->id, sizeof(it->id), "%s", id != NULL ? id : "-");
	if (proxy != NULL)
		addr_format(proxy, it->proxy);
	else
		snprintf(it->proxy, sizeof(it->proxy), "none");
	/* Never an empty argument: a script reading "$4" gets a word. */
	snprintf(it->reason, sizeof(it->reason), "%s",
	    reason != NULL && reason[0] != '\0' ? reason : "-");
}

static void notify_next(void);

static void
notify_done(pid_t pid, int status, void *arg)
{
	const char *ev = notify_event_name(nt.cur.event);
	bool late = event_mono_ms() - nt.started_ms >= NOTIFY_TIMEOUT_MS;

	nt.running = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_limited(&notify_rl, event_now(), LOG_WARN, "notify: %s %s: exit "
		    "status %d", nt.script, ev, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		log_limited(&notify_rl, event_now(), LOG_WARN, "notify: %s %s: %s "
		    "(signal %d)", nt.script, ev, WTERMSIG(status) == SIGKILL && late ?
		    "timed out after 10 s, killed" : "killed", WTERMSIG(status));
	notify_next();
}

/* Starts the script for the oldest waiting event; an event whose script
 * cannot be started is reported and dropped. */
static void
notify_next(void)
{
	while (nt.running == 0 && nt.script[0] != '\0' && notify_queue_pop(&nt.q, &nt.cur)) {
		char real[PATH_MAX], why[CFG_PATH_MAX + 128];
		char *argv[] = {
			real, (char *)notify_event_name(nt.cur.event), nt.cur.id,
			nt.cur.proxy, nt.cur.reason, NULL
		};
		pid_t pid;

		/* Checked again now, as root is about to run it: the file may have
		 * changed since the configuration was read. The resolved path
		 * runs, so no symbolic link can be turned elsewhere after the
		 * check (every directory on it is root's alone). */
		if (realpath(nt.script, real) == NULL)
			snprintf(why, sizeof(why), "%s", strerror(errno));
		else if (config_notify_file_ok(real, why, sizeof(why)))
			why[0] = '\0';
		if (why[0] != '\0') {
			log_limited(&notify_rl, event_now(), LOG_ERR, "notify: not running "
			    "%s for %s: %s", nt.script, argv[1], why);
			continue;
		}
		pid = proc_spawn(argv, -1, -1, NOTIFY_TIMEOUT_MS, notify_done, NULL);

		if (pid > 0) {
			nt.running = pid;
			nt.started_ms = event_mono_ms();
			log_debug("notify: %s %s %s %s \"%s\" (pid %ld)", nt.script, argv[1],
			    nt.cur.id, nt.cur.proxy, nt.cur.reason, (long)pid);
		} else
			log_limited(&notify_rl, event_now(), LOG_ERR, "notify: cannot run "
			    "%s for %s: %s", nt.script, argv[1], strerror(errno));
	}
}

void
notify_configure(const char *script)
{
	if (strcmp(nt.script, script) != 0)
		log_info("notify: %s", script[0] != '\0' ? script : "off");
	snprintf(nt.script, sizeof(nt.script), "%s", script);
	if (script[0] == '\0')
		memset(&nt.q, 0, sizeof(nt.q));
}

void
notify_event(enum notify_event e, const char *id, const struct proxy_addr *proxy,
    const char *reason)
{
	static struct log_ratelimit full_rl = LOG_RATELIMIT_INIT(60, 1);
	struct notify_item it;

	if (nt.script[0] == '\0')
		return;
	notify_item_make(&it, e, id, proxy, reason);
	if (!notify_queue_push(&nt.q, &it))
		log_limited(&full_rl, event_now(), LOG_WARN, "notify: %d events wait "
		    "for the script: the oldest was dropped (%llu so far)",
		    NOTIFY_QUEUE_MAX, (unsigned long long)nt.q.dropped);
	notify_next();
}
