/* The local CA: load or create it, mint leaf certificates from it.
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
 * least 64 random bits, SAN required). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* renameat2(), RENAME_NOREPLACE */
#endif
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls_ca.h"
#include "hostname.h"
#include "fileio.h"

#define CA_DAYS			3652	/* ten years */
#define LEAF_DAYS		397	/* under the 398-day browser limit */
#define BACKDATE_SECS		3600	/* tolerate client clocks running late */
#define SERIAL_BYTES		16
#define CN_MAX			64	/* RFC 5280 ub-common-name */
#define CA_CN_PREFIX		"mgmt-proxy local CA "

struct tls_ca {
	X509		*cert;
	EVP_PKEY	*key;
};

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

/* Encrypted keys are refused instead of letting OpenSSL prompt on a
 * terminal that a daemon does not have. */
static int
ca_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static EVP_PKEY *
ca_keygen(void)
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

static int
ca_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
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

static int
ca_set_cn(X509 *x, const char *cn)
{
	X509_NAME *name = X509_get_subject_name(x);

	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		return -1;
	return 0;
}

/* A certificate with the fields every certificate here shares. */
static X509 *
ca_cert_new(EVP_PKEY *pub, time_t now)
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

/* "mgmt-proxy local CA <hostname>", cut to the 64-character CN limit and
 * restricted to printable ASCII so it is always valid UTF-8. */
static void
ca_subject_cn(char cn[CN_MAX + 1])
{
	char host[256];
	size_t i, n = sizeof(CA_CN_PREFIX) - 1;

	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		memcpy(host, "unknown", sizeof("unknown"));
	host[sizeof(host) - 1] = '\0';
	memcpy(cn, CA_CN_PREFIX, n);
	for (i = 0; host[i] != '\0' && n < CN_MAX; i++, n++)
		cn[n] = host[i] < 0x20 || host[i] > 0x7e ? '?' : host[i];
	cn[n] = '\0';
}

