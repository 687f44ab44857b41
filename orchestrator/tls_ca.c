/* The local CA: load it, or create it when absent.
 *
 * EC P-256 rather than RSA 2048 for both the CA and the leaves: a P-256
 * key is generated in well under a millisecond (RSA 2048 takes tens to
 * hundreds, on the event loop, for every new name a client asks for),
 * signatures and handshakes are cheaper on a small router CPU, and every
 * TLS 1.2/1.3 client that manages a router supports ECDSA P-256 with
 * SHA-256 (it is mandatory-to-implement in RFC 8446 section 9.1).
 *
 * Certificate profile: RFC 5280 (v3, positive serial of at most 20 octets,
 * CN at most 64 characters, empty subject only with a critical SAN) and the
 * CA/Browser Forum baseline (leaf lifetime at most 398 days, serial with at
 * least 64 random bits, SAN required). Leaves: tls_ca_leaf.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "fileio.h"
#include "tls_ca_int.h"

#define CA_DAYS			3652	/* ten years */
#define BACKDATE_SECS		3600	/* tolerate client clocks running late */
#define SERIAL_BYTES		16
#define CA_CN_PREFIX		"mgmt-proxy local CA "
#define CA_FILE_MAX		FILEIO_READ_MAX	/* a PEM key or certificate */

