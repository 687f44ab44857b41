/* Unit tests for tls_sni: real ClientHellos captured from OpenSSL 3 and
 * curl (tests/unit/fixtures/clienthello_*.bin, all asking for
 * "example.test"), re-fragmented and truncated variants, and hand-built
 * hellos for the corner cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_sni.h"
#include "unit.h"

#define FIXTURE_MAX	4096

struct fixture {
	uint8_t	 b[FIXTURE_MAX];
	size_t	 len;
};

static const char *const sni_fixtures[] = {
	"clienthello_openssl_tls13.bin",
	"clienthello_openssl_tls12.bin",
	"clienthello_curl.bin",
};

/* Fixtures live beside this file; UNIT_FIXTURES overrides the directory
 * when the binary runs from somewhere other than the repository root. */
static void
load_fixture(const char *name, struct fixture *f)
{
	char path[512], dir[256];
	const char *env = getenv("UNIT_FIXTURES");
	const char *slash;
	FILE *fp;

	if (env != NULL)
		ck_assert_int_lt(snprintf(dir, sizeof(dir), "%s", env),
		    (int)sizeof(dir));
	else {
		slash = strrchr(__FILE__, '/');
		ck_assert_int_lt(snprintf(dir, sizeof(dir), "%.*s/fixtures",
		    slash ? (int)(slash - __FILE__) : 1,
		    slash ? __FILE__ : "."), (int)sizeof(dir));
	}
	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, name),
	    (int)sizeof(path));
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot open fixture %s", path);
	f->len = fread(f->b, 1, sizeof(f->b), fp);
	fclose(fp);
	ck_assert_uint_gt(f->len, 5);
}

static int
parse(const uint8_t *b, size_t len, char *out)
{
	return tls_sni_parse(b, len, out, TLS_SNI_NAME_MAX);
}

/* Re-split the handshake bytes of a single-record hello into records of
 * at most `chunk` bytes (RFC 8446 5.1 allows any fragmentation). */
static size_t
refragment(const struct fixture *in, size_t chunk, uint8_t *out, size_t cap)
{
	size_t body = (size_t)in->b[3] << 8 | in->b[4];
	const uint8_t *p = in->b + 5;
	size_t o = 0;

	ck_assert_uint_le(body + 5, in->len);
	while (body > 0) {
		size_t k = body < chunk ? body : chunk;

		ck_assert_uint_le(o + 5 + k, cap);
		out[o++] = 22;
		out[o++] = 3;
		out[o++] = 1;
		out[o++] = (uint8_t)(k >> 8);
		out[o++] = (uint8_t)k;
		memcpy(out + o, p, k);
		o += k;
		p += k;
		body -= k;
	}
	return o;
}

static uint8_t *
find_name(struct fixture *f, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i + n <= f->len; i++)
		if (memcmp(f->b + i, name, n) == 0)
			return f->b + i;
	ck_abort_msg("name %s not in fixture", name);
	return NULL;
}

/* --- a tiny ClientHello builder for the corner cases --- */

struct hb {
	uint8_t	 b[FIXTURE_MAX];
	size_t	 len;
};

static void
hb_put(struct hb *h, const void *p, size_t n)
{
	ck_assert_uint_le(h->len + n, sizeof(h->b));
	memcpy(h->b + h->len, p, n);
	h->len += n;
}

static void
hb_u8(struct hb *h, unsigned v)
{
	uint8_t b = (uint8_t)v;

	hb_put(h, &b, 1);
}

static void
hb_u16(struct hb *h, size_t v)
{
	hb_u8(h, (unsigned)(v >> 8) & 0xff);
	hb_u8(h, (unsigned)v & 0xff);
}

