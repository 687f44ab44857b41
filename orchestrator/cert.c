/* Certificate service for the first HTTPS connection to each new name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "cert_lru.h"
#include "cert_sock.h"
#include "event.h"
#include "haproxy_cli.h"
#include "log.h"
#include "fileio.h"
#include "tls_ca.h"
#include "hostname.h"

#define CERT_PATH_MAX	512
#define CERT_DEFAULT	"mgmt-proxy.invalid"	/* RFC 6761: never a real name */
/* Leaves live 397 days; one within 30 days of its end, or signed by a CA
 * since replaced, is minted again: at start-up, on reload and daily. */
#define CERT_RENEW_MARGIN	(30 * 86400)
#define CERT_CHECK_MS		(86400u * 1000)
/* After a start or reload is reported done, the old worker stops taking
 * runtime-API connections within this time; whatever was minted until then
 * is loaded again. */
#define CERT_HANDOVER_MS	1000
#define CERT_LOADING_MAX_MS	20000	/* HAProxy reports by 15 s (haproxy.c) */

static struct {
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
} cs;

/* Clients and the network choose the names: every line a request can
 * cause is rate-limited (a flood of names, a full disk). */
static struct log_ratelimit cert_err_rl = LOG_RATELIMIT_INIT(60, 5);
static struct log_ratelimit cert_info_rl = LOG_RATELIMIT_INIT(6, 20);
static struct log_ratelimit cert_evict_rl = LOG_RATELIMIT_INIT(6, 20);

static void cert_work(void);
static void cert_handover_due(void *);

static int
cert_path(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, CERT_PATH_MAX, "%s/%s", dir, name);

	return n < 0 || n >= CERT_PATH_MAX ? -1 : 0;
}

static int
cert_name_path(char *buf, const char *name)
{
	char file[TLS_CA_FILENAME_MAX];

	if (!tls_ca_cert_filename(name, file, sizeof(file)))
		return -1;
	return cert_path(buf, cs.dir, file);
}

static int64_t
cert_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The file's mtime carries the last use across restarts. */
static void
cert_set_used(const char *path, int64_t ms)
{
	struct timespec ts[2] = {
		{ .tv_nsec = UTIME_OMIT },
		{ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 },
	};

	(void)utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

/* The names HAProxy has a certificate for, one a line: the ACL pattern
 * file that lets their connections skip the daemon. Rewritten whole,
 * atomically, with the crt-list; changed at run time together with it. */
static int
cert_write_file(const char *path, const char *buf, size_t len, bool durable)
{
	return durable ? fileio_replace(path, buf, len, 0600) :
	    fileio_replace_lazy(path, buf, len, 0600);
}

static int
cert_write_minted(bool durable)
{
	size_t cap = cs.names.n * HOSTNAME_BUF + 1, len = 0;
	char *buf = malloc(cap);
	int rc;

	if (buf == NULL)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < cs.names.n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s\n", cs.names.e[i].name);
	rc = cert_write_file(cs.minted, buf, len, durable);
	free(buf);
	return rc;
}

/* The crt-list file: the default certificate first (it answers clients
 * without SNI), then every minted leaf. Rewritten whole, atomically. */
static int
cert_write_crt_list(bool durable)
{
	size_t cap = (cs.names.n + 1) * (CERT_PATH_MAX + 1), len = 0;
	char *buf = malloc(cap), path[CERT_PATH_MAX];
	int rc;

	if (buf == NULL)
		return -1;
	for (size_t i = 0; i <= cs.names.n; i++) {
		const char *name = i == 0 ? CERT_DEFAULT : cs.names.e[i - 1].name;

		if (cert_name_path(path, name) == -1)
			continue;
		len += (size_t)snprintf(buf + len, cap - len, "%s\n", path);
	}
	rc = cert_write_file(cs.list, buf, len, durable);
	free(buf);
	return rc;
}

/* Both lists, after a name was added: the crt-list first, then the names.
 * A reload reads the names first (fe_tls_sni comes before fe_https), so it
 * never finds a name the crt-list it reads next lacks. */
static int
cert_write_list(bool durable)
{
	return cert_write_crt_list(durable) == -1 ? -1 : cert_write_minted(durable);
}

/* The leaf in pem is signed by the current CA and not close to its end. */
static bool
cert_current(const char *pem, size_t len)
{
	return pem != NULL && tls_ca_leaf_current(cs.ca, pem, len, time(NULL),
	    CERT_RENEW_MARGIN);
}

static bool
cert_file_current(const char *path)
{
	size_t len;
	char *pem = fileio_read(path, FILEIO_READ_MAX, O_NOFOLLOW, &len);
	bool ok = cert_current(pem, len);

	if (pem != NULL)
		tls_ca_pem_free(pem, len);
	return ok;
}

/* Mints NAME into its file (0600: it holds the leaf's private key); its
 * end of validity into *expiry (for show certificates) unless NULL. */
static int
cert_mint(const char *name, char *path, int64_t *expiry)
{
	char *pem = NULL;
	size_t len;
	int rc;

	if (cert_name_path(path, name) == -1)
		return -1;
	if (tls_ca_mint(cs.ca, name, time(NULL), &pem, &len) == -1)
		return -1;
	rc = fileio_replace(path, pem, len, 0600);
	if (rc == 0)
		cs.nminted++;
	if (expiry != NULL)
		*expiry = tls_ca_leaf_not_after(pem, len);
	tls_ca_pem_free(pem, len);
	return rc;
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
static void
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
		if (cert_write_list(false) == -1)
			log_limited(&cert_err_rl, time(NULL), LOG_ERR, "%s: %s",
			    cs.list, strerror(errno));
	}
	if (cert_name_path(path, cs.unsynced) == 0 && access(path, F_OK) == 0 &&
	    fileio_sync(path) == -1)
		log_limited(&cert_err_rl, time(NULL), LOG_ERR, "%s: %s", path,
		    strerror(errno));
	if (fileio_sync(cs.list) == -1 || fileio_sync(cs.minted) == -1)
		log_limited(&cert_err_rl, time(NULL), LOG_ERR, "%s: %s", cs.dir,
		    strerror(errno));
	cs.unsynced[0] = '\0';
}

