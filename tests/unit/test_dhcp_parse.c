/* dhcp_parse: strict DHCP reply parser (IPv4 + UDP + BOOTP + options).
 * Fixtures under tests/unit/fixtures/ are real ISC dhcpd 4.4.3 replies
 * captured on a veth pair (see examples/dhcp/dhcpd.conf); tests run from
 * the repository root. With DHCP_PARSE_SEED_DIR set, test_seeds also
 * writes the generated packets there as fuzz seeds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp_parse.h"
#include "dhcp_build.h"
#include "unit.h"

#define PROXY "198.51.100.10:3128"
#define FIXTURES "tests/unit/fixtures/"

static size_t
load(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_msg(f != NULL, "%s: %s (run from the repo root)", path,
	    strerror(errno));
	n = fread(buf, 1, cap, f);
	ck_assert_int_eq(ferror(f), 0);
	fclose(f);
	return n;
}

/* Parse from an exact-size heap copy, so ASan flags any read past len. */
static bool
parse_exact(const uint8_t *p, size_t n, bool whole_packet,
    struct dhcp_reply *r, const char **why)
{
	uint8_t *copy = malloc(n ? n : 1);
	bool ok;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, n);
	*why = NULL;
	if (whole_packet)
		ok = dhcp_parse_packet(copy, n, r, why);
	else
		ok = dhcp_parse_bootp(copy, n, r, why);
	free(copy);
	if (!ok)
		ck_assert_ptr_nonnull(*why);
	return ok;
}

static bool
parse_pkt(struct dhcp_build *b, size_t n, struct dhcp_reply *r,
    const char **why)
{
	return parse_exact(b->pkt, n, true, r, why);
}

static void
assert_fails(struct dhcp_build *b, size_t n, const char *reason)
{
	struct dhcp_reply r;
	const char *why;

	ck_assert(!parse_pkt(b, n, &r, &why));
	ck_assert_str_eq(why, reason);
}

static void
assert_proxy_problem(struct dhcp_build *b, const char *problem)
{
	struct dhcp_reply r;
	const char *why;
	size_t n = dhcp_build_finish(b);

	ck_assert_msg(parse_pkt(b, n, &r, &why), "%s", why);
	ck_assert_ptr_nonnull(r.proxy_problem);
	ck_assert_str_eq(r.proxy_problem, problem);
	ck_assert_str_eq(r.proxy, "");
}

START_TEST(test_isc_ack_bootp)
{
	static const uint8_t mac[6] = { 0x66, 0xdd, 0x64, 0xa2, 0xf6, 0x94 };
	uint8_t buf[2048];
	struct dhcp_reply r;
	const char *why;
	size_t n = load(FIXTURES "dhcp_ack_isc.bin", buf, sizeof(buf));

	ck_assert_int_eq(n, 300);
	ck_assert_msg(parse_exact(buf, n, false, &r, &why), "%s", why);
	ck_assert_int_eq(r.msg_type, DHCP_MSG_ACK);
	ck_assert_uint_eq(r.yiaddr, 0xc0000264);	/* 192.0.2.100 */
	ck_assert_uint_eq(r.server_id, 0xc0000201);	/* 192.0.2.1 */
	ck_assert_uint_eq(r.lease_time, 600);
	ck_assert_uint_eq(r.xid, 0xba776206);
	ck_assert_mem_eq(r.chaddr, mac, 6);
	ck_assert(r.has_vendor);
	ck_assert(r.has_proxy);
	ck_assert_ptr_null(r.proxy_problem);
	ck_assert_str_eq(r.proxy, PROXY);
}
END_TEST

START_TEST(test_isc_ack_packet)
{
	uint8_t buf[2048];
	struct dhcp_reply r;
	const char *why;
	size_t n = load(FIXTURES "dhcp_ack_isc_ip.bin", buf, sizeof(buf));

	ck_assert_int_eq(n, 328);
	ck_assert_msg(parse_exact(buf, n, true, &r, &why), "%s", why);
	ck_assert_int_eq(r.msg_type, DHCP_MSG_ACK);
	ck_assert_str_eq(r.proxy, PROXY);
	ck_assert_ptr_null(r.proxy_problem);
}
END_TEST

/* Same server, client without Option 60 "JuniperSSR": no Option 43. */
START_TEST(test_isc_ack_no_vendor)
{
	uint8_t buf[2048];
	struct dhcp_reply r;
	const char *why;
	size_t n = load(FIXTURES "dhcp_ack_isc_novendor_ip.bin", buf,
	    sizeof(buf));

	ck_assert_msg(parse_exact(buf, n, true, &r, &why), "%s", why);
	ck_assert_int_eq(r.msg_type, DHCP_MSG_ACK);
	ck_assert(!r.has_vendor);
	ck_assert(!r.has_proxy);
	ck_assert_str_eq(r.proxy_problem, "no option 43");
}
END_TEST