/* server_name extension holding one entry per (type, name) pair. */
static void
hb_sni_ext(struct hb *e, int n, const unsigned *types,
    const char *const *names)
{
	size_t list = 0;

	for (int i = 0; i < n; i++)
		list += 3 + strlen(names[i]);
	hb_u16(e, 0);
	hb_u16(e, list + 2);
	hb_u16(e, list);
	for (int i = 0; i < n; i++) {
		hb_u8(e, types[i]);
		hb_u16(e, strlen(names[i]));
		hb_put(e, names[i], strlen(names[i]));
	}
}

/* Record + handshake header + fixed ClientHello fields + extensions
 * (none at all when exts is NULL). */
static void
hb_hello(struct hb *h, const struct hb *exts)
{
	static const uint8_t random[32];
	size_t body = 2 + 32 + 1 + 2 + 2 + 1 + 1 +
	    (exts ? 2 + exts->len : 0);

	h->len = 0;
	hb_u8(h, 22);
	hb_u16(h, 0x0301);
	hb_u16(h, body + 4);
	hb_u8(h, 1);
	hb_u8(h, 0);
	hb_u16(h, body);
	hb_u16(h, 0x0303);
	hb_put(h, random, sizeof(random));
	hb_u8(h, 0);		/* session id */
	hb_u16(h, 2);
	hb_u16(h, 0x1301);	/* TLS_AES_128_GCM_SHA256 */
	hb_u8(h, 1);
	hb_u8(h, 0);		/* null compression */
	if (exts != NULL) {
		hb_u16(h, exts->len);
		hb_put(h, exts->b, exts->len);
	}
}

static int
hb_parse_names(int n, const unsigned *types, const char *const *names,
    char *out)
{
	struct hb e = { .len = 0 }, h;

	hb_sni_ext(&e, n, types, names);
	hb_hello(&h, &e);
	return parse(h.b, h.len, out);
}

static int
hb_parse_name(const char *name, char *out)
{
	static const unsigned type0[] = { 0 };

	return hb_parse_names(1, type0, &name, out);
}

START_TEST(test_captured_hellos)
{
	char out[TLS_SNI_NAME_MAX];
	struct fixture f;

	for (size_t i = 0; i < sizeof(sni_fixtures) / sizeof(*sni_fixtures);
	    i++) {
		load_fixture(sni_fixtures[i], &f);
		ck_assert_msg(parse(f.b, f.len, out) == TLS_SNI_FOUND,
		    "%s", sni_fixtures[i]);
		ck_assert_str_eq(out, "example.test");
	}
}
END_TEST

START_TEST(test_no_sni)
{
	char out[TLS_SNI_NAME_MAX] = "junk";
	struct fixture f;
	struct hb h;

	load_fixture("clienthello_openssl_nosni.bin", &f);
	ck_assert_int_eq(parse(f.b, f.len, out), TLS_SNI_NONE);
	ck_assert_str_eq(out, "");
	/* TLS 1.2 allows a hello with no extension block at all. */
	hb_hello(&h, NULL);
	ck_assert_int_eq(parse(h.b, h.len, out), TLS_SNI_NONE);
}
END_TEST

/* Every proper prefix of a real hello is a hello still in flight. */
START_TEST(test_truncated_every_offset)
{
	const char *const all[] = { "clienthello_openssl_tls13.bin",
	    "clienthello_openssl_tls12.bin", "clienthello_curl.bin",
	    "clienthello_openssl_nosni.bin" };
	char out[TLS_SNI_NAME_MAX];
	struct fixture f;

	for (size_t i = 0; i < sizeof(all) / sizeof(*all); i++) {
		load_fixture(all[i], &f);
		for (size_t n = 0; n < f.len; n++) {
			/* An exact-size heap copy lets ASan catch over-reads. */
			uint8_t *p = malloc(n ? n : 1);

			memcpy(p, f.b, n);
			ck_assert_msg(parse(p, n, out) == TLS_SNI_PARTIAL,
			    "%s cut at %zu", all[i], n);
			ck_assert_str_eq(out, "");
			free(p);
		}
	}
}
END_TEST

