/* This box's IPv4 addresses (shell): selection and the HA peer keep a
 * candidate off HAProxy's own listeners under any local address. */
#ifndef IFADDR_H
#define IFADDR_H
#include <stddef.h>
#include <stdint.h>

#define IFADDR_MAX	256

/* Up to max addresses in host order, read now (DHCP moves the WAN
 * address); 0 (logged) when they cannot be read. */
size_t ifaddr_ipv4(uint32_t *ip, size_t max);
#endif
