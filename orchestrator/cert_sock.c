/* The certificate request socket: slots, name-line deadlines, answers. */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cert_sock.h"
#include "event.h"
#include "hostname.h"
#include "log.h"

struct cert_waiter {
	int fd;
	int64_t since;		/* accepted, monotonic ms */
	bool deferred;		/* its load failed during a reload: retried after it */
	char name[HOSTNAME_BUF];
	char line[HOSTNAME_BUF + 2];
	size_t len;
};

static struct {
	char path[108];
	int lfd;
	bool accepting;			/* lfd polled: a slot is free */
	struct cert_waiter w[CERT_SOCK_SLOTS];
	struct event_timer idle;	/* name-line deadlines */
	bool idle_ok;
	bool inited;
	void (*on_request)(void);
} ss = { .lfd = -1 };

static struct log_ratelimit cert_sock_rl = LOG_RATELIMIT_INIT(60, 5);

/* Frees a slot; a client waiting in the backlog may take it. */
static void
cert_sock_drop(struct cert_waiter *w)
{
	event_del(w->fd);
	close(w->fd);
	w->fd = -1;
	if (!ss.accepting && ss.lfd != -1 && event_mod(ss.lfd, EPOLLIN) == 0)
		ss.accepting = true;
}

void
cert_sock_reply(const char *name, bool ok)
{
	const char *answer = ok ? "ok\n" : "error\n";

	for (size_t i = 0; i < CERT_SOCK_SLOTS; i++) {
		struct cert_waiter *w = &ss.w[i];

		if (w->fd == -1 || name[0] == '\0' || strcmp(w->name, name) != 0)
			continue;
		(void)!write(w->fd, answer, strlen(answer));
		cert_sock_drop(w);
	}
}

/* The client waiting longest for a name, or NULL. */
const char *
cert_sock_next(void)
{
	const struct cert_waiter *first = NULL;

	for (size_t i = 0; i < CERT_SOCK_SLOTS; i++) {
		const struct cert_waiter *w = &ss.w[i];

		if (w->fd != -1 && w->name[0] != '\0' && !w->deferred &&
		    (first == NULL || w->since < first->since))
			first = w;
	}
	return first != NULL ? first->name : NULL;
}