START_TEST(test_several_records)
{
	static const size_t chunks[] = { 1, 2, 7, 64, 100, 300 };
	uint8_t buf[FIXTURE_MAX * 6];
	char out[TLS_SNI_NAME_MAX];
	struct fixture f;
	size_t n;

	load_fixture("clienthello_curl.bin", &f);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(*chunks); i++) {
		n = refragment(&f, chunks[i], buf, sizeof(buf));
		ck_assert_int_eq(parse(buf, n, out), TLS_SNI_FOUND);
		ck_assert_str_eq(out, "example.test");
		for (size_t cut = 0; cut < n; cut++)
			ck_assert_msg(parse(buf, cut, out) == TLS_SNI_PARTIAL,
			    "chunk %zu cut at %zu", chunks[i], cut);
	}
}
END_TEST

START_TEST(test_record_type_change_midway)
{
	uint8_t buf[FIXTURE_MAX * 2];
	char out[TLS_SNI_NAME_MAX];
	struct fixture f;
	size_t n;

	load_fixture("clienthello_curl.bin", &f);
	n = refragment(&f, 100, buf, sizeof(buf));
	/* Second record turned into application data (RFC 8446 5.1 forbids
	 * interleaving other record types within a handshake message). */
	buf[105] = 23;
	ck_assert_int_eq(parse(buf, n, out), TLS_SNI_INVALID);
	buf[105] = 22;
	buf[106] = 2;
	ck_assert_int_eq(parse(buf, n, out), TLS_SNI_INVALID);
}
END_TEST

START_TEST(test_trailing_data_ignored)
{
	static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
	char out[TLS_SNI_NAME_MAX];
	struct fixture f;

	load_fixture("clienthello_openssl_tls13.bin", &f);
	memcpy(f.b + f.len, ccs, sizeof(ccs));
	ck_assert_int_eq(parse(f.b, f.len + sizeof(ccs), out), TLS_SNI_FOUND);
	ck_assert_str_eq(out, "example.test");
}
END_TEST

START_TEST(test_uppercase_lowered)
{
	char out[TLS_SNI_NAME_MAX];
	struct fixture f;

	load_fixture("clienthello_openssl_tls13.bin", &f);
	memcpy(find_name(&f, "example.test"), "EXAMPLE.Test", 12);
	ck_assert_int_eq(parse(f.b, f.len, out), TLS_SNI_FOUND);
	ck_assert_str_eq(out, "example.test");
}
END_TEST

START_TEST(test_bad_characters)
{
	static const char *const bad[] = { "exa_ple.test", "exa/ple.test",
	    "-xample.test", "exampl-.test", "example..tst", "example.tes.",
	    "exa ple.test", "exa\"ple.test", "exa,ple.test",
	    "exam\xc3\xa9le.tes" };
	char out[TLS_SNI_NAME_MAX];
	struct fixture f;
	uint8_t *p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		load_fixture("clienthello_openssl_tls13.bin", &f);
		p = find_name(&f, "example.test");
		ck_assert_uint_eq(strlen(bad[i]), 12);
		memcpy(p, bad[i], 12);
		ck_assert_msg(parse(f.b, f.len, out) == TLS_SNI_INVALID,
		    "accepted %s", bad[i]);
		ck_assert_str_eq(out, "");
	}
	/* An embedded NUL must not shorten the name. */
	load_fixture("clienthello_openssl_tls13.bin", &f);
	find_name(&f, "example.test")[7] = '\0';
	ck_assert_int_eq(parse(f.b, f.len, out), TLS_SNI_INVALID);
}
END_TEST

