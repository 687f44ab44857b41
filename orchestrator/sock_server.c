/* The stream server behind the daemon's sockets (see sock_server.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sock_server.h"

static void sock_server_tick(void *);

int
sock_server_init(struct sock_server *s)
{
	if (s->c != NULL)
		return 0;
	s->lfd = -1;
	s->c = calloc(s->slots, sizeof(*s->c));
	if (s->c == NULL)
		return -1;
	for (size_t i = 0; i < s->slots; i++) {
		s->c[i].fd = -1;
		s->c[i].idx = i;
		s->c[i].srv = s;
		if ((s->c[i].req = malloc(s->req_max)) == NULL)
			goto fail;
	}
	if (event_timer_init(&s->timer, sock_server_tick, s) == 0)
		return 0;
fail:
	/* Nothing kept: a later call tries again, never a slot without its
	 * buffer or a server without its timer. */
	for (size_t i = 0; i < s->slots; i++)
		free(s->c[i].req);
	free(s->c);
	s->c = NULL;
	return -1;
}

void
sock_server_fini(struct sock_server *s)
{
	if (s->c == NULL)
		return;
	sock_server_close(s);
	event_timer_fini(&s->timer);
	for (size_t i = 0; i < s->slots; i++)
		free(s->c[i].req);
	free(s->c);
	s->c = NULL;
}

/* When a client must have sent its request, or be done. */
static int64_t
sock_server_due(const struct sock_server *s, const struct sock_client *c)
{
	int64_t ms = s->deadline_ms;

	if (!c->complete && s->request_ms < ms)
		ms = s->request_ms;
	return c->since + ms;
}

/* Closes whoever is past a deadline; re-arms for the next one. */
static void
sock_server_tick(void *arg)
{
	struct sock_server *s = arg;
	int64_t now = event_mono_ms(), next = -1;
	unsigned no_request = 0, no_answer = 0;

	for (size_t i = 0; i < s->slots; i++) {
		struct sock_client *c = &s->c[i];
		int64_t due;

		if (c->fd == -1)
			continue;
		due = sock_server_due(s, c);
		if (now >= due) {
			if (c->complete)
				no_answer++;
			else
				no_request++;
			sock_server_drop(c);
		} else if (next == -1 || due - now < next)
			next = due - now;
	}
	if ((no_request > 0 || no_answer > 0) && s->ops->expired != NULL)
		s->ops->expired(s, no_request, no_answer);
	if (next >= 0)
		event_timer_arm(&s->timer, (uint64_t)next + 1);
	else
		event_timer_stop(&s->timer);
}

static void
sock_server_close_fd(struct sock_client *c)
{
	if (c->srv->ops->dropped != NULL)
		c->srv->ops->dropped(c);
	event_close(&c->fd);
	free(c->out);
	c->out = NULL;
}

/* Frees a slot; a client waiting in the backlog may take it. */
void
sock_server_drop(struct sock_client *c)
{
	struct sock_server *s = c->srv;

	if (c->fd == -1)
		return;
	sock_server_close_fd(c);
	if (!s->accepting && s->lfd != -1 && event_mod(s->lfd, EPOLLIN) == 0)
		s->accepting = true;
}

static void
sock_server_write(int fd, uint32_t events, void *arg)
{
	struct sock_client *c = arg;

	while (c->sent < c->outlen) {
		ssize_t n = write(c->fd, c->out + c->sent, c->outlen - c->sent);

		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;
		}
		c->sent += (size_t)n;
	}
	sock_server_drop(c);
}

void
sock_server_send(struct sock_client *c, char *buf, size_t len)
{
	if (c->fd == -1) {
		free(buf);
		return;
	}
	free(c->out);
	c->out = buf;
	c->outlen = len;
	c->sent = 0;
	if (buf == NULL) {
		sock_server_drop(c);
		return;
	}
	event_del(c->fd);
	if (event_add(c->fd, EPOLLOUT, sock_server_write, c) == -1) {
		sock_server_drop(c);
		return;
	}
	sock_server_write(c->fd, EPOLLOUT, c);
}

void
sock_server_reply(struct sock_client *c, const char *str)
{
	sock_server_send(c, strdup(str), strlen(str));
}

static void
sock_server_read(int fd, uint32_t events, void *arg)
{
	struct sock_client *c = arg;
	struct sock_server *s = c->srv;
	ssize_t n;

	if (c->complete) {
		/* One request per connection: what follows is ignored, and
		 * only the peer's close is of interest. */
		char sink[64];

		n = read(fd, sink, sizeof(sink));
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			sock_server_drop(c);
		return;
	}
	n = read(fd, c->req + c->len, s->req_max - 1 - c->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		sock_server_drop(c);
		return;
	}
	c->len += (size_t)n;
	c->req[c->len] = '\0';
	if (s->ops->input(c) == SOCK_INPUT_MORE) {
		if (c->len == s->req_max - 1)
			sock_server_drop(c);	/* no request is this long */
		return;
	}
	c->complete = true;
	s->ops->request(c);
}

