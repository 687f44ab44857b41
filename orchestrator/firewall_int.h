/* The parts of the firewall owner (firewall.c is the only caller). */
#ifndef FIREWALL_INT_H
#define FIREWALL_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firewall.h"

/* Appends *item to a growing array (*arr, n used, *cap allocated) of at
 * most max elements; false when full or out of memory. */
bool firewall_push(void *arr, size_t *n, size_t *cap, size_t max,
    const void *item, size_t size);

/* ---- firewall_route.c: the TPROXY rule and local route (rtnetlink) ---- */
struct firewall_route_obs {
	unsigned nrules;	/* rules fwmark M/M lookup T, any priority */
	bool rule_ours;		/* one of them has FIREWALL_RULE_PRIORITY */
	bool route;		/* local 0.0.0.0/0 in table T */
};
int firewall_route_add(void);	/* idempotent: exactly one rule */
int firewall_route_del(void);	/* every copy; absent is success */
int firewall_route_observe(struct firewall_route_obs *);

/* ---- firewall_queue.c: the xt NFQUEUE rule (libnftnl) ----
 * This kernel may lack nft's native `queue` expression (CONFIG_NFT_QUEUE),
 * while the xtables NFQUEUE target is built in and reachable through
 * nft_compat; so the one rule "NFQUEUE --queue-num N --queue-bypass" is
 * added as an xt target into a chain of our own table. All matching stays
 * native nft (rendered text); native rules `jump` to that chain.
 *
 * Makes the queue rule the only rule of chain `chain` of table
 * `ip <table>`: flush and add in one atomic batch, so a reload never leaves
 * the chain empty and a restart never leaves two rules. */
int firewall_queue_set(const char *table, const char *chain, uint16_t queue,
    char *err, size_t errlen);

/* ---- firewall_timewait.c ---- */
/* Destroys the TIME-WAIT sockets of intercepted connections. */
void firewall_timewait_forget(void);
#endif
