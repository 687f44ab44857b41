/* Runtime API client: connect, send a batch of commands, half-close, read
 * to EOF, check each answer. */
#include <errno.h>
#include <stdarg.h>
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
	free(cli->out);
	cli->out = NULL;
	for (size_t i = 0; i < cli->n; i++) {
		free(cli->cmds[i].text);
		cli->cmds[i].text = NULL;
	}
	cli->busy = false;
	if (cli->starting) {
		cli->failed_at_start = true;
		return;
	}
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

bool
hacli_answers_ok(char *answer, const struct hacli_cmd *cmds, size_t n)
{
	char *p = strstr(answer, HACLI_PROMPT);	/* after "prompt" */

	for (size_t i = 0; i < n; i++) {
		char *next;

		if (p == NULL)
			return false;
		p += strlen(HACLI_PROMPT);
		if ((next = strstr(p, HACLI_PROMPT)) == NULL)
			return false;
		*next = '\0';
		if (strstr(p, cmds[i].expect) == NULL) {
			/* The failed answer alone is the caller's reason. */
			memmove(answer, p, strlen(p) + 1);
			return false;
		}
		*next = '\n';
		p = next;
	}
	return true;
}

void
hacli_unprompt(char *answer)
{
	size_t plen = strlen(HACLI_PROMPT);
	char *r = answer, *w = answer;

	while (*r != '\0') {
		if (strncmp(r, HACLI_PROMPT, plen) == 0) {
			*w++ = '\n';
			r += plen;
		} else
			*w++ = *r++;
	}
	*w = '\0';
}

static void
hacli_io(int fd, uint32_t events, void *arg)
{
	struct hacli *cli = arg;
	size_t len = strlen(cli->out);
	ssize_t n;

	if (cli->sent < len) {
		n = write(fd, cli->out + cli->sent, len - cli->sent);
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
	if (!hacli_answers_ok(cli->answer, &cli->cmds[cli->cur],
	    cli->end - cli->cur)) {
		hacli_finish(cli, false);
		return;
	}
	/* Callers read the answers as HAProxy prints them without a prompt
	 * (a "show stat" header must start its line). */
	hacli_unprompt(cli->answer);
	event_del(fd);
	close(fd);
	cli->fd = -1;
	free(cli->out);
	cli->out = NULL;
	cli->cur = cli->end;
	hacli_next(cli);
}

/* The next connection: every command up to the next fence, pipelined in
 * interactive mode so that each answer ends with the prompt. */
static void
hacli_next(struct hacli *cli)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = sizeof("prompt\nquit\n");

	if (cli->cur == cli->n) {
		hacli_finish(cli, true);
		return;
	}
	for (cli->end = cli->cur; cli->end < cli->n; cli->end++) {
		if (cli->end > cli->cur && cli->cmds[cli->end].fence)
			break;
		len += strlen(cli->cmds[cli->end].text);
	}
	if ((cli->out = malloc(len)) == NULL) {
		snprintf(cli->answer, cli->cap, "out of memory");
		hacli_finish(cli, false);
		return;
	}
	strcpy(cli->out, "prompt\n");
	for (size_t i = cli->cur; i < cli->end; i++)
		strcat(cli->out, cli->cmds[i].text);
	strcat(cli->out, "quit\n");
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
		return;
	}
	/* Sent at once (a local socket takes it): HAProxy works on it while
	 * the caller goes on. */
	hacli_io(cli->fd, EPOLLOUT, cli);
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

void
hacli_cmd(struct hacli_cmd *c, const char *expect, const char *fmt, ...)
{
	va_list ap;

	c->expect = expect;
	va_start(ap, fmt);
	if (vasprintf(&c->text, fmt, ap) < 0)
		c->text = NULL;
	va_end(ap);
}

int
hacli_run_on(struct hacli *cli, const char *sock_path, struct hacli_cmd *cmds,
    size_t n, hacli_done done, void *arg)
{
	bool made = true;

	for (size_t i = 0; i < n; i++)
		made = made && cmds[i].text != NULL;
	if (cli->busy || !made || n == 0 || n > HACLI_MAX_CMDS) {
		for (size_t i = 0; i < n; i++)
			free(cmds[i].text);
		return -1;
	}
	if (!cli->timer_ok) {
		if (event_timer_init(&cli->timer, hacli_expired, cli) == -1) {
			for (size_t i = 0; i < n; i++)
				free(cmds[i].text);
			return -1;
		}
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
	cli->starting = true;
	cli->failed_at_start = false;
	hacli_next(cli);
	cli->starting = false;
	return cli->failed_at_start ? -1 : 0;
}
