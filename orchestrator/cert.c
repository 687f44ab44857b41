/* Certificate service for the first HTTPS connection to each new name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "event.h"
#include "haproxy_cli.h"
#include "log.h"
#include "statefile.h"
#include "tls_ca.h"
#include "hostname.h"

#define CERT_PATH_MAX	512
#define CERT_WAITERS	32
#define CERT_DEFAULT	"mgmt-proxy.invalid"	/* RFC 6761: never a real name */
/* Leaves live 397 days; one within 30 days of its end, or signed by a CA
 * since replaced, is minted again: at start-up, on reload and daily. */
#define CERT_RENEW_MARGIN	(30 * 86400)
#define CERT_CHECK_MS		(86400u * 1000)

struct cert_waiter {
	int fd;
	char name[HOSTNAME_BUF];
	char line[HOSTNAME_BUF + 2];
	size_t len;
};

static struct {
	struct tls_ca *ca;
	char dir[CERT_PATH_MAX];
	char list[CERT_PATH_MAX];
	char sock[CERT_PATH_MAX];
	char api[CERT_PATH_MAX];
	int lfd;
	char (*names)[HOSTNAME_BUF];	/* minted and listed */
	size_t nnames;
	char busy_name[HOSTNAME_BUF];	/* being loaded, "" if none */
	struct cert_waiter w[CERT_WAITERS];
	struct event_timer renew;
	bool renew_ok;
	struct event_timer wait;		/* the runtime API is busy: retry */
	bool wait_ok;
	unsigned gen;				/* changes with every cert_open */
	size_t renew_next;			/* next name the daily check looks at */
} cs = { .lfd = -1 };

static struct log_ratelimit cert_rl = LOG_RATELIMIT_INIT(60, 5);

static void cert_work(void);

static int
cert_path(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, CERT_PATH_MAX, "%s/%s", dir, name);

	return n < 0 || n >= CERT_PATH_MAX ? -1 : 0;
}

static bool
cert_known(const char *name)
{
	for (size_t i = 0; i < cs.nnames; i++)
		if (strcmp(cs.names[i], name) == 0)
			return true;
	return false;
}

/* The crt-list file: the default certificate first (it answers clients
 * without SNI), then every minted leaf. Rewritten whole, atomically. */
static int
cert_write_list(void)
{
	size_t cap = (cs.nnames + 1) * (CERT_PATH_MAX + 1), len = 0;
	char *buf = malloc(cap), file[TLS_CA_FILENAME_MAX], path[CERT_PATH_MAX];
	int rc;

	if (buf == NULL)
		return -1;
	for (size_t i = 0; i <= cs.nnames; i++) {
		const char *name = i == 0 ? CERT_DEFAULT : cs.names[i - 1];

		if (!tls_ca_cert_filename(name, file, sizeof(file)) ||
		    cert_path(path, cs.dir, file) == -1)
			continue;
		len += (size_t)snprintf(buf + len, cap - len, "%s\n", path);
	}
	rc = statefile_write_atomic(cs.list, buf, len, 0600);
	free(buf);
	return rc;
}

/* The leaf in path is signed by the current CA and not close to its end. */
static bool
cert_current(const char *path)
{
	size_t len;
	char *pem = statefile_read(path, &len);
	bool ok = pem != NULL && tls_ca_leaf_current(cs.ca, pem, len, time(NULL),
	    CERT_RENEW_MARGIN);

	if (pem != NULL)
		tls_ca_pem_free(pem, len);
	return ok;
}

/* Mints NAME into its file (0600: it holds the leaf's private key). */
static int
cert_mint(const char *name, char *path)
{
	char file[TLS_CA_FILENAME_MAX], *pem = NULL;
	size_t len;
	int rc;

	if (!tls_ca_cert_filename(name, file, sizeof(file)) ||
	    cert_path(path, cs.dir, file) == -1)
		return -1;
	if (tls_ca_mint(cs.ca, name, time(NULL), &pem, &len) == -1)
		return -1;
	rc = statefile_write_atomic(path, pem, len, 0600);
	tls_ca_pem_free(pem, len);
	return rc;
}

