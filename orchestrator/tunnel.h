/* HTTPS through CONNECT: the settings HAProxy's CONNECT client needs
 * (which names are tunnelled without decryption, which CAs are trusted for
 * origins, the proxy credentials), written as files beside haproxy.cfg, and
 * the tally of tunnels HAProxy reports in its log.
 *
 * HAProxy's Lua filter (haproxy/connect-tunnel.lua) logs one line per
 * CONNECT: "mgmt-proxy-tunnel opened NAME:PORT STATUS" or
 * "mgmt-proxy-tunnel refused NAME:PORT REASON". The daemon reads HAProxy's
 * log anyway; counting those lines there keeps the tally across HAProxy
 * reloads (a new worker starts its Lua afresh) with no second channel. */
#ifndef TUNNEL_H
#define TUNNEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "tunnel_stats.h"

/* Pure: a HAProxy log line; true (and *ev) when it is a tunnel event. */
bool tunnel_parse_line(const char *line, struct tunnel_event *ev);
/* Pure: HAProxy's stderr copy of a tunnel line ("[warning] 331/053047
 * (10329) : mgmt-proxy-tunnel ..."): the Lua logger writes each line to the
 * log and, unless HAProxy runs quiet (which would also hide the master's
 * "Loading success." the daemon waits for), to stderr again. */
bool tunnel_line_is_echo(const char *line);
/* Pure: counts an event. */
void tunnel_stats_add(struct tunnel_stats *, const struct tunnel_event *,
    int64_t now);

/* The tally of this daemon's life. */
const struct tunnel_stats *tunnel_stats(void);
/* A line of HAProxy's log (counted when it is a tunnel event). */
void tunnel_log_line(const char *line);

/* Takes the tls/upstream settings in force; true when they, or the content
 * of the files they name, differ from the previous ones (the files must be
 * written again, HAProxy reloaded). */
bool tunnel_configure(const struct config *cfg);
bool tunnel_inspect(void);
/* Writes the files haproxy.cfg refers to into run_dir: no-inspect.lst,
 * no-inspect-suffix.lst, origin-ca.pem, origin-error.http, proxy-auth
 * (0600; empty without credentials). -1 and `why` on failure. */
int tunnel_write_files(const char *run_dir, char *why, size_t len);
/* The PEM bundle origins are verified against: the system store, then
 * each file (mgmt-proxyctl test trusts exactly what HAProxy trusts).
 * NULL and `why` on failure; the caller frees. */
char *tunnel_ca_bundle(char (*files)[CFG_PATH_MAX], size_t n,
    size_t *len, char *why, size_t wlen);
#endif
