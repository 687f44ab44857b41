/* The local certificate authority that HTTPS inspection mints leaf
 * certificates from (OpenSSL 3 libcrypto).
 *
 * HAProxy terminates intercepted TLS with a leaf for the name the client
 * asked for (SNI); management clients trust the CA certificate exported by
 * `mgmt-proxyctl ca export`. The CA private key stays in this process and
 * in its own 0600 file; it is never written anywhere else nor logged. */
#ifndef TLS_CA_H
#define TLS_CA_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>

struct tls_ca;

/* A name of at most TLS_CA_PLAIN_MAX characters is its own file name;
 * a longer one (up to 253) would not fit NAME_MAX (255) once the writer's
 * temporary suffix is added, so its file is named after its SHA-256. */
#define TLS_CA_PLAIN_MAX	200
/* "<200-character name>.pem" + NUL (the hashed form takes 69) */
#define TLS_CA_FILENAME_MAX	(TLS_CA_PLAIN_MAX + sizeof(".pem"))

/* Load the CA certificate and key (PEM), or create both when both files
 * are absent: EC P-256 key, self-signed X.509v3 CA certificate valid ten
 * years, key written 0600 and certificate 0644, each atomically. Refuses a
 * pair where only one file exists, a key file readable by group or other,
 * an encrypted key, a certificate that is not a CA, or a certificate and
 * key that do not match. On failure returns -1 with a reason (naming the
 * file) in err; 0 on success. */
int	 tls_ca_load_or_create(const char *cert_path, const char *key_path,
	    struct tls_ca **out, char *err, size_t errlen);

/* Mint a leaf for hostname (must pass tls_ca_hostname_valid): fresh EC
 * P-256 key, SAN DNS:name (IP:addr for a dotted-quad IPv4), EKU serverAuth,
 * valid from now-1h for 397 days but never past the CA's notAfter, signed
 * with SHA-256. *pem_out is one NUL-terminated buffer holding the leaf
 * certificate and its private key, in that order, and no chain: clients
 * hold the CA as their trust anchor (what HAProxy takes in a crt file or
 * `set ssl cert`); release it with
 * tls_ca_pem_free(). Returns 0, or -1 with nothing allocated. */
int	 tls_ca_mint(const struct tls_ca *ca, const char *hostname, time_t now,
	    char **pem_out, size_t *len);

/* The CA certificate alone, PEM, NUL-terminated; release with
 * tls_ca_pem_free(). Returns 0 or -1. */
int	 tls_ca_cert_pem(const struct tls_ca *ca, char **pem, size_t *len);
/* The leaf at the head of pem (as tls_ca_mint writes it) was signed by this
 * CA and is still valid at now + margin; false means: mint it again. */
bool	 tls_ca_leaf_current(const struct tls_ca *ca, const char *pem, size_t len,
	    time_t now, time_t margin);

/* The notAfter of the leaf at the head of pem, epoch seconds; 0 when pem
 * holds no certificate. */
int64_t	 tls_ca_leaf_not_after(const char *pem, size_t len);

/* Wipes the buffer before freeing it: minted PEM holds a private key. */
void	 tls_ca_pem_free(char *pem, size_t len);
void	 tls_ca_free(struct tls_ca *ca);

/* Gatekeeper for every name that becomes a file name or is sent to
 * HAProxy's runtime API: see hostname_valid() (hostname.h) for the rules. */
bool	 tls_ca_hostname_valid(const char *name, size_t len);
/* "Example.COM" -> "example.com.pem"; a name longer than TLS_CA_PLAIN_MAX
 * -> "<64 hex digits of the SHA-256 of the lower-case name>.pem" (64
 * characters without a dot are never a valid host name, so the two forms
 * cannot meet). False if the name is not valid or buf (TLS_CA_FILENAME_MAX
 * is always enough) is too small. */
bool	 tls_ca_cert_filename(const char *name, char *buf, size_t buflen);
/* The name a leaf minted by tls_ca_mint was issued for (its SAN), lower
 * case, into buf (HOSTNAME_BUF); false when pem holds no such leaf. */
bool	 tls_ca_leaf_name(const char *pem, size_t len, char *buf, size_t buflen);
#endif
