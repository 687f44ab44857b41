/* The rulesets of the firewall owner (pure): the names of what it owns and
 * the nftables text of both tables, rendered from the compiled-in
 * templates with typed values only. */
#ifndef FIREWALL_RULES_H
#define FIREWALL_RULES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "config.h"

#define FIREWALL_FAMILY		"inet"
#define FIREWALL_TABLE		"mgmt_proxy"
#define FIREWALL_DHCP_FAMILY	"ip"
#define FIREWALL_DHCP_TABLE	"mgmt_proxy_dhcp"
#define FIREWALL_DHCP_CHAIN	"dhcp_queue"
#define FIREWALL_DHCP_QUEUE	6768

/* Policy routing: ip rule pref P fwmark M/M lookup T. */
#define FIREWALL_FWMARK		0x4d50u		/* "MP" */
#define FIREWALL_RT_TABLE	4790u
/* A fixed priority: the kernel finds an identical rule (NLM_F_EXCL) only
 * when the priority is part of the request; without one each add picks a
 * new priority and another copy piles up. Low, so the marked packets are
 * delivered locally before the box's own routing policy is consulted. */
#define FIREWALL_RULE_PRIORITY	100u

/* An interface's MAC as the kernel reported it (indexed like cfg->iface). */
struct firewall_hw {
	bool known;
	uint8_t addr[6];
};

/* The interception table for `proxy` (NULL with *why on error). */
char *firewall_rules_intercept(const struct config *, const struct proxy_addr *proxy,
    const char **why);
/* How many of cfg's interfaces are eligible for snooping. */
size_t firewall_rules_dhcp_count(const struct config *);
/* The snooping table for cfg's eligible interfaces (at least one), with a
 * forward drop of DHCP requests sent as each one whose MAC is known (hw
 * may be NULL); NULL with *why on error. */
char *firewall_rules_dhcp(const struct config *, const struct firewall_hw hw[],
    const char **why);
#endif
