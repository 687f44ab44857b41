/* Unit tests for tls_ca: CA creation, reloading and refusals in a mkdtemp
 * directory; minted leaves verified against the CA with OpenSSL's own
 * chain verification; and `haproxy -c` accepting a minted crt file. */
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

#include "hostname.h"
#include "tls_ca.h"
#include "unit.h"

#define DAY	86400

struct tdir {
	char	 dir[64];
	char	 cert[128];
	char	 key[128];
};

static void
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

static int
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

static void
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

static struct tls_ca *
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
static void
ca_refused(const struct tdir *t, char *err, size_t errlen)
{
	struct tls_ca *ca = (struct tls_ca *)1;

	err[0] = '\0';
	ck_assert_int_eq(tls_ca_load_or_create(t->cert, t->key, &ca, err,
	    errlen), -1);
	ck_assert_ptr_null(ca);
	ck_assert_msg(err[0] != '\0', "no error text");
}

static char *
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

static X509 *
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

static time_t
asn1_to_time(const ASN1_TIME *a)
{
	struct tm tm;

	ck_assert_int_eq(ASN1_TIME_to_tm(a, &tm), 1);
	return timegm(&tm);
}

static void
assert_ec_p256(EVP_PKEY *pk)
{
	char group[64];
	size_t glen;

	ck_assert(EVP_PKEY_is_a(pk, "EC"));
	ck_assert_int_eq(EVP_PKEY_get_group_name(pk, group, sizeof(group),
	    &glen), 1);
	ck_assert_str_eq(group, "prime256v1");
}

static void
assert_serial_128(X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);

	ck_assert_ptr_nonnull(bn);
	ck_assert(!BN_is_negative(bn));
	ck_assert_int_eq(BN_num_bytes(bn), 16);
	BN_free(bn);
}

static bool
ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	ck_assert_int_ge(i, 0);
	return X509_EXTENSION_get_critical(X509_get_ext(x, i)) == 1;
}

/* The three PEM blocks of a minted buffer, in order. */
struct minted {
	X509		*leaf;
	X509		*chain;
	EVP_PKEY	*key;
};

static void
minted_parse(const char *pem, size_t len, struct minted *m)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);

	ck_assert_ptr_nonnull(bio);
	ck_assert_uint_eq(strlen(pem), len);
	m->leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	m->chain = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	m->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ck_assert_ptr_nonnull(m->leaf);
	ck_assert_ptr_nonnull(m->chain);
	ck_assert_ptr_nonnull(m->key);
	ck_assert_int_eq(X509_check_private_key(m->leaf, m->key), 1);
}

static void
minted_free(struct minted *m)
{
	X509_free(m->leaf);
	X509_free(m->chain);
	EVP_PKEY_free(m->key);
}

static void
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
static int
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

