/* Periodic health check of the HAProxy worker: every HPW_INTERVAL_MS an
 * HTTP request on its health socket (a frontend that answers 200 itself),
 * non-blocking in the event loop, given HPW_TIMEOUT_MS. A worker that is
 * stopped or livelocked still has its listening sockets, so the kernel
 * accepts the connection; only an answer proves it forwards. */
#ifndef HAPROXY_HEALTH_H
#define HAPROXY_HEALTH_H
#include <stdbool.h>

typedef void (*haproxy_health_cb)(bool ok, const char *why, void *arg);

/* Again after a failure makes only what is missing. */
int  haproxy_health_init(haproxy_health_cb, void *arg);
/* Starts (or keeps) checking sock_path; the first check is one interval away. */
void haproxy_health_start(const char *sock_path);
void haproxy_health_stop(void);
#endif
