/* Control socket: one request line, one JSON answer, on the daemon's
 * stream server (sock_server.c: slots, deadline, bounded buffer). Who may
 * ask what is decided by the verb table of ctl_verbs.c from the peer's
 * credentials, taken by the kernel when it connected (SO_PEERCRED,
 * SO_PEERGROUPS). */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "ctl_verbs.h"
#include "log.h"
#include "sock_server.h"

#define CONTROL_PEER_GROUPS	256	/* more are fetched on the heap */

static enum ctl_role control_roles[CONTROL_CLIENTS];
static control_handler control_cb;
static void *control_arg;
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

/* One line is one request. */
static enum sock_input
control_input(struct sock_client *c)
{
	char *nl = memchr(c->req, '\n', c->len);

	if (nl == NULL)
		return SOCK_INPUT_MORE;
	*nl = '\0';
	c->len = (size_t)(nl - c->req);
	return SOCK_INPUT_COMPLETE;
}

static void
control_request(struct sock_client *c)
{
	char why[CTL_WHY_MAX];
	json_t *reply;
	char *out;

	if (!ctl_verbs_allowed(ctl_verbs_find(c->req), control_roles[c->idx],
	    control_group_name, why, sizeof(why)))
		reply = control_error("%s", why);
	else
		reply = control_cb(c->req, control_arg);
	out = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	sock_server_send(c, out, out != NULL ? strlen(out) : 0);
}

/* The peer's role: uid and primary group from SO_PEERCRED (read once, by
 * sock_server at accept), the supplementary groups from SO_PEERGROUPS.
 * Both are what the peer held when it connected, so no later change of
 * process (or pid reuse) can lend it someone else's groups. The daemon's
 * own user counts as root. */
static enum ctl_role
control_peer_role(const struct sock_client *c)
{
	gid_t small[CONTROL_PEER_GROUPS], *groups = small;
	socklen_t glen = sizeof(small);
	enum ctl_role role;

	if (c->privileged)
		return CTL_ROLE_ROOT;
	if (c->uid == (uid_t)-1 || control_group == (gid_t)-1)
		return CTL_ROLE_NONE;	/* credentials unread, or root only */
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == -1) {
		if (errno != ERANGE || (groups = malloc(glen)) == NULL ||
		    getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == -1)
			glen = 0;	/* the primary group still counts */
	}
	role = ctl_verbs_role(c->uid, c->gid, groups, glen / sizeof(gid_t),
	    control_group);
	if (groups != small)
		free(groups);
	return role;
}

/* Refused only once it has asked: it then reads why. */
static void
control_accepted(struct sock_client *c)
{
	control_roles[c->idx] = control_peer_role(c);
}

static const struct sock_server_ops control_ops = {
	.accepted = control_accepted,
	.input = control_input,
	.request = control_request,
};

/* Root keeps slots of its own: a reader holding the rest cannot lock
 * it out. */
static struct sock_server control_srv = {
	.name = "control socket", .slots = CONTROL_CLIENTS,
	.req_max = CONTROL_REQ_MAX, .backlog = 8,
	.request_ms = CONTROL_DEADLINE_MS, .deadline_ms = CONTROL_DEADLINE_MS,
	.root_reserve = CONTROL_ROOT_SLOTS, .full = SOCK_FULL_CLOSE,
	.ops = &control_ops, .lfd = -1, .rl = LOG_RATELIMIT_INIT(60, 5),
};

int
control_open(const char *path, control_handler cb, void *arg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (sock_server_init(&control_srv) == -1)
		return -1;
	control_cb = cb;
	control_arg = arg;
	/* Born 0600; the group, if any, is set next. */
	return sock_server_listen(&control_srv, (struct sockaddr *)&sun, sizeof(sun), 0177);
}

int
control_set_group(const char *name)
{
	struct group *gr = name[0] != '\0' ? getgrnam(name) : NULL;
	int rc;

	if (!sock_server_listening(&control_srv))
		return 0;
	if (gr == NULL) {
		/* No such group: root only, as without the feature. */
		control_group = (gid_t)-1;
		control_group_name[0] = '\0';
		rc = chmod(control_srv.path, 0600);
		if (rc == 0)
			rc = chown(control_srv.path, geteuid(), getegid());
		return rc;
	}
	control_group = gr->gr_gid;
	snprintf(control_group_name, sizeof(control_group_name), "%s", name);
	/* Group first, then the mode: never readable by the wrong group. */
	rc = chown(control_srv.path, geteuid(), gr->gr_gid);
	if (rc == 0)
		rc = chmod(control_srv.path, 0660);
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
	sock_server_fini(&control_srv);
}
