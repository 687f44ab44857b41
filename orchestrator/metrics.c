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
#include "sock_server.h"

/* HAProxy's exporter prints a few hundred lines per proxy: far below. */
#define METRICS_RELAY_MAX	(4 * 1024 * 1024)

/* A relay of HAProxy's exporter for one client. */
struct metrics_relay {
	int up;				/* HAProxy's exporter, -1 when not relaying */
	bool up_sent;
	char *buf;			/* its whole answer */
	size_t len, cap;
};

static void metrics_dropped(struct sock_client *);
static enum sock_input metrics_input(struct sock_client *);
static void metrics_request(struct sock_client *);

static const struct sock_server_ops metrics_ops = {
	.input = metrics_input,
	.request = metrics_request,
	.dropped = metrics_dropped,
};

static struct {
	struct cfg_endpoint addr;
	char up_path[108];
	metrics_snapshot_fn snapshot;
	struct metrics_relay r[METRICS_CLIENTS];
	/* No peer credentials over TCP: a scraper gets in by closing the
	 * oldest client that has not sent its request. */
	struct sock_server srv;
} mx = {
	.srv = {
		.name = "metrics", .slots = METRICS_CLIENTS,
		.req_max = METRICS_HTTP_HEAD_MAX + 1, .backlog = 16,
		.request_ms = METRICS_DEADLINE_MS, .deadline_ms = METRICS_DEADLINE_MS,
		.evict_idle = true, .full = SOCK_FULL_CLOSE, .ops = &metrics_ops,
		.lfd = -1, .rl = LOG_RATELIMIT_INIT(60, 5),
	},
};

static void
metrics_relay_end(struct metrics_relay *r)
{
	event_close(&r->up);
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}

static void
metrics_dropped(struct sock_client *c)
{
	metrics_relay_end(&mx.r[c->idx]);
}

static void
metrics_answer(struct sock_client *c, const char *status, const char *body,
    size_t blen, bool head)
{
	char hdr[256], *out;
	int n = snprintf(hdr, sizeof(hdr), "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status,
	    strncmp(status, "200", 3) == 0 ?
	    "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8",
	    blen);

	if (head)
		blen = 0;
	if (n < 0 || (out = malloc((size_t)n + blen)) == NULL) {
		sock_server_drop(c);
		return;
	}
	memcpy(out, hdr, (size_t)n);
	if (blen > 0)
		memcpy(out + n, body, blen);
	/* The answer is final: a relay still open (a 502 while HAProxy's
	 * exporter was being read) must not read on. */
	metrics_relay_end(&mx.r[c->idx]);
	sock_server_send(c, out, (size_t)n + blen);
}

static void
metrics_unreachable(struct sock_client *c)
{
	metrics_answer(c, "502 Bad Gateway", "HAProxy exporter unreachable\n", 29, false);
}

/* HAProxy's answer, relayed as it came once it is complete (HTTP/1.0:
 * HAProxy closes when it is done). */
static void
metrics_relay_io(int fd, uint32_t events, void *arg)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	struct sock_client *c = arg;
	struct metrics_relay *r = &mx.r[c->idx];
	char *buf;
	size_t len;
	ssize_t n;

	if (!r->up_sent) {
		/* A few bytes into a fresh unix socket: written at once. */
		if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
			metrics_unreachable(c);
			return;
		}
		r->up_sent = true;
		event_mod(fd, EPOLLIN);
		return;
	}
	if (r->len == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 65536;
		char *p = cap <= METRICS_RELAY_MAX ? realloc(r->buf, cap) : NULL;

		if (p == NULL) {
			metrics_answer(c, "502 Bad Gateway", "HAProxy exporter answer too long\n",
			    33, false);
			return;
		}
		r->buf = p;
		r->cap = cap;
	}
	n = read(fd, r->buf + r->len, r->cap - r->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		r->len += (size_t)n;
		return;
	}
	if (n == -1 || r->len == 0) {
		metrics_unreachable(c);
		return;
	}
	buf = r->buf;
	len = r->len;
	r->buf = NULL;
	metrics_relay_end(r);
	sock_server_send(c, buf, len);
}

static void
metrics_relay(struct sock_client *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct metrics_relay *r = &mx.r[c->idx];

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", mx.up_path);
	metrics_relay_end(r);
	r->up = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	r->up_sent = false;
	if (r->up == -1 || connect(r->up, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    event_add(r->up, EPOLLOUT, metrics_relay_io, c) == -1)
		metrics_unreachable(c);
}

static enum sock_input
metrics_input(struct sock_client *c)
{
	char path[METRICS_HTTP_PATH_MAX];

	return metrics_http_parse(c->req, c->len, path) == METRICS_HTTP_MORE ?
	    SOCK_INPUT_MORE : SOCK_INPUT_COMPLETE;
}

static void
metrics_request(struct sock_client *c)
{
	char path[METRICS_HTTP_PATH_MAX];
	struct metrics_snapshot snap;
	enum metrics_http_result r;
	size_t len;
	char *body;

	r = metrics_http_parse(c->req, c->len, path);
	switch (r) {
	case METRICS_HTTP_MORE:
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

void
metrics_close(void)
{
	sock_server_close(&mx.srv);
}

int
metrics_configure(const struct config *cfg, const char *run_dir,
    metrics_snapshot_fn snapshot)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct proxy_addr a;
	char s[ADDR_STRLEN];

	if (mx.srv.c == NULL) {
		for (size_t i = 0; i < METRICS_CLIENTS; i++)
			mx.r[i].up = -1;
		if (sock_server_init(&mx.srv) == -1)
			return -1;
	}
	mx.snapshot = snapshot;
	if (cfg->forwarder != FWD_HAPROXY ||
	    snprintf(mx.up_path, sizeof(mx.up_path), "%s/%s", run_dir,
	    METRICS_HAPROXY_SOCKET) >= (int)sizeof(mx.up_path))
		mx.up_path[0] = '\0';
	if (sock_server_listening(&mx.srv) && cfg->metrics_enabled &&
	    mx.addr.ip == cfg->metrics_listen.ip && mx.addr.port == cfg->metrics_listen.port)
		return 0;		/* unchanged */
	metrics_close();
	if (!cfg->metrics_enabled)
		return 0;
	a.ip = cfg->metrics_listen.ip;
	a.port = cfg->metrics_listen.port;
	addr_format(&a, s);
	sin.sin_addr.s_addr = htonl(a.ip);
	sin.sin_port = htons(a.port);
	if (sock_server_listen(&mx.srv, (struct sockaddr *)&sin, sizeof(sin), 0) == -1) {
		log_err("metrics: cannot listen on %s: %s (endpoint off)", s, strerror(errno));
		return -1;
	}
	mx.addr = cfg->metrics_listen;
	log_info("metrics: Prometheus endpoint on http://%s/metrics", s);
	return 0;
}