static void
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
	/* A failure can come back at once, from within cert_load: with a
	 * thousand names to resync, go on from the loop, not recursively. */
	if (!ok && cs.wait_ok)
		event_timer_arm(&cs.wait, 1);
	else
		cert_work();
}

static void
cert_cmd(struct hacli_cmd *c, const char *expect, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cert_cmd(struct hacli_cmd *c, const char *expect, const char *fmt, ...)
{
	va_list ap;

	c->expect = expect;
	va_start(ap, fmt);
	if (vasprintf(&c->text, fmt, ap) < 0)
		c->text = NULL;
	va_end(ap);
}

static int
cert_run(struct hacli_cmd *cmds, size_t n, hacli_done done)
{
	for (size_t i = 0; i < n; i++)
		if (cmds[i].text == NULL) {
			for (size_t j = 0; j < n; j++)
				free(cmds[j].text);
			return -1;
		}
	return hacli_run(cs.api, cmds, n, done, (void *)(uintptr_t)cs.gen);
}

/* new, set and commit ssl cert: the leaf in HAProxy's store, where no
 * crt-list refers to it yet (nothing is served with it). With again, for
 * a name HAProxy may hold in part: "new" may find it. */
static size_t
cert_store_cmds(struct hacli_cmd *cmds, const char *path, const char *pem, bool again)
{
	size_t n = 0;

	cert_cmd(&cmds[n++], again ? "" : "New empty certificate store",
	    "new ssl cert %s\n", path);
	/* The payload ends at the first empty line. */
	cert_cmd(&cmds[n++], "Transaction created", "set ssl cert %s <<\n%s\n", path, pem);
	cert_cmd(&cmds[n++], "Success", "commit ssl cert %s\n", path);
	return n;
}

/* add ssl crt-list, and last the name into the ACL of minted names (from
 * then on its connections skip the daemon), only once HAProxy has taken
 * all of the above. With again, both entries are replaced, so the name
 * ends up there once. */
static size_t
cert_serve_cmds(struct hacli_cmd *cmds, const char *name, const char *path, bool again)
{
	size_t n = 0;

	if (again)
		cert_cmd(&cmds[n++], "", "del ssl crt-list %s %s\n", cs.list, path);
	cert_cmd(&cmds[n++], "Success", "add ssl crt-list %s %s\n", cs.list, path);
	cmds[n].fence = true;
	if (again)
		cert_cmd(&cmds[n++], "", "del acl %s %s\n", cs.minted, name);
	/* "add acl" prints nothing when it succeeds. */
	cert_cmd(&cmds[n++], "", "add acl %s %s\n", cs.minted, name);
	return n;
}

/* Loads a minted file again, whole, into a worker that may hold any part
 * of it. */
static int
cert_load(const char *name, const char *path)
{
	struct hacli_cmd cmds[HACLI_MAX_CMDS];
	size_t len, n;
	char *pem = fileio_read(path, FILEIO_READ_MAX, O_NOFOLLOW, &len);

	if (pem == NULL)
		return -1;
	memset(cmds, 0, sizeof(cmds));
	n = cert_store_cmds(cmds, path, pem, true);
	n += cert_serve_cmds(cmds + n, name, path, true);
	tls_ca_pem_free(pem, len);
	return cert_run(cmds, n, cert_loaded);
}

static void cert_staged(bool ok, const char *answer, void *arg);

/* First step for a new name: its leaf into HAProxy's store. Before that,
 * if a name was evicted for it (gone_name, gone its file), takes that one
 * out of the ACL (first: its next connection asks the daemon again) and
 * its file out of HAProxy: whatever HAProxy answers to that, the load goes
 * on (what it keeps, its next reload drops). */
static int
cert_stage(const char *path, const char *pem, const char *gone_name, const char *gone)
{
	struct hacli_cmd cmds[HACLI_MAX_CMDS];
	size_t n = 0;

	memset(cmds, 0, sizeof(cmds));
	if (gone != NULL) {
		cert_cmd(&cmds[n++], "", "del acl %s %s\n", cs.minted, gone_name);
		cert_cmd(&cmds[n++], "", "del ssl crt-list %s %s\n", cs.list, gone);
		cert_cmd(&cmds[n++], "", "del ssl cert %s\n", gone);
	}
	n += cert_store_cmds(cmds + n, path, pem, false);
	return cert_run(cmds, n, cert_staged);
}

static void
cert_unstaged(bool ok, const char *answer, void *arg)
{
	char name[HOSTNAME_BUF];

	if ((uintptr_t)arg != cs.gen)
		return;
	memcpy(name, cs.busy_name, sizeof(name));
	cs.busy_name[0] = '\0';
	cert_sock_reply(name, false);
	cert_flush();
	cert_work();
}

/* The leaf is in HAProxy's store and, unless stage_failed, its files are
 * in place: now it may be served. */
static void
cert_staged(bool ok, const char *answer, void *arg)
{
	char path[CERT_PATH_MAX];
	struct hacli_cmd cmds[HACLI_MAX_CMDS];
	size_t n;

	if ((uintptr_t)arg != cs.gen)
		return;
	memset(cmds, 0, sizeof(cmds));
	if (cert_name_path(path, cs.busy_name) == -1)
		cs.stage_failed = true;
	if (cs.stage_failed) {
		/* No file: nothing may refer to the stored leaf. */
		cs.stage_failed = false;
		cert_cmd(&cmds[0], "", "del ssl cert %s\n", path);
		if (cert_run(cmds, 1, cert_unstaged) == -1)
			cert_unstaged(false, "", arg);
		return;
	}
	if (!ok) {
		cert_loaded(false, answer, arg);
		return;
	}
	n = cert_serve_cmds(cmds, cs.busy_name, path, false);
	if (cert_run(cmds, n, cert_loaded) == -1)
		cert_loaded(false, "out of memory", arg);
}

static void cert_renew_due(void *);

static void
cert_wait_due(void *arg)
{
	cert_work();
}

static void
cert_renewed(bool ok, const char *answer, void *arg)
{
	if (!ok)
		log_limited(&cert_err_rl, time(NULL), LOG_WARN,
		    "renewed certificate not loaded at run time (HAProxy uses it "
		    "from its next reload on): %.120s", answer);
	event_timer_arm(&cs.renew, 1);		/* on to the next name */
}

/* Daily: mint again what is about to end, and swap it into the running
 * HAProxy (set + commit ssl cert); the file serves its next reload. */
static void
cert_renew_due(void *arg)
{
	char path[CERT_PATH_MAX];
	struct hacli_cmd cmds[2];
	size_t len;
	char *pem;

	if (hacli_busy() || cs.busy_name[0] != '\0') {
		event_timer_arm(&cs.renew, 1000);	/* a client request first */
		return;
	}
	for (; cs.renew_next < cs.names.n; cs.renew_next++) {
		struct cert_lru_entry *e = &cs.names.e[cs.renew_next];

		if (cert_name_path(path, e->name) == -1 || cert_file_current(path))
			continue;
		cs.renew_next++;
		if (cert_mint(e->name, path, &e->expiry) == -1 || (pem = fileio_read(path, FILEIO_READ_MAX, O_NOFOLLOW, &len)) == NULL) {
			log_limited(&cert_err_rl, time(NULL), LOG_ERR,
			    "certificate for %s could not be renewed", e->name);
			event_timer_arm(&cs.renew, 1);
			return;
		}
		cert_set_used(path, e->used);	/* a renewal is not a use */
		log_info("certificate for %s renewed", e->name);
		memset(cmds, 0, sizeof(cmds));
		cmds[0].expect = "Transaction created";
		cmds[1].expect = "Success";
		if (asprintf(&cmds[0].text, "set ssl cert %s <<\n%s\n", path, pem) < 0)
			cmds[0].text = NULL;
		if (asprintf(&cmds[1].text, "commit ssl cert %s\n", path) < 0)
			cmds[1].text = NULL;
		tls_ca_pem_free(pem, len);
		if (cmds[0].text == NULL || cmds[1].text == NULL) {
			free(cmds[0].text);
			free(cmds[1].text);
			event_timer_arm(&cs.renew, 1);
		} else if (hacli_run(cs.api, cmds, 2, cert_renewed, NULL) == -1)
			event_timer_arm(&cs.renew, 1);	/* it freed them */
		return;
	}
	cs.renew_next = 0;
	event_timer_arm(&cs.renew, CERT_CHECK_MS);
}

/* Loads an already minted name again (after a reload); the answer goes to
 * whoever waits for it. */
static void
cert_resync(size_t i)
{
	char path[CERT_PATH_MAX], name[HOSTNAME_BUF];

	cs.names.e[i].resync = false;
	snprintf(name, sizeof(name), "%s", cs.names.e[i].name);
	if (cert_name_path(path, name) == -1)
		return;
	snprintf(cs.busy_name, sizeof(cs.busy_name), "%s", name);
	cs.busy_resync = true;
	if (cert_load(name, path) == 0)
		return;
	cs.busy_name[0] = '\0';
	cs.busy_resync = false;
	cert_sock_reply(name, false);
}

/* Makes room for one more name: the least recently used one goes, file
 * and all; its path is returned for removal from the running HAProxy. */
static bool
cert_evict(const char *keep, char *gone_name, char *gone)
{
	size_t v = cert_lru_victim(&cs.names, keep);

	if (v == SIZE_MAX || cert_name_path(gone, cs.names.e[v].name) == -1)
		return false;
	snprintf(gone_name, HOSTNAME_BUF, "%s", cs.names.e[v].name);
	log_limited(&cert_evict_rl, time(NULL), LOG_INFO,
	    "certificate for %s evicted: least recently used of %d", cs.names.e[v].name,
	    CERT_MAX);
	cert_lru_remove(&cs.names, v);
	/* Out of the names before the crt-list loses it (see
	 * cert_write_list), and out of the crt-list before its file goes:
	 * a reload at any point finds what it reads. */
	if (cert_write_minted(false) == -1 || cert_write_crt_list(false) == -1)
		/* Kept: the next start lists it, or drops it at the cap. */
		log_limited(&cert_err_rl, time(NULL), LOG_ERR, "%s: %s", cs.dir,
		    strerror(errno));
	else if (unlink(gone) == -1 && errno != ENOENT)
		log_limited(&cert_err_rl, time(NULL), LOG_WARN, "%s: %s", gone,
		    strerror(errno));
	return true;
}

/* Takes the next name a client waits for, one at a time; when no client
 * waits, loads what a new HAProxy worker may lack. */
static void
cert_work(void)
{
	char path[CERT_PATH_MAX], gone[CERT_PATH_MAX], gone_name[HOSTNAME_BUF];
	const char *name;
	bool evicted = false;
	char *pem = NULL;
	size_t i, len;
	int64_t expiry;
	int rc;

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
		if (cert_name_path(path, name) == 0)
			cert_set_used(path, now);
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
	if (cert_name_path(path, name) == -1 ||
	    tls_ca_mint(cs.ca, name, time(NULL), &pem, &len) == -1) {
		log_limited(&cert_err_rl, time(NULL), LOG_ERR,
		    "certificate for %s: minting failed", cs.busy_name);
		goto fail;
	}
	if (cs.names.n == cs.names.cap)
		evicted = cert_evict(cs.busy_name, gone_name, gone);
	/* HAProxy reads the leaf while its files are written: they are in
	 * place before the second step makes HAProxy serve it. */
	cs.stage_failed = false;
	if (cert_stage(path, pem, evicted ? gone_name : NULL, evicted ? gone : NULL) == -1) {
		tls_ca_pem_free(pem, len);
		goto fail;
	}
	rc = cert_write_file(path, pem, len, false);
	expiry = tls_ca_leaf_not_after(pem, len);
	tls_ca_pem_free(pem, len);
	if (rc == -1) {
		log_limited(&cert_err_rl, time(NULL), LOG_ERR,
		    "certificate for %s: minting failed: %s", cs.busy_name, strerror(errno));
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
	{
		char n[HOSTNAME_BUF];

		memcpy(n, cs.busy_name, sizeof(n));
		cs.busy_name[0] = '\0';
		cert_sock_reply(n, false);
		cert_flush();
		cert_work();
	}
}

/* The name behind a file of the certificate directory: the file name
 * itself, or for a hashed one the leaf's SAN (checked against the hash). */
static bool
cert_file_name(const char *file, const char *pem, size_t len, char *name)
{
	char want[TLS_CA_FILENAME_MAX];
	size_t l = strlen(file);

	if (l < 5 || strcmp(file + l - 4, ".pem") != 0 || l - 4 > TLS_CA_PLAIN_MAX)
		return false;
	memcpy(name, file, l - 4);
	name[l - 4] = '\0';
	if (tls_ca_hostname_valid(name, l - 4))
		return strcmp(name, CERT_DEFAULT) != 0;
	return pem != NULL && tls_ca_leaf_name(pem, len, name, HOSTNAME_BUF) &&
	    tls_ca_cert_filename(name, want, sizeof(want)) && strcmp(want, file) == 0 &&
	    strcmp(name, CERT_DEFAULT) != 0;
}

/* One file found at start-up: listed again (renewed when needed), unless
 * the table is full of more recently used names. */
static void
cert_scan_one(const char *file)
{
	char path[CERT_PATH_MAX], name[HOSTNAME_BUF], gone[CERT_PATH_MAX];
	struct stat st;
	size_t len = 0, i;
	char *pem;
	int64_t used, expiry;

	if (cert_path(path, cs.dir, file) == -1 || lstat(path, &st) == -1 ||
	    !S_ISREG(st.st_mode))
		return;
	pem = fileio_read(path, FILEIO_READ_MAX, O_NOFOLLOW, &len);
	if (!cert_file_name(file, pem, len, name)) {
		/* Ours by its form, but no name can be read back: it can
		 * neither be renewed nor listed. */
		if (strlen(file) == 68 && strspn(file, "0123456789abcdef") == 64)
			unlink(path);
		goto out;
	}
	used = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	if (cs.names.n == cs.names.cap) {
		size_t v = cert_lru_victim(&cs.names, NULL);

		if (v == SIZE_MAX || cs.names.e[v].used >= used) {
			unlink(path);
			goto out;
		}
		if (cert_name_path(gone, cs.names.e[v].name) == 0)
			unlink(gone);
		cert_lru_remove(&cs.names, v);
	}
	/* HAProxy loads these files as they are on its next start. */
	expiry = tls_ca_leaf_not_after(pem, len);
	if (!cert_current(pem, len)) {
		if (cert_mint(name, path, &expiry) == -1) {
			log_limited(&cert_err_rl, time(NULL), LOG_ERR,
			    "certificate for %s could not be renewed: dropped", name);
			unlink(path);
			goto out;
		}
		cert_set_used(path, used);
		log_info("certificate for %s renewed", name);
	}
	if ((i = cert_lru_add(&cs.names, name, used, 0)) != SIZE_MAX)
		cs.names.e[i].expiry = expiry;
out:
	if (pem != NULL)
		tls_ca_pem_free(pem, len);
}

/* Names minted by an earlier run stay valid: list them again, at most
 * CERT_MAX, the most recently used ones. */
static void
cert_scan(void)
{
	DIR *d = opendir(cs.dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			cert_scan_one(de->d_name);
	closedir(d);
	if (cs.names.n > 0)
		log_info("%zu minted certificate(s) found in %s", cs.names.n, cs.dir);
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
	snprintf(cs.dir, sizeof(cs.dir), "%s", certs_dir);
	if ((mkdir(cs.dir, 0700) == -1 && errno != EEXIST) ||
	    cert_path(cs.list, cs.dir, "crt-list") == -1 ||
	    cert_path(cs.minted, cs.dir, CERT_MINTED_FILE) == -1 ||
	    cert_path(cs.sock, run_dir, "cert.sock") == -1 ||
	    cert_path(cs.api, run_dir, "haproxy.sock") == -1) {
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
	cert_scan();
	if (cert_mint(CERT_DEFAULT, path, NULL) == -1 || cert_write_list(true) == -1) {
		snprintf(err, errlen, "%s: cannot write the default certificate", cs.dir);
		return -1;
	}
	if (cert_sock_open(cs.sock, cert_work) == -1) {
		snprintf(err, errlen, "%s: %s", cs.sock, strerror(errno));
		return -1;
	}
	if (!cs.renew_ok && event_timer_init(&cs.renew, cert_renew_due, NULL) == 0)
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
