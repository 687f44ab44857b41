/* What the operator reads of HAProxy's life cycle: each step of
 * haproxy_fsm, cause before effect. */
#include <sys/wait.h>

#include "haproxy_log.h"
#include "log.h"

void
haproxy_log_step(const struct hfsm_ev *ev, const struct hfsm_actions *act,
    int st, const char *health_why)
{
	const struct hfsm_transition *t = &act->t;

	if (t->health_from != t->health_to)
		log_info("HAProxy health: %s -> %s", haproxy_watch_state_name(t->health_from),
		    haproxy_watch_state_name(t->health_to));
	if (t->from != t->to)
		log_info("HAProxy life cycle: %s -> %s (%s)", haproxy_fsm_state_name(t->from),
		    haproxy_fsm_state_name(t->to), t->cause);
	if (act->flags & HFSM_ACT_HUNG)
		log_err("HAProxy did not answer %d health checks in a row (%s)",
		    HPW_MISSES, health_why);
	if (t->health_from == HPW_NOT_ANSWERING && t->health_to == HPW_ANSWERING)
		log_info("HAProxy answers its health checks again");
	if (ev->type == HFSM_EV_HEALTH && t->to == HFSM_RESTARTING && t->from != t->to)
		log_err("HAProxy has not answered for %d s: restarting it",
		    HPW_RESTART_MS / 1000);
	if (ev->type == HFSM_EV_SETTLE_DUE && t->from != t->to)
		log_warn("HAProxy did not report the end of its start or reload within "
		    "%d s", HFSM_SETTLE_MS / 1000);
	if (ev->type != HFSM_EV_EXITED || t->from == t->to)
		return;
	if (act->flags & HFSM_ACT_RESTART_ARM)
		log_err("HAProxy exited unexpectedly (%s %d): restarting in %u ms",
		    WIFSIGNALED(st) ? "signal" : "status",
		    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), act->delay_ms);
	else if (t->from == HFSM_RESTARTING)
		log_info("HAProxy stopped; starting it again");
	else
		log_info("HAProxy stopped");
}
