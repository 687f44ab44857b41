/* Policy routing for TPROXY: packets the nftables table marks are routed
 * to the local stack (ip rule pref P fwmark M lookup T; local 0.0.0.0/0
 * dev lo table T), through rtnetlink (libmnl) without forking ip(8). */
#ifndef ROUTE_H
#define ROUTE_H
#include <stdbool.h>
#include <stdint.h>

#define ROUTE_FWMARK	0x4d50u		/* "MP" */
#define ROUTE_TABLE	4790u
/* A fixed priority: the kernel finds an identical rule (NLM_F_EXCL) only
 * when the priority is part of the request; without one each add picks a
 * new priority and another copy piles up. Low, so the marked packets are
 * delivered locally before the box's own routing policy is consulted. */
#define ROUTE_PRIORITY	100u

/* What is in place now. */
struct route_obs {
	unsigned nrules;	/* rules fwmark M/M lookup T, any priority */
	bool rule_ours;		/* one of them has ROUTE_PRIORITY */
	bool route;		/* local 0.0.0.0/0 in table T */
};

int route_tproxy_add(void);	/* idempotent: exactly one rule */
int route_tproxy_del(void);	/* every copy; absent is success */
int route_tproxy_observe(struct route_obs *);
/* An rtnetlink rule or route notification about the rule or table above. */
struct nlmsghdr;
bool route_msg_ours(const struct nlmsghdr *);
#endif
