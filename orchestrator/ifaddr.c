/* This box's IPv4 addresses, from getifaddrs(3). */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

#include "ifaddr.h"
#include "log.h"

size_t
ifaddr_ipv4(uint32_t *ip, size_t max)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (getifaddrs(&ifa) == -1) {
		log_warn("local addresses: %s", strerror(errno));
		return 0;
	}
	for (i = ifa; i != NULL && n < max; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET)
			ip[n++] = ntohl(((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr.s_addr);
	freeifaddrs(ifa);
	return n;
}
