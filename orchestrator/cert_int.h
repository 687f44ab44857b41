/* Private to the certificate service: cert.c (requests, life cycle),
 * cert_store.c (the files: leaves, crt-list, minted.lst, the start-up
 * scan) and cert_api.c (HAProxy's runtime API: load, evict, renew). */
#ifndef CERT_INT_H
#define CERT_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "cert_lru.h"
#include "event.h"
#include "hostname.h"
#include "log.h"
#include "tls_ca.h"

#define CERT_PATH_MAX	512
#define CERT_DEFAULT	"mgmt-proxy.invalid"	/* RFC 6761: never a real name */
/* Leaves live 397 days; one within 30 days of its end, or signed by a CA
 * since replaced, is minted again: at start-up, on reload and daily. */
#define CERT_RENEW_MARGIN	(30 * 86400)
#define CERT_CHECK_MS		(86400u * 1000)

struct cert_state {
	struct tls_ca *ca;
	char dir[CERT_PATH_MAX];
	char list[CERT_PATH_MAX];
	char minted[CERT_PATH_MAX];	/* the names of the crt-list, one a line */
	char sock[CERT_PATH_MAX];
	char api[CERT_PATH_MAX];
	struct cert_lru names;		/* minted and listed */
	/* Minted for a client that waits, its leaf not yet flushed to disk,
	 * the crt-list and minted.lst maybe not yet rewritten (see
	 * cert_flush). */
	char unsynced[HOSTNAME_BUF];
	bool lists_due;
	/* A new name goes into HAProxy's store (new/set/commit ssl cert)
	 * while its files are written; this says they could not be. */
	bool stage_failed;
	char busy_name[HOSTNAME_BUF];	/* being loaded, "" if none */
	bool busy_resync;		/* ... into a worker that may lack it */
	struct event_timer renew;
	bool renew_ok;
	struct event_timer wait;		/* the runtime API is busy: retry */
	bool wait_ok;
	struct event_timer handover;		/* a reload's old worker lets go */
	bool handover_ok;
	unsigned gen;				/* changes with every cert_open */
	size_t renew_next;			/* next name the daily check looks at */
	/* HAProxy reload: a new worker reads the crt-list file once, while
	 * runtime loads still reach the old one. Every name loaded from the
	 * start of a reload (seq >= loading_seq) is loaded again once the new
	 * worker has taken over (CERT_HANDOVER_MS after it reported ready). */
	uint64_t seq;				/* next load's sequence number */
	bool loading;
	uint64_t loading_seq;
	uint64_t nminted;			/* since start-up (metrics) */
};
extern struct cert_state cs;

/* Clients and the network choose the names: every line a request can
 * cause is rate-limited (a flood of names, a full disk). */
extern struct log_ratelimit cert_err_rl, cert_info_rl, cert_evict_rl;

/* cert.c */
void cert_flush(void);
void cert_loaded(bool ok, const char *answer, void *arg);
void cert_work(void);
void cert_fail_busy(void);

/* cert_store.c: NAME's leaf file into buf[CERT_PATH_MAX]. */
int  cert_store_path(char *buf, const char *name);
void cert_store_set_used(const char *path, int64_t ms);
int  cert_store_write(const char *path, const char *buf, size_t len, bool durable);
int  cert_store_write_minted(bool durable);
int  cert_store_write_crt_list(bool durable);
int  cert_store_write_lists(bool durable);
bool cert_store_file_current(const char *path);
int  cert_store_mint(const char *name, char *path, int64_t *expiry);
bool cert_store_evict(const char *keep, char *gone_name, char *gone);
void cert_store_scan(void);

/* cert_api.c */
int  cert_api_load(const char *name, const char *path);
int  cert_api_stage(const char *path, const char *pem, const char *gone_name,
    const char *gone);
void cert_api_renew_due(void *arg);
#endif
