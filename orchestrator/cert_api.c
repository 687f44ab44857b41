/* The certificate service's side of HAProxy's runtime API: a new leaf
 * staged into the store and then served (crt-list, ACL), a minted name
 * loaded again after a reload, an evicted one removed, the daily renewal. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert_int.h"
#include "cert_sock.h"
#include "fileio.h"
#include "haproxy_cli.h"

static void cert_api_staged(bool ok, const char *answer, void *arg);

static int
cert_api_run(struct hacli_cmd *cmds, size_t n, hacli_done done)
{
	return hacli_run(cs.api, cmds, n, done, (void *)(uintptr_t)cs.gen);
}

/* new, set and commit ssl cert: the leaf in HAProxy's store, where no
 * crt-list refers to it yet (nothing is served with it). With again, for
 * a name HAProxy may hold in part: "new" may find it. */
static size_t
cert_api_store_cmds(struct hacli_cmd *cmds, const char *path, const char *pem, bool again)
{
	size_t n = 0;

	hacli_cmd(&cmds[n++], again ? "" : "New empty certificate store",
	    "new ssl cert %s\n", path);
	/* The payload ends at the first empty line. */
	hacli_cmd(&cmds[n++], "Transaction created", "set ssl cert %s <<\n%s\n", path, pem);
	hacli_cmd(&cmds[n++], "Success", "commit ssl cert %s\n", path);
	return n;
}

/* add ssl crt-list: from then on HAProxy serves the leaf. */
static void
cert_api_list_cmd(struct hacli_cmd *cmd, const char *path)
{
	hacli_cmd(cmd, "Success", "add ssl crt-list %s %s\n", cs.list, path);
}

/* The name into the ACL of minted names (from then on its connections skip
 * the daemon), only once HAProxy serves its leaf. "add acl" prints nothing
 * when it succeeds. */
static void
cert_api_acl_cmd(struct hacli_cmd *cmd, const char *name)
{
	hacli_cmd(cmd, "", "add acl %s %s\n", cs.minted, name);
}

/* Both entries replaced, so the name ends up there once. */
static size_t
cert_api_serve_again_cmds(struct hacli_cmd *cmds, const char *name, const char *path)
{
	size_t n = 0;

	hacli_cmd(&cmds[n++], "", "del ssl crt-list %s %s\n", cs.list, path);
	cert_api_list_cmd(&cmds[n++], path);
	cmds[n].fence = true;
	hacli_cmd(&cmds[n++], "", "del acl %s %s\n", cs.minted, name);
	cert_api_acl_cmd(&cmds[n++], name);
	return n;
}

/* Loads a minted file again, whole, into a worker that may hold any part
 * of it. */
int
cert_api_load(const char *name, const char *path)
{
	struct hacli_cmd cmds[HACLI_MAX_CMDS];
	size_t len, n;
	char *pem = fileio_read(path, FILEIO_READ_MAX, O_NOFOLLOW, &len);

	if (pem == NULL)
		return -1;
	memset(cmds, 0, sizeof(cmds));
	n = cert_api_store_cmds(cmds, path, pem, true);
	n += cert_api_serve_again_cmds(cmds + n, name, path);
	tls_ca_pem_free(pem, len);
	return cert_api_run(cmds, n, cert_loaded);
}

/* First step for a new name: its leaf into HAProxy's store. Before that,
 * if a name was evicted for it (gone_name, gone its file), takes that one
 * out of the ACL (first: its next connection asks the daemon again) and
 * its file out of HAProxy: whatever HAProxy answers to that, the load goes
 * on (what it keeps, its next reload drops). */
int
cert_api_stage(const char *path, const char *pem, const char *gone_name, const char *gone)
{
	struct hacli_cmd cmds[HACLI_MAX_CMDS];
	size_t n = 0;

	memset(cmds, 0, sizeof(cmds));
	if (gone != NULL) {
		hacli_cmd(&cmds[n++], "", "del acl %s %s\n", cs.minted, gone_name);
		hacli_cmd(&cmds[n++], "", "del ssl crt-list %s %s\n", cs.list, gone);
		hacli_cmd(&cmds[n++], "", "del ssl cert %s\n", gone);
	}
	n += cert_api_store_cmds(cmds + n, path, pem, false);
	return cert_api_run(cmds, n, cert_api_staged);
}

