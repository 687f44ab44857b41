/* HAProxy's life-cycle machine (see haproxy_fsm.h). Pure: haproxy.c
 * carries out the actions and logs the transitions. */
#include <string.h>

#include "haproxy_fsm.h"
#include "names.h"

static const char *const haproxy_fsm_names[] = {
	[HFSM_STOPPED] = "stopped", [HFSM_CHECKING] = "checking",
	[HFSM_STARTING] = "starting", [HFSM_RUNNING] = "running",
	[HFSM_RECHECKING] = "rechecking", [HFSM_RELOADING] = "reloading",
	[HFSM_STOPPING] = "stopping", [HFSM_RESTARTING] = "restarting",
	[HFSM_BACKOFF] = "backoff",
};

static const char *const haproxy_fsm_causes[] = {
	[HFSM_EV_APPLY] = "new configuration",
	[HFSM_EV_CHECKED] = "configuration checked",
	[HFSM_EV_REFUSED] = "configuration refused",
	[HFSM_EV_SAME] = "configuration unchanged",
	[HFSM_EV_SWITCHED] = "proxy changed at run time",
	[HFSM_EV_LOADED] = "loaded", [HFSM_EV_LOAD_FAILED] = "load failed",
	[HFSM_EV_SETTLE_DUE] = "no load report",
	[HFSM_EV_GAP_OVER] = "reload gap over", [HFSM_EV_EXITED] = "exited",
	[HFSM_EV_RESTART_DUE] = "backoff over",
	[HFSM_EV_HEALTH] = "health check", [HFSM_EV_STOP] = "stop",
};

NAMES_ACCESSOR(haproxy_fsm_state_name, enum hfsm_state, haproxy_fsm_names)

void
haproxy_fsm_init(struct haproxy_fsm *f)
{
	*f = (struct haproxy_fsm){ .state = HFSM_STOPPED };
	haproxy_watch_init(&f->watch);
}

bool
haproxy_fsm_master(const struct haproxy_fsm *f)
{
	return f->state != HFSM_STOPPED && f->state != HFSM_CHECKING &&
	    f->state != HFSM_BACKOFF;
}

bool
haproxy_fsm_loaded(const struct haproxy_fsm *f)
{
	return haproxy_fsm_master(f) && f->state != HFSM_STOPPING &&
	    f->state != HFSM_RESTARTING && f->watch.state == HPW_ANSWERING;
}

/* The apply that waited, or this one: check the wanted rendering now. */
static void
haproxy_fsm_check(struct haproxy_fsm *f, enum hfsm_state to, struct hfsm_actions *act)
{
	f->state = to;
	f->pending = false;
	f->gen++;
	act->flags |= HFSM_ACT_CHECK;
	act->gen = f->gen;
	/* Files replaced under the same names (leaves of another CA) need
	 * the reload that an unchanged text would skip. */
	act->may_skip = to == HFSM_RECHECKING && !f->force;
	f->forcing = f->force;
	f->force = false;
}

static void
haproxy_fsm_start(struct haproxy_fsm *f, struct hfsm_actions *act)
{
	f->state = HFSM_STARTING;
	act->flags |= HFSM_ACT_START;
}

static void
haproxy_fsm_apply(struct haproxy_fsm *f, struct hfsm_actions *act)
{
	switch (f->state) {
	case HFSM_STOPPED:
	case HFSM_BACKOFF:	/* a new configuration starts at once */
		haproxy_fsm_check(f, HFSM_CHECKING, act);
		break;
	case HFSM_RUNNING:
		if (f->gap)
			f->pending = true;
		else
			haproxy_fsm_check(f, HFSM_RECHECKING, act);
		break;
	case HFSM_STOPPING:	/* wanted again: started when gone */
		f->state = HFSM_RESTARTING;
		f->pending = true;
		break;
	default:		/* a check or a load in progress */
		f->pending = true;
		break;
	}
}

