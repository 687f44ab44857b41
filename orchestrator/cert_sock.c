/* The certificate request socket: the name-line framing and the answers,
 * on the daemon's stream server (sock_server.c: slots, deadlines, the
 * oldest idle client closed first). */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cert_sock.h"
#include "hostname.h"
#include "log.h"
#include "sock_server.h"

struct cert_waiter {
	bool deferred;		/* its load failed during a reload: retried after it */
	char name[HOSTNAME_BUF];
};

static void cert_sock_accepted(struct sock_client *);
static enum sock_input cert_sock_input(struct sock_client *);
static void cert_sock_request(struct sock_client *);
static void cert_sock_expired(struct sock_server *, unsigned, unsigned);

static const struct sock_server_ops cert_sock_ops = {
	.accepted = cert_sock_accepted,
	.input = cert_sock_input,
	.request = cert_sock_request,
	.expired = cert_sock_expired,
};

/* A local process must not keep HAProxy's requests out: idle clients are
 * closed first, and clients beyond the slots wait in the backlog. */
static struct sock_server cert_srv = {
	.name = "certificate requests", .slots = CERT_SOCK_SLOTS,
	.req_max = HOSTNAME_BUF + 2, .backlog = CERT_SOCK_SLOTS,
	.request_ms = CERT_SOCK_LINE_MS, .deadline_ms = CERT_SOCK_ANSWER_MS,
	.evict_idle = true, .full = SOCK_FULL_BACKLOG,
	.ops = &cert_sock_ops, .lfd = -1, .rl = LOG_RATELIMIT_INIT(60, 5),
};

static struct cert_waiter cert_waiters[CERT_SOCK_SLOTS];
static void (*cert_sock_on_request)(void);

void
cert_sock_reply(const char *name, bool ok)
{
	for (size_t i = 0; i < CERT_SOCK_SLOTS && cert_srv.c != NULL; i++) {
		struct sock_client *c = &cert_srv.c[i];

		if (c->fd == -1 || c->out != NULL || name[0] == '\0' ||
		    strcmp(cert_waiters[i].name, name) != 0)
			continue;
		sock_server_reply(c, ok ? "ok\n" : "error\n");
	}
}

/* The client waiting longest for a name, or NULL. */
const char *
cert_sock_next(void)
{
	const struct sock_client *first = NULL;

	for (size_t i = 0; i < CERT_SOCK_SLOTS && cert_srv.c != NULL; i++) {
		const struct sock_client *c = &cert_srv.c[i];

		if (c->fd != -1 && c->out == NULL && cert_waiters[i].name[0] != '\0' &&
		    !cert_waiters[i].deferred && (first == NULL || c->since < first->since))
			first = c;
	}
	return first != NULL ? cert_waiters[first->idx].name : NULL;
}

static void
cert_sock_accepted(struct sock_client *c)
{
	cert_waiters[c->idx].name[0] = '\0';
	cert_waiters[c->idx].deferred = false;
}

static enum sock_input
cert_sock_input(struct sock_client *c)
{
	char *nl = strchr(c->req, '\n');

	if (nl == NULL)
		return SOCK_INPUT_MORE;
	*nl = '\0';
	return SOCK_INPUT_COMPLETE;
}

static void
cert_sock_request(struct sock_client *c)
{
	struct cert_waiter *w = &cert_waiters[c->idx];

	for (char *p = c->req; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	/* The name becomes a file name and a runtime-API argument. */
	if (!hostname_valid(c->req, strlen(c->req))) {
		log_limited(&cert_srv.rl, time(NULL), LOG_WARN,
		    "certificate request for an invalid name refused");
		sock_server_reply(c, "error\n");
		return;
	}
	snprintf(w->name, sizeof(w->name), "%s", c->req);
	cert_sock_on_request();
}

static void
cert_sock_expired(struct sock_server *s, unsigned no_request, unsigned no_answer)
{
	if (no_request > 0)
		log_limited(&s->rl, time(NULL), LOG_WARN,
		    "%u certificate request(s) closed: no name within %d ms", no_request,
		    CERT_SOCK_LINE_MS);
	if (no_answer > 0)
		log_limited(&s->rl, time(NULL), LOG_WARN,
		    "%u certificate request(s) closed: no answer within %d ms", no_answer,
		    CERT_SOCK_ANSWER_MS);
}

/* The socket HAProxy's workers (user haproxy) connect to: root:haproxy 0660. */
int
cert_sock_open(const char *path, void (*on_request)(void))
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct group *g = getgrnam("haproxy");

	cert_sock_close();
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (sock_server_init(&cert_srv) == -1)
		return -1;
	cert_sock_on_request = on_request;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (sock_server_listen(&cert_srv, (struct sockaddr *)&sun, sizeof(sun), 0117) == -1)
		return -1;
	if (g != NULL && chown(path, 0, g->gr_gid) == -1)
		log_warn("%s: chown: %s", path, strerror(errno));
	return 0;
}

void
cert_sock_close(void)
{
	sock_server_close(&cert_srv);
}

void
cert_sock_defer(const char *name)
{
	for (size_t i = 0; i < CERT_SOCK_SLOTS && cert_srv.c != NULL; i++)
		if (cert_srv.c[i].fd != -1 && strcmp(cert_waiters[i].name, name) == 0)
			cert_waiters[i].deferred = true;
}

void
cert_sock_resume(void)
{
	for (size_t i = 0; i < CERT_SOCK_SLOTS; i++)
		cert_waiters[i].deferred = false;
}
