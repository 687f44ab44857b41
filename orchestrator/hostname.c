/* Host-name validation for minted certificates. */
#include <stdint.h>

#include "addr.h"
#include "hostname.h"

#define HOSTNAME_LABEL_MAX	63

bool
hostname_is_ipv4(const char *name, size_t len)
{
	const char *why;
	uint32_t ip;

	return addr_parse_ipv4(name, len, &ip, &why);
}

static bool
hostname_ldh(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-';
}

bool
hostname_valid(const char *name, size_t len)
{
	size_t start = 0;
	bool numeric = true;	/* current label is all digits */

	if (name == NULL || len == 0 || len > HOSTNAME_MAX)
		return false;
	/* A trailing dot is refused rather than stripped: RFC 6066 3 sends
	 * names without it, and one spelling per name keeps file names and
	 * HAProxy's certificate store free of duplicates. */
	for (size_t i = 0; i <= len; i++) {
		if (i == len || name[i] == '.') {
			size_t llen = i - start;

			if (llen == 0 || llen > HOSTNAME_LABEL_MAX ||
			    name[start] == '-' || name[i - 1] == '-')
				return false;
			if (i < len) {
				start = i + 1;
				numeric = true;
			}
			continue;
		}
		if (!hostname_ldh(name[i]))
			return false;
		if (name[i] < '0' || name[i] > '9')
			numeric = false;
	}
	if (numeric)
		return hostname_is_ipv4(name, len);
	return true;
}
