/* TLS ClientHello server_name (SNI) extraction (pure: no I/O, no OpenSSL).
 *
 * The orchestrator reads the first payload of each new intercepted 443 flow
 * to learn which name the client asked for, so that a leaf certificate for
 * that name is loaded into HAProxy before HAProxy answers the ClientHello.
 * The name ends up in a file name and on HAProxy's runtime API, so it is
 * only returned after passing tls_sni_hostname_valid(). */
#ifndef TLS_SNI_H
#define TLS_SNI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tls_sni_result {
	TLS_SNI_FOUND,		/* out holds the host name, lowercased */
	TLS_SNI_NONE,		/* complete, valid ClientHello without host_name */
	TLS_SNI_PARTIAL,	/* well-formed so far, but truncated: need more data */
	TLS_SNI_NOT_TLS,	/* first bytes are not a TLS handshake record */
	TLS_SNI_INVALID,	/* malformed ClientHello, or a host name we refuse */
};

/* Longest host name (RFC 1123 / RFC 1035: 253 characters) plus NUL. */
#define TLS_SNI_NAME_MAX	254
/* Largest ClientHello body accepted. Real ones are well under 8 KiB, even
 * with post-quantum key shares; a caller buffering a hello that answers
 * TLS_SNI_PARTIAL never needs more than this plus record headers. */
#define TLS_SNI_HELLO_MAX	65536

/* Parse the first bytes a client sent on a TLS connection: one or more TLS
 * records carrying a ClientHello, which may be fragmented over several
 * records. FOUND and NONE are only returned once the whole ClientHello is
 * present and well-formed; bytes after it are ignored. out receives a NUL
 * terminated name on FOUND (outlen should be TLS_SNI_NAME_MAX) and is left
 * as an empty string otherwise. */
int	 tls_sni_parse(const uint8_t *payload, size_t len, char *out,
	    size_t outlen);
const char *tls_sni_result_name(int result);

/* Strict host name check shared with tls_ca: an RFC 1123 LDH name (labels
 * of 1-63 letters, digits and '-', not starting or ending with '-', at most
 * 253 characters, no trailing dot, either case) or a dotted-quad IPv4
 * address. A name whose last label is all digits must be an IPv4 address
 * (RFC 3696 section 2: top-level domains are never all-numeric). */
bool	 tls_sni_hostname_valid(const char *name, size_t len);
/* True when name is a dotted-quad IPv4 address (no leading zeros). */
bool	 tls_sni_hostname_is_ipv4(const char *name, size_t len);
#endif