START_TEST(test_not_tls)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const uint8_t sslv2[] = { 0x80, 0x2e, 0x01, 0x00, 0x02 };
	static const uint8_t alert[] = { 21, 3, 3, 0, 2, 2, 40 };
	static const uint8_t tls_major4[] = { 22, 4, 1, 0, 1, 1 };
	char out[TLS_SNI_NAME_MAX];

	ck_assert_int_eq(parse((const uint8_t *)http, strlen(http), out),
	    TLS_SNI_NOT_TLS);
	ck_assert_int_eq(parse(sslv2, sizeof(sslv2), out), TLS_SNI_NOT_TLS);
	ck_assert_int_eq(parse(alert, sizeof(alert), out), TLS_SNI_NOT_TLS);
	ck_assert_int_eq(parse(tls_major4, sizeof(tls_major4), out),
	    TLS_SNI_NOT_TLS);
	ck_assert_int_eq(parse(tls_major4, 1, out), TLS_SNI_PARTIAL);
}
END_TEST

START_TEST(test_invalid_structure)
{
	char out[TLS_SNI_NAME_MAX];
	struct fixture f, g;

	load_fixture("clienthello_openssl_tls13.bin", &f);
	g = f;
	g.b[5] = 2;			/* ServerHello, not ClientHello */
	ck_assert_int_eq(parse(g.b, g.len, out), TLS_SNI_INVALID);
	g = f;
	g.b[3] = 0;
	g.b[4] = 0;			/* empty record */
	ck_assert_int_eq(parse(g.b, g.len, out), TLS_SNI_INVALID);
	g = f;
	g.b[3] = 0x40;
	g.b[4] = 1;			/* record over 2^14 */
	ck_assert_int_eq(parse(g.b, g.len, out), TLS_SNI_INVALID);
	g = f;
	g.b[6] = 0x02;			/* hello length over the maximum */
	ck_assert_int_eq(parse(g.b, g.len, out), TLS_SNI_INVALID);
	g = f;
	g.b[9] = 2;			/* legacy_version 2.x */
	ck_assert_int_eq(parse(g.b, g.len, out), TLS_SNI_INVALID);
	g = f;
	g.b[43] = 33;			/* session id longer than 32 */
	ck_assert_int_eq(parse(g.b, g.len, out), TLS_SNI_INVALID);
}
END_TEST

START_TEST(test_built_hellos)
{
	static const unsigned two_hosts[] = { 0, 0 };
	static const unsigned other_first[] = { 7, 0 };
	static const char *const names[] = { "a.example", "b.example" };
	char out[TLS_SNI_NAME_MAX], longname[300];
	const char *lp = longname;
	struct hb e = { .len = 0 }, h = { .len = 0 };

	ck_assert_int_eq(hb_parse_name("Host.Example", out), TLS_SNI_FOUND);
	ck_assert_str_eq(out, "host.example");
	ck_assert_int_eq(hb_parse_name("192.0.2.1", out), TLS_SNI_FOUND);
	ck_assert_str_eq(out, "192.0.2.1");
	ck_assert_int_eq(hb_parse_name("1.2.3", out), TLS_SNI_INVALID);
	ck_assert_int_eq(hb_parse_name("", out), TLS_SNI_INVALID);
	/* RFC 6066 3: at most one name of each type; others are skipped. */
	ck_assert_int_eq(hb_parse_names(2, two_hosts, names, out),
	    TLS_SNI_INVALID);
	ck_assert_int_eq(hb_parse_names(2, other_first, names, out),
	    TLS_SNI_FOUND);
	ck_assert_str_eq(out, "b.example");
	ck_assert_int_eq(hb_parse_names(1, other_first, names, out),
	    TLS_SNI_NONE);
	/* 253 characters: the longest host name. */
	memset(longname, 'a', sizeof(longname));
	for (int i = 63; i < 253; i += 64)
		longname[i] = '.';
	longname[253] = '\0';
	ck_assert_int_eq(hb_parse_name(longname, out), TLS_SNI_FOUND);
	ck_assert_str_eq(out, longname);
	ck_assert_int_eq(tls_sni_parse(h.b, 0, out, 10), TLS_SNI_PARTIAL);
	hb_sni_ext(&e, 1, two_hosts, &lp);
	hb_hello(&h, &e);
	ck_assert_int_eq(tls_sni_parse(h.b, h.len, out, 253), TLS_SNI_INVALID);
	ck_assert_int_eq(tls_sni_parse(h.b, h.len, out, 0), TLS_SNI_INVALID);
	longname[253] = 'a';
	longname[254] = '\0';
	ck_assert_int_eq(hb_parse_name(longname, out), TLS_SNI_INVALID);
	/* The same extension twice (RFC 8446 4.2). */
	e.len = 0;
	hb_sni_ext(&e, 1, two_hosts, names);
	hb_sni_ext(&e, 1, two_hosts, names + 1);
	hb_hello(&h, &e);
	ck_assert_int_eq(parse(h.b, h.len, out), TLS_SNI_INVALID);
	/* Extension block length not matching the rest of the hello. */
	e.len = 0;
	hb_sni_ext(&e, 1, two_hosts, names);
	hb_hello(&h, &e);
	h.b[5 + 4 + 2 + 32 + 1 + 2 + 2 + 1 + 1 + 1]--;
	ck_assert_int_eq(parse(h.b, h.len, out), TLS_SNI_INVALID);
}
END_TEST

