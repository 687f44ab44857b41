/* The forwarding machine (see forward_fsm.h). Pure: forward.c carries out
 * the actions and logs the transitions. */
#include <string.h>

#include "forward_fsm.h"
#include "names.h"

static const char *const forward_fsm_names[] = {
	[FFSM_OFF] = "off", [FFSM_OBSERVING] = "observing",
	[FFSM_WAITING] = "waiting", [FFSM_ON] = "on",
	[FFSM_NOT_ANSWERING] = "not-answering", [FFSM_FAILED] = "failed",
};

static const char *const forward_fsm_causes[] = {
	[FFSM_EV_CONFIGURE] = "configured", [FFSM_EV_ENABLE] = "proxy in effect",
	[FFSM_EV_DISABLE] = "no proxy in effect", [FFSM_EV_RETRY] = "retry",
	[FFSM_EV_READY] = "HAProxy ready",
	[FFSM_EV_REFUSED] = "HAProxy refused the configuration",
	[FFSM_EV_HUNG] = "HAProxy does not answer",
	[FFSM_EV_TABLE_FAILED] = "table not installed",
	[FFSM_EV_LOST] = "interception lost",
};

NAMES_ACCESSOR(forward_fsm_state_name, enum ffsm_state, forward_fsm_names)

void
forward_fsm_init(struct forward_fsm *f)
{
	*f = (struct forward_fsm){ .state = FFSM_OFF, .kind = FWD_NONE };
}

/* HAProxy was asked to forward (it may be waiting for its listeners). */
static bool
forward_fsm_haproxy_on(enum ffsm_state s)
{
	return s == FFSM_WAITING || s == FFSM_ON || s == FFSM_NOT_ANSWERING;
}

bool
forward_fsm_active(const struct forward_fsm *f)
{
	return f->state == FFSM_OBSERVING || forward_fsm_haproxy_on(f->state);
}

/* Interception first, so traffic goes direct, then HAProxy. */
static void
forward_fsm_teardown(struct forward_fsm *f, enum ffsm_state to, struct ffsm_actions *act)
{
	act->torn_down = forward_fsm_active(f);
	if (forward_fsm_haproxy_on(f->state))
		act->flags |= FFSM_ACT_TABLE_DEL;
	act->flags |= FFSM_ACT_HAPROXY_STOP;
	f->state = to;
}

/* Carries out the wish to forward through f->proxy. */
static void
forward_fsm_start(struct forward_fsm *f, const struct ffsm_ev *ev, bool force,
    struct ffsm_actions *act)
{
	if (f->kind == FWD_NONE) {
		f->state = FFSM_OBSERVING;
		return;
	}
	if (!f->ca_ok) {
		f->state = FFSM_FAILED;
		return;
	}
	act->flags |= FFSM_ACT_APPLY;
	act->force = force;
	/* A running HAProxy keeps listening through its reload: the table
	 * follows now (the new proxy's address is exempted); a starting one
	 * gets it when it reports its listeners up. */
	if (ev->hp_loaded) {
		f->state = FFSM_ON;
		act->flags |= FFSM_ACT_TABLE_ADD;
	} else
		f->state = ev->hp_answering ? FFSM_WAITING : FFSM_NOT_ANSWERING;
}

static void
forward_fsm_configure(struct forward_fsm *f, const struct ffsm_ev *ev,
    struct ffsm_actions *act)
{
	bool was_haproxy = f->kind == FWD_HAPROXY, wanted = f->state != FFSM_OFF;

	f->hold_until = 0;	/* a reload is the operator asking again */
	f->kind = ev->kind;
	f->ca_ok = ev->kind == FWD_HAPROXY && ev->ca_ok;
	if (ev->kind == FWD_NONE) {
		if (was_haproxy)
			forward_fsm_teardown(f, f->state, act);
		f->state = wanted ? FFSM_OBSERVING : FFSM_OFF;
		return;
	}
	if (!f->ca_ok) {
		forward_fsm_teardown(f, wanted ? FFSM_FAILED : FFSM_OFF, act);
		return;
	}
	/* From observing to forwarding: nothing ran yet. */
	if (!was_haproxy && wanted)
		f->state = FFSM_FAILED;
	if (!wanted || (forward_fsm_haproxy_on(f->state) && !ev->changed && !ev->force))
		return;
	forward_fsm_start(f, ev, ev->force, act);
}

void
forward_fsm_step(struct forward_fsm *f, const struct ffsm_ev *ev, int64_t now_ms,
    struct ffsm_actions *act)
{
	memset(act, 0, sizeof(*act));
	act->t.from = f->state;
	act->t.cause = NAMES_OF(forward_fsm_causes, ev->type);
	switch (ev->type) {
	case FFSM_EV_CONFIGURE:
		forward_fsm_configure(f, ev, act);
		break;
	case FFSM_EV_ENABLE:
		f->proxy = ev->proxy;
		forward_fsm_start(f, ev, false, act);
		break;
	case FFSM_EV_DISABLE:
		forward_fsm_teardown(f, FFSM_OFF, act);
		break;
	case FFSM_EV_RETRY:
		if (f->state == FFSM_FAILED && now_ms >= f->hold_until)
			forward_fsm_start(f, ev, false, act);
		break;
	case FFSM_EV_READY:
		if (f->state == FFSM_WAITING || f->state == FFSM_NOT_ANSWERING) {
			f->state = FFSM_ON;
			act->flags |= FFSM_ACT_TABLE_ADD;
		}
		break;
	case FFSM_EV_HUNG:
		/* With the table in place every new management connection
		 * would hang in the worker that keeps its listeners. */
		if (f->state == FFSM_ON)
			act->flags |= FFSM_ACT_TABLE_DEL;
		if (f->state == FFSM_ON || f->state == FFSM_WAITING)
			f->state = FFSM_NOT_ANSWERING;
		break;
	case FFSM_EV_REFUSED:
	case FFSM_EV_TABLE_FAILED:
		/* HAProxy may still run a configuration with another proxy:
		 * better direct than wrong. */
		if (forward_fsm_haproxy_on(f->state))
			forward_fsm_teardown(f, FFSM_FAILED, act);
		break;
	case FFSM_EV_LOST:
		/* Retrying at once would fight the process that removes it. */
		if (f->state == FFSM_ON) {
			forward_fsm_teardown(f, FFSM_FAILED, act);
			f->hold_until = now_ms + ev->hold_ms;
		}
		break;
	}
	act->t.to = f->state;
}

const char *
forward_fsm_status(const struct forward_fsm *f, bool hp_running, bool hp_answering,
    bool *forwarding)
{
	*forwarding = f->state == FFSM_OBSERVING || (f->state == FFSM_ON && hp_running);
	if (!forward_fsm_haproxy_on(f->state))
		return NAMES_OF(forward_fsm_names, f->state);
	if (!hp_answering)
		return "not-answering";
	return *forwarding ? "forwarding" : "starting";
}