static void
cert_reply(const char *name, const char *answer)
{
	for (size_t i = 0; i < CERT_WAITERS; i++) {
		struct cert_waiter *w = &cs.w[i];

		if (w->fd == -1 || name[0] == '\0' || strcmp(w->name, name) != 0)
			continue;
		(void)!write(w->fd, answer, strlen(answer));
		event_del(w->fd);
		close(w->fd);
		w->fd = -1;
	}
}

static void
cert_loaded(bool ok, const char *answer, void *arg)
{
	char name[HOSTNAME_BUF];

	/* Started before the CA changed: its name and waiters are gone. */
	if ((uintptr_t)arg != cs.gen)
		return;

	memcpy(name, cs.busy_name, sizeof(name));
	cs.busy_name[0] = '\0';
	if (ok)
		log_info("certificate for %s minted and loaded", name);
	else
		log_warn("certificate for %s listed but not loaded at run time: %.120s",
		    name, answer);
	cert_reply(name, ok ? "ok\n" : "error\n");
	cert_work();
}

/* Loads the minted file into the running HAProxy (DESIGN.md sequence). */
static int
cert_load(const char *path)
{
	struct hacli_cmd cmds[4];
	size_t len;
	char *pem = statefile_read(path, &len);
	int rc;

	if (pem == NULL)
		return -1;
	memset(cmds, 0, sizeof(cmds));
	cmds[0].expect = "New empty certificate store";
	cmds[1].expect = "Transaction created";
	cmds[2].expect = "Success";
	cmds[3].expect = "Success";
	if (asprintf(&cmds[0].text, "new ssl cert %s\n", path) < 0)
		cmds[0].text = NULL;
	/* The payload ends at the first empty line. */
	if (asprintf(&cmds[1].text, "set ssl cert %s <<\n%s\n", path, pem) < 0)
		cmds[1].text = NULL;
	if (asprintf(&cmds[2].text, "commit ssl cert %s\n", path) < 0)
		cmds[2].text = NULL;
	if (asprintf(&cmds[3].text, "add ssl crt-list %s %s\n", cs.list, path) < 0)
		cmds[3].text = NULL;
	tls_ca_pem_free(pem, len);
	for (size_t i = 0; i < 4; i++)
		if (cmds[i].text == NULL) {
			for (size_t j = 0; j < 4; j++)
				free(cmds[j].text);
			return -1;
		}
	rc = hacli_run(cs.api, cmds, 4, cert_loaded, (void *)(uintptr_t)cs.gen);
	return rc;
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
		log_warn("renewed certificate not loaded at run time (HAProxy uses it "
		    "from its next reload on): %.120s", answer);
	event_timer_arm(&cs.renew, 1);		/* on to the next name */
}

/* Daily: mint again what is about to end, and swap it into the running
 * HAProxy (set + commit ssl cert); the file serves its next reload. */
static void
cert_renew_due(void *arg)
{
	char path[CERT_PATH_MAX], file[TLS_CA_FILENAME_MAX];
	struct hacli_cmd cmds[2];
	size_t len;
	char *pem;

	if (hacli_busy() || cs.busy_name[0] != '\0') {
		event_timer_arm(&cs.renew, 1000);	/* a client request first */
		return;
	}
	for (; cs.renew_next < cs.nnames; cs.renew_next++) {
		const char *name = cs.names[cs.renew_next];

		if (!tls_ca_cert_filename(name, file, sizeof(file)) ||
		    cert_path(path, cs.dir, file) == -1 || cert_current(path))
			continue;
		cs.renew_next++;
		if (cert_mint(name, path) == -1 || (pem = statefile_read(path, &len)) == NULL) {
			log_err("certificate for %s could not be renewed", name);
			event_timer_arm(&cs.renew, 1);
			return;
		}
		log_info("certificate for %s renewed", name);
		memset(cmds, 0, sizeof(cmds));
		cmds[0].expect = "Transaction created";
		cmds[1].expect = "Success";
		if (asprintf(&cmds[0].text, "set ssl cert %s <<\n%s\n", path, pem) < 0)
			cmds[0].text = NULL;
		if (asprintf(&cmds[1].text, "commit ssl cert %s\n", path) < 0)
			cmds[1].text = NULL;
		tls_ca_pem_free(pem, len);
		if (cmds[0].text == NULL || cmds[1].text == NULL ||
		    hacli_run(cs.api, cmds, 2, cert_renewed, NULL) == -1) {
			free(cmds[0].text);
			free(cmds[1].text);
			event_timer_arm(&cs.renew, 1);
		}
		return;
	}
	cs.renew_next = 0;
	event_timer_arm(&cs.renew, CERT_CHECK_MS);
}

