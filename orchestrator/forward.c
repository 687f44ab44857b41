/* Carries out forwarding decisions with the configured forwarder: `none`
 * only records them (observe mode); `haproxy` renders and runs HAProxy,
 * installs the TPROXY table and serves certificates. What to do is the
 * forwarding machine's (forward_fsm); this shell does it, feeds HAProxy's
 * news to the machine and logs the transitions.
 *
 * The proxy in effect has one copy here (the machine's), which haproxy.c
 * reads by pointer; the configuration is the daemon's, read by pointer.
 * To see what a reload changed the forwarder keeps digests of the
 * settings it was set up with, not a second copy of them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "control.h"
#include "event.h"
#include "fileio.h"
#include "forward.h"
#include "forward_fsm.h"
#include "haproxy.h"
#include "log.h"
#include "reconcile.h"
#include "firewall.h"
#include "tunnel.h"

static struct {
	struct forward_fsm m;
	const struct config *cfg;	/* the daemon's, in force */
	uint64_t intercept_fp;		/* interception set up with; 0 = none */
	uint64_t ca_fp;			/* the local CA's paths opened */
	char error[384];	/* why interception was lost, "" when it was not */
	char certs_dir[CFG_PATH_MAX + 8];
} fwd = { .m = { .state = FFSM_OFF, .kind = FWD_NONE } };

/* FNV-1a: a change of the settings changes the digest. */
static uint64_t
forward_digest(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t
forward_intercept_fp(const struct config *c)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t n[3] = { c->nintercept, c->nhttp_port, c->nhttps_port };

	h = forward_digest(h, n, sizeof(n));
	h = forward_digest(h, c->intercept_if, sizeof(c->intercept_if));
	h = forward_digest(h, c->http_port, sizeof(c->http_port));
	return forward_digest(h, c->https_port, sizeof(c->https_port));
}

static uint64_t
forward_ca_fp(const struct config *c)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = forward_digest(h, c->ca_cert, strlen(c->ca_cert) + 1);
	return forward_digest(h, c->ca_key, strlen(c->ca_key) + 1);
}

/* Cause before effect: the transition, then the lines operators and
 * tests have always read. */
static void
forward_log_step(const struct ffsm_ev *ev, const struct ffsm_actions *act)
{
	const struct ffsm_transition *t = &act->t;
	char a[ADDR_STRLEN];

	addr_format(&fwd.m.proxy, a);
	if (t->from != t->to)
		log_info("forwarder: %s -> %s (%s)", forward_fsm_state_name(t->from),
		    forward_fsm_state_name(t->to), t->cause);
	if (ev->type == FFSM_EV_REFUSED && act->torn_down)
		log_err("HAProxy could not take the configuration for the proxy in effect");
	if (ev->type == FFSM_EV_HUNG && (act->flags & FFSM_ACT_TABLE_DEL))
		log_err("interception removed: HAProxy does not answer, management traffic "
		    "goes direct until it does");
	if (t->to == FFSM_OBSERVING &&
	    (ev->type == FFSM_EV_ENABLE || ev->type == FFSM_EV_CONFIGURE))
		log_info("proxy %s in effect (forwarder none: observing only)", a);
	if (t->to == FFSM_FAILED && !fwd.m.ca_ok &&
	    (ev->type == FFSM_EV_ENABLE || ev->type == FFSM_EV_RETRY))
		log_err("forwarding through %s impossible: the forwarder is not set up "
		    "(retried on reload and at each health check)", a);
	if (act->flags & FFSM_ACT_APPLY)
		log_info("forwarding management traffic through %s", a);
	if (act->torn_down)
		log_info("forwarding torn down: management traffic goes direct");
}

