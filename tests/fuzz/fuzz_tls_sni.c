/* libFuzzer target for tls_sni_parse(): input is the first TCP payload of
 * a connection, exactly as the NFQUEUE hands it over. Beyond "no crash",
 * it checks the promises callers rely on: a FOUND name is NUL-terminated,
 * lowercase and passes the host name check used for file names and
 * HAProxy's runtime API; any other result leaves out empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tls_sni.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check(const uint8_t *data, size_t size, size_t outlen)
{
	char out[TLS_SNI_NAME_MAX];
	size_t n;
	int rv;

	memset(out, 'X', sizeof(out));
	rv = tls_sni_parse(data, size, out, outlen);
	if (rv != TLS_SNI_FOUND) {
		if (rv < TLS_SNI_FOUND || rv > TLS_SNI_INVALID || out[0] != '\0')
			abort();
		return;
	}
	n = strnlen(out, outlen);
	if (n == 0 || n >= outlen || !tls_sni_hostname_valid(out, n))
		abort();
	for (size_t i = 0; i < n; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy so ASan sees any read past the end. */
	uint8_t *copy = malloc(size ? size : 1);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	fuzz_check(copy, size, TLS_SNI_NAME_MAX);
	/* A short output buffer must be refused, never overrun. */
	fuzz_check(copy, size, 16);
	/* The hostname check on raw bytes, as it also guards file names. */
	(void)tls_sni_hostname_valid((const char *)copy, size);
	free(copy);
	return 0;
}
