/* HAProxy runtime API (stats socket, admin level), asynchronously: a list
 * of commands runs in order, one connection each, and each answer must
 * contain the text HAProxy prints on success. Used to load minted
 * certificates without a reload. */
#ifndef HAPROXY_CLI_H
#define HAPROXY_CLI_H
#include <stdbool.h>
#include <stddef.h>

#include "event.h"

#define HACLI_MAX_CMDS	6
#define HACLI_ANSWER_MAX	4096	/* the answer buffer of hacli_run */

struct hacli_cmd {
	char *text;		/* the whole request, payload included (owned) */
	const char *expect;	/* substring of a successful answer */
};

typedef void (*hacli_done)(bool ok, const char *answer, void *arg);

/* One client: one run at a time. Separate clients (the periodic figures
 * of show forwarder) never delay the certificate loads of hacli_run. */
struct hacli {
	bool busy;
	char path[108];
	struct hacli_cmd cmds[HACLI_MAX_CMDS];
	size_t n, cur;
	int fd;
	size_t sent;
	char *answer;		/* cap bytes, NUL-terminated; longer is cut */
	size_t cap, alen;
	struct event_timer timer;
	bool timer_ok;
	hacli_done done;
	void *arg;
};
#define HACLI_INIT(buf)	{ .fd = -1, .answer = (buf), .cap = sizeof(buf) }

/* Takes ownership of each cmds[i].text. One run at a time: -1 when busy. */
int  hacli_run_on(struct hacli *, const char *sock_path, struct hacli_cmd *cmds,
    size_t n, hacli_done done, void *arg);
/* The same on the shared client. */
int  hacli_run(const char *sock_path, struct hacli_cmd *cmds, size_t n,
    hacli_done done, void *arg);
bool hacli_busy(void);
#endif
