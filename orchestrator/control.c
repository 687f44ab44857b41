/* Control socket server. Each client gets a bounded request buffer, a
 * bounded reply and a deadline, so a stuck or hostile client can hold
 * neither memory nor the loop. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "event.h"
#include "log.h"

#define CONTROL_DEADLINE_MS	5000

struct control_client {
	int fd;
	char req[CONTROL_REQ_MAX];
	size_t reqlen;
	char *reply;
	size_t replylen, sent;
	struct event_timer deadline;
};

static int control_fd = -1;
static char control_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static control_handler control_cb;
static void *control_arg;
static struct control_client control_clients[CONTROL_CLIENTS];

json_t *
control_ok(json_t *result)
{
	return json_pack("{s:i, s:o}", "status", 0, "result", result ? result : json_null());
}

json_t *
control_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:i, s:[s]}", "status", 1, "errors", msg);
}

static void
control_drop(struct control_client *c)
{
	if (c->fd == -1)
		return;
	event_del(c->fd);
	close(c->fd);
	c->fd = -1;
	free(c->reply);
	c->reply = NULL;
	event_timer_stop(&c->deadline);
}

static void
control_expired(void *arg)
{
	control_drop(arg);
}

static void
control_write(int fd, uint32_t events, void *arg)
{
	struct control_client *c = arg;

	while (c->sent < c->replylen) {
		ssize_t n = write(c->fd, c->reply + c->sent, c->replylen - c->sent);

		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;
		}
		c->sent += (size_t)n;
	}
	control_drop(c);
}

static void
control_answer(struct control_client *c)
{
	json_t *reply;

	c->req[c->reqlen] = '\0';
	reply = control_cb(c->req, control_arg);
	c->reply = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	if (c->reply == NULL) {
		control_drop(c);
		return;
	}
	c->replylen = strlen(c->reply);
	c->sent = 0;
	event_del(c->fd);
	event_add(c->fd, EPOLLOUT, control_write, c);
	control_write(c->fd, EPOLLOUT, c);
}

static void
control_read(int fd, uint32_t events, void *arg)
{
	struct control_client *c = arg;
	ssize_t n;
	char *nl;

	n = read(fd, c->req + c->reqlen, sizeof(c->req) - 1 - c->reqlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		control_drop(c);
		return;
	}
	c->reqlen += (size_t)n;
	nl = memchr(c->req, '\n', c->reqlen);
	if (nl != NULL) {
		c->reqlen = (size_t)(nl - c->req);
		control_answer(c);
	} else if (c->reqlen == sizeof(c->req) - 1) {
		control_drop(c);	/* no request is this long */
	}
}

/* Only the daemon's own user (root in production) may steer it. */
static bool
control_peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

static void
control_accept(int lfd, uint32_t events, void *arg)
{
	struct control_client *c = NULL;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	if (!control_peer_allowed(fd)) {
		close(fd);
		return;
	}
	for (size_t i = 0; i < CONTROL_CLIENTS; i++)
		if (control_clients[i].fd == -1) {
			c = &control_clients[i];
			break;
		}
	if (c == NULL || event_add(fd, EPOLLIN, control_read, c) == -1) {
		close(fd);	/* busy: the CLI will say so */
		return;
	}
	c->fd = fd;
	c->reqlen = 0;
	event_timer_arm(&c->deadline, CONTROL_DEADLINE_MS);
}

int
control_open(const char *path, control_handler cb, void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	unlink(path);
	old = umask(0177);	/* the socket is born 0600: no window */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 8) == -1 || event_add(fd, EPOLLIN, control_accept, NULL) == -1) {
		int e = errno;

		umask(old);
		close(fd);
		errno = e;
		return -1;
	}
	umask(old);
	for (size_t i = 0; i < CONTROL_CLIENTS; i++) {
		control_clients[i].fd = -1;
		event_timer_init(&control_clients[i].deadline, control_expired,
		    &control_clients[i]);
	}
	control_fd = fd;
	control_cb = cb;
	control_arg = arg;
	snprintf(control_path, sizeof(control_path), "%s", path);
	return 0;
}

void
control_close(void)
{
	if (control_fd == -1)
		return;
	for (size_t i = 0; i < CONTROL_CLIENTS; i++) {
		control_drop(&control_clients[i]);
		event_timer_fini(&control_clients[i].deadline);
	}
	event_del(control_fd);
	close(control_fd);
	control_fd = -1;
	unlink(control_path);
}