static void ca_err(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
ca_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The last OpenSSL reason, for error messages; clears the error queue so
 * stale entries never show up in a later, unrelated message. */
static const char *
ca_ssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		(void)snprintf(buf, len, "unknown OpenSSL error");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

int
tls_ca_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

EVP_PKEY *
tls_ca_keygen(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* RFC 5280 4.1.2.2: positive, at most 20 octets. The top bit is cleared so
 * the DER integer stays positive in 16 octets, and the next one is set so
 * it never shrinks or reaches zero: 126 random bits remain. */
static int
ca_set_serial(X509 *x)
{
	unsigned char b[SERIAL_BYTES];
	BIGNUM *bn;
	int rv = -1;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	if ((bn = BN_bin2bn(b, sizeof(b), NULL)) == NULL)
		return -1;
	if (BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL)
		rv = 0;
	BN_free(bn);
	return rv;
}

int
tls_ca_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int rv;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	rv = X509_add_ext(x, ext, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(ext);
	return rv;
}

int
tls_ca_set_cn(X509 *x, const char *cn)
{
	X509_NAME *name = X509_get_subject_name(x);

	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		return -1;
	return 0;
}

X509 *
tls_ca_cert_new(EVP_PKEY *pub, time_t now)
{
	X509 *x;

	if ((x = X509_new()) == NULL)
		return NULL;
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    ca_set_serial(x) != 0 ||
	    X509_set_pubkey(x, pub) != 1 ||
	    ASN1_TIME_adj(X509_getm_notBefore(x), now, 0, -BACKDATE_SECS) ==
	    NULL) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int
tls_ca_bio_take(BIO *bio, char **pem, size_t *len)
{
	char *data, *buf;
	long n;

	if ((n = BIO_get_mem_data(bio, &data)) <= 0)
		return -1;
	if ((buf = malloc((size_t)n + 1)) == NULL)
		return -1;
	memcpy(buf, data, (size_t)n);
	buf[n] = '\0';
	*pem = buf;
	*len = (size_t)n;
	return 0;
}

/* "mgmt-proxy local CA <hostname>", cut to the 64-character CN limit and
 * restricted to printable ASCII so it is always valid UTF-8. */
static void
ca_subject_cn(char cn[TLS_CA_CN_MAX + 1])
{
	char host[256];
	size_t i, n = sizeof(CA_CN_PREFIX) - 1;

	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		memcpy(host, "unknown", sizeof("unknown"));
	host[sizeof(host) - 1] = '\0';
	memcpy(cn, CA_CN_PREFIX, n);
	for (i = 0; host[i] != '\0' && n < TLS_CA_CN_MAX; i++, n++)
		cn[n] = host[i] < 0x20 || host[i] > 0x7e ? '?' : host[i];
	cn[n] = '\0';
}

static X509 *
ca_self_signed(EVP_PKEY *key, time_t now)
{
	char cn[TLS_CA_CN_MAX + 1];
	X509 *x;

	if ((x = tls_ca_cert_new(key, now)) == NULL)
		return NULL;
	ca_subject_cn(cn);
	/* pathlen:0: this CA signs leaves only, never another CA. */
	if (ASN1_TIME_adj(X509_getm_notAfter(x), now, CA_DAYS, 0) == NULL ||
	    tls_ca_set_cn(x, cn) != 0 ||
	    X509_set_issuer_name(x, X509_get_subject_name(x)) != 1 ||
	    tls_ca_add_ext(x, x, NID_basic_constraints,
	    "critical,CA:TRUE,pathlen:0") != 0 ||
	    tls_ca_add_ext(x, x, NID_key_usage,
	    "critical,keyCertSign,cRLSign") != 0 ||
	    tls_ca_add_ext(x, x, NID_subject_key_identifier, "hash") != 0 ||
	    X509_sign(x, key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Both halves as PEM in memory; the key's buffer is wiped when freed. */
static int
ca_pem(struct tls_ca *ca, char **kpem, size_t *klen, char **cpem, size_t *clen)
{
	BIO *kb = BIO_new(BIO_s_secmem()), *cb = BIO_new(BIO_s_mem());
	int rv = -1;

	*kpem = *cpem = NULL;
	if (kb != NULL && cb != NULL &&
	    PEM_write_bio_PrivateKey(kb, ca->key, NULL, NULL, 0, NULL, NULL) == 1 &&
	    PEM_write_bio_X509(cb, ca->cert) == 1 &&
	    tls_ca_bio_take(kb, kpem, klen) == 0 &&
	    tls_ca_bio_take(cb, cpem, clen) == 0)
		rv = 0;
	BIO_free(kb);
	BIO_free(cb);
	return rv;
}

static int
ca_create(struct tls_ca *ca, const char *cert_path, const char *key_path,
    char *err, size_t errlen)
{
	char reason[256], *kpem = NULL, *cpem = NULL;
	size_t klen = 0, clen = 0;
	int rv = -1;

	if ((ca->key = tls_ca_keygen()) == NULL ||
	    (ca->cert = ca_self_signed(ca->key, time(NULL))) == NULL ||
	    ca_pem(ca, &kpem, &klen, &cpem, &clen) == -1) {
		ca_err(err, errlen, "creating CA: %s",
		    ca_ssl_reason(reason, sizeof(reason)));
		goto out;
	}
	/* Never over a file that appeared meanwhile, and the key first: a
	 * crash between the two leaves a lone key, which the next start
	 * refuses instead of minting a new CA that clients do not trust. The
	 * key is born 0600, never readable by others, not even for a moment. */
	if (fileio_create_excl(key_path, kpem, klen, 0600) == -1) {
		ca_err(err, errlen, "%s: %s", key_path, strerror(errno));
		goto out;
	}
	if (fileio_create_excl(cert_path, cpem, clen, 0644) == -1) {
		ca_err(err, errlen, "%s: %s", cert_path, strerror(errno));
		(void)unlink(key_path);
		goto out;
	}
	rv = 0;
out:
	fileio_secret_free(kpem, klen);
	free(cpem);
	return rv;
}

/* The text for a failed fileio read: a FIFO, a device or a directory is
 * "not a regular file". */
static const char *
ca_read_error(int errnum)
{
	return fileio_strerror(errnum == EISDIR ? EINVAL : errnum);
}

/* The key (secret: the HA key's rule, fileio_secret_problem, checked on
 * the very file read, whatever happens to the path meanwhile) or the
 * certificate, read and parsed. Links are followed: /etc/mgmt-proxy/ca.key
 * may be one. */
static int
ca_load_pem(struct tls_ca *ca, const char *path, bool key, char *err,
    size_t errlen)
{
	char reason[256], *pem;
	const char *why = NULL;
	struct stat st;
	size_t len = 0;
	BIO *bio;

	pem = key ? fileio_read_secret(path, CA_FILE_MAX, 0, &len, &st, &why) :
	    fileio_read(path, CA_FILE_MAX, 0, &len);
	if (pem == NULL && why != NULL)
		ca_err(err, errlen, "%s: %s (mode %04o, owner %u)", path, why,
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	else if (pem == NULL)
		ca_err(err, errlen, "%s: %s", path, ca_read_error(errno));
	if (pem == NULL)
		return -1;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) != NULL && key)
		ca->key = PEM_read_bio_PrivateKey(bio, NULL, tls_ca_no_passphrase, NULL);
	else if (bio != NULL)
		ca->cert = PEM_read_bio_X509(bio, NULL, tls_ca_no_passphrase, NULL);
	BIO_free(bio);
	fileio_secret_free(pem, len);
	if (key ? ca->key == NULL : ca->cert == NULL) {
		ca_err(err, errlen, "%s: cannot read %s: %s", path, key ?
		    "an unencrypted PEM private key" : "a PEM certificate",
		    ca_ssl_reason(reason, sizeof(reason)));
		return -1;
	}
	return 0;
}

static int
ca_load_cert(struct tls_ca *ca, const char *path, char *err, size_t errlen)
{
	if (ca_load_pem(ca, path, false, err, errlen) == -1)
		return -1;
	/* Also rejects a keyUsage without keyCertSign. */
	if (X509_check_ca(ca->cert) == 0) {
		ca_err(err, errlen, "%s: not a CA certificate", path);
		return -1;
	}
	return 0;
}

static int
ca_load(struct tls_ca *ca, const char *cert_path, const char *key_path,
    char *err, size_t errlen)
{
	if (ca_load_pem(ca, key_path, true, err, errlen) != 0 ||
	    ca_load_cert(ca, cert_path, err, errlen) != 0)
		return -1;
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		ERR_clear_error();
		ca_err(err, errlen, "%s and %s: certificate and key do not "
		    "match", cert_path, key_path);
		return -1;
	}
	return 0;
}

/* 1 present, 0 absent, -1 cannot tell. */
static int
ca_exists(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	ca_err(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

int
tls_ca_load_or_create(const char *cert_path, const char *key_path,
    struct tls_ca **out, char *err, size_t errlen)
{
	struct tls_ca *ca;
	int have_cert, have_key, rv;

	*out = NULL;
	if ((have_cert = ca_exists(cert_path, err, errlen)) == -1 ||
	    (have_key = ca_exists(key_path, err, errlen)) == -1)
		return -1;
	if (have_cert != have_key) {
		/* Never complete half of a pair: a new key would orphan the
		 * certificate clients trust, or the reverse. */
		ca_err(err, errlen, "%s exists but %s does not; refusing to "
		    "create a new CA over half of an existing one",
		    have_cert ? cert_path : key_path,
		    have_cert ? key_path : cert_path);
		return -1;
	}
	if ((ca = calloc(1, sizeof(*ca))) == NULL) {
		ca_err(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (have_cert)
		rv = ca_load(ca, cert_path, key_path, err, errlen);
	else
		rv = ca_create(ca, cert_path, key_path, err, errlen);
	if (rv != 0) {
		tls_ca_free(ca);
		return -1;
	}
	*out = ca;
	return 0;
}

int
tls_ca_cert_pem(const struct tls_ca *ca, char **pem, size_t *len)
{
	BIO *bio;
	int rv = -1;

	*pem = NULL;
	*len = 0;
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return -1;
	if (PEM_write_bio_X509(bio, ca->cert) == 1)
		rv = tls_ca_bio_take(bio, pem, len);
	BIO_free(bio);
	return rv;
}

void
tls_ca_free(struct tls_ca *ca)
{
	if (ca == NULL)
		return;
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	free(ca);
}