/* Truncating a real reply anywhere fails cleanly; ASan checks the reads. */
START_TEST(test_isc_truncated)
{
	uint8_t buf[2048];
	struct dhcp_reply r;
	const char *why;
	size_t n = load(FIXTURES "dhcp_ack_isc_ip.bin", buf, sizeof(buf));

	for (size_t i = 0; i < n; i++)
		ck_assert_msg(!parse_exact(buf, i, true, &r, &why),
		    "packet truncated to %zu parsed", i);
}
END_TEST

START_TEST(test_ack_offer_nak)
{
	static const uint8_t types[] = { DHCP_MSG_OFFER, DHCP_MSG_ACK };
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	for (size_t i = 0; i < sizeof(types); i++) {
		n = dhcp_build_test_reply(&b, types[i], PROXY);
		ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
		ck_assert_int_eq(r.msg_type, types[i]);
		ck_assert_uint_eq(r.lease_time, 600);
		ck_assert_uint_eq(r.server_id, 0xc0000201);
		ck_assert_uint_eq(r.yiaddr, 0xc0000264);
		ck_assert_str_eq(r.proxy, PROXY);
	}

	n = dhcp_build_test_reply(&b, DHCP_MSG_NAK, NULL);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_int_eq(r.msg_type, DHCP_MSG_NAK);
	ck_assert_uint_eq(r.lease_time, 0);
	ck_assert_uint_eq(r.server_id, 0xc0000201);
	ck_assert(!r.has_vendor);
	ck_assert_str_eq(r.proxy_problem, "no option 43");
	ck_assert_str_eq(dhcp_parse_msg_name(r.msg_type), "NAK");
	ck_assert_str_eq(dhcp_parse_msg_name(0), "unknown");
	ck_assert_str_eq(dhcp_parse_msg_name(200), "unknown");
}
END_TEST

START_TEST(test_no_server_id_no_lease)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_vendor_proxy(&b, PROXY);
	dhcp_build_byte(&b, 255);
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_uint_eq(r.server_id, 0);
	ck_assert_uint_eq(r.lease_time, 0);
	ck_assert_str_eq(r.proxy, PROXY);
}
END_TEST

START_TEST(test_vendor_without_128)
{
	static const uint8_t v[] = { 1, 3, 'a', 'b', 'c', 0, 0, 2, 0, 255 };
	struct dhcp_build b;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, v, sizeof(v));
	dhcp_build_byte(&b, 255);
	assert_proxy_problem(&b, "no sub-option 128");
}
END_TEST

/* Sub-options after the sub-option end (255) are not read. */
START_TEST(test_vendor_128_after_end)
{
	static const uint8_t v[] = { 255, 128, 3, '1', ':', '2' };
	struct dhcp_build b;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, v, sizeof(v));
	assert_proxy_problem(&b, "no sub-option 128");
}
END_TEST

/* The raw, non-encapsulated form is not guessed at: '1' is sub-option 49
 * with length '9' (57), which runs past the end. */
START_TEST(test_vendor_raw_text)
{
	static const char raw[] = PROXY;
	struct dhcp_build b;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, raw, sizeof(raw) - 1);
	assert_proxy_problem(&b, "option 43 sub-option runs past its end");
}
END_TEST

START_TEST(test_vendor_128_not_printable)
{
	static const char *const bad[] = {
		"198.51.100.10 :3128", "198.51.100.10:3128\n", "\x01",
		"198.51.100.10:3128\x7f", "198.51.100.10:\x80\x33\x31\x32\x38",
		"\t198.51.100.10:3128",
	};
	struct dhcp_build b;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dhcp_build_init(&b);
		dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
		dhcp_build_vendor_proxy(&b, bad[i]);
		dhcp_build_byte(&b, 255);
		assert_proxy_problem(&b, "sub-option 128 not printable");
	}

	/* A NUL inside the value (not trailing) is not printable either. */
	{
		static const uint8_t v[] = { 128, 4, '1', 0, ':', '2' };

		dhcp_build_init(&b);
		dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
		dhcp_build_opt(&b, 43, v, sizeof(v));
		assert_proxy_problem(&b, "sub-option 128 not printable");
	}
}
END_TEST

