/* HAProxy, owned by mgmt-proxyd: master-worker, our child process, its
 * stdout (the access log) appended to the management-proxy log. Every
 * configuration is rendered from templates/haproxy.cfg.tmpl, checked with
 * `haproxy -c` and only then applied: started, or reloaded hitlessly
 * (SIGUSR2 to the master; listeners are handed over). A check that fails
 * leaves the last good configuration running. */
#ifndef HAPROXY_H
#define HAPROXY_H
#include <stdbool.h>

#include <stdint.h>

#include "addr.h"
#include "ports.h"

#define HAPROXY_BIN		"/usr/sbin/haproxy"

/* run_dir holds the rendered config, sockets and pid file. */
int  haproxy_init(const char *run_dir, const char *log_file);
/* Kills every HAProxy process left by an earlier run of the daemon (kill
 * -9, crash): those whose command line names our configuration file. */
void haproxy_kill_stale(void);
/* Forward through *proxy: render, check, then start or reload; when only
 * the proxy changed, change it at run time instead. proxy is
 * the forwarder's own copy, read again at each check (it must stay valid):
 * an apply that waits for a load in progress renders the proxy wanted by
 * then. force: reload even if the rendering is unchanged (certificate
 * files replaced under the same names). */
int  haproxy_apply(const struct proxy_addr *proxy, bool force);
/* Ends every session with the upstream proxy (mode change). */
void haproxy_shutdown_sessions(void);
/* Stops HAProxy; with wait, until it is gone (at daemon exit). */
void haproxy_stop(bool wait);
bool haproxy_running(void);
/* The master reported a successful load: its listeners are up, and the
 * worker has not stopped answering its health checks. */
bool haproxy_loaded(void);
/* What the daemon itself counted of HAProxy's life since it started. */
struct haproxy_counters {
	int64_t since;			/* epoch s: counting began */
	uint64_t starts;		/* masters started (first start, restarts) */
	int64_t started;		/* the running master's start, epoch s */
	uint64_t reloads;		/* hitless reloads that HAProxy reported done */
	uint64_t reload_failures;	/* reloads HAProxy refused */
	int64_t last_reload;		/* epoch s, 0 = none */
	uint64_t proxy_switches;	/* proxy changes made at run time, no reload */
};
const struct haproxy_counters *haproxy_counters(void);
/* False while the worker does not answer (interception must be off). */
bool haproxy_answering(void);
/* What the forwarder hears of HAProxy. Callbacks may call back in. */
struct haproxy_cbs {
	/* A start or reload begins (the new worker reads its files). */
	void (*loading)(void);
	/* After each successful start or reload, and when the worker answers
	 * again after it stopped answering. */
	void (*ready)(void);
	/* A rendering was refused (haproxy -c) or a load failed: HAProxy may
	 * still forward through the previous proxy. */
	void (*failed)(void);
	/* The worker stopped answering its health checks (stopped,
	 * livelocked): interception must go so that traffic goes direct. */
	void (*hung)(void);
};
void haproxy_on_events(const struct haproxy_cbs *);
/* The configuration text (haproxy_render.c); it names no proxy: that is
 * the proxy map (haproxy_map.h). NULL with *why on error. */
char *haproxy_render(const char *run_dir, const char *crt_list, bool inspect,
    const char **why);
#endif
