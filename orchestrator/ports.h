/* The TCP ports of this box's forwarder (pure): HAProxy's listeners, and
 * the check that keeps a proxy candidate off them. */
#ifndef PORTS_H
#define PORTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define HAPROXY_HTTP_PORT	47080	/* TPROXY targets on 127.0.0.1 */
#define HAPROXY_HTTPS_PORT	47443
/* Every TCP port HAProxy listens on, the one list: a proxy candidate on
 * this box at one of them, or an intercepted port equal to one, would send
 * HAProxy's traffic back into HAProxy. A new listener port goes here. */
#define HAPROXY_LISTEN_PORTS	{ HAPROXY_HTTP_PORT, HAPROXY_HTTPS_PORT }

/* The address reaches one of HAProxy's own listener ports on this box: any
 * 127/8 address or one of local_ip, with a port of HAPROXY_LISTEN_PORTS.
 * HAProxy would forward to itself until it runs out of connections. */
bool ports_own_listener(const struct proxy_addr *, const uint32_t *local_ip,
    size_t nlocal_ip);
#define PORTS_OWN_LISTENER_WHY	"a listener of this box's own forwarder " \
	"(HAProxy would forward to itself)"
#endif
