/* The active proxy's state machine. Each event changes the target, the
 * proxy in effect and the alarm; proxy_fsm_effects() then derives the side
 * effects from what changed, so no path can forget one. */
#include <string.h>

#include "names.h"
#include "proxy_fsm.h"

static const char *const proxy_fsm_names[] = {
	[PFSM_DISABLED] = "disabled", [PFSM_NO_CANDIDATE] = "no-candidate",
	[PFSM_PROBING] = "probing", [PFSM_REACHABLE] = "reachable",
	[PFSM_UNREACHABLE] = "unreachable",
};

NAMES_ACCESSOR(proxy_fsm_state_name, enum pfsm_state, proxy_fsm_names)

/* Records the transition in act; the first state of the step stays its
 * origin. */
static void
proxy_fsm_transition(struct proxy_fsm *f, enum pfsm_state to, int64_t now,
    const char *cause, struct pfsm_actions *act)
{
	if (f->state == to)
		return;
	if (act->tr.from == act->tr.to)
		act->tr.from = f->state;
	act->tr.to = to;
	act->tr.has_target = f->has_target;
	act->tr.target = f->target;
	act->tr.cause = cause;
	f->state = to;
	f->since = now;
	f->fails = f->oks = 0;
}

/* A fresh set of actions: nothing to do, no transition. */
static void
proxy_fsm_act_init(const struct proxy_fsm *f, struct pfsm_actions *act)
{
	memset(act, 0, sizeof(*act));
	act->tr.from = act->tr.to = f->state;
	act->tr.cause = "";
}

void
proxy_fsm_init(struct proxy_fsm *f, int64_t now)
{
	memset(f, 0, sizeof(*f));
	f->state = PFSM_DISABLED;
	f->mode = MODE_DISABLED;
	f->since = now;
	f->fall = f->rise = 1;
}

void
proxy_fsm_configure(struct proxy_fsm *f, unsigned fall, unsigned rise)
{
	f->fall = fall < 1 ? 1 : fall > PFSM_FALL_RISE_MAX ? PFSM_FALL_RISE_MAX : fall;
	f->rise = rise < 1 ? 1 : rise > PFSM_FALL_RISE_MAX ? PFSM_FALL_RISE_MAX : rise;
}

static bool
proxy_fsm_probing(const struct proxy_fsm *f)
{
	return f->state == PFSM_PROBING || f->state == PFSM_REACHABLE ||
	    f->state == PFSM_UNREACHABLE;
}

static void
proxy_fsm_start_probe(struct proxy_fsm *f, struct pfsm_actions *act)
{
	f->gen++;
	act->flags |= PFSM_ACT_PROBE | PFSM_ACT_TIMER_ARM;
	act->gen = f->gen;
	act->probe = f->target;
}

/* Side effects from the difference between the old and the new view. */
static void
proxy_fsm_effects(struct proxy_fsm *f, const struct proxy_fsm *old,
    struct pfsm_actions *act)
{
	if (f->in_effect) {
		if (!old->in_effect || addr_cmp(&old->effect, &f->effect) != 0 ||
		    !old->started) {
			act->flags |= PFSM_ACT_FWD_ENABLE | PFSM_ACT_STATE_WRITE;
			act->effect = f->effect;
		}
	} else if (old->in_effect || !old->started) {
		/* On the first step this also clears what a previous run left. */
		act->flags |= PFSM_ACT_FWD_DISABLE | PFSM_ACT_STATE_REMOVE;
	}
	if (f->alarm && !old->alarm)
		act->flags |= PFSM_ACT_ALARM_RAISE;
	else if (!f->alarm && old->alarm)
		act->flags |= PFSM_ACT_ALARM_CLEAR;
	if (!proxy_fsm_probing(f) && proxy_fsm_probing(old))
		act->flags |= PFSM_ACT_TIMER_STOP;
	f->started = true;
}

