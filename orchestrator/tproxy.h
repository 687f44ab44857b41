/* Interception: the nftables table `inet mgmt_proxy` (from
 * templates/nftables.nft.tmpl, replaced in one transaction) sends TCP to
 * the HTTP and HTTPS ports arriving on the intercept interfaces to
 * HAProxy by TPROXY; the policy routing of route.c delivers the marked
 * packets locally. Loopback, the router's own addresses and the proxy's
 * address are never intercepted. Removing the table lets traffic go
 * direct again: torn-down forwarding is never a black hole. */
#ifndef TPROXY_H
#define TPROXY_H
#include "addr.h"
#include "config.h"

#define TPROXY_FAMILY	"inet"
#define TPROXY_TABLE	"mgmt_proxy"

int  tproxy_apply(const struct config *, const struct proxy_addr *proxy);
void tproxy_remove(void);
/* Pure: the ruleset text (NULL with *why on error). */
char *tproxy_render(const struct config *, const struct proxy_addr *proxy,
    const char **why);
#endif
