/* One stream server on the event loop, shared by the control socket, the
 * certificate socket and the metrics endpoint: a listener, a fixed table
 * of client slots, a bounded request buffer and deadlines per client, so a
 * slow or hostile client can hold neither memory, the loop, nor every
 * slot. The owner keeps its framing and its answers (the hooks below).
 *
 * Limits a client meets:
 *   request_ms  to send a complete request (closed otherwise);
 *   deadline_ms for the whole exchange, answer included;
 *   req_max     bytes of request (closed when it fills without ending);
 *   root_reserve the last free slots go only to root (or the daemon's own
 *               user), so no other local user can lock root out;
 *   evict_idle  when every slot is taken, the oldest client that has not
 *               sent a complete request is closed to make room. */
#ifndef SOCK_SERVER_H
#define SOCK_SERVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "event.h"
#include "log.h"

struct sock_server;

struct sock_client {
	int fd;				/* -1: the slot is free */
	size_t idx;			/* its slot, for the owner's own table */
	int64_t since;			/* accepted, monotonic ms */
	uid_t uid;			/* the peer's (unix socket), else -1 */
	gid_t gid;			/* its primary group, else -1 */
	bool privileged;		/* uid 0 or the daemon's own user */
	bool complete;			/* the request is in: not idle */
	char *req;			/* the request, NUL-terminated */
	size_t len;
	char *out;			/* the answer being written */
	size_t outlen, sent;
	struct sock_server *srv;
};

/* What the owner's framing says of the bytes in c->req so far. */
enum sock_input { SOCK_INPUT_MORE, SOCK_INPUT_COMPLETE };

/* Every slot taken and none to evict: close the newcomer at once, or
 * leave it (and those after it) waiting in the listen backlog. */
enum sock_full { SOCK_FULL_CLOSE, SOCK_FULL_BACKLOG };

struct sock_server_ops {
	void (*accepted)(struct sock_client *);		/* optional */
	enum sock_input (*input)(struct sock_client *);
	/* The request is complete: answer (sock_server_send), drop, or keep
	 * the client waiting for a later answer. */
	void (*request)(struct sock_client *);
	void (*dropped)(struct sock_client *);		/* optional, before close */
	/* Clients closed at a deadline: without a complete request, or
	 * without an answer in time (optional, to log). */
	void (*expired)(struct sock_server *, unsigned no_request, unsigned no_answer);
};

struct sock_server {
	/* The owner's settings, before sock_server_init. */
	const char *name;		/* starts its log lines */
	size_t slots;
	size_t req_max;			/* request buffer, NUL included */
	int backlog;
	int64_t request_ms, deadline_ms;
	size_t root_reserve;
	bool evict_idle;
	enum sock_full full;
	const struct sock_server_ops *ops;
	/* Kept by the server. */
	struct sock_client *c;		/* slots entries */
	int lfd;
	bool accepting;
	char path[108];			/* a unix socket's, unlinked at close */
	struct event_timer timer;
	struct log_ratelimit rl;
};

/* Allocates the slots (once); -1 when out of memory or timers. */
int  sock_server_init(struct sock_server *);
void sock_server_fini(struct sock_server *);
/* Binds (a unix socket under umask `mask`, replacing a stale one; an inet
 * one with SO_REUSEADDR), listens and polls. -1 with errno. */
int  sock_server_listen(struct sock_server *, const struct sockaddr *, socklen_t,
    mode_t mask);
bool sock_server_listening(const struct sock_server *);
/* Closes every client and the listener (a unix socket is unlinked). */
void sock_server_close(struct sock_server *);
/* Sends buf[0..len) (malloc'd, taken) and closes the client once sent. */
void sock_server_send(struct sock_client *, char *buf, size_t len);
/* The same with a copy of a string. */
void sock_server_reply(struct sock_client *, const char *s);
void sock_server_drop(struct sock_client *);
#endif