/* Takes the next name a client waits for, one at a time. */
static void
cert_work(void)
{
	char path[CERT_PATH_MAX];
	const char *name = NULL;

	if (cs.busy_name[0] != '\0')
		return;
	/* One runtime-API exchange at a time (daily renewal, session
	 * shutdown): a new name waits for it rather than fail. */
	if (hacli_busy()) {
		if (cs.wait_ok)
			event_timer_arm(&cs.wait, 50);
		return;
	}
	for (size_t i = 0; i < CERT_WAITERS && name == NULL; i++)
		if (cs.w[i].fd != -1 && cs.w[i].name[0] != '\0')
			name = cs.w[i].name;
	if (name == NULL)
		return;
	if (cert_known(name)) {
		cert_reply(name, "ok\n");
		cert_work();
		return;
	}
	if (cs.nnames == CERT_MAX) {
		log_limited(&cert_rl, time(NULL), LOG_WARN,
		    "certificate for %s refused: %d names already minted", name, CERT_MAX);
		cert_reply(name, "error\n");
		cert_work();
		return;
	}
	snprintf(cs.busy_name, sizeof(cs.busy_name), "%s", name);
	if (cert_mint(name, path) == -1) {
		log_err("certificate for %s: minting failed", name);
		goto fail;
	}
	memcpy(cs.names[cs.nnames++], cs.busy_name, sizeof(cs.busy_name));
	if (cert_write_list() == -1)
		log_err("%s: %s", cs.list, strerror(errno));
	if (cert_load(path) == 0)
		return;
fail:
	{
		char n[HOSTNAME_BUF];

		memcpy(n, cs.busy_name, sizeof(n));
		cs.busy_name[0] = '\0';
		cert_reply(n, "error\n");
		cert_work();
	}
}

static void
cert_drop(struct cert_waiter *w)
{
	event_del(w->fd);
	close(w->fd);
	w->fd = -1;
}

static void
cert_read(int fd, uint32_t events, void *arg)
{
	struct cert_waiter *w = arg;
	char *nl;
	ssize_t n;

	n = read(fd, w->line + w->len, sizeof(w->line) - 1 - w->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		cert_drop(w);
		return;
	}
	w->len += (size_t)n;
	w->line[w->len] = '\0';
	if ((nl = strchr(w->line, '\n')) == NULL) {
		if (w->len == sizeof(w->line) - 1)
			cert_drop(w);	/* longer than any host name */
		return;
	}
	*nl = '\0';
	for (char *p = w->line; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	/* The name becomes a file name and a runtime-API argument. */
	if (!tls_ca_hostname_valid(w->line, strlen(w->line))) {
		log_limited(&cert_rl, time(NULL), LOG_WARN,
		    "certificate request for an invalid name refused");
		(void)!write(fd, "error\n", 6);
		cert_drop(w);
		return;
	}
	snprintf(w->name, sizeof(w->name), "%s", w->line);
	cert_work();
}

static void
cert_accept(int lfd, uint32_t events, void *arg)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd == -1)
		return;
	for (size_t i = 0; i < CERT_WAITERS; i++)
		if (cs.w[i].fd == -1) {
			cs.w[i].fd = fd;
			cs.w[i].len = 0;
			cs.w[i].name[0] = '\0';
			if (event_add(fd, EPOLLIN, cert_read, &cs.w[i]) == -1) {
				close(fd);
				cs.w[i].fd = -1;
			}
			return;
		}
	close(fd);	/* too many at once: the Lua side goes on without */
}

