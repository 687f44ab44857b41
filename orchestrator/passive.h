/* Passive health checking: HAProxy's access log tells when intercepted
 * traffic could not connect to the proxy in effect, long before the next
 * timed probe (up to a day later). The daemon then probes at once.
 *
 * The lines are those of templates/haproxy.cfg.tmpl's log-format: the
 * HTTP frontend's requests to be_proxy and the CONNECT client's tunnels
 * (ls_connect), both with the server "proxy". A termination state whose
 * first letter is S or s (the server side failed or timed out) and whose
 * second is C (while connecting) is a failed connection to the proxy. */
#ifndef PASSIVE_H
#define PASSIVE_H
#include <stdbool.h>

/* Pure: `line` is an access line of a failed connection to the proxy. */
bool passive_line_failed(const char *line);

/* Shell: failed() runs for each such line of HAProxy's log. */
void passive_open(void (*failed)(void *arg), void *arg);
void passive_log_line(const char *line);
#endif