/* RFC 2132 section 2: trailing NULs of NVT ASCII data are deleted. */
START_TEST(test_vendor_128_trailing_nul)
{
	static const uint8_t v[] = { 128, 20, '1', '9', '8', '.', '5', '1',
	    '.', '1', '0', '0', '.', '1', '0', ':', '3', '1', '2', '8', 0, 0 };
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, v, sizeof(v));
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_ptr_null(r.proxy_problem);
	ck_assert_str_eq(r.proxy, PROXY);
}
END_TEST

START_TEST(test_vendor_128_length)
{
	static const uint8_t empty[] = { 128, 0 }, nuls[] = { 128, 2, 0, 0 };
	char text[80];
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, empty, sizeof(empty));
	assert_proxy_problem(&b, "sub-option 128 empty");

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, nuls, sizeof(nuls));
	assert_proxy_problem(&b, "sub-option 128 empty");

	/* 63 bytes fit, 64 do not. */
	memset(text, '7', sizeof(text));
	text[63] = '\0';
	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_vendor_proxy(&b, text);
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_ptr_null(r.proxy_problem);
	ck_assert_int_eq(strlen(r.proxy), 63);

	text[63] = '7';
	text[64] = '\0';
	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_vendor_proxy(&b, text);
	assert_proxy_problem(&b, "sub-option 128 too long");
}
END_TEST

START_TEST(test_vendor_sub_option_overrun)
{
	static const uint8_t v[] = { 128, 30, '1', '9', '8' };
	static const uint8_t v2[] = { 0, 0, 128 };
	struct dhcp_build b;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, v, sizeof(v));
	assert_proxy_problem(&b, "option 43 sub-option runs past its end");

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, v2, sizeof(v2));
	assert_proxy_problem(&b, "option 43 sub-option runs past its end");
}
END_TEST

/* RFC 3396: Option 43 split in several instances, even between a
 * sub-option's code and length, is concatenated before it is read. */
START_TEST(test_split_option_43)
{
	static const uint8_t p1[] = { 128 };
	static const uint8_t p2[] = { 18, '1', '9', '8', '.', '5', '1', '.' };
	static const uint8_t p3[] = { '1', '0', '0', '.', '1', '0', ':', '3',
	    '1', '2', '8' };
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt(&b, 43, p1, sizeof(p1));
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, p2, sizeof(p2));
	dhcp_build_opt32(&b, 51, 3600);
	dhcp_build_opt(&b, 43, p3, sizeof(p3));
	dhcp_build_byte(&b, 255);
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_uint_eq(r.lease_time, 3600);
	ck_assert_ptr_null(r.proxy_problem);
	ck_assert_str_eq(r.proxy, PROXY);
}
END_TEST

/* Sub-option 128 itself repeated is concatenated the same way. */
START_TEST(test_split_sub_option_128)
{
	static const uint8_t v[] = { 128, 9, '1', '9', '8', '.', '5', '1',
	    '.', '1', '0', 1, 1, 'x', 128, 9, '0', '.', '1', '0', ':', '3',
	    '1', '2', '8', 255 };
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, v, sizeof(v));
	dhcp_build_byte(&b, 255);
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_str_eq(r.proxy, PROXY);
}
END_TEST

/* A long Option 43 (several 255-byte parts) up to the 1024-byte cap. */
START_TEST(test_long_option_43)
{
	uint8_t part[255];
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	/* Sub-option 1 of 253 bytes in one instance, proxy in the next. */
	memset(part, 'z', sizeof(part));
	part[0] = 1;
	part[1] = 253;
	dhcp_build_opt(&b, 43, part, sizeof(part));
	dhcp_build_vendor_proxy(&b, PROXY);
	dhcp_build_byte(&b, 255);
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_str_eq(r.proxy, PROXY);

	/* 4 x 255 + 4 = 1024 bytes: still accepted. */
	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	memset(part, 0, sizeof(part));
	for (int i = 0; i < 4; i++)
		dhcp_build_opt(&b, 43, part, sizeof(part));
	dhcp_build_opt(&b, 43, part, 4);
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_str_eq(r.proxy_problem, "no sub-option 128");

	/* 1025 bytes: the whole reply is refused. */
	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	for (int i = 0; i < 4; i++)
		dhcp_build_opt(&b, 43, part, sizeof(part));
	dhcp_build_opt(&b, 43, part, 5);
	n = dhcp_build_finish(&b);
	assert_fails(&b, n, "option longer than 1024 bytes");
}
END_TEST

START_TEST(test_too_many_options)
{
	struct dhcp_build b;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	for (int i = 0; i < DHCP_PARSE_OPTS_MAX; i++)
		dhcp_build_opt(&b, 224, "", 0);
	n = dhcp_build_finish(&b);
	assert_fails(&b, n, "too many options");
}
END_TEST

