/* Control socket: <run-dir>/mgmt-proxy.sock, mode 0600 (root only), or
 * 0660 root:GROUP when the read-only group exists; each request is checked
 * against the peer's credentials (ctl_verbs.h says who may do what).
 * Protocol: the client sends one request line ("show alarms\n"), the
 * daemon answers with one JSON document and closes:
 *   {"status": 0, "result": ...}  or  {"status": 1, "errors": ["..."]}
 * A client has CONTROL_DEADLINE_MS for the whole exchange; at
 * most CONTROL_CLIENTS at once, the last CONTROL_ROOT_SLOTS free ones for
 * root only; beyond, a client is closed at once (the CLI says busy). */
#ifndef CONTROL_H
#define CONTROL_H
#include <jansson.h>

#define CONTROL_SOCKET	"mgmt-proxy.sock"
#define CONTROL_REQ_MAX	512
#define CONTROL_CLIENTS	16
#define CONTROL_DEADLINE_MS	5000
#define CONTROL_ROOT_SLOTS	4

/* Handles one request; returns the whole reply (caller frees). */
typedef json_t *(*control_handler)(const char *request, void *arg);

int  control_open(const char *path, control_handler, void *arg);
void control_close(void);
/* The read-only group (its name; "" for none): socket mode and owner
 * follow. A group that does not exist on the box means root only. -1 with
 * errno when the socket's owner or mode could not be set. */
int  control_set_group(const char *name);
/* The group in force, "" when root only. */
const char *control_group_in_force(void);
/* Builders for replies. */
json_t *control_ok(json_t *result);		/* steals result */
json_t *control_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
