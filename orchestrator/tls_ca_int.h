/* Private to tls_ca.c (the CA: its files, load or create) and
 * tls_ca_leaf.c (leaves minted from it): the CA and the X.509 pieces both
 * build certificates with. */
#ifndef TLS_CA_INT_H
#define TLS_CA_INT_H
#include <time.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tls_ca.h"

#define TLS_CA_CN_MAX	64	/* RFC 5280 ub-common-name */

struct tls_ca {
	X509		*cert;
	EVP_PKEY	*key;
};

/* Encrypted keys are refused instead of letting OpenSSL prompt on a
 * terminal that a daemon does not have (a pem_password_cb). */
int	 tls_ca_no_passphrase(char *buf, int size, int rwflag, void *u);
/* EC P-256 (see tls_ca.c for why). */
EVP_PKEY *tls_ca_keygen(void);
int	 tls_ca_add_ext(X509 *x, X509 *issuer, int nid, const char *value);
int	 tls_ca_set_cn(X509 *x, const char *cn);
/* A certificate with the fields every certificate here shares: v3, a
 * random serial, the public key, notBefore an hour back. */
X509	*tls_ca_cert_new(EVP_PKEY *pub, time_t now);
/* Copy a memory BIO into a NUL-terminated heap buffer. */
int	 tls_ca_bio_take(BIO *bio, char **pem, size_t *len);
#endif
