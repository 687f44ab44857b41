/* The HA peer datagram (peer_msg.c): the wire format, the boot id file,
 * and what a node advertises and stores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learned_sample.h"
#include "peer_msg.h"
#include "peer_sample.h"
#include "ports.h"
#include "statefile.h"
#include "unit.h"

static const uint8_t other_key[] = "0123456789abcdef0123456789abcdeF";

static struct peer_msg msg;
static uint8_t buf[PEER_MSG_MAX];

static size_t
enc(const struct peer_msg *m)
{
	return peer_msg_encode(m, key, KEYLEN, buf, sizeof(buf));
}

START_TEST(round_trip)
{
	struct peer_msg out;
	const char *why = NULL;
	size_t len;

	sample(&msg);
	len = enc(&msg);
	ck_assert_uint_eq(len, PEER_MSG_HDR_LEN + 5 + 2 * PEER_MSG_CAND_FIXED +
	    4 + 9 + PEER_MSG_MAC_LEN);
	ck_assert(peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	ck_assert_uint_eq(out.flags, PEER_MSG_F_ECHO);
	ck_assert_str_eq(out.node, "node2");
	ck_assert(out.boot == PEER_BOOT);
	ck_assert(out.seq == 7);
	ck_assert(out.time_ms == 123456789);
	ck_assert(out.echo_boot == SELF_BOOT);
	ck_assert(out.echo_time_ms == 5000);
	ck_assert_uint_eq(out.ncand, 2);
	ck_assert_uint_eq(out.cand[0].addr.ip, 0xc000020a);
	ck_assert_uint_eq(out.cand[0].addr.port, 3128);
	ck_assert_str_eq(out.cand[0].ifname, "wan1");
	ck_assert_uint_eq(out.cand[0].remaining, 3600);
	ck_assert_uint_eq(out.cand[1].addr.ip, 0xc6336407);
	ck_assert_uint_eq(out.cand[1].addr.port, 8080);
	ck_assert_str_eq(out.cand[1].ifname, "wan-2.x_y");
	ck_assert_uint_eq(out.cand[1].remaining, PEER_MSG_NO_EXPIRY);
	/* Canonical: encoding the decoded message gives the same bytes. */
	{
		uint8_t again[PEER_MSG_MAX];

		ck_assert_uint_eq(peer_msg_encode(&out, key, KEYLEN, again,
		    sizeof(again)), len);
		ck_assert_mem_eq(again, buf, len);
	}
}
END_TEST

/* Every bit of the datagram, tag included, is bound by the HMAC. */
START_TEST(every_bit_bound)
{
	struct peer_msg out;
	const char *why;
	size_t len;

	sample(&msg);
	len = enc(&msg);
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			ck_assert_msg(!peer_msg_decode(buf, len, key, KEYLEN,
			    &out, &why), "byte %zu bit %d", i, bit);
			buf[i] ^= (uint8_t)(1u << bit);
		}
	ck_assert(peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
}
END_TEST

/* And every field changes the bytes (nothing is left out of the encoding). */
START_TEST(every_field_encoded)
{
	uint8_t base[PEER_MSG_MAX];
	struct peer_msg m;
	size_t len, n;

	sample(&msg);
	len = enc(&msg);
	memcpy(base, buf, len);
	for (int f = 0; f < 12; f++) {
		m = msg;
		switch (f) {
		case 0: m.node[4] = '3'; break;
		case 1: m.boot++; break;
		case 2: m.seq++; break;
		case 3: m.time_ms++; break;
		case 4: m.echo_boot++; break;
		case 5: m.echo_time_ms++; break;
		case 6: m.cand[0].addr.ip++; break;
		case 7: m.cand[0].addr.port++; break;
		case 8: m.cand[0].remaining++; break;
		case 9: m.cand[1].ifname[0] = 'x'; break;
		case 10: m.ncand = 1; break;
		case 11: m.flags = 0; m.echo_boot = 0; m.echo_time_ms = 0; break;
		}
		n = enc(&m);
		ck_assert_uint_ne(n, 0);
		ck_assert_msg(n != len || memcmp(buf, base, len) != 0,
		    "field %d not encoded", f);
	}
}
END_TEST

