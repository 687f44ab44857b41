/* Policy routing for TPROXY: packets the nftables table marks are routed
 * to the local stack (ip rule fwmark M lookup T; local 0.0.0.0/0 dev lo
 * table T), through rtnetlink (libmnl) without forking ip(8). */
#ifndef ROUTE_H
#define ROUTE_H
#include <stdint.h>

#define ROUTE_FWMARK	0x4d50u		/* "MP" */
#define ROUTE_TABLE	4790u

int route_tproxy_add(void);	/* idempotent */
int route_tproxy_del(void);	/* absent is success */
#endif
