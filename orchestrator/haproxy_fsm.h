/* The life cycle of our HAProxy (pure; the clock is passed in).
 *
 *   STOPPED     --apply-->          CHECKING     (haproxy -c on the rendering)
 *   CHECKING    --checked-->        STARTING     (master spawned)
 *   CHECKING    --refused-->        STOPPED      (failed reported)
 *   STARTING    --loaded-->         RUNNING      (listeners up: ready)
 *   RUNNING     --apply-->          RECHECKING   (the last good one serves)
 *   RECHECKING  --checked-->        RELOADING    (SIGUSR2 to the master)
 *   RECHECKING  --same/refused-->   RUNNING
 *   RECHECKING  --switched-->       RUNNING      (only the proxy changed: at run time)
 *   RELOADING   --loaded/failed-->  RUNNING
 *   any master  --stop-->           STOPPING     --exited--> STOPPED
 *   any master  --exited-->         BACKOFF      --restart due--> STARTING
 *   RUNNING..   --hung too long-->  RESTARTING   --exited--> STARTING
 *   STOPPING    --apply-->          RESTARTING
 *
 * A start or reload is "settling" until the master reports its end
 * ("Loading success." / "Loading failure!") or HFSM_SETTLE_MS pass: a
 * SIGUSR2 sent meanwhile is lost (seen: two reloads 90 ms apart left the
 * first configuration in force) or kills a master still starting, so an
 * apply during a check or a settling load waits (`pending`) and is checked
 * when it ends, with the proxy wanted by then. After a load's success a
 * reload also waits HFSM_RELOAD_GAP_MS (`gap`): HAProxy 2.6.12 was seen to
 * crash a worker replaced within seconds of its start on its way out
 * (SIGSEGV unbinding its listeners) and the next worker to miss the
 * listening sockets (connections refused) when reloads came ~1 s apart.
 *
 * A check whose rendering is the running one skips the reload, unless it
 * is forced (files replaced under the same names): a forced check or load
 * that fails leaves the next one forced, until a load succeeds. When only
 * the proxy differs, the shell changes it through the runtime API and
 * reports SWITCHED (or CHECKED, for a reload, when the API refused it).
 *
 * The health of the loaded worker and the restart backoff are the pure
 * helper haproxy_watch, fed by this machine. */
#ifndef HAPROXY_FSM_H
#define HAPROXY_FSM_H
#include <stdbool.h>
#include <stdint.h>

#include "haproxy_watch.h"

#define HFSM_SETTLE_MS	15000	/* a start or reload reports its end by then */
#define HFSM_RELOAD_GAP_MS	3000	/* from a load's success to the next reload */

enum hfsm_state {
	HFSM_STOPPED,		/* no HAProxy, none wanted */
	HFSM_CHECKING,		/* no HAProxy yet: haproxy -c on the first rendering */
	HFSM_STARTING,		/* master spawned, its load not reported yet */
	HFSM_RUNNING,		/* serving, no load in progress */
	HFSM_RECHECKING,	/* serving the last good rendering; haproxy -c on a new one */
	HFSM_RELOADING,		/* SIGUSR2 sent, its load not reported yet */
	HFSM_STOPPING,		/* SIGTERM sent: on its way out, not wanted */
	HFSM_RESTARTING,	/* on its way out, started again when gone */
	HFSM_BACKOFF,		/* exited unexpectedly: started again when the delay ends */
};

enum hfsm_event {
	HFSM_EV_APPLY,		/* forward through the wanted proxy (render it again) */
	HFSM_EV_CHECKED,	/* haproxy -c accepted the rendering (ev.gen) */
	HFSM_EV_REFUSED,	/* refused, or it could not be rendered or checked */
	HFSM_EV_SAME,		/* the rendering is what HAProxy runs: nothing to do */
	HFSM_EV_SWITCHED,	/* same rendering, the worker took the new proxy at run time */
	HFSM_EV_LOADED,		/* "Loading success." */
	HFSM_EV_LOAD_FAILED,	/* "Loading failure!" */
	HFSM_EV_SETTLE_DUE,	/* no report within HFSM_SETTLE_MS */
	HFSM_EV_GAP_OVER,	/* HFSM_RELOAD_GAP_MS since the last load's success */
	HFSM_EV_EXITED,		/* the master is gone */
	HFSM_EV_RESTART_DUE,	/* the backoff delay ended */
	HFSM_EV_HEALTH,		/* a health check ended (ev.ok) */
	HFSM_EV_STOP,
};