START_TEST(truncated_everywhere)
{
	struct peer_msg out;
	const char *why;
	size_t len;

	sample(&msg);
	len = enc(&msg);
	for (size_t i = 0; i < len; i++) {
		why = NULL;
		ck_assert_msg(!peer_msg_decode(buf, i, key, KEYLEN, &out, &why),
		    "accepted %zu of %zu bytes", i, len);
		ck_assert_ptr_nonnull(why);
		ck_assert_str_eq(out.node, "");
		ck_assert_uint_eq(out.ncand, 0);
	}
	/* A byte too many is refused as well. */
	buf[len] = 0;
	ck_assert(!peer_msg_decode(buf, len + 1, key, KEYLEN, &out, &why));
}
END_TEST

START_TEST(bad_hmac)
{
	struct peer_msg out;
	const char *why;
	size_t len;

	sample(&msg);
	len = enc(&msg);
	ck_assert(!peer_msg_decode(buf, len, other_key, KEYLEN, &out, &why));
	ck_assert_str_eq(why, "bad HMAC (wrong key or altered datagram)");
	ck_assert(!peer_msg_decode(buf, len, key, KEYLEN - 1, &out, &why));
	buf[PEER_MSG_HDR_LEN + 1] ^= 0x20;	/* "node2" -> "nOde2" */
	ck_assert(!peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	ck_assert_str_eq(why, "bad HMAC (wrong key or altered datagram)");
	buf[PEER_MSG_HDR_LEN + 1] ^= 0x20;
	buf[len - 1] ^= 1;			/* the tag itself */
	ck_assert(!peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	/* Keys outside 16..512 bytes are never used. */
	ck_assert_uint_eq(peer_msg_encode(&msg, key, 15, buf, sizeof(buf)), 0);
}
END_TEST

/* Builds a datagram by hand, with a valid tag, so the checks behind the
 * HMAC are reached. */
static size_t
forge(uint8_t *b, size_t n)
{
	ck_assert(peer_msg_mac(key, KEYLEN, b, n, b + n));
	return n + PEER_MSG_MAC_LEN;
}

static void
expect_refused(size_t len, const char *reason)
{
	struct peer_msg out;
	const char *why = NULL;

	ck_assert(!peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	ck_assert_ptr_nonnull(why);
	if (reason != NULL)
		ck_assert_str_eq(why, reason);
}

START_TEST(malformed_fields)
{
	size_t len, body, c0;

	sample(&msg);
	len = enc(&msg);
	body = len - PEER_MSG_MAC_LEN;
	c0 = PEER_MSG_HDR_LEN + 5;	/* first candidate */

#define RETRY(stmt, reason) do {					\
	enc(&msg);							\
	stmt;								\
	expect_refused(forge(buf, body), reason);			\
} while (0)
	RETRY(buf[0] = 'X', "bad magic");
	RETRY(buf[4] = 2, "unsupported version");
	RETRY(buf[5] |= 0x80, "unknown flags");
	RETRY(buf[5] = 0, "echo fields set without the echo flag");
	RETRY(buf[6] = 0, "node name length out of range");
	RETRY(buf[6] = 64, "node name length out of range");
	RETRY(buf[6] = 6, NULL);		/* lengths no longer add up */
	RETRY(buf[7] = 9, "too many candidates");
	RETRY(buf[7] = 3, "truncated candidate");
	RETRY(buf[7] = 1, "trailing bytes after the candidates");
	RETRY(memset(buf + 8, 0, 8), "boot id or sequence number is 0");
	RETRY(memset(buf + 16, 0, 8), "boot id or sequence number is 0");
	RETRY(memset(buf + 32, 0, 8), "echo flag with a zero boot id");
	RETRY(buf[PEER_MSG_HDR_LEN] = 0x1f,
	    "node name is empty, too long or not printable");
	RETRY(buf[PEER_MSG_HDR_LEN] = 0x7f,
	    "node name is empty, too long or not printable");
	RETRY(memset(buf + c0, 0, 4), "unspecified address 0.0.0.0");
	RETRY(memset(buf + c0, 0xff, 4), NULL);	/* broadcast */
	RETRY(buf[c0] = 224, NULL);			/* multicast */
	RETRY(memset(buf + c0 + 4, 0, 2), "candidate port is 0");
	RETRY(memset(buf + c0 + 6, 0, 4), "candidate lease has expired");
	RETRY(buf[c0 + 10] = 0, "candidate interface name length out of range");
	RETRY(buf[c0 + 10] = 16, "candidate interface name length out of range");
	RETRY(buf[c0 + 11] = '/', "candidate interface name is invalid");
	RETRY(buf[c0 + 11] = ':', "candidate interface name is invalid");
	RETRY(buf[c0 + 11] = '\0', "candidate interface name is invalid");
	RETRY(buf[c0 + 12] = '\0', "candidate interface name is invalid");
	RETRY(buf[PEER_MSG_HDR_LEN + 4] = '\0',
	    "node name is empty, too long or not printable");
#undef RETRY
}
END_TEST

START_TEST(encode_refuses_invalid)
{
	sample(&msg);
	msg.cand[0].addr.port = 0;
	ck_assert_uint_eq(enc(&msg), 0);
	sample(&msg);
	msg.cand[1].addr.ip = 0xe0000001;	/* 224.0.0.1 */
	ck_assert_uint_eq(enc(&msg), 0);
	sample(&msg);
	msg.node[0] = '\0';
	ck_assert_uint_eq(enc(&msg), 0);
	sample(&msg);
	msg.ncand = PEER_MSG_MAX_CAND + 1;
	ck_assert_uint_eq(enc(&msg), 0);
	sample(&msg);
	msg.seq = 0;
	ck_assert_uint_eq(enc(&msg), 0);
	sample(&msg);
	ck_assert_uint_eq(peer_msg_encode(&msg, key, KEYLEN, buf, 60), 0);
}
END_TEST

START_TEST(zero_and_max_candidates)
{
	struct peer_msg out;
	const char *why;
	size_t len;

	sample(&msg);
	msg.ncand = 0;
	len = enc(&msg);
	ck_assert_uint_eq(len, PEER_MSG_HDR_LEN + 5 + PEER_MSG_MAC_LEN);
	ck_assert(peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	ck_assert_uint_eq(out.ncand, 0);

	/* The largest datagram: longest node name, every candidate with the
	 * longest interface name. */
	sample(&msg);
	memset(msg.node, 'n', PEER_MSG_NODE_MAX);
	msg.node[PEER_MSG_NODE_MAX] = '\0';
	msg.ncand = 0;
	for (int i = 0; i < PEER_MSG_MAX_CAND; i++)
		cand(&msg, "203.0.113.1", (uint16_t)(3128 + i),
		    "abcdefghijklmno", (uint32_t)i + 1);
	len = enc(&msg);
	ck_assert_uint_eq(len, PEER_MSG_HDR_LEN + PEER_MSG_NODE_MAX +
	    PEER_MSG_MAX_CAND * (PEER_MSG_CAND_FIXED + 15) + PEER_MSG_MAC_LEN);
	ck_assert_uint_le(len, PEER_MSG_MAX);
	ck_assert(peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	ck_assert_uint_eq(out.ncand, PEER_MSG_MAX_CAND);
	ck_assert_uint_eq(out.cand[7].addr.port, 3135);
	ck_assert_str_eq(out.cand[7].ifname, "abcdefghijklmno");
	ck_assert_uint_eq(strlen(out.node), PEER_MSG_NODE_MAX);
}
END_TEST

START_TEST(boot_id_file)
{
	uint64_t v;

	ck_assert(peer_msg_boot_parse("1795843694123\n", 14, &v));
	ck_assert(v == 1795843694123ULL);
	ck_assert(peer_msg_boot_parse("18446744073709551615", 20, &v));
	ck_assert(v == UINT64_MAX);
	ck_assert(!peer_msg_boot_parse("18446744073709551616", 20, &v));
	ck_assert(!peer_msg_boot_parse("", 0, &v));
	ck_assert(!peer_msg_boot_parse("\n", 1, &v));
	ck_assert(!peer_msg_boot_parse("0", 1, &v));
	ck_assert(!peer_msg_boot_parse("012", 3, &v));
	ck_assert(!peer_msg_boot_parse("12\n\n", 4, &v));
	ck_assert(!peer_msg_boot_parse("12 ", 3, &v));
	ck_assert(!peer_msg_boot_parse("-12", 3, &v));
	ck_assert(!peer_msg_boot_parse("1\0002", 3, &v));
	/* Above the last; the clock is a floor, never a ceiling. */
	ck_assert(peer_msg_boot_next(0, 1795843694123LL) == 1795843694123ULL);
	ck_assert(peer_msg_boot_next(1795843694123ULL, 1795843694123LL) ==
	    1795843694124ULL);
	ck_assert(peer_msg_boot_next(1795843694123ULL, 1000) == 1795843694124ULL);
	ck_assert(peer_msg_boot_next(0, -5) == 1);
	ck_assert(peer_msg_boot_next(UINT64_MAX, 1000) == UINT64_MAX);
}
END_TEST

START_TEST(expiry_conversion)
{
	struct peer_info a, b;

	sample(&msg);
	peer_msg_to_info(&msg, 1790000000, &a);
	ck_assert_str_eq(a.node, "node2");
	ck_assert(a.up);
	ck_assert_int_eq(a.last_heard, 1790000000);
	ck_assert_uint_eq(a.ncand, 2);
	ck_assert_str_eq(a.cand[0].proxy, "192.0.2.10:3128");
	ck_assert_str_eq(a.cand[0].source, "dhcp:wan1");
	ck_assert_int_eq(a.cand[0].lease_expiry, 1790000000 + 3600);
	ck_assert_str_eq(a.cand[1].proxy, "198.51.100.7:8080");
	ck_assert_str_eq(a.cand[1].source, "dhcp:wan-2.x_y");
	ck_assert_int_eq(a.cand[1].lease_expiry, 0);

	/* The next keepalive, a little later on both clocks: the same. */
	msg.cand[0].remaining = 3590;
	peer_msg_to_info(&msg, 1790000009, &b);
	ck_assert_int_eq(b.cand[0].lease_expiry, 1790000000 + 3599);
	ck_assert(peer_msg_info_same(&a, &b));
	/* A renewal moves the expiry: a change. */
	msg.cand[0].remaining = 7200;
	peer_msg_to_info(&msg, 1790000009, &b);
	ck_assert(!peer_msg_info_same(&a, &b));
	/* So does a changed candidate, or the peer going down. */
	b = a;
	snprintf(b.cand[1].source, sizeof(b.cand[1].source), "dhcp:wan3");
	ck_assert(!peer_msg_info_same(&a, &b));
	b = a;
	b.up = false;
	ck_assert(!peer_msg_info_same(&a, &b));
	b = a;
	b.cand[1].lease_expiry = 1790000100;
	ck_assert(!peer_msg_info_same(&a, &b));
	/* And statefile accepts what we hand the daemon. */
	{
		size_t len;
		char *s = statefile_dump_peer(&a, &len);

		ck_assert_ptr_nonnull(s);
		free(s);
	}
}
END_TEST

START_TEST(gather_and_fill)
{
	struct config cfg;
	struct dhcp_info d[4];
	struct peer_local loc[PEER_MSG_MAX_CAND];
	size_t n, dropped;
	const int64_t now = 1790000000;

	sample_cfg(&cfg);
	memset(d, 0, sizeof(d));
	snprintf(d[0].ifname, IFNAMSIZ, "wan1");
	d[0].state = LEARNED_RESOLVED;
	d[0].nproxy = 3;
	snprintf(d[0].proxy[0], SF_TEXT_MAX, "192.0.2.1:3128");
	snprintf(d[0].proxy[1], SF_TEXT_MAX, "192.0.2.1:0");	/* invalid */
	snprintf(d[0].proxy[2], SF_TEXT_MAX, "192.0.2.2:8080");
	d[0].lease_expiry = now + 100;
	d[1] = d[0];					/* not eligible */
	snprintf(d[1].ifname, IFNAMSIZ, "wan2");
	d[2] = d[0];					/* not configured */
	snprintf(d[2].ifname, IFNAMSIZ, "wan9");
	d[3] = d[0];
	d[3].lease_expiry = now;			/* ended */

	n = peer_msg_gather(d, 4, &cfg, now, NULL, 0, loc, PEER_MSG_MAX_CAND,
	    &dropped);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(dropped, 0);
	ck_assert_str_eq(loc[1].ifname, "wan1");
	ck_assert_uint_eq(loc[1].addr.port, 8080);
	ck_assert_int_eq(loc[1].expiry, now + 100);
	/* Not resolved: nothing. */
	d[0].state = LEARNED_NAK;
	ck_assert_uint_eq(peer_msg_gather(d, 1, &cfg, now, NULL, 0, loc,
	    PEER_MSG_MAX_CAND, &dropped), 0);
	d[0].state = LEARNED_RESOLVED;
	/* A full list counts the rest. */
	ck_assert_uint_eq(peer_msg_gather(d, 1, &cfg, now, NULL, 0, loc, 1,
	    &dropped), 1);
	ck_assert_uint_eq(dropped, 1);
	/* What this box would refuse to select is not advertised either: a
	 * listener of its own forwarder under one of its addresses. */
	{
		const uint32_t self_ip = 0xc0000202u;	/* 192.0.2.2 */

		snprintf(d[0].proxy[2], SF_TEXT_MAX, "192.0.2.2:%d",
		    HAPROXY_HTTP_PORT);
		ck_assert_uint_eq(peer_msg_gather(d, 1, &cfg, now, &self_ip, 1,
		    loc, PEER_MSG_MAX_CAND, &dropped), 1);
		ck_assert_uint_eq(peer_msg_gather(d, 1, &cfg, now, NULL, 0,
		    loc, PEER_MSG_MAX_CAND, &dropped), 2);
		snprintf(d[0].proxy[2], SF_TEXT_MAX, "192.0.2.2:8080");
	}

	n = peer_msg_gather(d, 1, &cfg, now, NULL, 0, loc, PEER_MSG_MAX_CAND,
	    &dropped);
	loc[0].expiry = 0;
	memset(&msg, 0, sizeof(msg));
	peer_msg_fill(&msg, loc, n, now + 40);
	ck_assert_uint_eq(msg.ncand, 2);
	ck_assert_uint_eq(msg.cand[0].remaining, PEER_MSG_NO_EXPIRY);
	ck_assert_uint_eq(msg.cand[1].remaining, 60);
	/* Ended between publish and keepalive: left out. */
	peer_msg_fill(&msg, loc, n, now + 100);
	ck_assert_uint_eq(msg.ncand, 1);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("peer_msg");
	TCase *wire = tcase_create("wire");
	TCase *boot = tcase_create("boot");
	TCase *info = tcase_create("info");

	tcase_add_test(wire, round_trip);
	tcase_add_test(wire, every_bit_bound);
	tcase_add_test(wire, every_field_encoded);
	tcase_add_test(wire, truncated_everywhere);
	tcase_add_test(wire, bad_hmac);
	tcase_add_test(wire, malformed_fields);
	tcase_add_test(wire, encode_refuses_invalid);
	tcase_add_test(wire, zero_and_max_candidates);
	suite_add_tcase(s, wire);

	tcase_add_test(boot, boot_id_file);
	suite_add_tcase(s, boot);

	tcase_add_test(info, expiry_conversion);
	tcase_add_test(info, gather_and_fill);
	suite_add_tcase(s, info);
	return s;
}