void
proxy_fsm_select(struct proxy_fsm *f, enum mp_mode mode, const struct proxy_addr *best,
    int64_t now, struct pfsm_actions *act)
{
	struct proxy_fsm old = *f;
	bool mode_changed = mode != f->mode;

	proxy_fsm_act_init(f, act);
	f->mode = mode;
	if (mode_changed && old.in_effect) {
		act->flags |= PFSM_ACT_SESSIONS_CLEAR;
		f->in_effect = false;
	}
	if (mode == MODE_DISABLED || best == NULL) {
		f->has_target = false;
		f->in_effect = false;
		f->alarm = false;
		proxy_fsm_transition(f, mode == MODE_DISABLED ? PFSM_DISABLED :
		    PFSM_NO_CANDIDATE, now, mode == MODE_DISABLED ? "disabled" :
		    "no valid candidate", act);
	} else if (!f->has_target || addr_cmp(&f->target, best) != 0 ||
	    mode_changed || !proxy_fsm_probing(f)) {
		/* A new target: its alarm state is unknown until probed. */
		f->has_target = true;
		f->target = *best;
		f->alarm = false;
		proxy_fsm_transition(f, PFSM_PROBING, now, "selected", act);
		proxy_fsm_start_probe(f, act);
	}
	proxy_fsm_effects(f, &old, act);
}

/* Counts a result of the current target's probe into f; the caller
 * derives the effects. */
static void
proxy_fsm_result(struct proxy_fsm *f, bool ok, int64_t now,
    struct pfsm_actions *act)
{
	/* Results in a row: one of the other kind starts the count again. */
	if (ok) {
		f->oks++;
		f->fails = 0;
	} else {
		f->fails++;
		f->oks = 0;
	}
	if (f->state == PFSM_REACHABLE && !ok && f->fails < f->fall) {
		act->flags |= PFSM_ACT_FAIL_COUNTED;
		act->count = f->fails;
		act->need = f->fall;
		return;
	}
	if (f->state == PFSM_UNREACHABLE && ok && f->oks < f->rise) {
		act->flags |= PFSM_ACT_OK_COUNTED;
		act->count = f->oks;
		act->need = f->rise;
		return;
	}
	if (ok) {
		f->in_effect = true;
		f->effect = f->target;
		f->alarm = false;
		proxy_fsm_transition(f, PFSM_REACHABLE, now, "probe succeeded", act);
	} else {
		f->in_effect = false;
		f->alarm = true;
		proxy_fsm_transition(f, PFSM_UNREACHABLE, now, "probe failed", act);
	}
}

void
proxy_fsm_timer(struct proxy_fsm *f, bool busy, int64_t now,
    struct pfsm_actions *act)
{
	struct proxy_fsm old = *f;

	proxy_fsm_act_init(f, act);
	if (busy) {
		act->flags |= PFSM_ACT_PROBE_LOST;
		if (proxy_fsm_probing(f))
			proxy_fsm_result(f, false, now, act);
	}
	if (proxy_fsm_probing(f))
		proxy_fsm_start_probe(f, act);
	proxy_fsm_effects(f, &old, act);
}

void
proxy_fsm_probe_done(struct proxy_fsm *f, unsigned gen, bool ok, int64_t now,
    struct pfsm_actions *act)
{
	struct proxy_fsm old = *f;

	proxy_fsm_act_init(f, act);
	if (gen != f->gen || !proxy_fsm_probing(f))
		return;		/* the target changed while this probe ran */
	proxy_fsm_result(f, ok, now, act);
	proxy_fsm_effects(f, &old, act);
}

void
proxy_fsm_traffic_failed(struct proxy_fsm *f, bool busy, int64_t now_ms,
    struct pfsm_actions *act)
{
	proxy_fsm_act_init(f, act);
	/* Only a proxy that carries traffic is probed early: a new target is
	 * being probed already, an unreachable one carries nothing. A probe
	 * on its way answers the same question. */
	if (f->state != PFSM_REACHABLE || busy)
		return;
	if (f->early_done && now_ms - f->early_ms < PFSM_EARLY_MIN_MS)
		return;
	f->early_done = true;
	f->early_ms = now_ms;
	proxy_fsm_start_probe(f, act);
}
