/* Control socket server. Each client gets a bounded request buffer, a
 * bounded reply and a deadline, so a stuck or hostile client can hold
 * neither memory nor the loop. Who may ask what is decided by the verb
 * table of ctl_verbs.c from the peer's credentials, taken by the kernel
 * when it connected (SO_PEERCRED, SO_PEERGROUPS). */
#include <errno.h>
#include <grp.h>
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
#include "ctl_verbs.h"
#include "event.h"
#include "log.h"

#define CONTROL_DEADLINE_MS	5000
#define CONTROL_PEER_GROUPS	256	/* more are fetched on the heap */

struct control_client {
	int fd;
	enum ctl_role role;
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
/* The read-only group in force: (gid_t)-1 and "" when there is none. */
static gid_t control_group = (gid_t)-1;
static char control_group_name[CTL_GROUP_MAX];

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
	char why[CTL_WHY_MAX];
	json_t *reply;

	c->req[c->reqlen] = '\0';
	if (!ctl_verbs_allowed(ctl_verbs_find(c->req), c->role,
	    control_group_name, why, sizeof(why)))
		reply = control_error("%s", why);
	else
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

/* The peer's role: uid and primary group from SO_PEERCRED, the
 * supplementary groups from SO_PEERGROUPS. Both are what the peer held
 * when it connected, so no later change of process (or pid reuse) can
 * lend it someone else's groups. The daemon's own user counts as root. */
static enum ctl_role
control_peer_role(int fd)
{
	gid_t small[CONTROL_PEER_GROUPS], *groups = small;
	socklen_t len = sizeof(struct ucred), glen = sizeof(small);
	struct ucred cred;
	enum ctl_role role;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return CTL_ROLE_NONE;
	if (cred.uid == 0 || cred.uid == geteuid())
		return CTL_ROLE_ROOT;
	if (control_group == (gid_t)-1)
		return CTL_ROLE_NONE;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == -1) {
		if (errno != ERANGE || (groups = malloc(glen)) == NULL ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == -1)
			glen = 0;	/* the primary group still counts */
	}
	role = ctl_verbs_role(cred.uid, cred.gid, groups, glen / sizeof(gid_t),
	    control_group);
	if (groups != small)
		free(groups);
	return role;
}

static void
control_accept(int lfd, uint32_t events, void *arg)
{
	struct control_client *c = NULL;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
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
	/* Refused only once it has asked: it then reads why. */
	c->role = control_peer_role(fd);
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

int
control_set_group(const char *name)
{
	struct group *gr = name[0] != '\0' ? getgrnam(name) : NULL;
	int rc;

	if (control_fd == -1)
		return 0;
	if (gr == NULL) {
		/* No such group: root only, as without the feature. */
		control_group = (gid_t)-1;
		control_group_name[0] = '\0';
		rc = chmod(control_path, 0600);
		if (rc == 0)
			rc = chown(control_path, geteuid(), getegid());
		return rc;
	}
	control_group = gr->gr_gid;
	snprintf(control_group_name, sizeof(control_group_name), "%s", name);
	/* Group first, then the mode: never readable by the wrong group. */
	rc = chown(control_path, geteuid(), gr->gr_gid);
	if (rc == 0)
		rc = chmod(control_path, 0660);
	return rc;
}

const char *
control_group_in_force(void)
{
	return control_group_name;
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