static void
haproxy_fsm_checked(struct haproxy_fsm *f, enum hfsm_event ev, struct hfsm_actions *act)
{
	/* The master exited while the worker took the proxy: a start reads
	 * the same files. */
	if (f->state == HFSM_CHECKING && ev == HFSM_EV_SWITCHED)
		ev = HFSM_EV_CHECKED;
	if (f->state == HFSM_CHECKING && ev == HFSM_EV_CHECKED) {
		/* A start asked for by a new configuration: no backoff. */
		haproxy_watch_reset_backoff(&f->watch);
		act->flags |= HFSM_ACT_RESTART_STOP;
		haproxy_fsm_start(f, act);
	} else if (f->state == HFSM_RECHECKING && ev == HFSM_EV_CHECKED) {
		f->state = HFSM_RELOADING;
		act->flags |= HFSM_ACT_RELOAD;
	} else if (f->state == HFSM_RECHECKING && ev == HFSM_EV_SWITCHED) {
		/* No load: no gap before the next reload either. */
		f->state = HFSM_RUNNING;
		act->flags |= HFSM_ACT_COUNT_SWITCH;
		if (f->pending)
			haproxy_fsm_check(f, HFSM_RECHECKING, act);
	} else if (f->state == HFSM_CHECKING || f->state == HFSM_RECHECKING) {
		/* Refused (the last good rendering stays on disk) or unchanged.
		 * A newer apply is checked before anything is reported. */
		f->state = f->state == HFSM_CHECKING ? HFSM_STOPPED : HFSM_RUNNING;
		/* Files that changed under the same names are still not loaded:
		 * the next check must not skip (nor take the proxy alone). */
		if (ev == HFSM_EV_REFUSED)
			f->force |= f->forcing;
		f->forcing = false;
		if (f->pending)
			haproxy_fsm_check(f, f->state == HFSM_STOPPED ? HFSM_CHECKING :
			    HFSM_RECHECKING, act);
		else if (ev == HFSM_EV_REFUSED)
			act->flags |= HFSM_ACT_FAILED;
		if (f->state == HFSM_STOPPED)
			act->flags |= HFSM_ACT_RESTART_STOP;
	}
}

/* The apply that waited out the gap after a load is checked now. */
static void
haproxy_fsm_gap_over(struct haproxy_fsm *f, struct hfsm_actions *act)
{
	if (!f->gap)
		return;
	f->gap = false;
	if (f->state == HFSM_RUNNING && f->pending)
		haproxy_fsm_check(f, HFSM_RECHECKING, act);
}

/* The start or reload in progress is over (reported or timed out), or
 * the gap after its success is. */
static void
haproxy_fsm_settled(struct haproxy_fsm *f, enum hfsm_event ev, int64_t now_ms,
    struct hfsm_actions *act)
{
	bool reload = f->state == HFSM_RELOADING;

	if (ev == HFSM_EV_GAP_OVER) {
		haproxy_fsm_gap_over(f, act);
		return;
	}
	if (f->state != HFSM_STARTING && !reload)
		return;		/* stopped meanwhile: not ours to report */
	f->state = HFSM_RUNNING;
	act->flags |= HFSM_ACT_SETTLE_STOP;
	if (ev == HFSM_EV_LOADED) {
		f->gap = true;
		act->flags |= HFSM_ACT_GAP_ARM;
		if (reload)
			act->flags |= HFSM_ACT_COUNT_RELOAD;
		haproxy_watch_loaded(&f->watch, now_ms);
		act->flags |= HFSM_ACT_LOADED;
		if (haproxy_fsm_loaded(f))
			act->flags |= HFSM_ACT_READY;
	} else {
		/* Not loaded, or not known to be (no report): as refused. */
		f->force |= f->forcing;
	}
	f->forcing = false;
	if (ev == HFSM_EV_LOAD_FAILED) {
		/* Still on the previous configuration (or on its way out). */
		if (reload)
			act->flags |= HFSM_ACT_COUNT_REFUSAL;
		act->flags |= HFSM_ACT_FAILED;
	}
	if (f->pending && !f->gap)
		haproxy_fsm_check(f, HFSM_RECHECKING, act);
}