static X509 *
ca_self_signed(EVP_PKEY *key, time_t now)
{
	char cn[CN_MAX + 1];
	X509 *x;

	if ((x = ca_cert_new(key, now)) == NULL)
		return NULL;
	ca_subject_cn(cn);
	/* pathlen:0: this CA signs leaves only, never another CA. */
	if (ASN1_TIME_adj(X509_getm_notAfter(x), now, CA_DAYS, 0) == NULL ||
	    ca_set_cn(x, cn) != 0 ||
	    X509_set_issuer_name(x, X509_get_subject_name(x)) != 1 ||
	    ca_add_ext(x, x, NID_basic_constraints,
	    "critical,CA:TRUE,pathlen:0") != 0 ||
	    ca_add_ext(x, x, NID_key_usage,
	    "critical,keyCertSign,cRLSign") != 0 ||
	    ca_add_ext(x, x, NID_subject_key_identifier, "hash") != 0 ||
	    X509_sign(x, key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Write obj to a new temporary file beside path. mkostemp() opens it with
 * O_CREAT|O_EXCL and mode 0600, so a key is never readable by others, not
 * even for a moment; a certificate is widened to `mode` afterwards. */
static int
ca_write_tmp(const char *path, mode_t mode, X509 *cert, EVP_PKEY *key,
    char *tmp, size_t tmplen, char *err, size_t errlen)
{
	char reason[256];
	FILE *fp;
	int fd, ok;

	if (snprintf(tmp, tmplen, "%s.XXXXXX", path) >= (int)tmplen) {
		ca_err(err, errlen, "%s: path too long", path);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		ca_err(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		ca_err(err, errlen, "%s: %s", tmp, strerror(errno));
		(void)close(fd);
		(void)unlink(tmp);
		return -1;
	}
	if (key != NULL)
		ok = PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_X509(fp, cert);
	if (ok != 1) {
		ca_err(err, errlen, "%s: %s", tmp,
		    ca_ssl_reason(reason, sizeof(reason)));
		goto fail;
	}
	if (fflush(fp) != 0 || fsync(fd) != 0) {
		ca_err(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (fclose(fp) != 0) {
		ca_err(err, errlen, "%s: %s", tmp, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
fail:
	(void)fclose(fp);
	(void)unlink(tmp);
	return -1;
}

/* Move tmp into place without ever replacing a file that appeared in the
 * meantime, then make the rename itself durable. */
static int
ca_commit(const char *tmp, const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	int fd;

	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == -1) {
		/* Some file systems lack RENAME_NOREPLACE; link() is just as
		 * atomic and just as unwilling to replace a file. */
		if ((errno != EINVAL && errno != ENOSYS) ||
		    link(tmp, path) == -1) {
			ca_err(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		(void)unlink(tmp);
	}
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return 0;
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1) {
		(void)fsync(fd);
		(void)close(fd);
	}
	return 0;
}

static int
ca_create(struct tls_ca *ca, const char *cert_path, const char *key_path,
    char *err, size_t errlen)
{
	char ctmp[PATH_MAX], ktmp[PATH_MAX], reason[256];

	if ((ca->key = ca_keygen()) == NULL ||
	    (ca->cert = ca_self_signed(ca->key, time(NULL))) == NULL) {
		ca_err(err, errlen, "creating CA: %s",
		    ca_ssl_reason(reason, sizeof(reason)));
		return -1;
	}
	if (ca_write_tmp(key_path, 0600, NULL, ca->key, ktmp, sizeof(ktmp),
	    err, errlen) != 0)
		return -1;
	if (ca_write_tmp(cert_path, 0644, ca->cert, NULL, ctmp, sizeof(ctmp),
	    err, errlen) != 0) {
		(void)unlink(ktmp);
		return -1;
	}
	/* The key goes first: a crash between the two renames leaves a lone
	 * key, which the next start refuses instead of minting a new CA that
	 * clients do not trust. */
	if (ca_commit(ktmp, key_path, err, errlen) != 0) {
		(void)unlink(ktmp);
		(void)unlink(ctmp);
		return -1;
	}
	if (ca_commit(ctmp, cert_path, err, errlen) != 0) {
		(void)unlink(ctmp);
		return -1;
	}
	return 0;
}

static int
ca_load_key(struct tls_ca *ca, const char *path, char *err, size_t errlen)
{
	const char *why;
	char reason[256];
	struct stat st;
	FILE *fp;
	int fd;

	/* O_NONBLOCK: a FIFO planted at the path must not hang the daemon
	 * before fstat() can refuse it. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		ca_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* fstat the open file, so the owner and mode checked are those of the
	 * very file read, whatever happens to the path meanwhile. The rule is
	 * the HA key's. */
	if (fstat(fd, &st) == -1) {
		ca_err(err, errlen, "%s: %s", path, strerror(errno));
		(void)close(fd);
		return -1;
	}
	if ((why = fileio_secret_problem(&st)) != NULL) {
		ca_err(err, errlen, "%s: %s (mode %04o, owner %u)", path, why,
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		(void)close(fd);
		return -1;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		ca_err(err, errlen, "%s: %s", path, strerror(errno));
		(void)close(fd);
		return -1;
	}
	ca->key = PEM_read_PrivateKey(fp, NULL, ca_no_passphrase, NULL);
	(void)fclose(fp);
	if (ca->key == NULL) {
		ca_err(err, errlen, "%s: cannot read an unencrypted PEM "
		    "private key: %s", path,
		    ca_ssl_reason(reason, sizeof(reason)));
		return -1;
	}
	return 0;
}

static int
ca_load_cert(struct tls_ca *ca, const char *path, char *err, size_t errlen)
{
	char reason[256];
	struct stat st;
	bool regular;
	FILE *fp;
	int fd;

	/* Like the key: never wait on a FIFO planted at the path. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		ca_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (!regular || (fp = fdopen(fd, "r")) == NULL) {
		ca_err(err, errlen, "%s: %s", path,
		    regular ? strerror(errno) : "not a regular file");
		(void)close(fd);
		return -1;
	}
	ca->cert = PEM_read_X509(fp, NULL, ca_no_passphrase, NULL);
	(void)fclose(fp);
	if (ca->cert == NULL) {
		ca_err(err, errlen, "%s: cannot read a PEM certificate: %s",
		    path, ca_ssl_reason(reason, sizeof(reason)));
		return -1;
	}
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
	if (ca_load_key(ca, key_path, err, errlen) != 0 ||
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

/* Validity now-1h .. now+397d, cut at the CA's own notAfter: a leaf that
 * outlives its issuer fails verification in some clients. */
static int
ca_leaf_validity(const struct tls_ca *ca, X509 *x, time_t now)
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
ca_leaf_names(const struct tls_ca *ca, X509 *x, const char *name)
{
	char san[HOSTNAME_BUF + 16];
	size_t len = strlen(name);
	bool ip = hostname_is_ipv4(name, len);

	if (X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1)
		return -1;
	/* RFC 5280 4.2.1.6: a name too long for a CN leaves the subject
	 * empty, and then the SAN must be critical. The name passed the LDH
	 * check, so it cannot smuggle a ',' into the extension string. */
	if (len <= CN_MAX && ca_set_cn(x, name) != 0)
		return -1;
	if (snprintf(san, sizeof(san), "%s%s:%s",
	    len <= CN_MAX ? "" : "critical,", ip ? "IP" : "DNS", name) >=
	    (int)sizeof(san))
		return -1;
	if (ca_add_ext(x, ca->cert, NID_subject_alt_name, san) != 0 ||
	    ca_add_ext(x, ca->cert, NID_basic_constraints,
	    "critical,CA:FALSE") != 0 ||
	    ca_add_ext(x, ca->cert, NID_key_usage,
	    "critical,digitalSignature") != 0 ||
	    ca_add_ext(x, ca->cert, NID_ext_key_usage, "serverAuth") != 0 ||
	    ca_add_ext(x, ca->cert, NID_subject_key_identifier, "hash") != 0 ||
	    ca_add_ext(x, ca->cert, NID_authority_key_identifier,
	    "keyid:always") != 0)
		return -1;
	return 0;
}

/* Copy a memory BIO into a NUL-terminated heap buffer. */
static int
ca_bio_take(BIO *bio, char **pem, size_t *len)
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
	if ((key = ca_keygen()) == NULL ||
	    (x = ca_cert_new(key, now)) == NULL ||
	    ca_leaf_validity(ca, x, now) != 0 ||
	    ca_leaf_names(ca, x, name) != 0 ||
	    X509_sign(x, ca->key, EVP_sha256()) <= 0)
		goto out;
	/* A secure-heap BIO: its buffer, which holds the leaf key, is wiped
	 * when freed. */
	if ((bio = BIO_new(BIO_s_secmem())) == NULL ||
	    PEM_write_bio_X509(bio, x) != 1 ||
	    PEM_write_bio_X509(bio, ca->cert) != 1 ||
	    PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1)
		goto out;
	rv = ca_bio_take(bio, pem_out, len);
out:
	if (rv != 0)
		ERR_clear_error();
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(key);
	return rv;
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
		rv = ca_bio_take(bio, pem, len);
	BIO_free(bio);
	return rv;
}

bool
tls_ca_leaf_current(const struct tls_ca *ca, const char *pem, size_t len,
    time_t now, time_t margin)
{
	BIO *bio = len <= INT_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, ca_no_passphrase, NULL) : NULL;
	EVP_PKEY *pub = X509_get0_pubkey(ca->cert);
	time_t until = now + margin;
	bool ok = false;

	/* X509_cmp_time: 1 when the certificate's time is later than until. */
	if (x != NULL && pub != NULL)
		ok = X509_cmp_time(X509_get0_notAfter(x), &until) > 0 &&
		    X509_verify(x, pub) == 1;
	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	return ok;
}

int64_t
tls_ca_leaf_not_after(const char *pem, size_t len)
{
	BIO *bio = len <= INT_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, ca_no_passphrase, NULL) : NULL;
	int64_t t = 0;
	struct tm tm;

	if (x != NULL && ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		t = (int64_t)timegm(&tm);
	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	return t;
}

void
tls_ca_pem_free(char *pem, size_t len)
{
	if (pem == NULL)
		return;
	OPENSSL_cleanse(pem, len);
	free(pem);
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
	BIO *bio = len <= INT_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, ca_no_passphrase, NULL) : NULL;
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
	BIO_free(bio);
	ERR_clear_error();
	if (!ok && buflen > 0)
		buf[0] = '\0';
	return ok;
}
