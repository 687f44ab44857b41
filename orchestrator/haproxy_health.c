/* HAProxy health check client (see haproxy_health.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "event.h"
#include "haproxy_health.h"
#include "haproxy_watch.h"

static const char haproxy_health_req[] = "GET /health HTTP/1.0\r\n\r\n";

static struct {
	char path[108];
	int fd;
	bool running;
	size_t sent;
	char answer[64];
	size_t alen;
	struct event_timer interval, timeout;
	haproxy_health_cb cb;
	void *arg;
} hh = { .fd = -1, .interval = { .fd = -1 }, .timeout = { .fd = -1 } };

static void
haproxy_health_close(void)
{
	if (hh.fd != -1) {
		event_del(hh.fd);
		close(hh.fd);
		hh.fd = -1;
	}
	event_timer_stop(&hh.timeout);
}

static void
haproxy_health_done(bool ok, const char *why)
{
	haproxy_health_close();
	hh.cb(ok, why, hh.arg);
}

static void
haproxy_health_expired(void *arg)
{
	if (hh.fd != -1)
		haproxy_health_done(false, "no answer in time");
}

static void
haproxy_health_io(int fd, uint32_t events, void *arg)
{
	size_t len = sizeof(haproxy_health_req) - 1;
	ssize_t n;

	if (hh.sent < len) {
		n = write(fd, haproxy_health_req + hh.sent, len - hh.sent);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n == -1) {
			haproxy_health_done(false, strerror(errno));
			return;
		}
		hh.sent += (size_t)n;
		if (hh.sent == len)
			event_mod(fd, EPOLLIN);
		return;
	}
	n = read(fd, hh.answer + hh.alen, sizeof(hh.answer) - 1 - hh.alen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		hh.alen += (size_t)n;
	hh.answer[hh.alen] = '\0';
	/* The status line is all that counts: "HTTP/1.x 200 ". */
	if (hh.alen >= 13 || n <= 0) {
		bool ok = strncmp(hh.answer, "HTTP/1.", 7) == 0 &&
		    strncmp(hh.answer + 8, " 200 ", 5) == 0;

		haproxy_health_done(ok, ok ? "" : n < 0 ? strerror(errno) :
		    "unexpected answer");
	}
}

/* A non-blocking connect to the health socket, polled for writing. */
static int
haproxy_health_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", hh.path);
	hh.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (hh.fd == -1)
		return -1;
	if (connect(hh.fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 &&
	    errno != EINPROGRESS)
		return -1;
	return event_add(hh.fd, EPOLLOUT, haproxy_health_io, NULL);
}

static void
haproxy_health_due(void *arg)
{
	char why[160];

	event_timer_arm(&hh.interval, HPW_INTERVAL_MS);
	if (hh.fd != -1)	/* cannot happen with timeout < interval */
		haproxy_health_done(false, "no answer in time");
	hh.sent = 0;
	hh.alen = 0;
	if (haproxy_health_connect() == 0) {
		event_timer_arm(&hh.timeout, HPW_TIMEOUT_MS);
		return;
	}
	/* Copied: closing the socket may change errno. */
	snprintf(why, sizeof(why), "%s", strerror(errno));
	haproxy_health_done(false, why);
}

int
haproxy_health_init(haproxy_health_cb cb, void *arg)
{
	hh.cb = cb;
	hh.arg = arg;
	/* Called again after a failed set-up: make only the missing timers. */
	if (event_timer_ensure(&hh.interval, haproxy_health_due, NULL) == -1 ||
	    event_timer_ensure(&hh.timeout, haproxy_health_expired, NULL) == -1)
		return -1;
	return 0;
}

void
haproxy_health_start(const char *sock_path)
{
	snprintf(hh.path, sizeof(hh.path), "%s", sock_path);
	if (hh.running)
		return;
	hh.running = true;
	event_timer_arm(&hh.interval, HPW_INTERVAL_MS);
}

void
haproxy_health_stop(void)
{
	hh.running = false;
	event_timer_stop(&hh.interval);
	haproxy_health_close();
}
