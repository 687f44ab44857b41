/* Learned mode: reads the DHCP replies arriving on eligible WAN interfaces
 * without being a DHCP client. An nftables rule in our own table (owned
 * by firewall.c) queues udp 67->68 in prerouting with `bypass`, so DHCP keeps working when the
 * daemon is not running; every packet is accepted unchanged, the verdict
 * given before the packet is even parsed.
 *
 * To tell a server's answer from a forgery it also watches the requests
 * the interface's own DHCP client sends (udp 68->67), on a read-only
 * packet socket: clients such as ISC dhclient and systemd-networkd send
 * their broadcasts on packet sockets, which no netfilter output hook sees,
 * while a packet tap sees every frame leaving the interface. */
#ifndef DHCP_SNOOP_H
#define DHCP_SNOOP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dhcp_guard.h"
#include "dhcp_parse.h"
#include "firewall_rules.h"

#define DHCP_SNOOP_QUEUE	FIREWALL_DHCP_QUEUE
#define DHCP_SNOOP_QUEUE_MAXLEN	16	/* packets the kernel holds for us */

/* A well-formed reply that arrived on an eligible interface, with what
 * dhcp_guard_judge() needs to know about that interface. */
struct dhcp_snooped {
	const char	*ifname;
	const uint8_t	*mac;		/* the interface's hardware address */
	const struct dhcp_reply *reply;
	struct dhcp_guard *guard;	/* its requests in flight (mutable) */
	const struct dhcp_guard_prefix *prefix;	/* its IPv4 addresses */
	size_t		 nprefix;
};
typedef void (*dhcp_snoop_cb)(const struct dhcp_snooped *, void *arg);

int  dhcp_snoop_open(dhcp_snoop_cb, void *arg);
/* (Re)installs the snooping table (firewall.c) for the eligible
 * interfaces of cfg, or removes it when there are none. */
int  dhcp_snoop_configure(const struct config *);
void dhcp_snoop_close(void);
/* The interface's request table and refusal counters; NULL if it has none. */
const struct dhcp_guard *dhcp_snoop_find_guard(const char *ifname);
#endif
