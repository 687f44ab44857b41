/* TCP probe: three steps, as keepalived's check_tcp does — connect,
 * writable (or error), close — with a timer for the timeout. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

void
probe_cancel(struct probe *p)
{
	event_timer_stop(&p->timeout);
	p->err = 0;
	if (p->fd != -1) {
		event_del(p->fd);
		close(p->fd);
		p->fd = -1;
	}
}

static void
probe_finish(struct probe *p, bool ok, const char *why)
{
	probe_cancel(p);
	p->done(p->gen, ok, why, p->arg);
}

static void
probe_timed_out(void *arg)
{
	struct probe *p = arg;

	if (p->fd != -1)
		probe_finish(p, false, "connect timed out");
	else if (p->err != 0)
		probe_finish(p, false, strerror(p->err));
}

static void
probe_writable(int fd, uint32_t events, void *arg)
{
	struct probe *p = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0 && (events & (EPOLLERR | EPOLLHUP)))
		err = ECONNREFUSED;
	probe_finish(p, err == 0, err == 0 ? "" : strerror(err));
}

int
probe_init(struct probe *p, void (*done)(unsigned, bool, const char *, void *),
    void *arg)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->done = done;
	p->arg = arg;
	return event_timer_init(&p->timeout, probe_timed_out, p);
}

void
probe_start(struct probe *p, const struct proxy_addr *a, unsigned timeout_s,
    unsigned gen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd;

	probe_cancel(p);
	p->gen = gen;
	p->addr = *a;
	sin.sin_addr.s_addr = htonl(a->ip);
	sin.sin_port = htons(a->port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail_later;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		errno = e;
		goto fail_later;
	}
	/* Even an immediate success is reported from the loop, via EPOLLOUT. */
	if (event_add(fd, EPOLLOUT, probe_writable, p) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		goto fail_later;
	}
	p->fd = fd;
	event_timer_arm(&p->timeout, (uint64_t)timeout_s * 1000);
	return;
fail_later:
	/* Report through the timer so done() never runs inside the caller. */
	p->err = errno != 0 ? errno : EIO;
	event_timer_arm(&p->timeout, 1);
}

void
probe_fini(struct probe *p)
{
	probe_cancel(p);
	event_timer_fini(&p->timeout);
}
