/* Proxy address validation and ordering (pure).
 * A candidate is a dotted-quad IPv4, no leading zeros, not 0.0.0.0, not
 * 255.255.255.255, not multicast; port an integer 1-65535. Addresses are
 * compared as 32-bit numbers, ties broken by the lower port. */
#ifndef ADDR_H
#define ADDR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proxy_addr {
	uint32_t ip;		/* host byte order */
	uint16_t port;
};

#define ADDR_STRLEN 22		/* "255.255.255.255:65535" + NUL */
#define ADDR_IPLEN  16		/* "255.255.255.255" + NUL */

/* Each parser takes exactly `len` bytes (no NUL needed) and on failure sets
 * *why to a static, human-readable reason. */
bool addr_parse_ipv4(const char *s, size_t len, uint32_t *ip, const char **why);
bool addr_parse_port(const char *s, size_t len, uint16_t *port, const char **why);
/* "A.B.C.D:P", the form used by DHCP option 43/128, state files and peers. */
bool addr_parse_proxy(const char *s, size_t len, struct proxy_addr *out, const char **why);
/* Usable as a proxy: not 0.0.0.0, not broadcast, not multicast. */
bool addr_usable(uint32_t ip, const char **why);
int  addr_cmp(const struct proxy_addr *a, const struct proxy_addr *b);
void addr_format(const struct proxy_addr *a, char buf[ADDR_STRLEN]);
void addr_format_ip(uint32_t ip, char buf[ADDR_IPLEN]);
#endif