/* RFC 2132 section 9.3 / RFC 2131 section 4.1: option overload. */
START_TEST(test_overload_file)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	uint8_t *file;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt8(&b, 52, 1);
	dhcp_build_byte(&b, 255);
	file = dhcp_build_bootp(&b) + DHCP_BUILD_FILE;
	file[0] = 43;
	file[1] = 20;
	file[2] = 128;
	file[3] = 18;
	memcpy(file + 4, PROXY, 18);
	file[22] = 51;
	file[23] = 4;
	dhcp_build_put32(file + 24, 86400);
	file[28] = 255;
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_uint_eq(r.lease_time, 86400);
	ck_assert_str_eq(r.proxy, PROXY);

	/* Without option 52 the file field is only a file name. */
	memset(dhcp_build_bootp(&b) + DHCP_BUILD_OPTIONS + 3, 0, 3);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_str_eq(r.proxy_problem, "no option 43");
	ck_assert_uint_eq(r.lease_time, 0);
}
END_TEST

START_TEST(test_overload_sname)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	uint8_t *sname;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 52, 2);
	dhcp_build_byte(&b, 255);
	sname = dhcp_build_bootp(&b) + DHCP_BUILD_SNAME;
	sname[0] = 53;
	sname[1] = 1;
	sname[2] = DHCP_MSG_OFFER;
	sname[3] = 43;
	sname[4] = 20;
	sname[5] = 128;
	sname[6] = 18;
	memcpy(sname + 7, PROXY, 18);
	/* No end option: the field ends at its 64th byte. */
	memset(sname + 25, 0, 64 - 25);
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_int_eq(r.msg_type, DHCP_MSG_OFFER);
	ck_assert_str_eq(r.proxy, PROXY);
}
END_TEST

/* Overload 3: the aggregate is options, then file, then sname
 * (RFC 3396 section 5), so Option 43 may start in file and end in sname. */
START_TEST(test_overload_both_split)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	uint8_t *file, *sname;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt8(&b, 52, 3);
	dhcp_build_byte(&b, 255);
	file = dhcp_build_bootp(&b) + DHCP_BUILD_FILE;
	sname = dhcp_build_bootp(&b) + DHCP_BUILD_SNAME;
	file[0] = 43;
	file[1] = 10;
	file[2] = 128;
	file[3] = 18;
	memcpy(file + 4, PROXY, 8);
	file[12] = 255;
	sname[0] = 43;
	sname[1] = 10;
	memcpy(sname + 2, &PROXY[8], 10);
	sname[12] = 255;
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_str_eq(r.proxy, PROXY);

	/* An option that runs past the end of its field is refused, even
	 * though the bytes after it exist in the packet. */
	sname[12] = 0;
	sname[62] = 12;
	sname[63] = 3;
	assert_fails(&b, n, "option runs past the end of its field");
}
END_TEST

START_TEST(test_overload_bad)
{
	struct dhcp_build b;
	uint8_t *file;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt8(&b, 52, 4);
	n = dhcp_build_finish(&b);
	assert_fails(&b, n, "bad option overload");

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt8(&b, 52, 1);
	dhcp_build_opt8(&b, 52, 1);
	n = dhcp_build_finish(&b);
	assert_fails(&b, n, "bad option overload");

	/* Option 52 inside the file field would loop back on itself. */
	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt8(&b, 52, 1);
	file = dhcp_build_bootp(&b) + DHCP_BUILD_FILE;
	file[0] = 52;
	file[1] = 1;
	file[2] = 3;
	n = dhcp_build_finish(&b);
	assert_fails(&b, n, "option overload outside the options field");
}
END_TEST

/* Cut the BOOTP message at every byte: either a clean error or, when the
 * cut falls on an option boundary after option 53, a valid reply. */
START_TEST(test_truncated_every_offset)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n, blen;
	int ok = 0;

	n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
	blen = n - DHCP_BUILD_BOOTP;
	for (size_t i = 0; i <= blen; i++) {
		if (parse_exact(dhcp_build_bootp(&b), i, false, &r, &why)) {
			ok++;
			ck_assert_int_eq(r.msg_type, DHCP_MSG_ACK);
			ck_assert(i >= 243);
		}
	}
	ck_assert_int_gt(ok, 0);

	/* The whole packet cut anywhere fails: IP total length > len. */
	for (size_t i = 0; i < n; i++)
		ck_assert(!parse_pkt(&b, i, &r, &why));

	/* Cut with IP and UDP lengths rewritten to match. */
	for (size_t i = 0; i < n; i++) {
		struct dhcp_build c = b;

		dhcp_build_put16(c.pkt + 2, (uint16_t)i);
		if (i >= 28)
			dhcp_build_put16(c.pkt + 24, (uint16_t)(i - 20));
		(void)parse_pkt(&c, i, &r, &why);
	}
}
END_TEST

