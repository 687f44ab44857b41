/* Prometheus endpoint shell (see metrics.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"

/* HAProxy's exporter prints a few hundred lines per proxy: far below. */
#define METRICS_RELAY_MAX	(4 * 1024 * 1024)

struct metrics_client {
	int fd;
	int up;				/* HAProxy's exporter, -1 when not relaying */
	char req[METRICS_HTTP_HEAD_MAX];
	size_t reqlen;
	char *out;			/* the whole answer */
	size_t outlen, outcap, sent;
	bool up_sent;
	struct event_timer deadline;
};

static struct {
	int fd;
	struct cfg_endpoint addr;
	char up_path[108];
	metrics_snapshot_fn snapshot;
	bool inited;
	struct metrics_client c[METRICS_CLIENTS];
} mx = { .fd = -1 };

static struct log_ratelimit metrics_rl = LOG_RATELIMIT_INIT(60, 5);

static void
metrics_drop(struct metrics_client *c)
{
	if (c->up != -1) {
		event_del(c->up);
		close(c->up);
		c->up = -1;
	}
	if (c->fd != -1) {
		event_del(c->fd);
		close(c->fd);
		c->fd = -1;
	}
	free(c->out);
	c->out = NULL;
	event_timer_stop(&c->deadline);
}

static void
metrics_expired(void *arg)
{
	metrics_drop(arg);
}

static void
metrics_write(int fd, uint32_t events, void *arg)
{
	struct metrics_client *c = arg;

	while (c->sent < c->outlen) {
		ssize_t n = write(c->fd, c->out + c->sent, c->outlen - c->sent);

		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;
		}
		c->sent += (size_t)n;
	}
	metrics_drop(c);
}

/* Sends out[0..outlen) (already in c->out) and closes. */
static void
metrics_send(struct metrics_client *c)
{
	c->sent = 0;
	event_del(c->fd);
	if (event_add(c->fd, EPOLLOUT, metrics_write, c) == -1) {
		metrics_drop(c);
		return;
	}
	metrics_write(c->fd, EPOLLOUT, c);
}

static void
metrics_answer(struct metrics_client *c, const char *status, const char *body,
    size_t blen, bool head)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr), "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status,
	    strncmp(status, "200", 3) == 0 ?
	    "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8",
	    blen);

	if (head)
		blen = 0;
	/* The answer is final: a relay still open (a 502 while HAProxy's
	 * exporter was being read) must not read into the new buffer. */
	if (c->up != -1) {
		event_del(c->up);
		close(c->up);
		c->up = -1;
	}
	free(c->out);
	if (n < 0 || (c->out = malloc((size_t)n + blen)) == NULL) {
		c->out = NULL;
		metrics_drop(c);
		return;
	}
	memcpy(c->out, hdr, (size_t)n);
	if (blen > 0)
		memcpy(c->out + n, body, blen);
	c->outlen = (size_t)n + blen;
	metrics_send(c);
}

/* HAProxy's answer, relayed as it came once it is complete (HTTP/1.0:
 * HAProxy closes when it is done). */
static void
metrics_relay_io(int fd, uint32_t events, void *arg)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	struct metrics_client *c = arg;
	ssize_t n;

	if (!c->up_sent) {
		/* A few bytes into a fresh unix socket: written at once. */
		if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
			metrics_answer(c, "502 Bad Gateway", "HAProxy exporter unreachable\n",
			    29, false);
			return;
		}
		c->up_sent = true;
		event_mod(fd, EPOLLIN);
		return;
	}
	if (c->outlen == c->outcap) {
		size_t cap = c->outcap ? c->outcap * 2 : 65536;
		char *p = cap <= METRICS_RELAY_MAX ? realloc(c->out, cap) : NULL;

		if (p == NULL) {
			metrics_answer(c, "502 Bad Gateway", "HAProxy exporter answer too long\n",
			    33, false);
			return;
		}
		c->out = p;
		c->outcap = cap;
	}
	n = read(fd, c->out + c->outlen, c->outcap - c->outlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		c->outlen += (size_t)n;
		return;
	}
	event_del(c->up);
	close(c->up);
	c->up = -1;
	if (n == -1 || c->outlen == 0) {
		metrics_answer(c, "502 Bad Gateway", "HAProxy exporter unreachable\n", 29, false);
		return;
	}
	metrics_send(c);
}

