/* The TCP ports HAProxy listens on (pure constants, shared by the
 * configuration check, selection and the forwarder). */
#ifndef HAPROXY_PORTS_H
#define HAPROXY_PORTS_H

#define HAPROXY_HTTP_PORT	47080	/* TPROXY targets on 127.0.0.1 */
#define HAPROXY_HTTPS_PORT	47443
/* Every TCP port HAProxy listens on, the one list: a proxy candidate on
 * this box at one of them, or an intercepted port equal to one, would send
 * HAProxy's traffic back into HAProxy. A new listener port goes here. */
#define HAPROXY_LISTEN_PORTS	{ HAPROXY_HTTP_PORT, HAPROXY_HTTPS_PORT }
#endif