START_TEST(test_option_overlong)
{
	struct dhcp_build b;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_byte(&b, 43);
	dhcp_build_byte(&b, 200);
	dhcp_build_raw(&b, "\x80\x02" "ab", 4);
	/* Exactly as long as the options written: 200 bytes are missing. */
	n = DHCP_BUILD_BOOTP + b.cur;
	dhcp_build_finish(&b);
	dhcp_build_put16(b.pkt + 2, (uint16_t)n);
	dhcp_build_put16(b.pkt + 24, (uint16_t)(n - 20));
	assert_fails(&b, n, "option runs past the end of its field");

	/* A lone code byte at the very end has no length byte. */
	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_byte(&b, 43);
	n = DHCP_BUILD_BOOTP + b.cur;
	dhcp_build_finish(&b);
	dhcp_build_put16(b.pkt + 2, (uint16_t)n);
	dhcp_build_put16(b.pkt + 24, (uint16_t)(n - 20));
	assert_fails(&b, n, "option runs past the end of its field");
}
END_TEST

START_TEST(test_wrong_ports)
{
	static const uint16_t ports[][2] = {
		{ 68, 67 }, { 67, 69 }, { 53, 68 }, { 67, 67 }, { 0, 0 },
	};
	struct dhcp_build b;
	size_t n;

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
		dhcp_build_put16(b.pkt + 20, ports[i][0]);
		dhcp_build_put16(b.pkt + 22, ports[i][1]);
		assert_fails(&b, n, "not from port 67 to port 68");
	}
}
END_TEST

START_TEST(test_fragment)
{
	static const uint16_t frag[] = { 0x2000, 0x0001, 0x2010, 0x1fff };
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	for (size_t i = 0; i < sizeof(frag) / sizeof(frag[0]); i++) {
		n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
		dhcp_build_put16(b.pkt + 6, frag[i]);
		assert_fails(&b, n, "IPv4 fragment");
	}
	/* Don't-fragment is fine. */
	n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
	dhcp_build_put16(b.pkt + 6, 0x4000);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
}
END_TEST

START_TEST(test_ip_udp_headers)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
	b.pkt[0] = 0x65;
	assert_fails(&b, n, "not IPv4");
	b.pkt[0] = 0x44;
	assert_fails(&b, n, "bad IPv4 header length");
	b.pkt[0] = 0x45;
	b.pkt[9] = 6;
	assert_fails(&b, n, "not UDP");
	b.pkt[9] = 17;
	dhcp_build_put16(b.pkt + 2, 19);
	assert_fails(&b, n, "bad IPv4 header length");
	dhcp_build_put16(b.pkt + 2, (uint16_t)(n + 1));
	assert_fails(&b, n, "packet too short");
	dhcp_build_put16(b.pkt + 2, 27);
	assert_fails(&b, n, "packet too short");
	dhcp_build_put16(b.pkt + 2, (uint16_t)n);
	dhcp_build_put16(b.pkt + 24, 7);
	assert_fails(&b, n, "bad UDP length");
	dhcp_build_put16(b.pkt + 24, (uint16_t)(n - 20 + 1));
	assert_fails(&b, n, "bad UDP length");
	ck_assert(!parse_pkt(&b, 0, &r, &why));
	ck_assert_str_eq(why, "packet too short");

	/* IP options (IHL 6) move the UDP header. */
	n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
	memmove(b.pkt + 24, b.pkt + 20, n - 20);
	memset(b.pkt + 20, 1, 4);	/* four NOP options */
	b.pkt[0] = 0x46;
	n += 4;
	dhcp_build_put16(b.pkt + 2, (uint16_t)n);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_str_eq(r.proxy, PROXY);

	/* Trailing bytes after the IP total length (link padding) and a UDP
	 * length shorter than the IP payload are trimmed, as the kernel does. */
	n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
	ck_assert_msg(parse_pkt(&b, n + 10, &r, &why), "%s", why);
	dhcp_build_put16(b.pkt + 24, (uint16_t)(8 + 290));
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_str_eq(r.proxy, PROXY);
}
END_TEST

START_TEST(test_bootp_header)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	uint8_t *p;
	size_t n;

	n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
	p = dhcp_build_bootp(&b);
	p[236] = 99;
	p[239] = 0x62;
	assert_fails(&b, n, "bad magic cookie");
	p[239] = 0x63;
	p[0] = 1;
	assert_fails(&b, n, "not a BOOTREPLY");
	p[0] = 2;
	p[1] = 6;
	assert_fails(&b, n, "hardware type is not Ethernet");
	p[1] = 1;
	p[2] = 16;
	assert_fails(&b, n, "hardware type is not Ethernet");
	p[2] = 6;
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert(!parse_exact(p, 239, false, &r, &why));
	ck_assert_str_eq(why, "BOOTP message too short");
}
END_TEST

