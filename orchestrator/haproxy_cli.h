/* HAProxy runtime API (stats socket, admin level), asynchronously: a list
 * of commands runs in order, one connection each, and each answer must
 * contain the text HAProxy prints on success. Used to load minted
 * certificates without a reload. */
#ifndef HAPROXY_CLI_H
#define HAPROXY_CLI_H
#include <stdbool.h>
#include <stddef.h>

#define HACLI_MAX_CMDS	8

struct hacli_cmd {
	char *text;		/* the whole request, payload included (owned) */
	const char *expect;	/* substring of a successful answer */
};

typedef void (*hacli_done)(bool ok, const char *answer, void *arg);

/* Takes ownership of each cmds[i].text. One run at a time: -1 when busy. */
int  hacli_run(const char *sock_path, struct hacli_cmd *cmds, size_t n,
    hacli_done done, void *arg);
bool hacli_busy(void);
#endif