static void
metrics_relay(struct metrics_client *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", mx.up_path);
	c->up = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	c->up_sent = false;
	c->outlen = c->outcap = 0;
	free(c->out);
	c->out = NULL;
	event_del(c->fd);	/* nothing more is read from the client */
	if (c->up == -1 || connect(c->up, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    event_add(c->up, EPOLLOUT, metrics_relay_io, c) == -1) {
		if (c->up != -1)
			close(c->up);
		c->up = -1;
		metrics_answer(c, "502 Bad Gateway", "HAProxy exporter unreachable\n", 29, false);
	}
}

static void
metrics_read(int fd, uint32_t events, void *arg)
{
	struct metrics_client *c = arg;
	char path[METRICS_HTTP_PATH_MAX];
	struct metrics_snapshot snap;
	enum metrics_http_result r;
	ssize_t n;
	size_t len;
	char *body;

	n = read(fd, c->req + c->reqlen, sizeof(c->req) - c->reqlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		metrics_drop(c);
		return;
	}
	c->reqlen += (size_t)n;
	r = metrics_http_parse(c->req, c->reqlen, path);
	switch (r) {
	case METRICS_HTTP_MORE:
		return;
	case METRICS_HTTP_BAD:
		metrics_answer(c, "400 Bad Request", "bad request\n", 12, false);
		return;
	case METRICS_HTTP_METHOD:
		metrics_answer(c, "405 Method Not Allowed", "GET only\n", 9, false);
		return;
	case METRICS_HTTP_GET:
	case METRICS_HTTP_HEAD:
		break;
	}
	if (strcmp(path, "/haproxy-metrics") == 0 && r == METRICS_HTTP_GET &&
	    mx.up_path[0] != '\0') {
		metrics_relay(c);
		return;
	}
	if (strcmp(path, "/metrics") != 0) {
		metrics_answer(c, "404 Not Found", "not found: try /metrics\n", 24,
		    r == METRICS_HTTP_HEAD);
		return;
	}
	memset(&snap, 0, sizeof(snap));
	mx.snapshot(&snap);
	if ((body = metrics_render(&snap, &len)) == NULL) {
		metrics_answer(c, "500 Internal Server Error", "out of memory\n", 14, false);
		return;
	}
	metrics_answer(c, "200 OK", body, len, r == METRICS_HTTP_HEAD);
	free(body);
}

static void
metrics_accept(int lfd, uint32_t events, void *arg)
{
	struct metrics_client *c = NULL;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd == -1)
		return;
	for (size_t i = 0; i < METRICS_CLIENTS; i++)
		if (mx.c[i].fd == -1) {
			c = &mx.c[i];
			break;
		}
	/* Busy: closed at once; a scraper tries again at its next interval. */
	if (c == NULL || event_add(fd, EPOLLIN, metrics_read, c) == -1) {
		log_limited(&metrics_rl, event_now(), LOG_WARN,
		    "metrics: connection refused: %d clients already", METRICS_CLIENTS);
		close(fd);
		return;
	}
	c->fd = fd;
	c->reqlen = 0;
	event_timer_arm(&c->deadline, METRICS_DEADLINE_MS);
}

void
metrics_close(void)
{
	for (size_t i = 0; mx.inited && i < METRICS_CLIENTS; i++)
		metrics_drop(&mx.c[i]);
	if (mx.fd != -1) {
		event_del(mx.fd);
		close(mx.fd);
		mx.fd = -1;
	}
}

int
metrics_configure(const struct config *cfg, const char *run_dir,
    metrics_snapshot_fn snapshot)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct proxy_addr a;
	char s[ADDR_STRLEN];
	int fd, one = 1;

	if (!mx.inited) {
		for (size_t i = 0; i < METRICS_CLIENTS; i++) {
			mx.c[i].fd = mx.c[i].up = -1;
			if (event_timer_init(&mx.c[i].deadline, metrics_expired, &mx.c[i]) == -1)
				return -1;
		}
		mx.inited = true;
	}
	mx.snapshot = snapshot;
	if (cfg->forwarder != FWD_HAPROXY ||
	    snprintf(mx.up_path, sizeof(mx.up_path), "%s/%s", run_dir,
	    METRICS_HAPROXY_SOCKET) >= (int)sizeof(mx.up_path))
		mx.up_path[0] = '\0';
	if (mx.fd != -1 && cfg->metrics_enabled && mx.addr.ip == cfg->metrics_listen.ip &&
	    mx.addr.port == cfg->metrics_listen.port)
		return 0;		/* unchanged */
	metrics_close();
	if (!cfg->metrics_enabled)
		return 0;
	a.ip = cfg->metrics_listen.ip;
	a.port = cfg->metrics_listen.port;
	addr_format(&a, s);
	sin.sin_addr.s_addr = htonl(a.ip);
	sin.sin_port = htons(a.port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 16) == -1 || event_add(fd, EPOLLIN, metrics_accept, NULL) == -1) {
		log_err("metrics: cannot listen on %s: %s (endpoint off)", s, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	mx.fd = fd;
	mx.addr = cfg->metrics_listen;
	log_info("metrics: Prometheus endpoint on http://%s/metrics", s);
	return 0;
}
