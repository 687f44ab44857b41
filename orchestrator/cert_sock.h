/* The certificate request socket, <run-dir>/cert.sock (root:haproxy 0660):
 * HAProxy's Lua action connects, sends "NAME\n" and reads "ok\n" or
 * "error\n"; one request per connection. A local process must not be able
 * to keep HAProxy's requests out: a client has CERT_SOCK_LINE_MS to send its
 * name line, and when every slot is taken the oldest client that has not
 * sent one is closed to make room. Clients beyond the slots wait in the
 * listen backlog; none is refused. A client with no answer after
 * CERT_SOCK_ANSWER_MS is closed (the Lua action has given up at 3 s). */
#ifndef CERT_SOCK_H
#define CERT_SOCK_H
#include <stdbool.h>

#define CERT_SOCK_SLOTS		128
#define CERT_SOCK_LINE_MS	2000
#define CERT_SOCK_ANSWER_MS	10000

/* Listens on path; on_request runs whenever a valid name arrives. */
int  cert_sock_open(const char *path, void (*on_request)(void));
void cert_sock_close(void);
/* The (lower-case, valid) name the longest-waiting client asks for,
 * skipping deferred ones; NULL when none. */
const char *cert_sock_next(void);
/* Answers and closes every client waiting for name. */
void cert_sock_reply(const char *name, bool ok);
/* The clients waiting for name are skipped by cert_sock_next... */
void cert_sock_defer(const char *name);
/* ...until this. */
void cert_sock_resume(void);
#endif
