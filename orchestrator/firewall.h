/* The one owner of the kernel state the daemon installs:
 *
 *   table inet mgmt_proxy     interception (TPROXY to HAProxy), from
 *                             templates/nftables.nft.tmpl
 *   ip rule pref 100 fwmark 0x4d50/0x4d50 lookup 4790, and
 *   local 0.0.0.0/0 dev lo table 4790
 *                             the policy routing that delivers what the
 *                             table marks to the local stack
 *   table ip mgmt_proxy_dhcp  DHCP snooping (learned mode), from
 *                             templates/nftables-dhcp*.nft.tmpl, plus the
 *                             one xt NFQUEUE rule of its chain dhcp_queue
 *
 * Tables are rendered through render.c (typed values only) and each change
 * is one nftables transaction: the kernel takes all of it or none. What an
 * earlier run left is removed at start-up (firewall_open), all of it at exit
 * (firewall_close), whatever the configuration says: a table of ours never
 * outlives the daemon, so management traffic and DHCP flow unhindered
 * without it. */
#ifndef FIREWALL_H
#define FIREWALL_H
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"
#include "firewall_rules.h"
#include "reconcile.h"

/* Start-up: removes both tables, the rule and the route of an earlier run
 * (kill -9, crash) before anything is installed. */
void firewall_open(void);
/* Exit: removes everything of ours, installed or not. */
void firewall_close(void);

/* Interception: the table (replaced in one transaction) for `proxy`, then
 * the rule and route; on failure nothing stays. */
int  firewall_intercept_apply(const struct config *, const struct proxy_addr *proxy);
/* Table, rule, route and the TIME-WAIT sockets of intercepted connections. */
void firewall_intercept_remove(void);

/* Snooping: the table for cfg's eligible interfaces (hw: their MACs, as
 * firewall_rules_dhcp takes them) and its queue rule, or no table when no
 * interface is eligible. */
int  firewall_dhcp_apply(const struct config *, const struct firewall_hw hw[]);
void firewall_dhcp_remove(void);
/* The snooping table is (meant to be) in the ruleset. */
bool firewall_dhcp_installed(void);

/* What is in place of the state `want` names (presence only). */
void firewall_observe(const struct recon_want *want, struct recon_obs *);
/* An rtnetlink rule or route notification about our rule or table 4790. */
struct nlmsghdr;
bool firewall_route_msg_ours(const struct nlmsghdr *);
#endif
