/* Control socket: <run-dir>/mgmt-proxy.sock, mode 0600, and a peer
 * credential check so only root (or the daemon's own user) is served.
 * Protocol: the client sends one request line ("show alarms\n"), the
 * daemon answers with one JSON document and closes:
 *   {"status": 0, "result": ...}  or  {"status": 1, "errors": ["..."]} */
#ifndef CONTROL_H
#define CONTROL_H
#include <jansson.h>

#define CONTROL_SOCKET	"mgmt-proxy.sock"
#define CONTROL_REQ_MAX	512
#define CONTROL_CLIENTS	16

/* Handles one request; returns the whole reply (caller frees). */
typedef json_t *(*control_handler)(const char *request, void *arg);

int  control_open(const char *path, control_handler, void *arg);
void control_close(void);
/* Builders for replies. */
json_t *control_ok(json_t *result);		/* steals result */
json_t *control_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#endif
