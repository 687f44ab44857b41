/* Host names that may become a certificate, a file name and a runtime-API
 * argument (pure). Strict RFC 1123 letters-digits-hyphen labels of 1-63
 * characters, at most 253 in all, no trailing dot (one spelling per name);
 * a name whose last label is all digits must be a dotted-quad IPv4. */
#ifndef HOSTNAME_H
#define HOSTNAME_H
#include <stdbool.h>
#include <stddef.h>

#define HOSTNAME_MAX	253
#define HOSTNAME_BUF	(HOSTNAME_MAX + 1)

bool hostname_valid(const char *name, size_t len);
bool hostname_is_ipv4(const char *name, size_t len);
#endif
