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

#define HACLI_TIMEOUT_MS	3000

static char hacli_default_answer[HACLI_ANSWER_MAX];
/* The instance of hacli_run: certificate loads and session shutdowns. */
static struct hacli hacli_default = HACLI_INIT(hacli_default_answer);

static void hacli_next(struct hacli *);

static void
hacli_finish(struct hacli *cli, bool ok)
{
	hacli_done done = cli->done;
	void *arg = cli->arg;

	if (cli->fd != -1) {
		event_del(cli->fd);
		close(cli->fd);
		cli->fd = -1;
	}
	event_timer_stop(&cli->timer);
	for (size_t i = 0; i < cli->n; i++) {
		free(cli->cmds[i].text);
		cli->cmds[i].text = NULL;
	}
	cli->busy = false;
	done(ok, cli->answer, arg);
}

static void
hacli_expired(void *arg)
{
	struct hacli *cli = arg;

	log_warn("haproxy runtime API: no answer within %d ms", HACLI_TIMEOUT_MS);
	snprintf(cli->answer, cli->cap, "no answer within %d ms",
	    HACLI_TIMEOUT_MS);
	hacli_finish(cli, false);
}

static void
hacli_io(int fd, uint32_t events, void *arg)
{
	struct hacli *cli = arg;
	struct hacli_cmd *c = &cli->cmds[cli->cur];
	size_t len = strlen(c->text);
	ssize_t n;

	if (cli->sent < len) {
		n = write(fd, c->text + cli->sent, len - cli->sent);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n == -1) {
			/* Never an empty reason for the caller to log. */
			snprintf(cli->answer, cli->cap, "%s: %s",
			    cli->path, strerror(errno));
			hacli_finish(cli, false);
			return;
		}
		cli->sent += (size_t)n;
		if (cli->sent < len)
			return;
		shutdown(fd, SHUT_WR);
		event_mod(fd, EPOLLIN);
		return;
	}
	n = read(fd, cli->answer + cli->alen, cli->cap - 1 - cli->alen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		cli->alen += (size_t)n;
		if (cli->alen < cli->cap - 1)
			return;
	}
	cli->answer[cli->alen] = '\0';
	if (n == -1 && cli->alen == 0)
		snprintf(cli->answer, cli->cap, "%s: %s", cli->path,
		    strerror(errno));
	if (strstr(cli->answer, c->expect) == NULL) {
		hacli_finish(cli, false);
		return;
	}
	event_del(fd);
	close(fd);
	cli->fd = -1;
	cli->cur++;
	hacli_next(cli);
}

static void
hacli_next(struct hacli *cli)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (cli->cur == cli->n) {
		hacli_finish(cli, true);
		return;
	}
	cli->sent = 0;
	cli->alen = 0;
	cli->answer[0] = '\0';
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", cli->path);
	cli->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cli->fd == -1 ||
	    connect(cli->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    event_add(cli->fd, EPOLLOUT, hacli_io, cli) == -1) {
		snprintf(cli->answer, cli->cap, "%s: %s", cli->path,
		    strerror(errno));
		hacli_finish(cli, false);
	}
}

bool
hacli_busy(void)
{
	return hacli_default.busy;
}

int
hacli_run(const char *sock_path, struct hacli_cmd *cmds, size_t n,
    hacli_done done, void *arg)
{
	return hacli_run_on(&hacli_default, sock_path, cmds, n, done, arg);
}

int
hacli_run_on(struct hacli *cli, const char *sock_path, struct hacli_cmd *cmds,
    size_t n, hacli_done done, void *arg)
{
	if (cli->busy || n == 0 || n > HACLI_MAX_CMDS) {
		for (size_t i = 0; i < n; i++)
			free(cmds[i].text);
		return -1;
	}
	if (!cli->timer_ok) {
		if (event_timer_init(&cli->timer, hacli_expired, cli) == -1)
			return -1;
		cli->timer_ok = true;
	}
	cli->busy = true;
	snprintf(cli->path, sizeof(cli->path), "%s", sock_path);
	memcpy(cli->cmds, cmds, n * sizeof(*cmds));
	cli->n = n;
	cli->cur = 0;
	cli->done = done;
	cli->arg = arg;
	event_timer_arm(&cli->timer, HACLI_TIMEOUT_MS);
	hacli_next(cli);
	return 0;
}
