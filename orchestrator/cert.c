/* Certificate service for the first HTTPS connection to each new name:
 * requests taken one at a time, the service's life cycle and HAProxy's
 * reloads. The files are cert_store.c's, the runtime API cert_api.c's. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cert_int.h"
#include "cert_sock.h"
#include "fileio.h"
#include "haproxy_cli.h"

/* After a start or reload is reported done, the old worker stops taking
 * runtime-API connections within this time; whatever was minted until then
 * is loaded again. */
#define CERT_HANDOVER_MS	1000
#define CERT_LOADING_MAX_MS	20000	/* HAProxy reports by 15 s (haproxy.c) */

struct cert_state cs;
struct log_ratelimit cert_err_rl = LOG_RATELIMIT_INIT(60, 5);
struct log_ratelimit cert_info_rl = LOG_RATELIMIT_INIT(6, 20);
struct log_ratelimit cert_evict_rl = LOG_RATELIMIT_INIT(6, 20);

static void cert_handover_due(void *);

static int64_t
cert_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A client waits for a new name: its leaf file is in place (written and
 * renamed) before HAProxy may serve it, but the lists are rewritten and
 * everything flushed to disk only once the client has its answer, which
 * saves that time on its way. Safe: the leaf files are what counts (at
 * every start the daemon lists the leaves it finds, minting again any it
 * cannot read, and kills a HAProxy left by an earlier run); a crash of
 * this process loses nothing the kernel holds, and a power cut takes
 * HAProxy and its runtime state with it. A reload that began before the
 * lists were rewritten loads the name again afterwards: its sequence
 * number is taken now (cert_haproxy_loading). */
void
cert_flush(void)
{
	char path[CERT_PATH_MAX];
	size_t i;

	if (cs.unsynced[0] == '\0')
		return;
	if (cs.lists_due) {
		cs.lists_due = false;
		if ((i = cert_lru_find(&cs.names, cs.unsynced)) != SIZE_MAX)
			cs.names.e[i].seq = cs.seq++;
		if (cert_store_write_lists(false) == -1)
			log_limited(&cert_err_rl, time(NULL), LOG_ERR, "%s: %s",
			    cs.list, strerror(errno));
	}
	if (cert_store_path(path, cs.unsynced) == 0 && access(path, F_OK) == 0 &&
	    fileio_sync(path) == -1)
		log_limited(&cert_err_rl, time(NULL), LOG_ERR, "%s: %s", path,
		    strerror(errno));
	if (fileio_sync(cs.list) == -1 || fileio_sync(cs.minted) == -1)
		log_limited(&cert_err_rl, time(NULL), LOG_ERR, "%s: %s", cs.dir,
		    strerror(errno));
	cs.unsynced[0] = '\0';
}

void
cert_loaded(bool ok, const char *answer, void *arg)
{
	char name[HOSTNAME_BUF];
	bool resync = cs.busy_resync;
	size_t i;

	/* Started before the CA changed: its name and waiters are gone. */
	if ((uintptr_t)arg != cs.gen)
		return;

	memcpy(name, cs.busy_name, sizeof(name));
	cs.busy_name[0] = '\0';
	cs.busy_resync = false;
	/* A first load that failed gets one more, in the form that works
	 * whatever part of it HAProxy already has: around a reload the
	 * commands of one exchange can reach two workers (seen: "new", "set"
	 * and "commit" the old one, "add ssl crt-list" the new one). During a
	 * reload the client waits until the new worker has taken over. */
	if (!ok && !resync && (i = cert_lru_find(&cs.names, name)) != SIZE_MAX) {
		cs.names.e[i].resync = true;
		if (cs.loading)
			cert_sock_defer(name);
		cert_work();
		return;
	}
	if (ok)
		log_limited(&cert_info_rl, time(NULL), LOG_INFO, resync ?
		    "certificate for %s loaded into HAProxy again" :
		    "certificate for %s minted and loaded", name);
	else
		log_limited(&cert_err_rl, time(NULL), LOG_WARN,
		    "certificate for %s listed but not loaded at run time: %.120s",
		    name, answer);
	cert_sock_reply(name, ok);
	cert_flush();
	/* A failure can come back at once, from within cert_api_load: with a
	 * thousand names to resync, go on from the loop, not recursively. */
	if (!ok && cs.wait_ok)
		event_timer_arm(&cs.wait, 1);
	else
		cert_work();
}

static void
cert_wait_due(void *arg)
{
	cert_work();
}

/* Loads an already minted name again (after a reload); the answer goes to
 * whoever waits for it. */