static void
cert_api_unstaged(bool ok, const char *answer, void *arg)
{
	if ((uintptr_t)arg == cs.gen)
		cert_fail_busy();
}

/* HAProxy serves the new leaf: the clients waiting for it have their
 * answer at once, and the name goes into the ACL after that, off their
 * way (~0.2 ms of each first connection). Should that fail, cert_loaded
 * loads the name again whole. */
static void
cert_api_listed(bool ok, const char *answer, void *arg)
{
	struct hacli_cmd cmd;

	if ((uintptr_t)arg != cs.gen)
		return;
	if (!ok) {
		cert_loaded(false, answer, arg);
		return;
	}
	cert_sock_reply(cs.busy_name, true);
	memset(&cmd, 0, sizeof(cmd));
	cert_api_acl_cmd(&cmd, cs.busy_name);
	if (cert_api_run(&cmd, 1, cert_loaded) == -1)
		cert_loaded(false, "out of memory", arg);
}

/* The leaf is in HAProxy's store and, unless stage_failed, its files are
 * in place: now it may be served. */
static void
cert_api_staged(bool ok, const char *answer, void *arg)
{
	char path[CERT_PATH_MAX];
	struct hacli_cmd cmd;

	if ((uintptr_t)arg != cs.gen)
		return;
	memset(&cmd, 0, sizeof(cmd));
	if (cert_store_path(path, cs.busy_name) == -1)
		cs.stage_failed = true;
	if (cs.stage_failed) {
		/* No file: nothing may refer to the stored leaf. */
		cs.stage_failed = false;
		hacli_cmd(&cmd, "", "del ssl cert %s\n", path);
		if (cert_api_run(&cmd, 1, cert_api_unstaged) == -1)
			cert_api_unstaged(false, "", arg);
		return;
	}
	if (!ok) {
		cert_loaded(false, answer, arg);
		return;
	}
	cert_api_list_cmd(&cmd, path);
	if (cert_api_run(&cmd, 1, cert_api_listed) == -1)
		cert_loaded(false, "out of memory", arg);
}

static void
cert_api_renewed(bool ok, const char *answer, void *arg)
{
	if (!ok)
		log_limited(&cert_err_rl, time(NULL), LOG_WARN,
		    "renewed certificate not loaded at run time (HAProxy uses it "
		    "from its next reload on): %.120s", answer);
	event_timer_arm(&cs.renew, 1);		/* on to the next name */
}

/* Daily: mint again what is about to end, and swap it into the running
 * HAProxy (set + commit ssl cert); the file serves its next reload. */
void
cert_api_renew_due(void *arg)
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

		if (cert_store_path(path, e->name) == -1 || cert_store_file_current(path))
			continue;
		cs.renew_next++;
		if (cert_store_mint(e->name, path, &e->expiry) == -1 ||
		    (pem = fileio_read(path, FILEIO_READ_MAX, O_NOFOLLOW, &len)) == NULL) {
			log_limited(&cert_err_rl, time(NULL), LOG_ERR,
			    "certificate for %s could not be renewed", e->name);
			event_timer_arm(&cs.renew, 1);
			return;
		}
		cert_store_set_used(path, e->used);	/* a renewal is not a use */
		log_info("certificate for %s renewed", e->name);
		memset(cmds, 0, sizeof(cmds));
		hacli_cmd(&cmds[0], "Transaction created", "set ssl cert %s <<\n%s\n",
		    path, pem);
		hacli_cmd(&cmds[1], "Success", "commit ssl cert %s\n", path);
		tls_ca_pem_free(pem, len);
		if (cert_api_run(cmds, 2, cert_api_renewed) == -1)
			event_timer_arm(&cs.renew, 1);	/* the texts are freed */
		return;
	}
	cs.renew_next = 0;
	event_timer_arm(&cs.renew, CERT_CHECK_MS);
}