/* The slot for a new client: a free one (the last root_reserve ones for
 * root only), else with evict_idle the one of the oldest client that has
 * not sent a complete request; NULL when none. */
static struct sock_client *
sock_server_pick(const struct sock_server *s, bool privileged)
{
	struct sock_client *free_slot = NULL, *idle = NULL;
	size_t nfree = 0;

	for (size_t i = 0; i < s->slots; i++) {
		struct sock_client *c = &s->c[i];

		if (c->fd == -1) {
			if (nfree++ == 0)
				free_slot = c;
		} else if (!c->complete && (idle == NULL || c->since < idle->since))
			idle = c;
	}
	if (free_slot != NULL && (privileged || nfree > s->root_reserve))
		return free_slot;
	return s->evict_idle ? idle : NULL;
}

static void
sock_server_peer(struct sock_client *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	c->uid = (uid_t)-1;
	c->gid = (gid_t)-1;
	c->privileged = false;
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
		c->uid = cred.uid;
		c->gid = cred.gid;
		c->privileged = cred.uid == 0 || cred.uid == geteuid();
	}
}

static void
sock_server_accept(int lfd, uint32_t events, void *arg)
{
	struct sock_server *s = arg;

	/* A bounded batch per wake-up: a client accepted in a flood of idle
	 * ones gets its request read before it could become the oldest idle
	 * one and be closed to make room. */
	for (size_t batch = 0; batch < s->slots / 4 + 1; batch++) {
		struct sock_client *c, tmp = { .srv = s };
		int fd;

		if (s->full == SOCK_FULL_BACKLOG && sock_server_pick(s, true) == NULL) {
			/* Every slot holds a request: the rest wait in the
			 * backlog until one is answered (sock_server_drop). */
			if (event_mod(lfd, 0) == 0)
				s->accepting = false;
			return;
		}
		if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
			return;
		tmp.fd = fd;
		sock_server_peer(&tmp);
		if ((c = sock_server_pick(s, tmp.privileged)) == NULL) {
			/* Busy: a client says so when its answer is empty. */
			log_limited(&s->rl, event_now(), LOG_WARN,
			    "%s: connection refused: %zu clients already", s->name,
			    s->slots);
			close(fd);
			continue;
		}
		if (c->fd != -1) {
			log_limited(&s->rl, event_now(), LOG_WARN,
			    "%s: every slot taken; closing the oldest idle one", s->name);
			sock_server_close_fd(c);
		}
		c->fd = fd;
		c->uid = tmp.uid;
		c->gid = tmp.gid;
		c->privileged = tmp.privileged;
		c->since = event_mono_ms();
		c->complete = false;
		c->len = 0;
		c->req[0] = '\0';
		if (event_add(fd, EPOLLIN, sock_server_read, c) == -1) {
			close(fd);
			c->fd = -1;
			continue;
		}
		if (s->ops->accepted != NULL)
			s->ops->accepted(c);
		/* The timer may wait for a later deadline (a request waiting
		 * for its answer): arm it for the earliest. */
		sock_server_tick(s);
		/* Clients send their request right after connecting: it is
		 * usually there already. */
		sock_server_read(fd, EPOLLIN, c);
	}
}

int
sock_server_listen(struct sock_server *s, const struct sockaddr *sa, socklen_t len,
    mode_t mask)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	mode_t old = 0;
	int fd, one = 1, e;

	sock_server_close(s);
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (sa->sa_family == AF_UNIX) {
		unlink(sun->sun_path);
		old = umask(mask);	/* born with its mode: no window */
	} else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		goto fail;
	if (bind(fd, sa, len) == -1) {
		if (sa->sa_family == AF_UNIX)
			umask(old);
		goto fail;
	}
	if (sa->sa_family == AF_UNIX) {
		umask(old);
		memcpy(s->path, sun->sun_path, sizeof(s->path));
	}
	if (listen(fd, s->backlog) == -1 ||
	    event_add(fd, EPOLLIN, sock_server_accept, s) == -1)
		goto fail;
	s->lfd = fd;
	s->accepting = true;
	return 0;
fail:
	/* The caller reports the first failure, not the clean-up's. */
	e = errno;
	close(fd);
	if (s->path[0] != '\0')
		unlink(s->path);
	s->path[0] = '\0';
	errno = e;
	return -1;
}

bool
sock_server_listening(const struct sock_server *s)
{
	return s->lfd != -1;
}

void
sock_server_close(struct sock_server *s)
{
	if (s->c == NULL)
		return;
	for (size_t i = 0; i < s->slots; i++)
		if (s->c[i].fd != -1)
			sock_server_close_fd(&s->c[i]);
	event_close(&s->lfd);
	if (s->path[0] != '\0')
		unlink(s->path);
	s->path[0] = '\0';
	s->accepting = false;
	event_timer_stop(&s->timer);
}