/* The socket HAProxy's workers (user haproxy) connect to: root:haproxy 0660. */
static int
cert_listen(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct group *g = getgrnam("haproxy");
	mode_t old;
	int fd;

	if (strlen(cs.sock) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, cs.sock, strlen(cs.sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	unlink(cs.sock);
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 || listen(fd, 16) == -1) {
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	if (g != NULL && chown(cs.sock, 0, g->gr_gid) == -1)
		log_warn("%s: chown: %s", cs.sock, strerror(errno));
	if (event_add(fd, EPOLLIN, cert_accept, NULL) == -1) {
		close(fd);
		return -1;
	}
	cs.lfd = fd;
	return 0;
}

/* Names minted by an earlier run stay valid: list them again. */
static void
cert_scan(void)
{
	DIR *d = opendir(cs.dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && cs.nnames < CERT_MAX) {
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 4, ".pem") != 0 ||
		    l - 4 >= HOSTNAME_BUF)
			continue;
		char path[CERT_PATH_MAX];

		memcpy(cs.names[cs.nnames], de->d_name, l - 4);
		cs.names[cs.nnames][l - 4] = '\0';
		if (strcmp(cs.names[cs.nnames], CERT_DEFAULT) == 0 ||
		    !tls_ca_hostname_valid(cs.names[cs.nnames], l - 4) ||
		    cert_path(path, cs.dir, de->d_name) == -1)
			continue;
		/* HAProxy loads these files as they are on its next start. */
		if (!cert_current(path)) {
			if (cert_mint(cs.names[cs.nnames], path) == -1) {
				log_err("certificate for %s could not be renewed: dropped",
				    cs.names[cs.nnames]);
				unlink(path);
				continue;
			}
			log_info("certificate for %s renewed", cs.names[cs.nnames]);
		}
		cs.nnames++;
	}
	closedir(d);
}

int
cert_open(const char *ca_cert, const char *ca_key, const char *certs_dir,
    const char *run_dir, char *err, size_t errlen)
{
	char path[CERT_PATH_MAX];

	cert_close();
	cs.gen++;
	for (size_t i = 0; i < CERT_WAITERS; i++)
		cs.w[i].fd = -1;
	if (tls_ca_load_or_create(ca_cert, ca_key, &cs.ca, err, errlen) == -1)
		return -1;
	snprintf(cs.dir, sizeof(cs.dir), "%s", certs_dir);
	if ((mkdir(cs.dir, 0700) == -1 && errno != EEXIST) ||
	    cert_path(cs.list, cs.dir, "crt-list") == -1 ||
	    cert_path(cs.sock, run_dir, "cert.sock") == -1 ||
	    cert_path(cs.api, run_dir, "haproxy.sock") == -1) {
		snprintf(err, errlen, "%s: %s", cs.dir, strerror(errno));
		return -1;
	}
	if (cs.names == NULL &&
	    (cs.names = calloc(CERT_MAX, sizeof(*cs.names))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cs.nnames = 0;
	cs.busy_name[0] = '\0';
	cert_scan();
	if (cert_mint(CERT_DEFAULT, path) == -1 || cert_write_list() == -1) {
		snprintf(err, errlen, "%s: cannot write the default certificate", cs.dir);
		return -1;
	}
	if (cert_listen() == -1) {
		snprintf(err, errlen, "%s: %s", cs.sock, strerror(errno));
		return -1;
	}
	if (!cs.renew_ok && event_timer_init(&cs.renew, cert_renew_due, NULL) == 0)
		cs.renew_ok = true;
	if (!cs.wait_ok && event_timer_init(&cs.wait, cert_wait_due, NULL) == 0)
		cs.wait_ok = true;
	if (cs.renew_ok) {
		cs.renew_next = 0;
		event_timer_arm(&cs.renew, CERT_CHECK_MS);
	}
	return 0;
}

void
cert_close(void)
{
	for (size_t i = 0; i < CERT_WAITERS; i++)
		if (cs.w[i].fd > 0)
			cert_drop(&cs.w[i]);
	if (cs.lfd != -1) {
		event_del(cs.lfd);
		close(cs.lfd);
		unlink(cs.sock);
		cs.lfd = -1;
	}
	if (cs.renew_ok)
		event_timer_stop(&cs.renew);
	if (cs.ca != NULL)
		tls_ca_free(cs.ca);
	cs.ca = NULL;
}

const char *
cert_crt_list(void)
{
	return cs.list;
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