static void
cert_resync(size_t i)
{
	char path[CERT_PATH_MAX], name[HOSTNAME_BUF];

	cs.names.e[i].resync = false;
	snprintf(name, sizeof(name), "%s", cs.names.e[i].name);
	if (cert_store_path(path, name) == -1)
		return;
	snprintf(cs.busy_name, sizeof(cs.busy_name), "%s", name);
	cs.busy_resync = true;
	if (cert_api_load(name, path) == 0)
		return;
	cs.busy_name[0] = '\0';
	cs.busy_resync = false;
	cert_sock_reply(name, false);
}

/* The name being loaded gets "no" and the next one is taken. */
void
cert_fail_busy(void)
{
	char name[HOSTNAME_BUF];

	memcpy(name, cs.busy_name, sizeof(name));
	cs.busy_name[0] = '\0';
	cert_sock_reply(name, false);
	cert_flush();
	cert_work();
}

/* Takes the next name a client waits for, one at a time; when no client
 * waits, loads what a new HAProxy worker may lack. */
void
cert_work(void)
{
	char path[CERT_PATH_MAX], gone[CERT_PATH_MAX], gone_name[HOSTNAME_BUF];
	const char *name;
	bool evicted = false;
	char *pem = NULL;
	size_t i, len;
	int64_t expiry;
	int rc, werr;

	if (cs.busy_name[0] != '\0')
		return;
	/* One runtime-API exchange at a time (daily renewal, session
	 * shutdown): a new name waits for it rather than fail. */
	if (hacli_busy()) {
		if (cs.wait_ok)
			event_timer_arm(&cs.wait, 50);
		return;
	}
	if ((name = cert_sock_next()) == NULL) {
		/* Not while a new worker takes over: it could reach the old. */
		if (!cs.loading && (i = cert_lru_next_resync(&cs.names)) != SIZE_MAX) {
			cert_resync(i);
			if (cs.busy_name[0] == '\0' && cs.wait_ok)
				event_timer_arm(&cs.wait, 1);
		}
		return;
	}
	if ((i = cert_lru_find(&cs.names, name)) != SIZE_MAX) {
		int64_t now = cert_now_ms();

		cert_lru_touch(&cs.names, i, now);
		if (cert_store_path(path, name) == 0)
			cert_store_set_used(path, now);
		if (cs.names.e[i].resync && cs.loading)
			cert_sock_defer(name);
		else if (cs.names.e[i].resync) {
			cert_resync(i);
			if (cs.busy_name[0] != '\0')
				return;
		} else
			cert_sock_reply(name, true);
		cert_work();
		return;
	}
	snprintf(cs.busy_name, sizeof(cs.busy_name), "%s", name);
	cert_flush();	/* one whose load was retried */
	snprintf(cs.unsynced, sizeof(cs.unsynced), "%s", name);
	if (cert_store_path(path, name) == -1 ||
	    tls_ca_mint(cs.ca, name, time(NULL), &pem, &len) == -1) {
		log_limited(&cert_err_rl, time(NULL), LOG_ERR,
		    "certificate for %s: minting failed", cs.busy_name);
		goto fail;
	}
	if (cs.names.n == cs.names.cap)
		evicted = cert_store_evict(cs.busy_name, gone_name, gone);
	/* HAProxy reads the leaf while its files are written: they are in
	 * place before the second step makes HAProxy serve it. */
	cs.stage_failed = false;
	if (cert_api_stage(path, pem, evicted ? gone_name : NULL, evicted ? gone : NULL) == -1) {
		tls_ca_pem_free(pem, len);
		goto fail;
	}
	rc = cert_store_write(path, pem, len, false);
	werr = errno;	/* OpenSSL's read of the leaf below may change it */
	expiry = tls_ca_leaf_not_after(pem, len);
	tls_ca_pem_free(pem, len);
	if (rc == -1) {
		log_limited(&cert_err_rl, time(NULL), LOG_ERR,
		    "certificate for %s: minting failed: %s", cs.busy_name, strerror(werr));
		cs.stage_failed = true;
		return;
	}
	if ((i = cert_lru_add(&cs.names, cs.busy_name, cert_now_ms(), cs.seq++)) == SIZE_MAX) {
		unlink(path);
		cs.stage_failed = true;
		return;
	}
	cs.names.e[i].expiry = expiry;
	cs.nminted++;
	cs.lists_due = true;
	return;
fail:
	cert_fail_busy();
}

