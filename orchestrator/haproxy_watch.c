/* HAProxy supervision decisions (see haproxy_watch.h). */
#include <string.h>

#include "haproxy_watch.h"
#include "names.h"

static const char *const haproxy_watch_names[] = {
	[HPW_STOPPED] = "stopped", [HPW_ANSWERING] = "answering",
	[HPW_NOT_ANSWERING] = "not-answering",
};

NAMES_ACCESSOR(haproxy_watch_state_name, enum hpw_state, haproxy_watch_names)

static void
haproxy_watch_transition(struct haproxy_watch *w, enum hpw_state to, int64_t now_ms)
{
	/* Pure: haproxy_fsm reports the change, haproxy.c logs it. */
	if (w->state == to)
		return;
	w->state = to;
	w->since_ms = now_ms;
	w->misses = 0;
	w->restarted = false;
}

void
haproxy_watch_init(struct haproxy_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->state = HPW_STOPPED;
	w->backoff_ms = HPW_BACKOFF_MIN_MS;
}

void
haproxy_watch_loaded(struct haproxy_watch *w, int64_t now_ms)
{
	if (w->loaded_ms == 0)
		w->loaded_ms = now_ms;
	/* A reload while not answering proves nothing about the worker:
	 * only an answer gives interception back. */
	if (w->state == HPW_STOPPED)
		haproxy_watch_transition(w, HPW_ANSWERING, now_ms);
}

enum hpw_action
haproxy_watch_result(struct haproxy_watch *w, bool ok, int64_t now_ms)
{
	switch (w->state) {
	case HPW_STOPPED:
		return HPW_NONE;
	case HPW_ANSWERING:
		if (ok) {
			w->misses = 0;
			return HPW_NONE;
		}
		if (++w->misses < HPW_MISSES)
			return HPW_NONE;
		haproxy_watch_transition(w, HPW_NOT_ANSWERING, now_ms);
		return HPW_FAIL_OPEN;
	case HPW_NOT_ANSWERING:
		if (ok) {
			haproxy_watch_transition(w, HPW_ANSWERING, now_ms);
			return HPW_RESTORE;
		}
		if (!w->restarted && now_ms - w->since_ms >= HPW_RESTART_MS) {
			w->restarted = true;
			return HPW_RESTART;
		}
		return HPW_NONE;
	}
	return HPW_NONE;
}

unsigned
haproxy_watch_exited(struct haproxy_watch *w, int64_t now_ms)
{
	unsigned delay;

	if (w->loaded_ms != 0 && now_ms - w->loaded_ms >= HPW_HEALTHY_MS)
		w->backoff_ms = HPW_BACKOFF_MIN_MS;
	delay = w->backoff_ms;
	w->backoff_ms = delay * 2 > HPW_BACKOFF_MAX_MS ? HPW_BACKOFF_MAX_MS : delay * 2;
	haproxy_watch_stopped(w, now_ms);
	return delay;
}

void
haproxy_watch_stopped(struct haproxy_watch *w, int64_t now_ms)
{
	haproxy_watch_transition(w, HPW_STOPPED, now_ms);
	w->loaded_ms = 0;
}

void
haproxy_watch_reset_backoff(struct haproxy_watch *w)
{
	w->backoff_ms = HPW_BACKOFF_MIN_MS;
}

bool
haproxy_watch_cmdline_ours(const char *cmdline, size_t len, const char *cfg)
{
	const char *a = cmdline, *end = cmdline + len, *prev = NULL, *z;

	/* Every argument ends with NUL; a last one without is incomplete. */
	while (a < end && (z = memchr(a, '\0', (size_t)(end - a))) != NULL) {
		if (prev != NULL && strcmp(prev, "-f") == 0 && strcmp(a, cfg) == 0)
			return true;
		prev = a;
		a = z + 1;
	}
	return false;
}