/* True with *next when an action decided the next event at once. */
static bool
forward_carry_out(const struct ffsm_actions *act, struct ffsm_ev *next)
{
	enum ffsm_state s = fwd.m.state;

	if (act->flags & FFSM_ACT_TABLE_DEL)
		firewall_intercept_remove();
	if (act->flags & FFSM_ACT_HAPROXY_STOP)
		haproxy_stop(false);
	if (act->flags & FFSM_ACT_APPLY)
		haproxy_apply(&fwd.m.proxy, act->force);
	/* HAProxy's answer (a rendering refused at once) stepped it already. */
	if (fwd.m.state != s)
		return false;
	if ((act->flags & FFSM_ACT_TABLE_ADD) &&
	    firewall_intercept_apply(fwd.cfg, &fwd.m.proxy) == -1) {
		*next = (struct ffsm_ev){ .type = FFSM_EV_TABLE_FAILED };
		return true;
	}
	return false;
}

static void
forward_run(const struct ffsm_ev *in)
{
	struct ffsm_ev ev = *in;
	struct ffsm_actions act;

	for (int i = 0; i < 4; i++) {	/* bounded: only a table failure follows */
		ev.hp_loaded = haproxy_loaded();
		ev.hp_answering = haproxy_answering();
		forward_fsm_step(&fwd.m, &ev, event_mono_ms(), &act);
		forward_log_step(&ev, &act);
		/* Off by decision, or carried out: no loss to report. */
		if (fwd.m.state == FFSM_OFF || (act.flags & FFSM_ACT_APPLY) ||
		    fwd.m.state == FFSM_OBSERVING)
			fwd.error[0] = '\0';
		if (!forward_carry_out(&act, &ev))
			return;
	}
}

static void
forward_event(enum ffsm_event type)
{
	struct ffsm_ev ev = { .type = type };

	forward_run(&ev);
}

static void
forward_haproxy_ready(void)
{
	cert_haproxy_settled();
	forward_event(FFSM_EV_READY);
}

static void
forward_haproxy_failed(void)
{
	cert_haproxy_settled();
	forward_event(FFSM_EV_REFUSED);
}

static void
forward_haproxy_hung(void)
{
	forward_event(FFSM_EV_HUNG);
}

static const struct haproxy_cbs forward_haproxy_cbs = { .loading = cert_haproxy_loading,
    .ready = forward_haproxy_ready, .failed = forward_haproxy_failed,
    .hung = forward_haproxy_hung };

static int
forward_init_haproxy(const struct forward_paths *paths)
{
	if (haproxy_init(paths->run_dir, paths->log_file) == -1) {
		log_err("HAProxy set-up in %s failed: %s", paths->run_dir, strerror(errno));
		return -1;
	}
	haproxy_on_events(&forward_haproxy_cbs);
	return 0;
}

int
forward_clean_stale(const struct forward_paths *paths)
{
	if (forward_init_haproxy(paths) == -1)
		return -1;
	/* Whatever an earlier run may have left (kill -9, crash): a stale
	 * HAProxy (its tables and routing: firewall_open). At start-up, for
	 * either forwarder, so the loop never waits for it later. */
	haproxy_kill_stale();
	return 0;
}

