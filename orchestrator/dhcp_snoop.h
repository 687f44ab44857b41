/* Learned mode: reads the DHCP replies arriving on eligible WAN interfaces
 * without being a DHCP client (DESIGN.md). An nftables rule in our own
 * table queues udp 67->68 in prerouting with `bypass`, so DHCP keeps
 * working when the daemon is not running; every packet is accepted
 * unchanged, the verdict given before the packet is even parsed. */
#ifndef DHCP_SNOOP_H
#define DHCP_SNOOP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dhcp_parse.h"

#define DHCP_SNOOP_QUEUE	6768
#define DHCP_SNOOP_QUEUE_MAXLEN	16	/* packets the kernel holds for us */
#define DHCP_SNOOP_TABLE	"mgmt_proxy_dhcp"
#define DHCP_SNOOP_CHAIN	"dhcp_queue"

/* A well-formed reply arrived on an eligible interface with hardware
 * address mac. */
typedef void (*dhcp_snoop_cb)(const char *ifname, const uint8_t mac[6],
    const struct dhcp_reply *, void *arg);

int  dhcp_snoop_open(dhcp_snoop_cb, void *arg);
/* (Re)installs the queue rule for the eligible interfaces of cfg, or
 * removes the table when there are none. */
int  dhcp_snoop_configure(const struct config *);
void dhcp_snoop_close(void);
/* The snooping table is (meant to be) in the ruleset. */
bool dhcp_snoop_installed(void);
/* Pure: the ruleset for cfg's eligible interfaces; 0 when there are none,
 * else its length (-1 when buf is too small). */
int  dhcp_snoop_ruleset(const struct config *, char *buf, size_t len);
#endif
