/* Forwarding through the proxy in effect (pure; the clock is passed in).
 *
 *   OFF        --enable-->          OBSERVING     (forwarder none)
 *   OFF        --enable-->          WAITING       (HAProxy (re)loads)
 *   OFF        --enable-->          ON            (HAProxy listens already)
 *   WAITING    --HAProxy ready-->   ON            (interception table in)
 *   ON         --HAProxy hung-->    NOT_ANSWERING (table out, HAProxy kept)
 *   NOT_ANSW.  --HAProxy ready-->   ON
 *   WAITING, ON, NOT_ANSWERING --refused, table failed, lost--> FAILED
 *   any        --no CA at configure--> FAILED
 *   FAILED     --retry, configure-->  WAITING / ON (what enable does)
 *   any        --disable-->         OFF
 *
 * Interception goes in only once HAProxy listens: before that TPROXY finds
 * no socket, new connections would go direct and break when it appears.
 * FAILED keeps the wish to forward: the next reload or successful probe
 * tries again (after a loss to another process, not before `hold_until`),
 * so forwarding never stays off while a proxy is in effect. */
#ifndef FORWARD_FSM_H
#define FORWARD_FSM_H
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"

enum ffsm_state {
	FFSM_OFF,		/* no proxy in effect: traffic direct */
	FFSM_OBSERVING,		/* forwarder none: in effect, nothing to carry out */
	FFSM_WAITING,		/* HAProxy asked to forward; waiting for its listeners */
	FFSM_ON,		/* interception in place */
	FFSM_NOT_ANSWERING,	/* HAProxy hung: interception out until it answers */
	FFSM_FAILED,		/* wanted, but the forwarder cannot: traffic direct */
};

enum ffsm_event {
	FFSM_EV_CONFIGURE,	/* start-up or reload (kind, ca_ok, changed, force) */
	FFSM_EV_ENABLE,		/* forward through ev.proxy */
	FFSM_EV_DISABLE,
	FFSM_EV_RETRY,		/* the proxy in effect answered a probe */
	FFSM_EV_READY,		/* HAProxy listens and answers */
	FFSM_EV_REFUSED,	/* HAProxy refused the rendering or failed to load it */
	FFSM_EV_HUNG,		/* HAProxy stopped answering */
	FFSM_EV_TABLE_FAILED,	/* the interception table could not be installed */
	FFSM_EV_LOST,		/* another process keeps removing it (ev.hold_ms) */
};

/* In this order. */
enum {
	FFSM_ACT_TABLE_DEL	= 1 << 0,
	FFSM_ACT_HAPROXY_STOP	= 1 << 1,
	FFSM_ACT_APPLY		= 1 << 2,	/* HAProxy: forward through f.proxy (act.force) */
	FFSM_ACT_TABLE_ADD	= 1 << 3,
};

struct ffsm_ev {
	enum ffsm_event type;
	struct proxy_addr proxy;	/* ENABLE */
	enum mp_forwarder kind;		/* CONFIGURE */
	bool ca_ok;			/* CONFIGURE: local CA loaded, socket open */
	bool changed;			/* CONFIGURE: interception settings changed */
	bool force;			/* CONFIGURE: files changed under the same names */
	bool hp_loaded;			/* HAProxy listens and answers now */
	bool hp_answering;		/* its worker answers (or none is checked) */
	int64_t hold_ms;		/* LOST: no retry at probes this long */
};

struct ffsm_transition {
	enum ffsm_state from, to;	/* equal when the state did not change */
	const char *cause;
};

struct ffsm_actions {
	unsigned flags;
	bool force;		/* with APPLY */
	bool torn_down;		/* forwarding that was carried out is gone */
	struct ffsm_transition t;
};

struct forward_fsm {
	enum ffsm_state state;
	enum mp_forwarder kind;
	bool ca_ok;		/* haproxy: the local CA is loaded */
	struct proxy_addr proxy;	/* where traffic goes (unless OFF): the one copy */
	int64_t hold_until;	/* mono ms: no retry at probes before */
};

void forward_fsm_init(struct forward_fsm *);
/* The one transition function: fills act (its transition included). */
void forward_fsm_step(struct forward_fsm *, const struct ffsm_ev *, int64_t now_ms,
    struct ffsm_actions *);
const char *forward_fsm_state_name(enum ffsm_state);
/* A proxy is in effect and the forwarder carries it out (maybe waiting). */
bool forward_fsm_active(const struct forward_fsm *);
/* For status: the forwarder-state word (off, observing, starting,
 * forwarding, not-answering, failed) and whether traffic is forwarded,
 * given what HAProxy does now. */
const char *forward_fsm_status(const struct forward_fsm *, bool hp_running,
    bool hp_answering, bool *forwarding);
#endif
