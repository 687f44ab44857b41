/* libFuzzer target: onboarding_parse() on arbitrary bytes. Beyond "no
 * crash", it checks what the rest of the daemon relies on: a proxy text
 * that is printable ASCII, NUL-terminated, and an error that names the
 * file and a position. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onboarding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	if (onboarding_parse("fuzz", (const char *)data, size, &o, err)) {
		size_t n = strnlen(o.proxy, sizeof(o.proxy));

		if (n == sizeof(o.proxy) || (!o.has_proxy && n != 0))
			abort();
		for (size_t i = 0; i < n; i++)
			if (o.proxy[i] < 0x21 || o.proxy[i] > 0x7e)
				abort();
	} else {
		if (o.has_proxy || o.proxy[0] != '\0' ||
		    strncmp(err, "fuzz:", 5) != 0)
			abort();
	}
	return 0;
}
