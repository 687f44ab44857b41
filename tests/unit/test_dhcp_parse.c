/* dhcp_parse: strict DHCP reply parser (IPv4 + UDP + BOOTP + options);
 * most cases are rows of one table (cases[]); the request parser is
 * tested in test_dhcp_parse_request.c.
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

/* The reply (or request) parser on an exact-size copy (dhcp_build.h). */
static bool
parse_exact(const uint8_t *p, size_t n, bool whole_packet,
    struct dhcp_reply *r, const char **why)
{
	return dhcp_build_parse(whole_packet ? DHCP_BUILD_REPLY :
	    DHCP_BUILD_REPLY_BOOTP, p, n, r, why);
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

/* The same as a whole packet; the same server to a client without
 * Option 60 "JuniperSSR": no Option 43. Truncating a real reply anywhere
 * fails cleanly; ASan checks the reads. */
START_TEST(test_isc_ack_packet)
{
	uint8_t buf[2048];
	struct dhcp_reply r;
	const char *why;
	size_t n = load(FIXTURES "dhcp_ack_isc_novendor_ip.bin", buf, sizeof(buf));

	ck_assert_msg(parse_exact(buf, n, true, &r, &why), "%s", why);
	ck_assert_int_eq(r.msg_type, DHCP_MSG_ACK);
	ck_assert(!r.has_vendor);
	ck_assert(!r.has_proxy);
	ck_assert_str_eq(r.proxy_problem, "no option 43");

	n = load(FIXTURES "dhcp_ack_isc_ip.bin", buf, sizeof(buf));
	ck_assert_int_eq(n, 328);
	ck_assert_msg(parse_exact(buf, n, true, &r, &why), "%s", why);
	ck_assert_int_eq(r.msg_type, DHCP_MSG_ACK);
	ck_assert_str_eq(r.proxy, PROXY);
	ck_assert_ptr_null(r.proxy_problem);
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
	char addrs[96];
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

	/* Replies carry what the acceptance rule checks: addresses, relay. */
	n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
	dhcp_build_put32(dhcp_build_bootp(&b) + 12, 0xc0000265);
	dhcp_build_put32(dhcp_build_bootp(&b) + 24, 0xc0000202);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	snprintf(addrs, sizeof(addrs), "src %08x dst %08x ci %08x yi %08x gi %08x sid %08x",
	    r.ip_src, r.ip_dst, r.ciaddr, r.yiaddr, r.giaddr, r.server_id);
	ck_assert_str_eq(addrs, "src c0000201 dst c0000264 ci c0000265 yi c0000264 "
	    "gi c0000202 sid c0000201");
	ck_assert_msg(parse_exact(dhcp_build_bootp(&b), n - DHCP_BUILD_BOOTP,
	    false, &r, &why), "%s", why);
	ck_assert_uint_eq(r.ip_src, 0);
}
END_TEST

/* Raw bytes of a packet's parts (string literals; split a literal after
 * a hex escape that a hex digit follows). */
#define OPT(s)		.opt = (s), .nopt = sizeof(s) - 1
#define FILE_(s)	.file = (s), .nfile = sizeof(s) - 1
#define SNAME(s)	.sname = (s), .nsname = sizeof(s) - 1
#define LEASE(v)	.check_lease = true, .lease = (v)
#define SET8(at, v)	{ (at), (v), 1 }
#define SET16(at, v)	{ (at), (v), 2 }
#define ACK	"\x35\x01\x05"
#define SID	"\x36\x04\xc0\x00\x02\x01"
#define P43	"\x2b\x14\x80\x12" PROXY	/* Option 43, sub-option 128 */
#define END	"\xff"
#define SEVENS63 "777777777777777777777777777777777777777777777777777777777777777"

/* One reply: built from the options field (NULL: the typical ACK of
 * dhcp_build_test_reply), then sub-option 128 holding text, the file and
 * sname fields; cut right after the options (IP and UDP lengths to
 * match); then bytes or words of the finished packet set. Expected: the
 * reason it is refused, or the proxy learned, or why none is. */
struct pcase {
	const char	*opt, *file, *sname, *text;
	size_t		 nopt, nfile, nsname;
	bool		 cut, check_lease;
	struct { uint16_t at, v; int width; } set[2];
	const char	*fails, *proxy, *problem;
	int		 msg_type;
	uint32_t	 lease;
};

static const struct pcase cases[] = {
	/* No server identifier, no lease time: learned all the same. */
	{ OPT(ACK P43 END), .proxy = PROXY, LEASE(0) },
	/* Option 43 contents. */
	{ OPT(ACK "\x2b\x0a\x01\x03" "abc" "\x00\x00\x02\x00\xff" END),
	    .problem = "no sub-option 128" },
	/* Sub-options after the sub-option end (255) are not read. */
	{ OPT(ACK "\x2b\x06\xff\x80\x03" "1:2"), .problem = "no sub-option 128" },
	/* The raw, non-encapsulated form is not guessed at: '1' is
	 * sub-option 49 with length '9' (57), which runs past the end. */
	{ OPT(ACK "\x2b\x12" PROXY),
	    .problem = "option 43 sub-option runs past its end" },
	{ OPT(ACK "\x2b\x05\x80\x1e" "198"),
	    .problem = "option 43 sub-option runs past its end" },
	{ OPT(ACK "\x2b\x03\x00\x00\x80"),
	    .problem = "option 43 sub-option runs past its end" },
	{ OPT(ACK), .text = "198.51.100.10 :3128",
	    .problem = "sub-option 128 not printable" },
	{ OPT(ACK), .text = "198.51.100.10:3128\n",
	    .problem = "sub-option 128 not printable" },
	{ OPT(ACK), .text = "\x01", .problem = "sub-option 128 not printable" },
	{ OPT(ACK), .text = "198.51.100.10:3128\x7f",
	    .problem = "sub-option 128 not printable" },
	{ OPT(ACK), .text = "198.51.100.10:\x80\x33\x31\x32\x38",
	    .problem = "sub-option 128 not printable" },
	{ OPT(ACK), .text = "\t198.51.100.10:3128",
	    .problem = "sub-option 128 not printable" },
	/* A NUL inside the value (not trailing) is not printable either. */
	{ OPT(ACK "\x2b\x06\x80\x04" "1" "\x00" ":2"),
	    .problem = "sub-option 128 not printable" },
	/* RFC 2132 section 2: trailing NULs of NVT ASCII data are deleted. */
	{ OPT(ACK "\x2b\x16\x80\x14" PROXY "\x00\x00"), .proxy = PROXY },
	{ OPT(ACK "\x2b\x02\x80\x00"), .problem = "sub-option 128 empty" },
	{ OPT(ACK "\x2b\x04\x80\x02\x00\x00"), .problem = "sub-option 128 empty" },
	/* 63 bytes fit, 64 do not. */
	{ OPT(ACK), .text = SEVENS63, .proxy = SEVENS63 },
	{ OPT(ACK), .text = SEVENS63 "7", .problem = "sub-option 128 too long" },
	/* RFC 3396: Option 43 split in several instances, even between a
	 * sub-option's code and length, is concatenated before it is read;
	 * sub-option 128 itself repeated is concatenated the same way. */
	{ OPT("\x2b\x01\x80" ACK "\x2b\x08\x12" "198.51." "\x33\x04\x00\x00\x0e\x10"
	    "\x2b\x0b" "100.10:3128" END), .proxy = PROXY, LEASE(3600) },
	{ OPT(ACK "\x2b\x1a\x80\x09" "198.51.10" "\x01\x01" "x" "\x80\x09"
	    "0.10:3128" "\xff" END), .proxy = PROXY },
	/* RFC 2132 section 9.3 / RFC 2131 section 4.1: option overload. */
	{ OPT(ACK "\x34\x01\x01" END),
	    FILE_(P43 "\x33\x04\x00\x01\x51\x80" END), .proxy = PROXY, LEASE(86400) },
	/* Without option 52 the file field is only a file name. */
	{ OPT(ACK "\x00\x00\x00" END), FILE_(P43 "\x33\x04\x00\x01\x51\x80" END),
	    .problem = "no option 43", LEASE(0) },
	/* No end option in sname: the field ends at its 64th byte. */
	{ OPT("\x34\x01\x02" END), SNAME("\x35\x01\x02" P43),
	    .msg_type = DHCP_MSG_OFFER, .proxy = PROXY },
	/* Overload 3: the aggregate is options, then file, then sname (RFC
	 * 3396 section 5), so Option 43 may start in file and end in sname. */
	{ OPT(ACK "\x34\x01\x03" END), FILE_("\x2b\x0a\x80\x12" "198.51.1" END),
	    SNAME("\x2b\x0a" "00.10:3128" END), .proxy = PROXY },
	/* An option that runs past the end of its field is refused, even
	 * though the bytes after it exist in the packet (sname at 72). */
	{ OPT(ACK "\x34\x01\x03" END), FILE_("\x2b\x0a\x80\x12" "198.51.1" END),
	    SNAME("\x2b\x0a" "00.10:3128" END),
	    .set = { SET8(72 + 12, 0), SET16(72 + 62, 0x0c03) },
	    .fails = "option runs past the end of its field" },
	{ OPT(ACK "\x34\x01\x04"), .fails = "bad option overload" },
	{ OPT(ACK "\x34\x01\x01\x34\x01\x01"), .fails = "bad option overload" },
	/* Option 52 inside the file field would loop back on itself. */
	{ OPT(ACK "\x34\x01\x01"), FILE_("\x34\x01\x03"),
	    .fails = "option overload outside the options field" },
	/* Options cut: 200 bytes missing; a code byte without length. */
	{ OPT(ACK "\x2b\xc8\x80\x02" "ab"), .cut = true,
	    .fails = "option runs past the end of its field" },
	{ OPT(ACK "\x2b"), .cut = true,
	    .fails = "option runs past the end of its field" },
	/* The message type and the fixed-size options. */
	{ OPT(SID P43 END), .fails = "no DHCP message type" },
	{ OPT(""), .fails = "no DHCP message type" },	/* plain BOOTP */
	{ OPT("\x35\x01\x03" SID P43 END),
	    .fails = "DHCP message type is not OFFER, ACK or NAK" },
	/* Two instances concatenate to two bytes (RFC 3396). */
	{ OPT(ACK ACK), .fails = "bad DHCP message type length" },
	{ OPT(ACK "\x36\x03\xc0\x00\x02"), .fails = "bad server identifier length" },
	{ OPT(ACK "\x33\x05\x00\x00\x02\x58\x00"), .fails = "bad lease time length" },
	/* Bytes after an end option are never read as options. */
	{ OPT(ACK END "\x2b\x02\x80\x01" "\x35\xff"), .problem = "no option 43" },
	/* Headers of the typical ACK (328 bytes: IPv4 20, UDP 8, BOOTP 300). */
	{ .set = { SET16(20, 68), SET16(22, 67) }, .fails = "not from port 67 to port 68" },
	{ .set = { SET16(20, 67), SET16(22, 69) }, .fails = "not from port 67 to port 68" },
	{ .set = { SET16(20, 53) }, .fails = "not from port 67 to port 68" },
	{ .set = { SET16(22, 67) }, .fails = "not from port 67 to port 68" },
	{ .set = { SET16(20, 0), SET16(22, 0) }, .fails = "not from port 67 to port 68" },
	{ .set = { SET16(6, 0x2000) }, .fails = "IPv4 fragment" },
	{ .set = { SET16(6, 0x0001) }, .fails = "IPv4 fragment" },
	{ .set = { SET16(6, 0x2010) }, .fails = "IPv4 fragment" },
	{ .set = { SET16(6, 0x1fff) }, .fails = "IPv4 fragment" },
	{ .set = { SET16(6, 0x4000) }, .proxy = PROXY },	/* don't fragment */
	{ .set = { SET8(0, 0x65) }, .fails = "not IPv4" },
	{ .set = { SET8(0, 0x44) }, .fails = "bad IPv4 header length" },
	{ .set = { SET8(9, 6) }, .fails = "not UDP" },
	{ .set = { SET16(2, 19) }, .fails = "bad IPv4 header length" },
	{ .set = { SET16(2, 329) }, .fails = "packet too short" },
	{ .set = { SET16(2, 27) }, .fails = "packet too short" },
	{ .set = { SET16(24, 7) }, .fails = "bad UDP length" },
	{ .set = { SET16(24, 309) }, .fails = "bad UDP length" },
	/* BOOTP starts at 28. */
	{ .set = { SET8(28 + 236, 99), SET8(28 + 239, 0x62) },
	    .fails = "bad magic cookie" },
	{ .set = { SET8(28, 1) }, .fails = "not a BOOTREPLY" },
	{ .set = { SET8(29, 6) }, .fails = "hardware type is not Ethernet" },
	{ .set = { SET8(30, 16) }, .fails = "hardware type is not Ethernet" },
};

START_TEST(test_cases)
{
	const struct pcase *c = &cases[_i];
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n;

	if (c->opt == NULL)
		n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
	else {
		dhcp_build_init(&b);
		dhcp_build_raw(&b, c->opt, c->nopt);
		if (c->text != NULL) {
			dhcp_build_vendor_proxy(&b, c->text);
			dhcp_build_byte(&b, 255);
		}
		if (c->file != NULL)
			memcpy(dhcp_build_bootp(&b) + DHCP_BUILD_FILE, c->file, c->nfile);
		if (c->sname != NULL)
			memcpy(dhcp_build_bootp(&b) + DHCP_BUILD_SNAME, c->sname, c->nsname);
		n = dhcp_build_finish(&b);
	}
	if (c->cut) {
		n = DHCP_BUILD_BOOTP + b.cur;
		dhcp_build_put16(b.pkt + 2, (uint16_t)n);
		dhcp_build_put16(b.pkt + 24, (uint16_t)(n - 20));
	}
	for (int k = 0; k < 2; k++) {
		if (c->set[k].width == 1)
			b.pkt[c->set[k].at] = (uint8_t)c->set[k].v;
		else if (c->set[k].width == 2)
			dhcp_build_put16(b.pkt + c->set[k].at, c->set[k].v);
	}
	if (c->fails != NULL) {
		assert_fails(&b, n, c->fails);
		return;
	}
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_int_eq(r.msg_type, c->msg_type ? c->msg_type : DHCP_MSG_ACK);
	if (c->check_lease)
		ck_assert_uint_eq(r.lease_time, c->lease);
	if (c->proxy != NULL) {
		ck_assert_ptr_null(r.proxy_problem);
		ck_assert_str_eq(r.proxy, c->proxy);
	} else {
		ck_assert_str_eq(r.proxy_problem, c->problem);
		ck_assert_str_eq(r.proxy, "");
	}
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

	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	for (int i = 0; i < DHCP_PARSE_OPTS_MAX; i++)
		dhcp_build_opt(&b, 224, "", 0);
	assert_fails(&b, dhcp_build_finish(&b), "too many options");
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

/* Lengths the parser tolerates or refuses outside the table. */
START_TEST(test_edges)
{
	struct dhcp_build b;
	struct dhcp_reply r;
	const char *why;
	size_t n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);

	ck_assert(!parse_pkt(&b, 0, &r, &why));
	ck_assert_str_eq(why, "packet too short");
	ck_assert(!parse_exact(dhcp_build_bootp(&b), 239, false, &r, &why));
	ck_assert_str_eq(why, "BOOTP message too short");

	/* Trailing bytes after the IP total length (link padding) and a UDP
	 * length shorter than the IP payload are trimmed, as the kernel does. */
	ck_assert_msg(parse_pkt(&b, n + 10, &r, &why), "%s", why);
	dhcp_build_put16(b.pkt + 24, (uint16_t)(8 + 290));
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_str_eq(r.proxy, PROXY);

	/* IP options (IHL 6) move the UDP header. */
	n = dhcp_build_test_reply(&b, DHCP_MSG_ACK, PROXY);
	memmove(b.pkt + 24, b.pkt + 20, n - 20);
	memset(b.pkt + 20, 1, 4);	/* four NOP options */
	b.pkt[0] = 0x46;
	n += 4;
	dhcp_build_put16(b.pkt + 2, (uint16_t)n);
	ck_assert_msg(parse_pkt(&b, n, &r, &why), "%s", why);
	ck_assert_str_eq(r.proxy, PROXY);

	/* Decision: a missing end option is accepted; the end of the UDP
	 * payload ends the options (ISC dhclient and systemd-networkd do the
	 * same). */
	dhcp_build_init(&b);
	dhcp_build_opt8(&b, 53, DHCP_MSG_ACK);
	dhcp_build_vendor_proxy(&b, PROXY);
	ck_assert_msg(parse_exact(dhcp_build_bootp(&b), b.cur, false, &r,
	    &why), "%s", why);
	ck_assert_str_eq(r.proxy, PROXY);

	/* Pad bytes by the thousand. */
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

	/* A refused packet leaves the output untouched. */
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

	if (name[4] != 'r') {	/* gen-request is no reply */
		ck_assert_msg(parse_exact(p, n, whole_packet, &r, &why),
		    "%s: %s", name, why);
		if (proxy != NULL)
			ck_assert_str_eq(r.proxy, proxy);
		else
			ck_assert_ptr_nonnull(r.proxy_problem);
	}
	if (dir == NULL)
		return;
	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, name),
	    (int)sizeof(path));
	f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fwrite(p, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

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
	seed(dir, "gen-request.bin", b.pkt, n, true, NULL);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		test_isc_ack_bootp, test_isc_ack_packet, test_ack_offer_nak,
		test_long_option_43, test_truncated_every_offset, test_edges,
		test_seeds, NULL,
	};

	return unit_suite_loop("dhcp_parse", tests, test_cases,
	    sizeof(cases) / sizeof(cases[0]));
}