int
cert_open(const char *ca_cert, const char *ca_key, const char *certs_dir,
    const char *run_dir, char *err, size_t errlen)
{
	char path[CERT_PATH_MAX];

	cert_close();
	cs.gen++;
	if (tls_ca_load_or_create(ca_cert, ca_key, &cs.ca, err, errlen) == -1)
		return -1;
	if (strlen(certs_dir) >= sizeof(cs.dir)) {
		snprintf(err, errlen, "%s: %s", certs_dir, strerror(ENAMETOOLONG));
		return -1;
	}
	memcpy(cs.dir, certs_dir, strlen(certs_dir) + 1);
	if ((mkdir(cs.dir, 0700) == -1 && errno != EEXIST) ||
	    fileio_path(cs.list, CERT_PATH_MAX, cs.dir, "crt-list") == -1 ||
	    fileio_path(cs.minted, CERT_PATH_MAX, cs.dir, CERT_MINTED_FILE) == -1 ||
	    fileio_path(cs.sock, CERT_PATH_MAX, run_dir, "cert.sock") == -1 ||
	    fileio_path(cs.api, CERT_PATH_MAX, run_dir, "haproxy.sock") == -1) {
		snprintf(err, errlen, "%s: %s", cs.dir, strerror(errno));
		return -1;
	}
	if (cs.names.e == NULL &&
	    (cs.names.e = calloc(CERT_MAX, sizeof(*cs.names.e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cs.names.cap = CERT_MAX;
	cs.names.n = 0;
	cs.busy_name[0] = '\0';
	cs.busy_resync = false;
	cs.loading = false;
	cs.seq = 1;	/* names found on disk have 0: every worker reads them */
	cert_store_scan();
	if (cert_store_mint(CERT_DEFAULT, path, NULL) == -1 || cert_store_write_lists(true) == -1) {
		snprintf(err, errlen, "%s: cannot write the default certificate", cs.dir);
		return -1;
	}
	if (cert_sock_open(cs.sock, cert_work) == -1) {
		snprintf(err, errlen, "%s: %s", cs.sock, strerror(errno));
		return -1;
	}
	if (!cs.renew_ok && event_timer_init(&cs.renew, cert_api_renew_due, NULL) == 0)
		cs.renew_ok = true;
	if (!cs.wait_ok && event_timer_init(&cs.wait, cert_wait_due, NULL) == 0)
		cs.wait_ok = true;
	if (!cs.handover_ok && event_timer_init(&cs.handover, cert_handover_due, NULL) == 0)
		cs.handover_ok = true;
	if (cs.renew_ok) {
		cs.renew_next = 0;
		event_timer_arm(&cs.renew, CERT_CHECK_MS);
	}
	return 0;
}

void
cert_close(void)
{
	cert_flush();
	cert_sock_close();
	if (cs.renew_ok)
		event_timer_stop(&cs.renew);
	if (cs.ca != NULL)
		tls_ca_free(cs.ca);
	cs.ca = NULL;
}

const struct cert_lru *
cert_names(void)
{
	return &cs.names;
}

uint64_t
cert_minted(void)
{
	return cs.nminted;
}

const char *
cert_crt_list(void)
{
	return cs.list;
}

const char *
cert_minted_list(void)
{
	return cs.minted;
}

char *
cert_ca_pem(void)
{
	char *pem = NULL;
	size_t len;

	if (cs.ca == NULL || tls_ca_cert_pem(cs.ca, &pem, &len) == -1)
		return NULL;
	return pem;
}

void
cert_haproxy_loading(void)
{
	/* Should HAProxy never report the end of its start or reload, the
	 * names wait no longer than this for it. */
	if (cs.handover_ok)
		event_timer_arm(&cs.handover, CERT_LOADING_MAX_MS);
	if (!cs.loading) {
		cs.loading = true;
		cs.loading_seq = cs.seq;
	}
}

void
cert_haproxy_settled(void)
{
	if (!cs.loading)
		return;
	/* The old worker still accepts on the shared runtime-API socket until
	 * it has handled the master's soft stop (seen: a load sent right after
	 * "Loading success." reached it and answered "already exists"). */
	if (cs.handover_ok)
		event_timer_arm(&cs.handover, CERT_HANDOVER_MS);
	else
		cert_handover_due(NULL);
}

static void
cert_handover_due(void *arg)
{
	size_t n;

	if (!cs.loading)
		return;
	cs.loading = false;
	cert_sock_resume();
	n = cert_lru_mark_since(&cs.names, cs.loading_seq);
	if (n > 0)
		log_info("%zu certificate(s) minted during the HAProxy start or reload: "
		    "loading them into the worker now in charge", n);
	cert_work();
}
