/* libFuzzer target: what becomes a certificate file name. The input is
 * read as a leaf certificate (PEM), as the daemon reads its certificate
 * directory at start-up to find the name behind a hashed file name, and
 * as a requested host name. Whatever is accepted must be a valid host name
 * whose file name stays inside the directory and within NAME_MAX. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "hostname.h"
#include "tls_ca.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_name(const char *name)
{
	char file[TLS_CA_FILENAME_MAX];

	if (!tls_ca_cert_filename(name, file, sizeof(file)))
		abort();	/* every valid name has a file name */
	if (strchr(file, '/') != NULL || file[0] == '.' ||
	    strlen(file) + sizeof(".tmp") - 1 > NAME_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[HOSTNAME_BUF], *copy;

	if (tls_ca_leaf_name((const char *)data, size, name, sizeof(name))) {
		if (!hostname_valid(name, strlen(name)))
			abort();
		check_name(name);
	}
	if ((copy = fuzz_cstr(data, size)) == NULL)
		return 0;
	if (hostname_valid(copy, size))
		check_name(copy);
	free(copy);
	return 0;
}
