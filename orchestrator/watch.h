/* Watches the kernel state the daemon owns and repairs it: nftables
 * events (NFNLGRP_NFTABLES) and rtnetlink rule and route events, read
 * with libmnl in the event loop. A firewall reload (`nft flush ruleset`)
 * or a routing-policy manager removing rules it does not know would
 * otherwise break interception, or send it into a black hole, while
 * status says forwarding. Events are debounced, then the state is looked
 * at and what reconcile.c finds lost is re-installed from the same
 * templates that installed it. Changes made by this process are not
 * events of interest (nftables reports the pid of each transaction);
 * rtnetlink changes of ours are looked at and found in order. */
#ifndef WATCH_H
#define WATCH_H
#include <stdint.h>

#include "reconcile.h"

struct watch_ops {
	/* What should be in place now. */
	void (*want)(struct recon_want *);
	/* Re-install interception; -1 when it failed. */
	int  (*repair_intercept)(void);
	/* Give up: tear interception down and report why. */
	void (*lost_intercept)(const char *why);
	/* Re-install the DHCP snooping table; -1 when it failed. */
	int  (*repair_dhcp)(void);
};

int  watch_open(const struct watch_ops *);
void watch_close(void);

/* Pure: folds one nftables notification into *batch (the objects of the
 * transaction being read); at its end (NEWGEN) returns which of our
 * tables it touched when process `self` did not make it, else 0. */
#define WATCH_NFT_TABLE	0x1u	/* inet mgmt_proxy */
#define WATCH_NFT_DHCP	0x2u	/* ip mgmt_proxy_dhcp */
struct nlmsghdr;
unsigned watch_nft_event(const struct nlmsghdr *, uint32_t self, unsigned *batch);
#endif
