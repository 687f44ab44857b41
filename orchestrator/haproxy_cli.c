/* Runtime API client: connect, send, half-close, read to EOF, check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "event.h"
#include "haproxy_cli.h"
#include "log.h"

#define HACLI_ANSWER_MAX	4096
#define HACLI_TIMEOUT_MS	3000

static struct {
	bool busy;
	char path[108];
	struct hacli_cmd cmds[HACLI_MAX_CMDS];
	size_t n, cur;
	int fd;
	size_t sent;
	char answer[HACLI_ANSWER_MAX];
	size_t alen;
	struct event_timer timer;
	bool timer_ok;
	hacli_done done;
	void *arg;
} cli = { .fd = -1 };

static void hacli_next(void);

static void
hacli_finish(bool ok)
{
	hacli_done done = cli.done;
	void *arg = cli.arg;

	if (cli.fd != -1) {
		event_del(cli.fd);
		close(cli.fd);
		cli.fd = -1;
	}
	event_timer_stop(&cli.timer);
	for (size_t i = 0; i < cli.n; i++) {
		free(cli.cmds[i].text);
		cli.cmds[i].text = NULL;
	}
	cli.busy = false;
	done(ok, cli.answer, arg);
}

static void
hacli_expired(void *arg)
{
	log_warn("haproxy runtime API: no answer within %d ms", HACLI_TIMEOUT_MS);
	snprintf(cli.answer, sizeof(cli.answer), "no answer within %d ms",
	    HACLI_TIMEOUT_MS);
	hacli_finish(false);
}

static void
hacli_io(int fd, uint32_t events, void *arg)
{
	struct hacli_cmd *c = &cli.cmds[cli.cur];
	size_t len = strlen(c->text);
	ssize_t n;

	if (cli.sent < len) {
		n = write(fd, c->text + cli.sent, len - cli.sent);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n == -1) {
			/* Never an empty reason for the caller to log. */
			snprintf(cli.answer, sizeof(cli.answer), "%s: %s",
			    cli.path, strerror(errno));
			hacli_finish(false);
			return;
		}
		cli.sent += (size_t)n;
		if (cli.sent < len)
			return;
		shutdown(fd, SHUT_WR);
		event_mod(fd, EPOLLIN);
		return;
	}
	n = read(fd, cli.answer + cli.alen, sizeof(cli.answer) - 1 - cli.alen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		cli.alen += (size_t)n;
		if (cli.alen < sizeof(cli.answer) - 1)
			return;
	}
	cli.answer[cli.alen] = '\0';
	if (n == -1 && cli.alen == 0)
		snprintf(cli.answer, sizeof(cli.answer), "%s: %s", cli.path,
		    strerror(errno));
	if (strstr(cli.answer, c->expect) == NULL) {
		hacli_finish(false);
		return;
	}
	event_del(fd);
	close(fd);
	cli.fd = -1;
	cli.cur++;
	hacli_next();
}

static void
hacli_next(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (cli.cur == cli.n) {
		hacli_finish(true);
		return;
	}
	cli.sent = 0;
	cli.alen = 0;
	cli.answer[0] = '\0';
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", cli.path);
	cli.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cli.fd == -1 ||
	    connect(cli.fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    event_add(cli.fd, EPOLLOUT, hacli_io, NULL) == -1) {
		snprintf(cli.answer, sizeof(cli.answer), "%s: %s", cli.path,
		    strerror(errno));
		hacli_finish(false);
	}
}

bool
hacli_busy(void)
{
	return cli.busy;
}

int
hacli_run(const char *sock_path, struct hacli_cmd *cmds, size_t n,
    hacli_done done, void *arg)
{
	if (cli.busy || n == 0 || n > HACLI_MAX_CMDS) {
		for (size_t i = 0; i < n; i++)
			free(cmds[i].text);
		return -1;
	}
	if (!cli.timer_ok) {
		if (event_timer_init(&cli.timer, hacli_expired, NULL) == -1)
			return -1;
		cli.timer_ok = true;
	}
	cli.busy = true;
	snprintf(cli.path, sizeof(cli.path), "%s", sock_path);
	memcpy(cli.cmds, cmds, n * sizeof(*cmds));
	cli.n = n;
	cli.cur = 0;
	cli.done = done;
	cli.arg = arg;
	event_timer_arm(&cli.timer, HACLI_TIMEOUT_MS);
	hacli_next();
	return 0;
}
