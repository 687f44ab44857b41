/* Proxy address validation and ordering. Strict on purpose: these strings
 * come from DHCP servers, the HA peer and files, and end up in HAProxy and
 * nftables configuration, so nothing but digits, dots and one colon passes. */
#include <stdio.h>
#include <string.h>

#include "addr.h"

bool
addr_parse_ipv4(const char *s, size_t len, uint32_t *ip, const char **why)
{
	uint32_t v = 0;
	size_t i = 0;

	for (int oct = 0; oct < 4; oct++) {
		unsigned n = 0, digits = 0;

		if (oct > 0) {
			if (i >= len || s[i] != '.') {
				*why = "not a dotted-quad IPv4 address";
				return false;
			}
			i++;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			n = n * 10 + (unsigned)(s[i] - '0');
			digits++;
			i++;
		}
		if (digits == 0 || digits > 3) {
			*why = "not a dotted-quad IPv4 address";
			return false;
		}
		if (digits > 1 && s[i - digits] == '0') {
			/* "010" reads as octal to inet_aton(); refuse the ambiguity. */
			*why = "leading zero in IPv4 address";
			return false;
		}
		if (n > 255) {
			*why = "IPv4 octet out of range";
			return false;
		}
		v = v << 8 | n;
	}
	if (i != len) {
		*why = "not a dotted-quad IPv4 address";
		return false;
	}
	*ip = v;
	return true;
}

bool
addr_parse_port(const char *s, size_t len, uint16_t *port, const char **why)
{
	unsigned long n = 0;

	if (len == 0) {
		*why = "missing port";
		return false;
	}
	if (len > 5) {
		*why = "port out of range 1-65535";
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			*why = "port is not a number";
			return false;
		}
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (len > 1 && s[0] == '0') {
		*why = "leading zero in port";
		return false;
	}
	if (n < 1 || n > 65535) {
		*why = "port out of range 1-65535";
		return false;
	}
	*port = (uint16_t)n;
	return true;
}

bool
addr_usable(uint32_t ip, const char **why)
{
	if (ip == 0) {
		*why = "unspecified address 0.0.0.0";
		return false;
	}
	if (ip == 0xffffffffu) {
		*why = "broadcast address";
		return false;
	}
	if ((ip >> 28) == 0xe) {
		*why = "multicast address";
		return false;
	}
	return true;
}

bool
addr_parse_proxy(const char *s, size_t len, struct proxy_addr *out, const char **why)
{
	const char *colon = memchr(s, ':', len);
	struct proxy_addr a;

	if (len == 0) {
		*why = "empty";
		return false;
	}
	if (colon == NULL) {
		*why = "missing port";
		return false;
	}
	if (!addr_parse_ipv4(s, (size_t)(colon - s), &a.ip, why) ||
	    !addr_usable(a.ip, why) ||
	    !addr_parse_port(colon + 1, len - (size_t)(colon - s) - 1, &a.port, why))
		return false;
	*out = a;
	return true;
}

int
addr_cmp(const struct proxy_addr *a, const struct proxy_addr *b)
{
	if (a->ip != b->ip)
		return a->ip < b->ip ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return 0;
}

void
addr_format_ip(uint32_t ip, char buf[ADDR_IPLEN])
{
	snprintf(buf, ADDR_IPLEN, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
	    (ip >> 8) & 0xff, ip & 0xff);
}

void
addr_format(const struct proxy_addr *a, char buf[ADDR_STRLEN])
{
	char ip[ADDR_IPLEN];

	addr_format_ip(a->ip, ip);
	snprintf(buf, ADDR_STRLEN, "%s:%u", ip, a->port);
}
