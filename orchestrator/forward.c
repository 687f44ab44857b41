/* Carries out forwarding decisions with the configured forwarder:
 * `none` only records them (observe mode); `haproxy` renders and runs
 * HAProxy, installs the TPROXY table and serves certificates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "control.h"
#include "forward.h"
#include "haproxy.h"
#include "log.h"
#include "statefile.h"
#include "tproxy.h"

static struct {
	enum mp_forwarder kind;
	bool configured;	/* the haproxy forwarder is set up */
	bool cleaned;		/* leftovers of an earlier run removed */
	bool active;
	bool table_pending;	/* interception waits for HAProxy to listen */
	struct proxy_addr proxy;
	struct config cfg;	/* intercept settings in force */
	char certs_dir[CFG_PATH_MAX + 8];
} fwd;

/* Whatever an earlier run may have left (kill -9, crash, reboot with a
 * persistent run dir): a stale HAProxy, the table, the policy routing. */
static void
forward_clean(void)
{
	tproxy_remove();
	haproxy_kill_stale();
	fwd.cleaned = true;
}

/* Interception goes in once HAProxy listens: before that TPROXY finds no
 * socket, new connections would go direct and break when it appears. */
static void
forward_haproxy_ready(void)
{
	if (!fwd.active || !fwd.table_pending)
		return;
	fwd.table_pending = false;
	if (tproxy_apply(&fwd.cfg, &fwd.proxy) == -1)
		forward_disable();
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

int
forward_configure(const struct config *cfg, const struct forward_paths *paths)
{
	char err[512];
	bool same;

	if (cfg->forwarder == FWD_NONE) {
		if (fwd.configured) {
			forward_disable();
			cert_close();
			fwd.configured = false;
		}
		fwd.kind = FWD_NONE;
		fwd.cfg = *cfg;
		return 0;
	}
	fwd.kind = FWD_HAPROXY;
	haproxy_on_ready(forward_haproxy_ready);
	if (haproxy_init(paths->run_dir, paths->log_file) == -1) {
		log_err("HAProxy set-up in %s failed: %s", paths->run_dir, strerror(errno));
		return -1;
	}
	if (!fwd.cleaned)
		forward_clean();
	snprintf(fwd.certs_dir, sizeof(fwd.certs_dir), "%s/certs", paths->state_dir);
	if (!fwd.configured || strcmp(fwd.cfg.ca_cert, cfg->ca_cert) != 0 ||
	    strcmp(fwd.cfg.ca_key, cfg->ca_key) != 0) {
		if (cert_open(cfg->ca_cert, cfg->ca_key, fwd.certs_dir, paths->run_dir,
		    err, sizeof(err)) == -1) {
			log_err("local CA: %s", err);
			fwd.cfg = *cfg;
			return -1;
		}
	}
	same = fwd.configured && forward_intercept_same(&fwd.cfg, cfg);
	fwd.configured = true;
	fwd.cfg = *cfg;
	/* New intercept settings apply to the proxy in effect at once. */
	if (fwd.active && !same)
		return forward_enable(&fwd.proxy);
	return 0;
}

int
forward_enable(const struct proxy_addr *proxy)
{
	char a[ADDR_STRLEN];

	addr_format(proxy, a);
	fwd.proxy = *proxy;
	if (fwd.kind == FWD_NONE) {
		fwd.active = true;
		log_info("proxy %s in effect (forwarder none: observing only)", a);
		return 0;
	}
	if (!fwd.configured) {
		log_err("forwarding through %s impossible: the forwarder is not set up", a);
		return -1;
	}
	if (haproxy_apply(proxy, cert_crt_list()) == -1) {
		forward_disable();
		return -1;
	}
	fwd.active = true;
	/* A running HAProxy keeps listening through its reload: update the
	 * table now (the new proxy's address is exempted); a starting one
	 * gets it when it reports its listeners up. */
	if (haproxy_loaded()) {
		fwd.table_pending = false;
		if (tproxy_apply(&fwd.cfg, proxy) == -1) {
			forward_disable();
			return -1;
		}
	} else
		fwd.table_pending = true;
	log_info("forwarding management traffic through %s", a);
	return 0;
}

void
forward_disable(void)
{
	if (fwd.kind == FWD_HAPROXY && (fwd.active || haproxy_running())) {
		/* Interception first, so traffic goes direct, then HAProxy. */
		tproxy_remove();
		haproxy_stop(false);
	}
	if (fwd.active)
		log_info("forwarding torn down: management traffic goes direct");
	fwd.active = false;
	fwd.table_pending = false;
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
	if (fwd.kind == FWD_HAPROXY) {
		tproxy_remove();
		haproxy_stop(true);
		cert_close();
	}
	fwd.active = false;
}

bool
forward_active(void)
{
	return fwd.active && (fwd.kind == FWD_NONE || haproxy_running());
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