START_TEST(test_message_type)
{
	struct dhcp_build b;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt32(&b, 54, 0xc0000201);
	dhcp_build_vendor_proxy(&b, PROXY);
	dhcp_build_byte(&b, 255);
	n = dhcp_build_finish(&b);
	assert_fails(&b, n, "no DHCP message type");

	/* Plain BOOTP: cookie and nothing else. */
	dhcp_build_init(&b);
	n = dhcp_build_finish(&b);
	assert_fails(&b, n, "no DHCP message type");

	/* A client's message type in a BOOTREPLY. */
	n = dhcp_build_test_reply(&b, DHCP_MSG_REQUEST, PROXY);
	assert_fails(&b, n, "DHCP message type is not OFFER, ACK or NAK");

	/* Two instances concatenate to two bytes (RFC 3396). */
	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	n = dhcp_build_finish(&b);
	assert_fails(&b, n, "bad DHCP message type length");

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 54, "\xc0\x00\x02", 3);
	n = dhcp_build_finish(&b);
	assert_fails(&b, n, "bad server identifier length");

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 51, "\x00\x00\x02\x58\x00", 5);
	n = dhcp_build_finish(&b);
	assert_fails(&b, n, "bad lease time length");
}
END_TEST

START_TEST(test_lots_of_pad)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	dhcp_build_init(&b);
	for (int i = 0; i < 1200; i++)
		dhcp_build_byte(&b, 0);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	for (int i = 0; i < 300; i++)
		dhcp_build_byte(&b, 0);
	dhcp_build_vendor_proxy(&b, PROXY);
	dhcp_build_byte(&b, 255);
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_str_eq(r.proxy, PROXY);
}
END_TEST

/* Decision: a missing end option is accepted; the end of the UDP payload
 * ends the options (ISC dhclient and systemd-networkd do the same).
 * Bytes after an end option are never read as options. */
START_TEST(test_end_missing_and_after_end)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_vendor_proxy(&b, PROXY);
	ck_assert_msg(parse_exact(dhcp_build_bootp(&b), b.cur, false, &r,
	    &why), "%s", why);
	ck_assert_str_eq(r.proxy, PROXY);

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_byte(&b, 255);
	dhcp_build_opt(&b, 43, "\x80\x01", 2);	/* garbage after end */
	dhcp_build_raw(&b, "\x35\xff", 2);
	n = dhcp_build_finish(&b);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert(!r.has_vendor);
}
END_TEST

START_TEST(test_out_untouched_on_failure)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	memset(&r, 0xa5, sizeof(r));
	n = dhcp_build_test_reply(&b, DHCP_MSG_DISCOVER, PROXY);
	ck_assert(!parse_pkt(&b, n, &r, &why));
	ck_assert_uint_eq(r.msg_type, 0xa5);
	ck_assert_uint_eq(r.yiaddr, 0xa5a5a5a5);
}
END_TEST

/* Check a generated seed parses as intended; write it when dir is set. */
static void
seed(const char *dir, const char *name, const uint8_t *p, size_t n,
    bool whole_packet, const char *proxy)
{
	struct dhcp_reply r;
	const char *why;
	char path[512];
	FILE *f;

	ck_assert_msg(parse_exact(p, n, whole_packet, &r, &why), "%s: %s",
	    name, why);
	if (proxy != NULL)
		ck_assert_str_eq(r.proxy, proxy);
	else
		ck_assert_ptr_nonnull(r.proxy_problem);
	if (dir == NULL)
		return;
	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, name),
	    (int)sizeof(path));
	f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fwrite(p, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* Our client's requests: what the snooper remembers of each. */
static bool
parse_request_exact(const uint8_t *p, size_t n, struct dhcp_request *q,
    const char **why)
{
	uint8_t *copy = malloc(n ? n : 1);
	bool ok;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, n);
	*why = NULL;
	ok = dhcp_parse_request(copy, n, q, why);
	free(copy);
	if (!ok)
		ck_assert_ptr_nonnull(*why);
	return ok;
}

