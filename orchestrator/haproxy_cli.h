/* HAProxy runtime API (stats socket, admin level), asynchronously: a list
 * of commands runs in order, pipelined on one connection in interactive
 * ("prompt") mode, and each answer must contain the text HAProxy prints on
 * success. A command marked fence goes on a new connection, sent only when
 * every answer before it was a success (HAProxy runs all the commands of
 * one connection whatever they answer). Used to load minted certificates
 * without a reload. */
#ifndef HAPROXY_CLI_H
#define HAPROXY_CLI_H
#include <stdbool.h>
#include <stddef.h>

#include "event.h"

#define HACLI_MAX_CMDS	8
#define HACLI_ANSWER_MAX	16384	/* the answer buffer of hacli_run */

struct hacli_cmd {
	char *text;		/* the whole request, payload included (owned) */
	const char *expect;	/* substring of a successful answer */
	bool fence;		/* only after the ones before succeeded */
};

typedef void (*hacli_done)(bool ok, const char *answer, void *arg);

/* One client: one run at a time. Separate clients (the periodic figures
 * of show forwarder) never delay the certificate loads of hacli_run. */
struct hacli {
	bool busy;
	char path[108];
	struct hacli_cmd cmds[HACLI_MAX_CMDS];
	size_t n, cur, end;	/* this connection: cmds[cur..end) */
	int fd;
	char *out;		/* what this connection sends */
	size_t sent;
	char *answer;		/* cap bytes, NUL-terminated; longer is cut */
	size_t cap, alen;
	struct event_timer timer;
	bool timer_ok;
	hacli_done done;
	void *arg;
	bool starting;		/* within hacli_run_on: a failure is its -1 */
	bool failed_at_start;
};
#define HACLI_INIT(buf)	{ .fd = -1, .answer = (buf), .cap = sizeof(buf) }

/* c's text from fmt (printf), c's expect; fence untouched. A text that
 * cannot be made is NULL, which hacli_run_on refuses. */
void hacli_cmd(struct hacli_cmd *c, const char *expect, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Takes ownership of each cmds[i].text. One run at a time: -1 when busy,
 * when a text is NULL, or when the first connection fails at once (done
 * is then not called);
 * otherwise done is called later, from the event loop, never from within.
 * The first batch is sent before this returns. */
int  hacli_run_on(struct hacli *, const char *sock_path, struct hacli_cmd *cmds,
    size_t n, hacli_done done, void *arg);
/* The same on the shared client. */
int  hacli_run(const char *sock_path, struct hacli_cmd *cmds, size_t n,
    hacli_done done, void *arg);
bool hacli_busy(void);

/* In interactive mode HAProxy ends every answer with this prompt; "prompt"
 * itself answers nothing, and "quit" ends the connection. */
#define HACLI_PROMPT		"\n> "
/* Pure: answer (NUL-terminated, what one connection that sent "prompt",
 * cmds[0..n) and "quit" read) holds, in order, an answer to each command
 * containing its expected text. On false, answer is cut down to the first
 * answer that did not (unchanged if the answers are missing). */
bool hacli_answers_ok(char *answer, const struct hacli_cmd *cmds, size_t n);
/* Pure: every prompt in answer becomes a plain newline, so that each
 * command's output starts its own line (done with an answer that passed). */
void hacli_unprompt(char *answer);
#endif
