/* The forwarder: what carries out "forwarding on/off" for the state
 * machine. With `forwarder: none` it only records the decision (observe
 * mode); with `forwarder: haproxy` it renders and (re)loads HAProxy and
 * installs the nftables TPROXY table. The orchestrator never moves bytes. */
#ifndef FORWARD_H
#define FORWARD_H
#include <jansson.h>
#include <stdbool.h>

#include "addr.h"
#include "config.h"

struct forward_paths {
	const char *run_dir;		/* rendered configs, sockets, pid files */
	const char *state_dir;		/* minted certificates persist here */
	const char *log_file;		/* HAProxy's access log joins this log */
};

/* At start-up, before anything binds what an earlier run may still hold
 * (HAProxy's listeners, the DHCP queue): kills its HAProxy and removes its
 * table. Done once; forward_configure calls it too. */
int  forward_clean_stale(const struct forward_paths *);
/* Called at start-up and after each accepted reload. Cleans what an earlier
 * run may have left (stale table, orphaned HAProxy) on the first call. */
int  forward_configure(const struct config *, const struct forward_paths *);
/* Forward through `proxy`: start, or refresh when it changed. */
int  forward_enable(const struct proxy_addr *proxy);
/* Tear down: traffic goes direct, never into a black hole. */
void forward_disable(void);
/* Forwarding is wanted but not carried out (the forwarder failed): try
 * again. The daemon calls it after each successful health check. */
void forward_retry(void);
/* Drop sessions tied to the previous proxy (mode change). */
void forward_clear_sessions(void);
/* On exit: remove everything owned. */
void forward_shutdown(void);
bool forward_active(void);
/* Interception is in force: the table, rule and route must be there. */
bool forward_intercept_wanted(void);
/* Re-install them from the same template (the watcher found them lost). */
int  forward_repair(void);
/* They cannot be kept: tear forwarding down, report `why`. */
void forward_lost(const char *why);
/* Why forwarding was lost ("" when it was not), for status. */
const char *forward_error(void);
/* What the forwarder does now, for show: off, observing, starting,
 * forwarding, not-answering (HAProxy hung: interception removed, traffic
 * direct), failed (could not be set up: traffic direct, retried). */
const char *forward_state(void);
/* The local CA certificate (PEM) as a control reply. */
json_t *forward_ca_export(void);
#endif
