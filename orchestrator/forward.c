/* Carries out forwarding decisions with the configured forwarder:
 * `none` only records them (observe mode); `haproxy` renders and runs
 * HAProxy, installs the TPROXY table and serves certificates.
 *
 * `want` is what the state machine asked for (forward through `proxy`);
 * `active` is what is carried out. They differ while the forwarder cannot
 * do its job (no usable CA, HAProxy failing, the table refused): such an
 * internal teardown keeps `want`, and the next reload or successful probe
 * tries again, so forwarding never stays off while a proxy is in effect. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "control.h"
#include "event.h"
#include "firewall.h"
#include "forward.h"
#include "haproxy.h"
#include "log.h"
#include "reconcile.h"
#include "statefile.h"
#include "tunnel.h"

static struct {
	enum mp_forwarder kind;
	bool configured;	/* the haproxy forwarder is set up */
	bool cert_ok;		/* local CA loaded, certificate socket open */
	bool cleaned;		/* leftovers of an earlier run removed */
	bool want;
	bool active;
	bool table_pending;	/* interception waits for HAProxy to listen */
	char error[384];	/* why interception was lost, "" when it was not */
	int64_t hold_until;	/* mono ms: no retry at health checks before */
	struct proxy_addr proxy;
	struct config cfg;	/* intercept and CA settings in force */
	char certs_dir[CFG_PATH_MAX + 8];
} fwd;

/* Stops forwarding, remembering whether it is wanted. Interception
 * first, so traffic goes direct, then HAProxy. */
static void
forward_teardown(void)
{
	if (fwd.active && fwd.kind == FWD_HAPROXY)
		firewall_intercept_remove();
	if (haproxy_running())
		haproxy_stop(false);
	if (fwd.active)
		log_info("forwarding torn down: management traffic goes direct");
	fwd.active = false;
	fwd.table_pending = false;
}

/* Carries out `want` with the forwarder in place. */
static int
forward_start(void)
{
	char a[ADDR_STRLEN];

	if (!fwd.want)
		return 0;
	addr_format(&fwd.proxy, a);
	if (fwd.kind == FWD_NONE) {
		fwd.active = true;
		log_info("proxy %s in effect (forwarder none: observing only)", a);
		return 0;
	}
	if (!fwd.configured || !fwd.cert_ok) {
		log_err("forwarding through %s impossible: the forwarder is not set up "
		    "(retried on reload and at each health check)", a);
		return -1;
	}
	if (haproxy_apply(&fwd.proxy, cert_crt_list()) == -1) {
		forward_teardown();
		return -1;
	}
	fwd.active = true;
	fwd.error[0] = '\0';
	log_info("forwarding management traffic through %s", a);
	/* A running HAProxy keeps listening through its reload: update the
	 * table now (the new proxy's address is exempted); a starting one
	 * gets it when it reports its listeners up. */
	if (haproxy_loaded()) {
		fwd.table_pending = false;
		if (firewall_intercept_apply(&fwd.cfg, &fwd.proxy) == -1) {
			forward_teardown();
			return -1;
		}
	} else
		fwd.table_pending = true;
	return 0;
}

/* Interception goes in once HAProxy listens: before that TPROXY finds no
 * socket, new connections would go direct and break when it appears. */
static void
forward_haproxy_ready(void)
{
	cert_haproxy_settled();
	if (!fwd.active || !fwd.table_pending || !haproxy_loaded())
		return;
	fwd.table_pending = false;
	if (firewall_intercept_apply(&fwd.cfg, &fwd.proxy) == -1)
		forward_teardown();
}

/* HAProxy refused what we rendered, or failed to reload: it may still run
 * a configuration with another proxy. Better direct than wrong; `want`
 * stays, so the next health check tries again. */
static void
forward_haproxy_failed(void)
{
	cert_haproxy_settled();
	if (!fwd.active)
		return;
	log_err("HAProxy could not take the configuration for the proxy in effect");
	forward_teardown();
}

/* The worker stopped answering (stopped, livelocked) but keeps its
 * listeners: with the table in place every new management connection
 * would hang in it. Interception goes, HAProxy stays; the table comes
 * back when it answers again (forward_haproxy_ready). */
static void
forward_haproxy_hung(void)
{
	if (!fwd.active || fwd.table_pending)
		return;
	firewall_intercept_remove();
	fwd.table_pending = true;
	log_err("interception removed: HAProxy does not answer, management traffic "
	    "goes direct until it does");
}

static bool
forward_intercept_same(const struct config *a, const struct config *b)
{
	return a->nintercept == b->nintercept && a->nhttp_port == b->nhttp_port &&
	    a->nhttps_port == b->nhttps_port &&
	    memcmp(a->intercept_if, b->intercept_if, sizeof(a->intercept_if)) == 0 &&
	    memcmp(a->http_port, b->http_port, sizeof(a->http_port)) == 0 &&
	    memcmp(a->https_port, b->https_port, sizeof(a->https_port)) == 0;
}