static void
haproxy_fsm_exited(struct haproxy_fsm *f, int64_t now_ms, struct hfsm_actions *act)
{
	if (!haproxy_fsm_master(f))
		return;
	f->gap = false;
	act->flags |= HFSM_ACT_SETTLE_STOP | HFSM_ACT_GAP_STOP | HFSM_ACT_HEALTH_STOP;
	if (f->state == HFSM_STOPPING) {
		haproxy_watch_stopped(&f->watch, now_ms);
		f->state = HFSM_STOPPED;
		return;
	}
	if (f->state == HFSM_RESTARTING) {
		/* Stopped on purpose, wanted again since: start at once. */
		haproxy_watch_stopped(&f->watch, now_ms);
		if (f->pending)
			haproxy_fsm_check(f, HFSM_CHECKING, act);
		else
			haproxy_fsm_start(f, act);
		return;
	}
	/* Unexpected. Its workers would linger until they notice, a stopped
	 * one for good, keeping listeners that TPROXY steers connections
	 * into. A check in flight goes on: if good, it starts at once. */
	act->delay_ms = haproxy_watch_exited(&f->watch, now_ms);
	act->flags |= HFSM_ACT_KILL_ALL | HFSM_ACT_RESTART_ARM;
	if (f->state == HFSM_RECHECKING)
		f->state = HFSM_CHECKING;
	else if (f->pending)
		haproxy_fsm_check(f, HFSM_CHECKING, act);
	else
		f->state = HFSM_BACKOFF;
}

static void
haproxy_fsm_health(struct haproxy_fsm *f, bool ok, int64_t now_ms,
    struct hfsm_actions *act)
{
	switch (haproxy_watch_result(&f->watch, ok, now_ms)) {
	case HPW_NONE:
		break;
	case HPW_FAIL_OPEN:
		act->flags |= HFSM_ACT_HUNG;
		break;
	case HPW_RESTORE:
		if (haproxy_fsm_loaded(f))
			act->flags |= HFSM_ACT_READY;
		break;
	case HPW_RESTART:
		if (f->state == HFSM_STOPPING || f->state == HFSM_RESTARTING)
			break;
		/* SIGKILL works on a stopped worker too; a check in flight is
		 * done again for the new master. */
		if (f->state == HFSM_RECHECKING)
			f->pending = true;
		f->state = HFSM_RESTARTING;
		act->flags |= HFSM_ACT_KILL_ALL;
		break;
	}
}

static void
haproxy_fsm_stop(struct haproxy_fsm *f, struct hfsm_actions *act)
{
	act->flags |= HFSM_ACT_RESTART_STOP | HFSM_ACT_SETTLE_STOP |
	    HFSM_ACT_GAP_STOP | HFSM_ACT_HEALTH_STOP;
	f->pending = false;
	f->gap = false;
	if (haproxy_fsm_master(f)) {
		f->state = HFSM_STOPPING;
		act->flags |= HFSM_ACT_TERM;
	} else
		f->state = HFSM_STOPPED;	/* a check's result is ignored */
}

void
haproxy_fsm_step(struct haproxy_fsm *f, const struct hfsm_ev *ev, int64_t now_ms,
    struct hfsm_actions *act)
{
	memset(act, 0, sizeof(*act));
	act->t.from = f->state;
	act->t.health_from = f->watch.state;
	act->t.cause = NAMES_OF(haproxy_fsm_causes, ev->type);
	switch (ev->type) {
	case HFSM_EV_APPLY:
		f->force |= ev->force;
		haproxy_fsm_apply(f, act);
		break;
	case HFSM_EV_CHECKED:
	case HFSM_EV_REFUSED:
	case HFSM_EV_SAME:
	case HFSM_EV_SWITCHED:
		if (ev->gen == f->gen)	/* else a check of before a stop */
			haproxy_fsm_checked(f, ev->type, act);
		break;
	case HFSM_EV_LOADED:
	case HFSM_EV_LOAD_FAILED:
	case HFSM_EV_SETTLE_DUE:
	case HFSM_EV_GAP_OVER:
		haproxy_fsm_settled(f, ev->type, now_ms, act);
		break;
	case HFSM_EV_EXITED:
		haproxy_fsm_exited(f, now_ms, act);
		break;
	case HFSM_EV_RESTART_DUE:
		if (f->state == HFSM_BACKOFF)
			haproxy_fsm_start(f, act);
		break;
	case HFSM_EV_HEALTH:
		haproxy_fsm_health(f, ev->ok, now_ms, act);
		break;
	case HFSM_EV_STOP:
		haproxy_fsm_stop(f, act);
		break;
	}
	act->t.to = f->state;
	act->t.health_to = f->watch.state;
}
