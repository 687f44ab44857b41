/* Unit tests for tls_ca_leaf: minted leaves verified against the CA with
 * OpenSSL's own chain verification, names and file names read back, and
 * `haproxy -c` accepting a minted crt file. */
#include "tls_ca_fixture.h"
#include "unit.h"

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
	/* Order: leaf, key (no chain: minted_parse); the key block is the
	 * leaf's, not the CA's. */
	ck_assert(strstr(pem, "BEGIN CERTIFICATE") < strstr(pem,
	    "BEGIN PRIVATE KEY"));
	unit_assert_lacks(pem, slurp(t.key, &len2));

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
		test_mint_host, test_mint_ip, test_mint_long_name,
		test_leaf_name, test_mint_capped_by_ca,
		test_mint_invalid_names, test_cert_filename,
		test_haproxy_accepts_pem, test_leaf_current, NULL,
	};

	return unit_suite_of("tls_ca_leaf", NULL, NULL, tests);
}