START_TEST(test_create)
{
	char cn[128], *pem;
	struct tdir t;
	struct stat st;
	struct tls_ca *ca;
	X509 *x;
	EVP_PKEY *pub;
	size_t len;
	int days, secs;

	tdir_make(&t);
	ca = ca_new(&t);
	ck_assert_int_eq(stat(t.key, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(stat(t.cert, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(tdir_count(&t), 2);	/* no temp files left */
	pem = slurp(t.key, &len);
	ck_assert(strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27) == 0);

	x = read_cert_file(t.cert);
	ck_assert_int_eq(X509_get_version(x), X509_VERSION_3);
	ck_assert_int_eq(X509_check_ca(x), 1);
	ck_assert_int_eq(X509_get_pathlen(x), 0);
	ck_assert(ext_critical(x, NID_basic_constraints));
	ck_assert(ext_critical(x, NID_key_usage));
	ck_assert_uint_eq(X509_get_key_usage(x), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	ck_assert_ptr_nonnull(X509_get0_subject_key_id(x));
	ck_assert_int_eq(X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn)) > 0, 1);
	ck_assert(strncmp(cn, "mgmt-proxy local CA ", 20) == 0);
	ck_assert_uint_le(strlen(cn), 64);
	ck_assert_int_eq(X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_issuer_name(x)), 0);
	pub = X509_get0_pubkey(x);
	assert_ec_p256(pub);
	ck_assert_int_eq(X509_verify(x, pub), 1);
	ck_assert_int_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	assert_serial_128(x);
	ck_assert_int_eq(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x),
	    X509_get0_notAfter(x)), 1);
	ck_assert_int_eq(days, 3652);
	ck_assert_int_eq(secs, 3600);
	ck_assert_int_le(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x),
	    time(NULL)), 0);
	X509_free(x);

	ck_assert_int_eq(tls_ca_cert_pem(ca, &pem, &len), 0);
	ck_assert_str_eq(pem, slurp(t.cert, &len));
	tls_ca_pem_free(pem, len);
	tls_ca_free(ca);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_reload_same)
{
	char *a, *b;
	size_t alen, blen;
	struct tdir t;
	struct stat st;
	struct tls_ca *ca;

	tdir_make(&t);
	ca = ca_new(&t);
	ck_assert_int_eq(tls_ca_cert_pem(ca, &a, &alen), 0);
	tls_ca_free(ca);
	ca = ca_new(&t);
	ck_assert_int_eq(tls_ca_cert_pem(ca, &b, &blen), 0);
	ck_assert_uint_eq(alen, blen);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(stat(t.key, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	/* Owner read-only is fine too. */
	ck_assert_int_eq(chmod(t.key, 0400), 0);
	tls_ca_free(ca);
	ca = ca_new(&t);
	tls_ca_free(ca);
	tls_ca_pem_free(a, alen);
	tls_ca_pem_free(b, blen);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_half_present)
{
	char err[512], before[16384], *now;
	size_t len;
	struct tdir t;

	tdir_make(&t);
	tls_ca_free(ca_new(&t));
	ck_assert_int_eq(unlink(t.key), 0);
	snprintf(before, sizeof(before), "%s", slurp(t.cert, &len));
	ca_refused(&t, err, sizeof(err));
	ck_assert_msg(strstr(err, t.cert) != NULL && strstr(err, t.key),
	    "error names neither file: %s", err);
	ck_assert_int_eq(access(t.key, F_OK), -1);
	now = slurp(t.cert, &len);
	ck_assert_str_eq(before, now);
	ck_assert_int_eq(tdir_count(&t), 1);

	/* The other half. */
	ck_assert_int_eq(unlink(t.cert), 0);
	tls_ca_free(ca_new(&t));
	ck_assert_int_eq(unlink(t.cert), 0);
	snprintf(before, sizeof(before), "%s", slurp(t.key, &len));
	ca_refused(&t, err, sizeof(err));
	ck_assert_int_eq(access(t.cert, F_OK), -1);
	ck_assert_str_eq(before, slurp(t.key, &len));
	tdir_remove(&t);
}
END_TEST

START_TEST(test_key_mode_refused)
{
	static const mode_t modes[] = { 0640, 0604, 0644, 0660, 0601 };
	char err[512], want[16];
	struct tdir t;

	tdir_make(&t);
	tls_ca_free(ca_new(&t));
	for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		ck_assert_int_eq(chmod(t.key, modes[i]), 0);
		ca_refused(&t, err, sizeof(err));
		snprintf(want, sizeof(want), "%04o", (unsigned)modes[i]);
		ck_assert_msg(strstr(err, t.key) != NULL &&
		    strstr(err, want) != NULL, "unexpected error: %s", err);
	}
	tdir_remove(&t);
}
END_TEST

/* The CA key follows the HA key's rule: owned by root or by the daemon's
 * user, never a FIFO (which would also block the daemon on open). */
START_TEST(test_key_owner_refused)
{
	char err[512];
	struct tdir t;

	tdir_make(&t);
	tls_ca_free(ca_new(&t));
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(t.key, 4321, (gid_t)-1), 0);
		ca_refused(&t, err, sizeof(err));
		ck_assert_msg(strstr(err, t.key) != NULL && strstr(err,
		    "not owned by root or by the daemon's user") != NULL,
		    "unexpected error: %s", err);
		ck_assert_int_eq(chown(t.key, 0, (gid_t)-1), 0);
	}
	ck_assert_int_eq(unlink(t.key), 0);
	ck_assert_int_eq(mkfifo(t.key, 0600), 0);
	ca_refused(&t, err, sizeof(err));
	ck_assert_msg(strstr(err, "not a regular file") != NULL,
	    "unexpected error: %s", err);
	tdir_remove(&t);
	/* Nor the certificate. */
	tdir_make(&t);
	tls_ca_free(ca_new(&t));
	ck_assert_int_eq(unlink(t.cert), 0);
	ck_assert_int_eq(mkfifo(t.cert, 0644), 0);
	ca_refused(&t, err, sizeof(err));
	ck_assert_msg(strstr(err, t.cert) != NULL &&
	    strstr(err, "not a regular file") != NULL, "unexpected error: %s", err);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_mismatch_refused)
{
	char err[512], buf[4096];
	struct tdir a, b;
	size_t len;
	FILE *fp;

	tdir_make(&a);
	tdir_make(&b);
	tls_ca_free(ca_new(&a));
	tls_ca_free(ca_new(&b));
	snprintf(buf, sizeof(buf), "%s", slurp(b.key, &len));
	fp = fopen(a.key, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(buf, fp);
	fclose(fp);
	ca_refused(&a, err, sizeof(err));
	ck_assert_msg(strstr(err, "do not match") != NULL, "%s", err);
	tdir_remove(&a);
	tdir_remove(&b);
}
END_TEST

static void
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

START_TEST(test_bad_files_refused)
{
	char err[512], *pem, *leafkey;
	struct tdir t;
	struct tls_ca *ca;
	struct minted m;
	EVP_PKEY *pk;
	FILE *fp;
	size_t len;
	BIO *bio;

	tdir_make(&t);
	ca = ca_new(&t);
	ck_assert_int_eq(tls_ca_mint(ca, "leaf.example", time(NULL), &pem,
	    &len), 0);
	tls_ca_free(ca);
	minted_parse(pem, len, &m);

	/* A leaf with its own key is not a CA. */
	fp = fopen(t.cert, "w");
	ck_assert_int_eq(PEM_write_X509(fp, m.leaf), 1);
	fclose(fp);
	leafkey = strstr(pem, "-----BEGIN PRIVATE KEY-----");
	ck_assert_ptr_nonnull(leafkey);
	write_file(t.key, leafkey, 0600);
	ca_refused(&t, err, sizeof(err));
	ck_assert_msg(strstr(err, "not a CA") != NULL, "%s", err);

	/* Garbage certificate. */
	write_file(t.cert, "not a certificate\n", 0644);
	ca_refused(&t, err, sizeof(err));
	ck_assert_msg(strstr(err, t.cert) != NULL, "%s", err);

	/* An encrypted key fails at once instead of prompting. */
	pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	bio = BIO_new(BIO_s_mem());
	ck_assert_int_eq(PEM_write_bio_PrivateKey(bio, pk, EVP_aes_128_cbc(),
	    (unsigned char *)"secret", 6, NULL, NULL), 1);
	ck_assert_int_gt(BIO_write(bio, "", 1), 0);
	BIO_get_mem_data(bio, &leafkey);
	write_file(t.key, leafkey, 0600);
	BIO_free(bio);
	EVP_PKEY_free(pk);
	ca_refused(&t, err, sizeof(err));
	ck_assert_msg(strstr(err, t.key) != NULL, "%s", err);

	/* A directory that does not exist. */
	snprintf(t.cert, sizeof(t.cert), "%s/nodir/ca.crt", t.dir);
	snprintf(t.key, sizeof(t.key), "%s/nodir/ca.key", t.dir);
	ca_refused(&t, err, sizeof(err));
	minted_free(&m);
	tls_ca_pem_free(pem, len);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_mint_host)
{
	char cn[128], *pem, *pem2;
	size_t len, len2;
	struct tdir t;
	struct tls_ca *ca;
	struct minted m;
	X509 *cacert;
	time_t now = time(NULL);
	const ASN1_OCTET_STRING *aki, *ski;

	tdir_make(&t);
	ca = ca_new(&t);
	cacert = read_cert_file(t.cert);
	ck_assert_int_eq(tls_ca_mint(ca, "Host.Example", now, &pem, &len), 0);
	minted_parse(pem, len, &m);
	/* Order: leaf, CA, key; the key block is the leaf's, not the CA's. */
	ck_assert(strstr(pem, "BEGIN CERTIFICATE") < strstr(pem,
	    "BEGIN PRIVATE KEY"));
	ck_assert_int_eq(X509_cmp(m.chain, cacert), 0);
	ck_assert_ptr_null(strstr(pem, slurp(t.key, &len2)));

	ck_assert_int_eq(verify(cacert, m.leaf, now, "host.example", NULL), 1);
	ck_assert_int_eq(verify(cacert, m.leaf, now, "other.example", NULL),
	    0);
	ck_assert_int_eq(X509_check_host(m.leaf, "host.example", 0, 0, NULL),
	    1);
	ck_assert_int_ne(X509_check_host(m.leaf, "other.example", 0, 0,
	    NULL), 1);
	ck_assert_int_eq(X509_NAME_get_text_by_NID(X509_get_subject_name(
	    m.leaf), NID_commonName, cn, sizeof(cn)) > 0, 1);
	ck_assert_str_eq(cn, "host.example");

	ck_assert_int_eq(X509_check_ca(m.leaf), 0);
	ck_assert_uint_eq(X509_get_key_usage(m.leaf), KU_DIGITAL_SIGNATURE);
	ck_assert_uint_eq(X509_get_extended_key_usage(m.leaf), XKU_SSL_SERVER);
	ck_assert_int_eq(X509_get_signature_nid(m.leaf),
	    NID_ecdsa_with_SHA256);
	assert_ec_p256(m.key);
	assert_serial_128(m.leaf);
	aki = X509_get0_authority_key_id(m.leaf);
	ski = X509_get0_subject_key_id(cacert);
	ck_assert_ptr_nonnull(aki);
	ck_assert_int_eq(ASN1_OCTET_STRING_cmp(aki, ski), 0);
	ck_assert_int_eq(ASN1_TIME_cmp_time_t(X509_get0_notBefore(m.leaf),
	    now - 3600), 0);
	ck_assert_int_eq(ASN1_TIME_cmp_time_t(X509_get0_notAfter(m.leaf),
	    now + 397 * DAY), 0);
	/* Valid 397 days on, not a day later. */
	ck_assert_int_eq(verify(cacert, m.leaf, now + 396 * DAY,
	    "host.example", NULL), 1);
	ck_assert_int_eq(verify(cacert, m.leaf, now + 398 * DAY,
	    "host.example", NULL), 0);

	/* Every mint is a fresh key and serial. */
	ck_assert_int_eq(tls_ca_mint(ca, "host.example", now, &pem2, &len2),
	    0);
	{
		struct minted m2;

		minted_parse(pem2, len2, &m2);
		ck_assert_int_ne(ASN1_INTEGER_cmp(X509_get0_serialNumber(
		    m.leaf), X509_get0_serialNumber(m2.leaf)), 0);
		ck_assert_int_ne(EVP_PKEY_eq(m.key, m2.key), 1);
		minted_free(&m2);
	}
	tls_ca_pem_free(pem2, len2);
	tls_ca_pem_free(pem, len);
	minted_free(&m);
	X509_free(cacert);
	tls_ca_free(ca);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_mint_ip)
{
	struct tdir t;
	struct tls_ca *ca;
	struct minted m;
	X509 *cacert;
	time_t now = time(NULL);
	GENERAL_NAMES *san;
	GENERAL_NAME *gn;

	tdir_make(&t);
	ca = ca_new(&t);
	cacert = read_cert_file(t.cert);
	mint_ok(ca, "192.0.2.10", now, &m);
	ck_assert_int_eq(X509_check_ip_asc(m.leaf, "192.0.2.10", 0), 1);
	ck_assert_int_eq(verify(cacert, m.leaf, now, NULL, "192.0.2.10"), 1);
	ck_assert_int_eq(verify(cacert, m.leaf, now, NULL, "192.0.2.11"), 0);
	san = X509_get_ext_d2i(m.leaf, NID_subject_alt_name, NULL, NULL);
	ck_assert_ptr_nonnull(san);
	ck_assert_int_eq(sk_GENERAL_NAME_num(san), 1);
	gn = sk_GENERAL_NAME_value(san, 0);
	ck_assert_int_eq(gn->type, GEN_IPADD);
	GENERAL_NAMES_free(san);
	minted_free(&m);
	X509_free(cacert);
	tls_ca_free(ca);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_mint_long_name)
{
	char name[254];
	struct tdir t;
	struct tls_ca *ca;
	struct minted m;
	X509 *cacert;
	time_t now = time(NULL);

	memset(name, 'a', sizeof(name));
	for (int i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '\0';
	tdir_make(&t);
	ca = ca_new(&t);
	cacert = read_cert_file(t.cert);
	mint_ok(ca, name, now, &m);
	/* Too long for a CN: empty subject, critical SAN (RFC 5280). */
	ck_assert_int_eq(X509_NAME_entry_count(X509_get_subject_name(m.leaf)),
	    0);
	ck_assert(ext_critical(m.leaf, NID_subject_alt_name));
	ck_assert_int_eq(verify(cacert, m.leaf, now, name, NULL), 1);
	minted_free(&m);
	X509_free(cacert);
	tls_ca_free(ca);
	tdir_remove(&t);
}
END_TEST

/* The name a minted leaf was issued for, read back from its SAN: how the
 * daemon finds the name behind a hashed file name at start-up. */
START_TEST(test_leaf_name)
{
	static const char *const names[] = { "Origin.TEST", "192.0.2.7" };
	char name[254], got[HOSTNAME_BUF], *pem;
	struct tdir t;
	struct tls_ca *ca;
	size_t len;

	tdir_make(&t);
	ca = ca_new(&t);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(tls_ca_mint(ca, names[i], time(NULL), &pem, &len), 0);
		ck_assert(tls_ca_leaf_name(pem, len, got, sizeof(got)));
		ck_assert_str_eq(got, i == 0 ? "origin.test" : "192.0.2.7");
		tls_ca_pem_free(pem, len);
	}
	memset(name, 'a', sizeof(name));
	for (int i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '\0';
	ck_assert_int_eq(tls_ca_mint(ca, name, time(NULL), &pem, &len), 0);
	ck_assert(tls_ca_leaf_name(pem, len, got, sizeof(got)));
	ck_assert_str_eq(got, name);
	ck_assert(!tls_ca_leaf_name(pem, len, got, 100));	/* too small */
	tls_ca_pem_free(pem, len);
	ck_assert(!tls_ca_leaf_name("not a certificate", 17, got, sizeof(got)));
	ck_assert_str_eq(got, "");
	/* The CA certificate alone has no SAN. */
	ck_assert_int_eq(tls_ca_cert_pem(ca, &pem, &len), 0);
	ck_assert(!tls_ca_leaf_name(pem, len, got, sizeof(got)));
	tls_ca_pem_free(pem, len);
	tls_ca_free(ca);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_mint_capped_by_ca)
{
	struct tdir t;
	struct tls_ca *ca;
	struct minted m;
	X509 *cacert;
	time_t end;
	char *pem;
	size_t len;

	tdir_make(&t);
	ca = ca_new(&t);
	cacert = read_cert_file(t.cert);
	end = asn1_to_time(X509_get0_notAfter(cacert));
	mint_ok(ca, "late.example", end - 10 * DAY, &m);
	ck_assert_int_eq(ASN1_TIME_compare(X509_get0_notAfter(m.leaf),
	    X509_get0_notAfter(cacert)), 0);
	ck_assert_int_eq(verify(cacert, m.leaf, end - 5 * DAY,
	    "late.example", NULL), 1);
	minted_free(&m);
	/* Nothing is minted from an expired CA. */
	ck_assert_int_eq(tls_ca_mint(ca, "late.example", end, &pem, &len), -1);
	ck_assert_ptr_null(pem);
	X509_free(cacert);
	tls_ca_free(ca);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_mint_invalid_names)
{
	static const char *const bad[] = { "", "bad_name", "a..b",
	    "example.com.", "a,DNS:evil.example", "x\ny", "*.example",
	    "1.2.3", "../etc/passwd", "a b" };
	struct tdir t;
	struct tls_ca *ca;
	char *pem;
	size_t len;

	tdir_make(&t);
	ca = ca_new(&t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ck_assert_msg(tls_ca_mint(ca, bad[i], time(NULL), &pem, &len)
		    == -1, "minted %s", bad[i]);
		ck_assert_ptr_null(pem);
		ck_assert_uint_eq(len, 0);
	}
	tls_ca_free(ca);
	tdir_remove(&t);
}
END_TEST

START_TEST(test_cert_filename)
{
	char buf[TLS_CA_FILENAME_MAX], other[TLS_CA_FILENAME_MAX], small[16];
	char name[254];

	ck_assert(tls_ca_cert_filename("Example.COM", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "example.com.pem");
	ck_assert(tls_ca_cert_filename("192.0.2.1", buf, sizeof(buf)));
	ck_assert_str_eq(buf, "192.0.2.1.pem");
	ck_assert(!tls_ca_cert_filename("../x", buf, sizeof(buf)));
	ck_assert(!tls_ca_cert_filename("a/b", buf, sizeof(buf)));
	ck_assert(!tls_ca_cert_filename("", buf, sizeof(buf)));
	ck_assert(!tls_ca_cert_filename(NULL, buf, sizeof(buf)));
	ck_assert(tls_ca_cert_filename("abcdefghijk", small, sizeof(small)));
	ck_assert_str_eq(small, "abcdefghijk.pem");
	ck_assert(!tls_ca_cert_filename("abcdefghijkl", small, sizeof(small)));
	memset(name, 'a', sizeof(name));
	for (int i = 63; i < 253; i += 64)
		name[i] = '.';
	/* Up to 200 characters the name is the file name. */
	name[200] = '\0';
	ck_assert(tls_ca_cert_filename(name, buf, sizeof(buf)));
	ck_assert_uint_eq(strlen(buf), 204);
	ck_assert_int_eq(strncmp(buf, name, 200), 0);
	/* 201 to 253 (248-253 once failed: "<name>.pem.tmp" exceeds
	 * NAME_MAX): the SHA-256 of the lower-case name, 68 characters. */
	for (size_t l = 201; l <= 253; l++) {
		memset(name, 'a', sizeof(name));
		for (int i = 63; i < 253; i += 64)
			name[i] = '.';
		name[l] = '\0';
		if (name[l - 1] == '.')
			continue;
		ck_assert_msg(tls_ca_cert_filename(name, buf, sizeof(buf)), "len %zu", l);
		ck_assert_uint_eq(strlen(buf), 68);
		ck_assert_uint_le(strlen(buf) + sizeof(".tmp") - 1, NAME_MAX);
		ck_assert_uint_eq(strspn(buf, "0123456789abcdef"), 64);
		name[0] = 'A';
		ck_assert(tls_ca_cert_filename(name, other, sizeof(other)));
		ck_assert_str_eq(buf, other);	/* case does not matter */
		name[0] = 'b';
		ck_assert(tls_ca_cert_filename(name, other, sizeof(other)));
		ck_assert_str_ne(buf, other);
	}
	/* Pinned: a change of the form would orphan every file on disk. */
	ck_assert_str_eq(other, "28d2618c034b8ea00145e93f1626d9e0ca5ea7ea56ba839116f0c4640314107d.pem");
	ck_assert(!tls_ca_cert_filename(name, small, sizeof(small)));
	ck_assert(tls_ca_hostname_valid("Router-1.example", 16));
	ck_assert(!tls_ca_hostname_valid("router_1", 8));
}
END_TEST

/* HAProxy 2.6 must accept a minted buffer as a crt file. Skipped when
 * haproxy is not installed; the handshake itself is an integration test. */
START_TEST(test_haproxy_accepts_pem)
{
	char path[256], cfg[256], cmd[768], conf[1024], *pem;
	struct tdir t;
	struct tls_ca *ca;
	size_t len;

	if (access("/usr/sbin/haproxy", X_OK) != 0)
		return;
	tdir_make(&t);
	ca = ca_new(&t);
	ck_assert_int_eq(tls_ca_mint(ca, "origin.test", time(NULL), &pem,
	    &len), 0);
	snprintf(path, sizeof(path), "%s/origin.test.pem", t.dir);
	write_file(path, pem, 0600);
	tls_ca_pem_free(pem, len);
	snprintf(cfg, sizeof(cfg), "%s/haproxy.cfg", t.dir);
	snprintf(conf, sizeof(conf),
	    "defaults\n  mode http\n  timeout client 5s\n"
	    "  timeout server 5s\n  timeout connect 5s\n"
	    "frontend fe\n  bind 127.0.0.1:18443 ssl crt %s\n"
	    "  http-request return status 200\n", path);
	write_file(cfg, conf, 0644);
	snprintf(cmd, sizeof(cmd), "timeout 20 /usr/sbin/haproxy -q -c -f %s",
	    cfg);
	ck_assert_int_eq(system(cmd), 0);
	tls_ca_free(ca);
	tdir_remove(&t);
}
END_TEST

/* A leaf is renewed when close to its end or signed by another CA. */
START_TEST(test_leaf_current)
{
	struct tdir t, t2;
	struct tls_ca *ca, *other;
	time_t now = time(NULL), margin = 30 * 86400;
	char *pem;
	size_t len;

	tdir_make(&t);
	tdir_make(&t2);
	ca = ca_new(&t);
	other = ca_new(&t2);
	ck_assert_int_eq(tls_ca_mint(ca, "renew.test", now, &pem, &len), 0);
	ck_assert(tls_ca_leaf_current(ca, pem, len, now, margin));
	/* 397 days of validity: 366 days on, 30 days of margin still fit,
	 * 368 days on they do not. */
	ck_assert(tls_ca_leaf_current(ca, pem, len, now + 366 * 86400, margin));
	ck_assert(!tls_ca_leaf_current(ca, pem, len, now + 368 * 86400, margin));
	ck_assert(!tls_ca_leaf_current(other, pem, len, now, margin));
	ck_assert(!tls_ca_leaf_current(ca, "garbage", 7, now, margin));
	tls_ca_pem_free(pem, len);
	tls_ca_free(ca);
	tls_ca_free(other);
	tdir_remove(&t);
	tdir_remove(&t2);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		test_create, test_reload_same, test_half_present,
		test_key_mode_refused, test_key_owner_refused,
		test_mismatch_refused, test_bad_files_refused,
		test_mint_host, test_mint_ip, test_mint_long_name,
		test_leaf_name, test_mint_capped_by_ca,
		test_mint_invalid_names, test_cert_filename,
		test_haproxy_accepts_pem, test_leaf_current, NULL,
	};

	return unit_suite_of("tls_ca", NULL, NULL, tests);
}
