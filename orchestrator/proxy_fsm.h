/* The life cycle of the active proxy (pure; the clock is passed in). Each
 * step returns its transition and the actions; the shell logs and does.
 *
 *   DISABLED, NO_CANDIDATE --select(best)--> PROBING
 *   PROBING     --probe ok-->   REACHABLE     (proxy in effect)
 *   PROBING     --probe fail--> UNREACHABLE   (alarm raised)
 *   REACHABLE   --probe fail--> UNREACHABLE   (forwarding torn down)
 *   UNREACHABLE --probe ok-->   REACHABLE     (alarm cleared)
 *   any --select(another best or a mode change)--> PROBING
 *   any --select(disabled / nothing valid)--> DISABLED / NO_CANDIDATE
 *
 * With fall/rise above 1, REACHABLE turns UNREACHABLE only after `fall`
 * failed probes in a row, and UNREACHABLE turns REACHABLE only after `rise`
 * good ones: one lost probe on a busy link raises no alarm, one lucky
 * answer from a flapping proxy does not bring forwarding back. A new
 * target (PROBING) is decided by its first result: nothing goes through it
 * yet, so waiting would only delay forwarding or the alarm.
 *
 * Traffic that fails to reach the proxy in effect (HAProxy's access log)
 * asks for a probe at once instead of at the next interval, at most one
 * such early probe every PFSM_EARLY_MIN_MS.
 *
 * A proxy is in effect only after a successful probe. When the selection
 * moves from one reachable proxy to another, the old one stays in effect
 * until the new one answers (make before break); a mode change drops it at
 * once and clears its sessions (mode changes start clean). There is no
 * failover to another candidate on failure. */
#ifndef PROXY_FSM_H
#define PROXY_FSM_H
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"

#define PFSM_FALL_RISE_MAX	10
/* Early probes on failed traffic: at most one this often. */
#define PFSM_EARLY_MIN_MS	2000

enum pfsm_state {
	PFSM_DISABLED,
	PFSM_NO_CANDIDATE,
	PFSM_PROBING,
	PFSM_REACHABLE,
	PFSM_UNREACHABLE,
};

/* What the shell must do after a step, in this order. */
enum {
	PFSM_ACT_PROBE		= 1 << 0,	/* probe act.probe now, tag act.gen */
	PFSM_ACT_TIMER_ARM	= 1 << 1,	/* next probe in one interval */
	PFSM_ACT_TIMER_STOP	= 1 << 2,
	PFSM_ACT_SESSIONS_CLEAR	= 1 << 3,	/* drop sessions of the old proxy */
	PFSM_ACT_FWD_DISABLE	= 1 << 4,	/* tear forwarding down */
	PFSM_ACT_FWD_ENABLE	= 1 << 5,	/* forward through act.effect (or refresh) */
	PFSM_ACT_STATE_WRITE	= 1 << 6,	/* proxy-address.json = act.effect */
	PFSM_ACT_STATE_REMOVE	= 1 << 7,
	PFSM_ACT_ALARM_RAISE	= 1 << 8,
	PFSM_ACT_ALARM_CLEAR	= 1 << 9,
	/* The probe still open when the next was due counts as failed:
	 * cancel it and record why ("no answer within the interval"). */
	PFSM_ACT_PROBE_LOST	= 1 << 10,
	/* A result counted that does not change the state yet (fall/rise
	 * above 1): act.count of act.need in a row; log it. */
	PFSM_ACT_FAIL_COUNTED	= 1 << 11,
	PFSM_ACT_OK_COUNTED	= 1 << 12,
};

/* What a step did to the state, for the shell to log before it carries
 * out the effects; from == to when the state stayed. */
struct pfsm_transition {
	enum pfsm_state from, to;
	bool has_target;
	struct proxy_addr target;	/* the proxy concerned, when has_target */
	const char *cause;		/* static text */
};

struct pfsm_actions {
	unsigned flags;
	unsigned gen;			/* with PFSM_ACT_PROBE */
	struct proxy_addr probe;	/* with PFSM_ACT_PROBE */
	struct proxy_addr effect;	/* with FWD_ENABLE / STATE_WRITE */
	unsigned count, need;		/* with FAIL_COUNTED / OK_COUNTED */
	struct pfsm_transition tr;
};

struct proxy_fsm {
	enum pfsm_state state;
	enum mp_mode mode;
	bool started;			/* first step done: leftovers cleaned */
	bool has_target;
	struct proxy_addr target;	/* the selected candidate */
	bool in_effect;
	struct proxy_addr effect;	/* where traffic goes; may lag target */
	bool alarm;
	unsigned gen;			/* tags probes so stale results are ignored */
	int64_t since;			/* time of the last state change */
	unsigned fall, rise;		/* results in a row that change the state */
	unsigned fails, oks;		/* results in a row so far */
	int64_t early_ms;		/* monotonic ms of the last early probe */
	bool early_done;		/* early_ms is set */
};

void proxy_fsm_init(struct proxy_fsm *, int64_t now);
/* health-check.fall and rise (1..PFSM_FALL_RISE_MAX); init sets 1 and 1.
 * The counts so far are kept: a lower threshold applies at the next result. */
void proxy_fsm_configure(struct proxy_fsm *, unsigned fall, unsigned rise);
/* A new selection result: best is NULL when nothing valid. */
void proxy_fsm_select(struct proxy_fsm *, enum mp_mode, const struct proxy_addr *best,
    int64_t now, struct pfsm_actions *);
/* The probe timer fired; busy: the probe of the last interval has not
 * answered, and counts as failed (with timeout == interval the next probe
 * can be due before the current one timed out). */
void proxy_fsm_timer(struct proxy_fsm *, bool busy, int64_t now,
    struct pfsm_actions *);
/* A probe finished; results with an old gen are ignored. */
void proxy_fsm_probe_done(struct proxy_fsm *, unsigned gen, bool ok, int64_t now,
    struct pfsm_actions *);
/* Intercepted traffic failed to connect to the proxy in effect; busy: a
 * probe is in flight. now_ms is the monotonic clock (rate limit). */
void proxy_fsm_traffic_failed(struct proxy_fsm *, bool busy, int64_t now_ms,
    struct pfsm_actions *);
const char *proxy_fsm_state_name(enum pfsm_state);
#endif