int
forward_configure(const struct config *cfg, const struct forward_paths *paths)
{
	struct ffsm_ev ev = { .type = FFSM_EV_CONFIGURE, .kind = cfg->forwarder };
	bool was_haproxy = fwd.m.kind == FWD_HAPROXY;
	uint64_t ca_fp = forward_ca_fp(cfg);
	char err[512];

	if (forward_init_haproxy(paths) == -1)
		return -1;
	fwd.cfg = cfg;
	if (cfg->forwarder == FWD_HAPROXY) {
		bool ca_changed = !fwd.m.ca_ok || fwd.ca_fp != ca_fp, tls_changed;
		uint64_t ifp = forward_intercept_fp(cfg);

		ev.ca_ok = !ca_changed;
		if (ca_changed) {
			if (fileio_path(fwd.certs_dir, sizeof(fwd.certs_dir),
			    paths->state_dir, "certs") == -1)
				snprintf(err, sizeof(err), "%s/certs: %s",
				    paths->state_dir, strerror(errno));
			else
				ev.ca_ok = cert_open(cfg->ca_cert, cfg->ca_key,
				    fwd.certs_dir, paths->run_dir, err, sizeof(err)) == 0;
			if (!ev.ca_ok)
				log_err("local CA: %s", err);
			fwd.ca_fp = ev.ca_ok ? ca_fp : 0;
		}
		if (ev.ca_ok) {
			/* Leaves minted from another CA are new files under the
			 * same names, and so are new no-inspect lists, trusted
			 * CAs and credentials: the rendering may be unchanged,
			 * HAProxy must reload all the same to use them. */
			tls_changed = tunnel_configure(cfg);
			ev.force = ca_changed || tls_changed;
			ev.changed = !was_haproxy || fwd.intercept_fp != ifp;
			fwd.intercept_fp = ifp;
		}
	}
	forward_run(&ev);
	if (cfg->forwarder == FWD_NONE && was_haproxy) {
		cert_close();
		fwd.intercept_fp = fwd.ca_fp = 0;
	}
	return (cfg->forwarder == FWD_HAPROXY && !ev.ca_ok) ||
	    fwd.m.state == FFSM_FAILED ? -1 : 0;
}

int
forward_enable(const struct proxy_addr *proxy)
{
	struct ffsm_ev ev = { .type = FFSM_EV_ENABLE, .proxy = *proxy };

	forward_run(&ev);
	return fwd.m.state == FFSM_FAILED ? -1 : 0;
}

void
forward_disable(void)
{
	forward_event(FFSM_EV_DISABLE);
}

void
forward_retry(void)
{
	forward_event(FFSM_EV_RETRY);
}

bool
forward_intercept_wanted(void)
{
	return fwd.m.kind == FWD_HAPROXY && fwd.m.state == FFSM_ON;
}

int
forward_repair(void)
{
	if (!forward_intercept_wanted())
		return 0;
	return firewall_intercept_apply(fwd.cfg, &fwd.m.proxy);
}

void
forward_lost(const char *why)
{
	struct ffsm_ev ev = { .type = FFSM_EV_LOST, .hold_ms = RECON_WINDOW_MS };

	if (!forward_intercept_wanted())
		return;
	log_err("interception lost: %s: tearing forwarding down", why);
	snprintf(fwd.error, sizeof(fwd.error), "interception lost: %s", why);
	/* Another process removing what we install: the next reload, or the
	 * first health check after the repair window, tries again. */
	forward_run(&ev);
}

const char *
forward_error(void)
{
	return forward_fsm_active(&fwd.m) ? "" : fwd.error;
}

void
forward_clear_sessions(void)
{
	if (fwd.m.kind == FWD_HAPROXY)
		haproxy_shutdown_sessions();
}

void
forward_shutdown(void)
{
	if (fwd.m.kind == FWD_HAPROXY)
		firewall_intercept_remove();
	haproxy_stop(true);
	if (fwd.m.ca_ok)
		cert_close();
}

bool
forward_active(void)
{
	bool forwarding;

	forward_fsm_status(&fwd.m, haproxy_running(), haproxy_answering(), &forwarding);
	return forwarding;
}

const char *
forward_state(void)
{
	bool forwarding;

	return forward_fsm_status(&fwd.m, haproxy_running(), haproxy_answering(),
	    &forwarding);
}

json_t *
forward_ca_export(void)
{
	const char *path = fwd.cfg != NULL ? fwd.cfg->ca_cert : "";
	char *pem = cert_ca_pem();
	size_t len;
	json_t *r;

	/* Without the haproxy forwarder, export the file if there is one. */
	if (pem == NULL && (pem = fileio_read(path, FILEIO_READ_MAX,
	    O_NOFOLLOW, &len)) == NULL)
		return control_error("no local CA certificate at %s", path);
	r = control_ok(json_string(pem));
	free(pem);
	return r;
}