static void
cert_sock_read(int fd, uint32_t events, void *arg)
{
	struct cert_waiter *w = arg;
	char *nl;
	ssize_t n;

	if (w->name[0] != '\0') {
		/* One request per connection: anything after the name line
		 * is ignored, and only the peer's close is of interest. */
		char sink[64];

		n = read(fd, sink, sizeof(sink));
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			cert_sock_drop(w);
		return;
	}
	n = read(fd, w->line + w->len, sizeof(w->line) - 1 - w->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		cert_sock_drop(w);
		return;
	}
	w->len += (size_t)n;
	w->line[w->len] = '\0';
	if ((nl = strchr(w->line, '\n')) == NULL) {
		if (w->len == sizeof(w->line) - 1)
			cert_sock_drop(w);	/* longer than any host name */
		return;
	}
	*nl = '\0';
	for (char *p = w->line; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	/* The name becomes a file name and a runtime-API argument. */
	if (!hostname_valid(w->line, strlen(w->line))) {
		log_limited(&cert_sock_rl, time(NULL), LOG_WARN,
		    "certificate request for an invalid name refused");
		(void)!write(fd, "error\n", 6);
		cert_sock_drop(w);
		return;
	}
	snprintf(w->name, sizeof(w->name), "%s", w->line);
	ss.on_request();
}

/* Closes connections that sent no name line in time; re-arms for the
 * next deadline. */
static void
cert_sock_idle_due(void *arg)
{
	int64_t now = event_mono_ms(), next = -1;
	unsigned dropped = 0;

	for (size_t i = 0; i < CERT_SOCK_SLOTS; i++) {
		struct cert_waiter *w = &ss.w[i];

		if (w->fd == -1 || w->name[0] != '\0')
			continue;
		if (now - w->since >= CERT_SOCK_LINE_MS) {
			cert_sock_drop(w);
			dropped++;
		} else if (next == -1 || w->since + CERT_SOCK_LINE_MS - now < next)
			next = w->since + CERT_SOCK_LINE_MS - now;
	}
	if (dropped > 0)
		log_limited(&cert_sock_rl, time(NULL), LOG_WARN,
		    "%u certificate request(s) closed: no name within %d ms", dropped,
		    CERT_SOCK_LINE_MS);
	if (next >= 0)
		event_timer_arm(&ss.idle, (uint64_t)next + 1);
}

/* A free slot, or the one of the oldest client that has not sent its
 * name yet (closed when take is set: an idle client never holds a slot
 * against a request); NULL when every slot holds a request. */
static struct cert_waiter *
cert_sock_slot(bool take)
{
	struct cert_waiter *idle = NULL;

	for (size_t i = 0; i < CERT_SOCK_SLOTS; i++) {
		struct cert_waiter *w = &ss.w[i];

		if (w->fd == -1)
			return w;
		if (w->name[0] == '\0' && (idle == NULL || w->since < idle->since))
			idle = w;
	}
	if (idle != NULL && take) {
		log_limited(&cert_sock_rl, time(NULL), LOG_WARN,
		    "certificate requests: every slot taken; closing the oldest idle one");
		event_del(idle->fd);
		close(idle->fd);
		idle->fd = -1;
	}
	return idle;
}

static void
cert_sock_accept(int lfd, uint32_t events, void *arg)
{
	/* A bounded batch per wake-up: a client accepted in a flood of idle
	 * ones gets its name line read before it could become the oldest
	 * idle one and be closed to make room. */
	for (size_t batch = 0; batch < CERT_SOCK_SLOTS / 4; batch++) {
		struct cert_waiter *w;
		int fd;

		if (cert_sock_slot(false) == NULL) {
			/* Every slot holds a request: the rest wait in the
			 * backlog until one is answered (cert_sock_drop). */
			if (event_mod(lfd, 0) == 0)
				ss.accepting = false;
			return;
		}
		if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
			return;
		w = cert_sock_slot(true);
		w->fd = fd;
		w->len = 0;
		w->name[0] = '\0';
		w->deferred = false;
		w->since = event_mono_ms();
		if (event_add(fd, EPOLLIN, cert_sock_read, w) == -1) {
			close(fd);
			w->fd = -1;
			continue;
		}
		if (ss.idle_ok && !event_timer_armed(&ss.idle))
			event_timer_arm(&ss.idle, CERT_SOCK_LINE_MS);
		/* HAProxy sends its line right after connecting: it is
		 * usually there already. */
		cert_sock_read(fd, EPOLLIN, w);
	}
}

/* The socket HAProxy's workers (user haproxy) connect to: root:haproxy 0660. */
int
cert_sock_open(const char *path, void (*on_request)(void))
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct group *g = getgrnam("haproxy");
	mode_t old;
	int fd;

	cert_sock_close();
	if (!ss.inited) {
		for (size_t i = 0; i < CERT_SOCK_SLOTS; i++)
			ss.w[i].fd = -1;
		if (event_timer_init(&ss.idle, cert_sock_idle_due, NULL) == 0)
			ss.idle_ok = true;
		ss.inited = true;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	ss.on_request = on_request;
	memcpy(ss.path, path, strlen(path) + 1);	/* as long as sun_path */
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	unlink(ss.path);
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 || listen(fd, CERT_SOCK_SLOTS) == -1) {
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	if (g != NULL && chown(ss.path, 0, g->gr_gid) == -1)
		log_warn("%s: chown: %s", ss.path, strerror(errno));
	if (event_add(fd, EPOLLIN, cert_sock_accept, NULL) == -1) {
		close(fd);
		return -1;
	}
	ss.lfd = fd;
	ss.accepting = true;
	return 0;
}

void
cert_sock_close(void)
{
	if (!ss.inited)
		return;
	for (size_t i = 0; i < CERT_SOCK_SLOTS; i++)
		if (ss.w[i].fd != -1)
			cert_sock_drop(&ss.w[i]);
	if (ss.lfd != -1) {
		event_del(ss.lfd);
		close(ss.lfd);
		unlink(ss.path);
		ss.lfd = -1;
	}
	if (ss.idle_ok)
		event_timer_stop(&ss.idle);
}

void
cert_sock_defer(const char *name)
{
	for (size_t i = 0; i < CERT_SOCK_SLOTS; i++)
		if (ss.w[i].fd != -1 && strcmp(ss.w[i].name, name) == 0)
			ss.w[i].deferred = true;
}

void
cert_sock_resume(void)
{
	for (size_t i = 0; i < CERT_SOCK_SLOTS; i++)
		ss.w[i].deferred = false;
}
