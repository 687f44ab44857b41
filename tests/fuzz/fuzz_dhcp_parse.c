/* libFuzzer target for dhcp_parse: every input is tried as a whole IPv4
 * reply, as a bare BOOTP reply and as one of our client's requests, and a
 * successful parse must leave the result consistent with the documented
 * guarantees. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_reply(const struct dhcp_reply *r)
{
	size_t n;

	if (r->msg_type != DHCP_MSG_OFFER && r->msg_type != DHCP_MSG_ACK &&
	    r->msg_type != DHCP_MSG_NAK)
		abort();
	n = strnlen(r->proxy, sizeof(r->proxy));
	if (n == sizeof(r->proxy))
		abort();
	if (r->proxy_problem == NULL) {
		if (!r->has_vendor || !r->has_proxy || n == 0)
			abort();
		for (size_t i = 0; i < n; i++)
			if (r->proxy[i] < 0x21 || r->proxy[i] > 0x7e)
				abort();
	} else if (n != 0)
		abort();
	if (r->has_proxy && !r->has_vendor)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_request q;
	struct dhcp_reply r;
	const char *why = NULL;

	if (dhcp_parse_packet(data, size, &r, &why))
		check_reply(&r);
	else if (why == NULL)
		abort();
	why = NULL;
	if (dhcp_parse_bootp(data, size, &r, &why))
		check_reply(&r);
	else if (why == NULL)
		abort();
	why = NULL;
	if (dhcp_parse_request(data, size, &q, &why)) {
		if (q.msg_type != DHCP_MSG_DISCOVER && q.msg_type != DHCP_MSG_REQUEST)
			abort();
	} else if (why == NULL)
		abort();
	return 0;
}