START_TEST(test_request)
{
	struct dhcp_build b;
	struct dhcp_request q;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	n = dhcp_build_test_request(&b, DHCP_MSG_DISCOVER, 0, 0);
	ck_assert_msg(parse_request_exact(b.pkt, n, &q, &why), "%s", why);
	ck_assert_int_eq(q.msg_type, DHCP_MSG_DISCOVER);
	ck_assert_uint_eq(q.xid, 0x01020304);
	ck_assert_uint_eq(q.server_id, 0);
	ck_assert_uint_eq(q.ip_src, 0);
	ck_assert_uint_eq(q.ip_dst, 0xffffffff);
	ck_assert_int_eq(q.chaddr[5], 0x64);
	/* A request is not a reply, and a reply not a request. */
	ck_assert(!parse_exact(b.pkt, n, true, &r, &why));

	n = dhcp_build_test_request(&b, DHCP_MSG_REQUEST, 0xc0000201, 0);
	ck_assert_msg(parse_request_exact(b.pkt, n, &q, &why), "%s", why);
	ck_assert_int_eq(q.msg_type, DHCP_MSG_REQUEST);
	ck_assert_uint_eq(q.server_id, 0xc0000201);

	n = dhcp_build_test_request(&b, DHCP_MSG_REQUEST, 0, 0xc0000201);
	ck_assert_msg(parse_request_exact(b.pkt, n, &q, &why), "%s", why);
	ck_assert_uint_eq(q.ciaddr, 0xc0000264);
	ck_assert_uint_eq(q.ip_src, 0xc0000264);
	ck_assert_uint_eq(q.ip_dst, 0xc0000201);

	n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
	ck_assert(!parse_request_exact(b.pkt, n, &q, &why));
	ck_assert_str_eq(why, "not from port 68 to port 67");
	dhcp_build_as_request(&b, 0, 0xffffffff);
	dhcp_build_bootp(&b)[0] = 2;
	ck_assert(!parse_request_exact(b.pkt, n, &q, &why));
	ck_assert_str_eq(why, "not a BOOTREQUEST");
	dhcp_build_bootp(&b)[0] = 1;
	ck_assert(!parse_request_exact(b.pkt, n, &q, &why));
	ck_assert_str_eq(why, "DHCP message type is not DISCOVER or REQUEST");

	/* RELEASE, DECLINE and INFORM are answered by nothing we learn from. */
	n = dhcp_build_test_request(&b, DHCP_MSG_RELEASE, 0xc0000201, 0);
	ck_assert(!parse_request_exact(b.pkt, n, &q, &why));
	n = dhcp_build_test_request(&b, DHCP_MSG_INFORM, 0, 0);
	ck_assert(!parse_request_exact(b.pkt, n, &q, &why));

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_REQUEST);
	dhcp_build_opt(&b, 54, "\xc0\x00\x02", 3);
	dhcp_build_byte(&b, 255);
	n = dhcp_build_finish(&b);
	dhcp_build_as_request(&b, 0, 0xffffffff);
	ck_assert(!parse_request_exact(b.pkt, n, &q, &why));
	ck_assert_str_eq(why, "bad server identifier length");
}
END_TEST

/* Every truncation of a request fails cleanly (ASan watches the reads). */
START_TEST(test_request_truncated)
{
	struct dhcp_build b;
	struct dhcp_request q;
	const char *why;
	size_t n = dhcp_build_test_request(&b, DHCP_MSG_REQUEST, 0xc0000201, 0);

	for (size_t k = 0; k < n; k++) {
		/* Shorten the packet and its IP and UDP lengths alike. */
		struct dhcp_build c = b;

		dhcp_build_put16(c.pkt + 2, (uint16_t)k);
		if (k >= 28)
			dhcp_build_put16(c.pkt + 24, (uint16_t)(k - 20));
		/* Options start at 268: the type alone (271) or type and
		 * server id (277 on) make a whole request. */
		if (k == 271 || k >= 277)
			continue;
		ck_assert_msg(!parse_request_exact(c.pkt, k, &q, &why), "at %zu", k);
	}
	ck_assert_msg(parse_request_exact(b.pkt, n, &q, &why), "%s", why);
}
END_TEST

/* Replies carry what the acceptance rule checks: addresses and relay. */
START_TEST(test_reply_addresses)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);

	dhcp_build_put32(dhcp_build_bootp(&b) + 12, 0xc0000265);
	dhcp_build_put32(dhcp_build_bootp(&b) + 24, 0xc0000202);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_uint_eq(r.ip_src, 0xc0000201);
	ck_assert_uint_eq(r.ip_dst, 0xc0000264);
	ck_assert_uint_eq(r.ciaddr, 0xc0000265);
	ck_assert_uint_eq(r.yiaddr, 0xc0000264);
	ck_assert_uint_eq(r.giaddr, 0xc0000202);
	ck_assert_uint_eq(r.server_id, 0xc0000201);
	ck_assert_msg(parse_exact(dhcp_build_bootp(&b), n - DHCP_BUILD_BOOTP,
	    false, &r, &why), "%s", why);
	ck_assert_uint_eq(r.ip_src, 0);
}
END_TEST

