/* libFuzzer target: the state-file parsers. The first byte picks the
 * parser (dhcp, peer, proxy), the rest is the file. Whatever a parser
 * accepts must dump, and the dump must parse back to the same dump: that
 * is what a restart does with a file we wrote. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "statefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse `buf` as file kind `kind` and return its dump, or NULL. */
static char *
reparse(unsigned kind, const char *buf, size_t len, size_t *out_len)
{
	char err[CFG_ERR_LEN];
	struct dhcp_info d;
	struct peer_info p;
	struct proxy_addr a;

	switch (kind) {
	case 0:
		return statefile_parse_dhcp(buf, len, &d, err) ?
		    statefile_dump_dhcp(&d, out_len) : NULL;
	case 1:
		return statefile_parse_peer(buf, len, &p, err) ?
		    statefile_dump_peer(&p, out_len) : NULL;
	default:
		return statefile_parse_proxy(buf, len, &a, err) ?
		    statefile_dump_proxy(&a, out_len) : NULL;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned kind;
	char *one, *two;
	size_t n1 = 0, n2 = 0;

	if (size == 0)
		return 0;
	kind = data[0] % 3;
	if ((one = reparse(kind, (const char *)data + 1, size - 1, &n1)) == NULL)
		return 0;
	two = reparse(kind, one, n1, &n2);
	if (two == NULL || n1 != n2 || memcmp(one, two, n1) != 0)
		abort();
	free(one);
	free(two);
	return 0;
}
