/* TCP probe: three steps, as keepalived's check_tcp does — connect,
 * writable (or error), close — with a timer for the timeout.
 *
 * A local routing error (no route, no source address) is retried every
 * PROBE_RETRY_MS until the timeout: a proxy learned from a DHCP ACK is
 * probed at once, often before the DHCP client has configured the address
 * and route it just obtained. A routing problem that lasts the whole
 * timeout is still a failure: it prevents the handshake. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

#define PROBE_RETRY_MS	250

static void
probe_close(struct probe *p)
{
	event_close(&p->fd);
}

void
probe_cancel(struct probe *p)
{
	event_timer_stop(&p->timeout);
	event_timer_stop(&p->retry);
	p->err = 0;
	p->active = false;
	probe_close(p);
}

static void
probe_finish(struct probe *p, bool ok, const char *why)
{
	probe_cancel(p);
	p->done(p->gen, ok, why, p->arg);
}

static bool
probe_retryable(int err)
{
	return err == ENETUNREACH || err == EHOSTUNREACH || err == EADDRNOTAVAIL;
}

/* A failed attempt: try again if the error may pass and time remains. */
static void
probe_failed(struct probe *p, int err)
{
	probe_close(p);
	p->err = err;
	if (probe_retryable(err) &&
	    event_mono_ms() + PROBE_RETRY_MS < p->deadline_ms) {
		event_timer_arm(&p->retry, PROBE_RETRY_MS);
		return;
	}
	/* Report from the loop, never from inside the caller. */
	event_timer_arm(&p->retry, 1);
	p->give_up = true;
}

static void
probe_timed_out(void *arg)
{
	struct probe *p = arg;

	if (p->active)
		probe_finish(p, false, p->err != 0 ? strerror(p->err) : "connect timed out");
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
	if (err == 0)
		probe_finish(p, true, "");
	else
		probe_failed(p, err);
}

static void
probe_connect(struct probe *p)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd;

	sin.sin_addr.s_addr = htonl(p->addr.ip);
	sin.sin_port = htons(p->addr.port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		probe_failed(p, errno);
		return;
	}
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		probe_failed(p, e);
		return;
	}
	/* Even an immediate success is reported from the loop, via EPOLLOUT. */
	if (event_add(fd, EPOLLOUT, probe_writable, p) == -1) {
		int e = errno;

		close(fd);
		probe_failed(p, e);
		return;
	}
	p->fd = fd;
}

static void
probe_retry_due(void *arg)
{
	struct probe *p = arg;

	if (!p->active)
		return;
	if (p->give_up)
		probe_finish(p, false, strerror(p->err));
	else
		probe_connect(p);
}

int
probe_init(struct probe *p, void (*done)(unsigned, bool, const char *, void *),
    void *arg)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->done = done;
	p->arg = arg;
	if (event_timer_init(&p->timeout, probe_timed_out, p) == -1)
		return -1;
	return event_timer_init(&p->retry, probe_retry_due, p);
}

void
probe_start(struct probe *p, const struct proxy_addr *a, unsigned timeout_s,
    unsigned gen)
{
	probe_cancel(p);
	p->gen = gen;
	p->addr = *a;
	p->active = true;
	p->give_up = false;
	p->deadline_ms = event_mono_ms() + (int64_t)timeout_s * 1000;
	event_timer_arm(&p->timeout, (uint64_t)timeout_s * 1000);
	probe_connect(p);
}

bool
probe_busy(const struct probe *p)
{
	return p->active;
}

void
probe_fini(struct probe *p)
{
	probe_cancel(p);
	event_timer_fini(&p->timeout);
	event_timer_fini(&p->retry);
}