/* DHCP_PARSE_SEED_DIR=tests/fuzz/corpus/fuzz_dhcp_parse regenerates the
 * synthetic fuzz seeds (the isc-* seeds are real captures). */
START_TEST(test_seeds)
{
	const char *dir = getenv("DHCP_PARSE_SEED_DIR");
	struct dhcp_build b;
	uint8_t *file, *sname;
	size_t n;

	n = dhcp_build_test_reply(&b, DHCP_MSG_OFFER, PROXY);
	seed(dir, "gen-offer.bin", b.pkt, n, true, PROXY);
	n = dhcp_build_test_reply(&b, DHCP_MSG_NAK, NULL);
	seed(dir, "gen-nak.bin", b.pkt, n, true, NULL);
	seed(dir, "gen-nak-bootp.bin", dhcp_build_bootp(&b),
	    n - DHCP_BUILD_BOOTP, false, NULL);

	dhcp_build_init(&b);
	dhcp_build_opt(&b, 43, "\x80", 1);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt(&b, 43, "\x12" "198.51.", 8);
	dhcp_build_opt(&b, 43, "100.10:3128\x01\x00\xff", 14);
	dhcp_build_byte(&b, 255);
	n = dhcp_build_finish(&b);
	seed(dir, "gen-split43.bin", b.pkt, n, true, PROXY);

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_opt8(&b, 52, 3);
	dhcp_build_byte(&b, 255);
	file = dhcp_build_bootp(&b) + DHCP_BUILD_FILE;
	sname = dhcp_build_bootp(&b) + DHCP_BUILD_SNAME;
	memcpy(file, "\x2b\x08\x80\x12" "198.51\xff", 11);
	memcpy(sname, "\x2b\x0c" ".100.10:3128\xff", 15);
	n = dhcp_build_finish(&b);
	seed(dir, "gen-overload3.bin", b.pkt, n, true, PROXY);

	/* A request: the fuzz target feeds every input to both parsers. */
	n = dhcp_build_test_request(&b, DHCP_MSG_REQUEST, 0xc0000201, 0);
	if (dir != NULL) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/gen-request.bin", dir);
		ck_assert_ptr_nonnull(f = fopen(path, "wb"));
		ck_assert_int_eq(fwrite(b.pkt, 1, n, f), n);
		ck_assert_int_eq(fclose(f), 0);
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("dhcp_parse");
	TCase *t = tcase_create("dhcp_parse");

	tcase_add_test(t, test_isc_ack_bootp);
	tcase_add_test(t, test_isc_ack_packet);
	tcase_add_test(t, test_isc_ack_no_vendor);
	tcase_add_test(t, test_isc_truncated);
	tcase_add_test(t, test_ack_offer_nak);
	tcase_add_test(t, test_no_server_id_no_lease);
	tcase_add_test(t, test_vendor_without_128);
	tcase_add_test(t, test_vendor_128_after_end);
	tcase_add_test(t, test_vendor_raw_text);
	tcase_add_test(t, test_vendor_128_not_printable);
	tcase_add_test(t, test_vendor_128_trailing_nul);
	tcase_add_test(t, test_vendor_128_length);
	tcase_add_test(t, test_vendor_sub_option_overrun);
	tcase_add_test(t, test_split_option_43);
	tcase_add_test(t, test_split_sub_option_128);
	tcase_add_test(t, test_long_option_43);
	tcase_add_test(t, test_too_many_options);
	tcase_add_test(t, test_overload_file);
	tcase_add_test(t, test_overload_sname);
	tcase_add_test(t, test_overload_both_split);
	tcase_add_test(t, test_overload_bad);
	tcase_add_test(t, test_truncated_every_offset);
	tcase_add_test(t, test_option_overlong);
	tcase_add_test(t, test_wrong_ports);
	tcase_add_test(t, test_fragment);
	tcase_add_test(t, test_ip_udp_headers);
	tcase_add_test(t, test_bootp_header);
	tcase_add_test(t, test_message_type);
	tcase_add_test(t, test_lots_of_pad);
	tcase_add_test(t, test_end_missing_and_after_end);
	tcase_add_test(t, test_out_untouched_on_failure);
	tcase_add_test(t, test_request);
	tcase_add_test(t, test_request_truncated);
	tcase_add_test(t, test_reply_addresses);
	tcase_add_test(t, test_seeds);
	suite_add_tcase(s, t);
	return s;
}
