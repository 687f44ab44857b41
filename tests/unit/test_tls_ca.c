/* Unit tests for tls_ca: CA creation, reloading and refusals in a mkdtemp
 * directory. */
#include "tls_ca_fixture.h"
#include "unit.h"

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
	char err[512], buf[16384];
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

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		test_create, test_reload_same, test_half_present,
		test_key_mode_refused, test_key_owner_refused,
		test_mismatch_refused, test_bad_files_refused,
		NULL,
	};

	return unit_suite_of("tls_ca", NULL, NULL, tests);
}
