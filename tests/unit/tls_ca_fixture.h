/* Shared by the tls_ca unit tests (test_tls_ca.c: the CA's files;
 * test_tls_ca_leaf.c: minted leaves): a mkdtemp directory for a CA, and
 * the OpenSSL checks a TLS client would make. */
#ifndef TLS_CA_FIXTURE_H
#define TLS_CA_FIXTURE_H
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <check.h>

#include "hostname.h"
#include "tls_ca.h"

#define DAY	86400

struct tdir {
	char	 dir[64];
	char	 cert[128];
	char	 key[128];
};

static inline void
tdir_make(struct tdir *t)
{
	ck_assert_int_lt(snprintf(t->dir, sizeof(t->dir),
	    "/tmp/test_tls_ca.XXXXXX"), (int)sizeof(t->dir));
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	ck_assert_int_lt(snprintf(t->cert, sizeof(t->cert), "%s/ca.crt",
	    t->dir), (int)sizeof(t->cert));
	ck_assert_int_lt(snprintf(t->key, sizeof(t->key), "%s/ca.key",
	    t->dir), (int)sizeof(t->key));
}

static inline int
tdir_count(const struct tdir *t)
{
	struct dirent *de;
	DIR *d = opendir(t->dir);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static inline void
tdir_remove(const struct tdir *t)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(t->dir);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", t->dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(t->dir);
}

static inline struct tls_ca *
ca_new(const struct tdir *t)
{
	struct tls_ca *ca = NULL;
	char err[512] = "";

	ck_assert_msg(tls_ca_load_or_create(t->cert, t->key, &ca, err,
	    sizeof(err)) == 0, "load_or_create: %s", err);
	ck_assert_ptr_nonnull(ca);
	return ca;
}

/* Expect failure; returns the error text for the caller to inspect. */
static inline void
ca_refused(const struct tdir *t, char *err, size_t errlen)
{
	struct tls_ca *ca = (struct tls_ca *)1;

	err[0] = '\0';
	ck_assert_int_eq(tls_ca_load_or_create(t->cert, t->key, &ca, err,
	    errlen), -1);
	ck_assert_ptr_null(ca);
	ck_assert_msg(err[0] != '\0', "no error text");
}

static inline char *
slurp(const char *path, size_t *len)
{
	static char buf[16384];
	FILE *fp = fopen(path, "r");

	ck_assert_msg(fp != NULL, "%s: %s", path, strerror(errno));
	*len = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

static inline X509 *
read_cert_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	X509 *x;

	ck_assert_ptr_nonnull(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_ptr_nonnull(x);
	return x;
}

static inline time_t
asn1_to_time(const ASN1_TIME *a)
{
	struct tm tm;

	ck_assert_int_eq(ASN1_TIME_to_tm(a, &tm), 1);
	return timegm(&tm);
}

static inline void
assert_ec_p256(EVP_PKEY *pk)
{
	char group[64];
	size_t glen;

	ck_assert(EVP_PKEY_is_a(pk, "EC"));
	ck_assert_int_eq(EVP_PKEY_get_group_name(pk, group, sizeof(group),
	    &glen), 1);
	ck_assert_str_eq(group, "prime256v1");
}

static inline void
assert_serial_128(X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);

	ck_assert_ptr_nonnull(bn);
	ck_assert(!BN_is_negative(bn));
	ck_assert_int_eq(BN_num_bytes(bn), 16);
	BN_free(bn);
}

static inline bool
ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	ck_assert_int_ge(i, 0);
	return X509_EXTENSION_get_critical(X509_get_ext(x, i)) == 1;
}

/* The two PEM blocks of a minted buffer, in order: the leaf and its key.
 * No chain follows the leaf (clients hold the CA as their trust anchor). */
struct minted {
	X509		*leaf;
	EVP_PKEY	*key;
};

static inline void
minted_parse(const char *pem, size_t len, struct minted *m)
{
	const char *first = strstr(pem, "-----BEGIN CERTIFICATE-----");
	BIO *bio = BIO_new_mem_buf(pem, (int)len);

	ck_assert_ptr_nonnull(bio);
	ck_assert_uint_eq(strlen(pem), len);
	ck_assert_ptr_nonnull(first);
	ck_assert_msg(strstr(first + 1, "-----BEGIN CERTIFICATE-----") == NULL,
	    "a second certificate (a chain) follows the leaf:\n%s", pem);
	m->leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	m->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ck_assert_ptr_nonnull(m->leaf);
	ck_assert_ptr_nonnull(m->key);
	ck_assert_int_eq(X509_check_private_key(m->leaf, m->key), 1);
}

static inline void
minted_free(struct minted *m)
{
	X509_free(m->leaf);
	EVP_PKEY_free(m->key);
}

static inline void
mint_ok(struct tls_ca *ca, const char *name, time_t now, struct minted *m)
{
	char *pem;
	size_t len;

	ck_assert_msg(tls_ca_mint(ca, name, now, &pem, &len) == 0,
	    "mint %s", name);
	minted_parse(pem, len, m);
	tls_ca_pem_free(pem, len);
}

/* Chain verification as a TLS client does it: CA as the only trust
 * anchor, at time `now`, for a host name or an IP address. */
static inline int
verify(X509 *cacert, X509 *leaf, time_t now, const char *host,
    const char *ip)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *param;
	int rv;

	ck_assert_int_eq(X509_STORE_add_cert(store, cacert), 1);
	ck_assert_int_eq(X509_STORE_CTX_init(ctx, store, leaf, NULL), 1);
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(param, now);
	ck_assert_int_eq(X509_STORE_CTX_set_purpose(ctx,
	    X509_PURPOSE_SSL_SERVER), 1);
	if (host != NULL)
		ck_assert_int_eq(X509_VERIFY_PARAM_set1_host(param, host, 0),
		    1);
	if (ip != NULL)
		ck_assert_int_eq(X509_VERIFY_PARAM_set1_ip_asc(param, ip), 1);
	rv = X509_verify_cert(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rv;
}

static inline void
write_file(const char *path, const char *data, mode_t mode)
{
	FILE *fp;

	unlink(path);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(data, fp);
	fclose(fp);
	ck_assert_int_eq(chmod(path, mode), 0);
}
#endif
