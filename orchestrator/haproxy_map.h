/* HAProxy's proxy map (<run-dir>/proxy.map): its one entry, "active
 * A.B.C.D:PORT", is the proxy every stream of be_proxy and ls_connect is
 * pointed at, read per request. A start or reload reads the file; a change
 * at run time is the same entry through the runtime API. */
#ifndef HAPROXY_MAP_H
#define HAPROXY_MAP_H
#include <stdbool.h>

#include "addr.h"
#include "haproxy_cli.h"

#define HAPROXY_MAP_FILE	"proxy.map"

/* The map file in run_dir; -1 (ENAMETOOLONG) when its path is too long. */
int  haproxy_map_init(const char *run_dir);
/* Writes the file (validated numbers only); -1 logged. */
int  haproxy_map_write(const struct proxy_addr *);
/* The proxy of the last file written (zero before any). */
const struct proxy_addr *haproxy_map_written(void);
/* On the runtime API at api (the file written first, by the caller): set
 * map, get map (it must answer the new value), and "set server
 * be_origin/origin ssl on"
 * (no change on a server with TLS, but HAProxy 2.6 purges its idle
 * connections with it); with shutdown, the sessions of the proxy are ended
 * after the change. done as for hacli_run_on; -1 when nothing was sent. */
int  haproxy_map_change(const char *api, const struct proxy_addr *, bool shutdown,
    hacli_done done, void *arg);
/* The two commands that end the HTTP requests and CONNECT tunnels through
 * the proxy. */
void haproxy_map_shutdown_cmds(struct hacli_cmd cmd[2]);
#endif