/* What the shell must do, in this order (callbacks to the forwarder last:
 * they may step the machine again). */
enum {
	HFSM_ACT_SETTLE_STOP	= 1 << 0,
	HFSM_ACT_HEALTH_STOP	= 1 << 1,
	HFSM_ACT_RESTART_STOP	= 1 << 2,
	HFSM_ACT_KILL_ALL	= 1 << 3,	/* SIGKILL every process of ours */
	HFSM_ACT_RESTART_ARM	= 1 << 4,	/* start again in act.delay_ms */
	HFSM_ACT_TERM		= 1 << 5,	/* SIGTERM to the master */
	HFSM_ACT_LOADED		= 1 << 6,	/* stats refresh, health checks on */
	HFSM_ACT_COUNT_RELOAD	= 1 << 7,	/* a reload HAProxy reported done */
	HFSM_ACT_COUNT_REFUSAL	= 1 << 8,	/* a reload HAProxy refused */
	HFSM_ACT_CHECK		= 1 << 9,	/* render, haproxy -c (act.gen, act.may_skip) */
	HFSM_ACT_START		= 1 << 10,	/* spawn the master, settle timer */
	HFSM_ACT_RELOAD		= 1 << 11,	/* SIGUSR2, settle timer */
	HFSM_ACT_READY		= 1 << 12,	/* callback: listeners up and answering */
	HFSM_ACT_FAILED		= 1 << 13,	/* callback: the wanted rendering is not in force */
	HFSM_ACT_HUNG		= 1 << 14,	/* callback: the worker stopped answering */
	HFSM_ACT_GAP_ARM	= 1 << 15,	/* GAP_OVER in HFSM_RELOAD_GAP_MS */
	HFSM_ACT_GAP_STOP	= 1 << 16,
	HFSM_ACT_COUNT_SWITCH	= 1 << 17,	/* the proxy changed at run time */
};

struct hfsm_ev {
	enum hfsm_event type;
	unsigned gen;		/* CHECKED / REFUSED: the check's tag */
	bool ok;		/* HEALTH: it answered */
	bool force;		/* APPLY: reload even if the rendering is unchanged */
};

struct hfsm_transition {
	enum hfsm_state from, to;	/* equal when the state did not change */
	enum hpw_state health_from, health_to;
	const char *cause;
};

struct hfsm_actions {
	unsigned flags;
	unsigned gen;		/* with CHECK */
	bool may_skip;		/* with CHECK: an unchanged rendering need not reload */
	unsigned delay_ms;	/* with RESTART_ARM */
	struct hfsm_transition t;
};

struct haproxy_fsm {
	enum hfsm_state state;
	bool pending;		/* an apply waits for the check or load in progress */
	bool force;		/* the next check reloads even if nothing changed */
	bool forcing;		/* the check or load in progress is a forced one */
	bool gap;		/* a load succeeded less than HFSM_RELOAD_GAP_MS ago */
	unsigned gen;		/* tags checks so that stale results are ignored */
	struct haproxy_watch watch;
};

void haproxy_fsm_init(struct haproxy_fsm *);
/* The one transition function: fills act (its transition included). */
void haproxy_fsm_step(struct haproxy_fsm *, const struct hfsm_ev *, int64_t now_ms,
    struct hfsm_actions *);
const char *haproxy_fsm_state_name(enum hfsm_state);
/* A master process of ours exists (to signal, to ask). */
bool haproxy_fsm_master(const struct haproxy_fsm *);
/* Loaded, not on its way out, answering: interception may use it. */
bool haproxy_fsm_loaded(const struct haproxy_fsm *);
#endif
