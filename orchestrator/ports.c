/* The forwarder's own ports. */
#include "ports.h"

bool
ports_own_listener(const struct proxy_addr *a, const uint32_t *local_ip,
    size_t nlocal_ip)
{
	static const uint16_t own[] = HAPROXY_LISTEN_PORTS;
	bool port = false, local = a->ip >> 24 == 127;

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		port |= a->port == own[i];
	for (size_t i = 0; i < nlocal_ip && !local; i++)
		local = a->ip == local_ip[i];
	return port && local;
}