START_TEST(test_hostname_valid)
{
	static const char *const good[] = { "example.com", "EXAMPLE.com",
	    "a", "localhost", "x-1.example", "1example.com", "a.b.c.d.e",
	    "192.0.2.1", "0.0.0.0", "255.255.255.255", "xn--nxasmq6b.example",
	    "123.example" };
	static const char *const bad[] = { "", ".", "example.com.",
	    ".example.com", "a..b", "-a.example", "a-.example", "a_b.example",
	    "a b", "a/b", "*.example.com", "1.2.3", "256.1.1.1", "01.2.3.4",
	    "1.2.3.4.5", "123", "example.123", "a:443", "a\\b" };
	char label[70];

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		ck_assert_msg(tls_sni_hostname_valid(good[i], strlen(good[i])),
		    "rejected %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(!tls_sni_hostname_valid(bad[i], strlen(bad[i])),
		    "accepted %s", bad[i]);
	memset(label, 'a', sizeof(label));
	ck_assert(tls_sni_hostname_valid(label, 63));
	ck_assert(!tls_sni_hostname_valid(label, 64));
	ck_assert(!tls_sni_hostname_valid("a\0b", 3));
	ck_assert(!tls_sni_hostname_valid(NULL, 0));
	ck_assert(tls_sni_hostname_is_ipv4("10.1.2.3", 8));
	ck_assert(!tls_sni_hostname_is_ipv4("ten.1.2.3", 9));
}
END_TEST

START_TEST(test_result_names)
{
	ck_assert_str_eq(tls_sni_result_name(TLS_SNI_PARTIAL),
	    "truncated, need more data");
	ck_assert_str_eq(tls_sni_result_name(-1), "unknown");
	ck_assert_str_eq(tls_sni_result_name(99), "unknown");
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("tls_sni");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_captured_hellos);
	tcase_add_test(tc, test_no_sni);
	tcase_add_test(tc, test_truncated_every_offset);
	tcase_add_test(tc, test_several_records);
	tcase_add_test(tc, test_record_type_change_midway);
	tcase_add_test(tc, test_trailing_data_ignored);
	tcase_add_test(tc, test_uppercase_lowered);
	tcase_add_test(tc, test_bad_characters);
	tcase_add_test(tc, test_not_tls);
	tcase_add_test(tc, test_invalid_structure);
	tcase_add_test(tc, test_built_hellos);
	tcase_add_test(tc, test_hostname_valid);
	tcase_add_test(tc, test_result_names);
	suite_add_tcase(s, tc);
	return s;
}