static int
forward_configure_haproxy(const struct config *cfg, const struct forward_paths *paths)
{
	bool ca_changed, same, tls_changed;
	char err[512];

	if (fwd.kind == FWD_NONE) {
		/* From observing to forwarding: nothing ran yet. */
		fwd.active = false;
		fwd.configured = false;
	}
	fwd.kind = FWD_HAPROXY;
	haproxy_on_loading(cert_haproxy_loading);
	haproxy_on_ready(forward_haproxy_ready);
	haproxy_on_failed(forward_haproxy_failed);
	haproxy_on_hung(forward_haproxy_hung);
	ca_changed = !fwd.cert_ok || strcmp(fwd.cfg.ca_cert, cfg->ca_cert) != 0 ||
	    strcmp(fwd.cfg.ca_key, cfg->ca_key) != 0;
	if (ca_changed) {
		snprintf(fwd.certs_dir, sizeof(fwd.certs_dir), "%s/certs", paths->state_dir);
		fwd.cert_ok = cert_open(cfg->ca_cert, cfg->ca_key, fwd.certs_dir,
		    paths->run_dir, err, sizeof(err)) == 0;
		if (!fwd.cert_ok) {
			log_err("local CA: %s", err);
			forward_teardown();
			return -1;
		}
	}
	same = fwd.configured && forward_intercept_same(&fwd.cfg, cfg);
	fwd.configured = true;
	fwd.cfg = *cfg;
	tls_changed = tunnel_configure(cfg);
	if (!fwd.want || (fwd.active && same && !ca_changed && !tls_changed))
		return 0;
	/* Leaves minted from another CA are new files under the same names,
	 * and so are new no-inspect lists, trusted CAs and credentials: the
	 * rendered configuration may be unchanged, HAProxy must reload all
	 * the same to use them. */
	if (ca_changed || tls_changed)
		haproxy_force_reload();
	return forward_start();
}

int
forward_clean_stale(const struct forward_paths *paths)
{
	if (haproxy_init(paths->run_dir, paths->log_file) == -1) {
		log_err("HAProxy set-up in %s failed: %s", paths->run_dir, strerror(errno));
		return -1;
	}
	/* Whatever an earlier run may have left (kill -9, crash): a stale
	 * HAProxy (its tables and routing: firewall_open). Once, at start-up,
	 * for either forwarder, so the loop never waits for it later. */
	if (!fwd.cleaned) {
		haproxy_kill_stale();
		fwd.cleaned = true;
	}
	return 0;
}

int
forward_configure(const struct config *cfg, const struct forward_paths *paths)
{
	if (forward_clean_stale(paths) == -1)
		return -1;
	fwd.hold_until = 0;	/* a reload is the operator asking again */
	if (cfg->forwarder == FWD_HAPROXY)
		return forward_configure_haproxy(cfg, paths);
	if (fwd.kind == FWD_HAPROXY) {
		forward_teardown();
		cert_close();
		fwd.cert_ok = false;
		fwd.configured = false;
	}
	fwd.kind = FWD_NONE;
	fwd.cfg = *cfg;
	return forward_start();
}

int
forward_enable(const struct proxy_addr *proxy)
{
	fwd.want = true;
	fwd.proxy = *proxy;
	return forward_start();
}

void
forward_disable(void)
{
	fwd.want = false;
	fwd.error[0] = '\0';	/* off by decision now, not lost */
	forward_teardown();
}

void
forward_retry(void)
{
	if (fwd.want && !fwd.active && event_mono_ms() >= fwd.hold_until)
		forward_start();
}

bool
forward_intercept_wanted(void)
{
	return fwd.kind == FWD_HAPROXY && fwd.active && !fwd.table_pending;
}

int
forward_repair(void)
{
	if (!forward_intercept_wanted())
		return 0;
	return firewall_intercept_apply(&fwd.cfg, &fwd.proxy);
}

void
forward_lost(const char *why)
{
	if (!forward_intercept_wanted())
		return;
	log_err("interception lost: %s: tearing forwarding down", why);
	snprintf(fwd.error, sizeof(fwd.error), "interception lost: %s", why);
	forward_teardown();
	/* Another process removing what we install: retrying at once would
	 * fight it. The next reload, or the first health check after the
	 * repair window, tries again. */
	fwd.hold_until = event_mono_ms() + RECON_WINDOW_MS;
}

const char *
forward_error(void)
{
	return fwd.active ? "" : fwd.error;
}

void
forward_clear_sessions(void)
{
	if (fwd.kind == FWD_HAPROXY)
		haproxy_shutdown_sessions();
}

void
forward_shutdown(void)
{
	if (fwd.kind == FWD_HAPROXY)
		firewall_intercept_remove();
	haproxy_stop(true);
	if (fwd.cert_ok)
		cert_close();
	fwd.active = false;
}

bool
forward_active(void)
{
	return fwd.active && (fwd.kind == FWD_NONE ||
	    (haproxy_running() && !fwd.table_pending));
}

const char *
forward_state(void)
{
	if (!fwd.want)
		return "off";
	if (fwd.kind == FWD_NONE)
		return fwd.active ? "observing" : "off";
	if (!fwd.active)
		return "failed";
	if (!haproxy_answering())
		return "not-answering";
	if (!haproxy_running() || fwd.table_pending)
		return "starting";
	return "forwarding";
}

json_t *
forward_ca_export(void)
{
	char *pem = cert_ca_pem();
	size_t len;
	json_t *r;

	/* Without the haproxy forwarder, export the file if there is one. */
	if (pem == NULL && (pem = statefile_read(fwd.cfg.ca_cert, &len)) == NULL)
		return control_error("no local CA certificate at %s", fwd.cfg.ca_cert);
	r = control_ok(json_string(pem));
	free(pem);
	return r;
}
