/* State files: parsers, dumps and their round trip, all pure (the file
 * I/O itself: test_fileio.c). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "statefile.h"
#include "unit.h"

/* A dump that must have succeeded. */
static char *
dumped(char *buf)
{
	ck_assert_msg(buf != NULL, "dump: %s", strerror(errno));
	return buf;
}

#define SET(field, text) snprintf((field), sizeof(field), "%s", (text))

static struct dhcp_info
sample_dhcp(void)
{
	struct dhcp_info d;

	memset(&d, 0, sizeof(d));
	SET(d.ifname, "wan1");
	d.state = LEARNED_RESOLVED;
	SET(d.proxy[0], "10.92.53.8:3128");
	SET(d.proxy[1], "192.0.2.10:3128");
	d.nproxy = 2;
	d.lease_expiry = 1790000000;
	d.server = 0xc0000201;			/* 192.0.2.1 */
	return d;
}

static struct peer_info
sample_peer(void)
{
	struct peer_info p;

	memset(&p, 0, sizeof(p));
	SET(p.node, "node2");
	p.up = true;
	p.last_heard = 1790000000;
	SET(p.cand[0].proxy, "192.0.2.10:3128");
	SET(p.cand[0].source, "dhcp:wan1");
	p.cand[0].lease_expiry = 1790000100;
	SET(p.cand[1].proxy, "198.51.100.7:8080");
	SET(p.cand[1].source, "static");
	p.ncand = 2;
	return p;
}

START_TEST(test_dhcp_round_trip)
{
	struct dhcp_info d = sample_dhcp(), back;
	char err[CFG_ERR_LEN];
	size_t len;
	char *buf;

	buf = dumped(statefile_dump_dhcp(&d, &len));
	ck_assert_uint_eq(strlen(buf), len);
	ck_assert_str_eq(buf,
	    "{\n"
	    "  \"dhcp-client-info\": {\n"
	    "    \"interface-name\": \"wan1\",\n"
	    "    \"resolution-state\": \"resolved\",\n"
	    "    \"management-proxies\": [\n"
	    "      \"10.92.53.8:3128\",\n"
	    "      \"192.0.2.10:3128\"\n"
	    "    ],\n"
	    "    \"lease-expiry\": 1790000000,\n"
	    "    \"server\": \"192.0.2.1\"\n"
	    "  }\n"
	    "}\n");
	ck_assert_msg(statefile_parse_dhcp(buf, len, &back, err), "%s", err);
	ck_assert(memcmp(&d, &back, sizeof(d)) == 0);
	free(buf);
}
END_TEST

START_TEST(test_dhcp_minimal)
{
	struct dhcp_info d, back;
	char err[CFG_ERR_LEN];
	size_t len;
	char *buf;

	/* A minimal file: no lease-expiry, no server, extra keys. */
	const char *spec = "{\n\"dhcp-client-info\": {\n\"interface-name\": \"wan1\",\n"
	    "\"resolution-state\": \"resolved\",\n"
	    "\"management-proxies\": [\"10.92.53.8:3128\"], \"vendor\": {}\n}\n}\n";
	ck_assert_msg(statefile_parse_dhcp(spec, strlen(spec), &d, err), "%s", err);
	ck_assert_str_eq(d.ifname, "wan1");
	ck_assert_int_eq(d.state, LEARNED_RESOLVED);
	ck_assert_uint_eq(d.nproxy, 1);
	ck_assert_str_eq(d.proxy[0], "10.92.53.8:3128");
	ck_assert_int_eq(d.lease_expiry, 0);
	ck_assert_uint_eq(d.server, 0);

	/* Nothing learned: an empty list is written and read back. */
	d.nproxy = 0;
	buf = dumped(statefile_dump_dhcp(&d, &len));
	unit_assert_lacks(buf, "lease-expiry");
	unit_assert_lacks(buf, "server");
	ck_assert(statefile_parse_dhcp(buf, len, &back, err));
	ck_assert_uint_eq(back.nproxy, 0);
	free(buf);
}
END_TEST

START_TEST(test_peer_round_trip)
{
	struct peer_info p = sample_peer(), back;
	char err[CFG_ERR_LEN];
	size_t len;
	char *buf;

	buf = dumped(statefile_dump_peer(&p, &len));
	ck_assert_str_eq(buf,
	    "{\n"
	    "  \"node\": \"node2\",\n"
	    "  \"up\": true,\n"
	    "  \"last-heard\": 1790000000,\n"
	    "  \"management-proxies\": [\n"
	    "    {\n"
	    "      \"proxy\": \"192.0.2.10:3128\",\n"
	    "      \"source\": \"dhcp:wan1\",\n"
	    "      \"lease-expiry\": 1790000100\n"
	    "    },\n"
	    "    {\n"
	    "      \"proxy\": \"198.51.100.7:8080\",\n"
	    "      \"source\": \"static\"\n"
	    "    }\n"
	    "  ]\n"
	    "}\n");
	ck_assert_msg(statefile_parse_peer(buf, len, &back, err), "%s", err);
	ck_assert(memcmp(&p, &back, sizeof(p)) == 0);
	free(buf);

	/* A peer never heard from, with nothing to contribute. */
	memset(&p, 0, sizeof(p));
	SET(p.node, "node2");
	buf = dumped(statefile_dump_peer(&p, &len));
	ck_assert(statefile_parse_peer(buf, len, &back, err));
	ck_assert(memcmp(&p, &back, sizeof(p)) == 0);
	free(buf);
}
END_TEST

START_TEST(test_proxy_round_trip)
{
	struct proxy_addr a = { 0x0a5c3508, 3128 }, back;	/* 10.92.53.8 */
	char err[CFG_ERR_LEN];
	size_t len;
	char *buf;

	buf = dumped(statefile_dump_proxy(&a, &len));
	ck_assert_str_eq(buf, "{\n  \"proxy_address\": \"10.92.53.8:3128\"\n}\n");
	ck_assert_msg(statefile_parse_proxy(buf, len, &back, err), "%s", err);
	ck_assert_uint_eq(back.ip, a.ip);
	ck_assert_uint_eq(back.port, a.port);
	free(buf);
	/* The one-line form. */
	buf = "{ \"proxy_address\": \"10.92.53.8:3128\" }";
	ck_assert(statefile_parse_proxy(buf, strlen(buf), &back, err));
	ck_assert_uint_eq(back.ip, a.ip);
}
END_TEST

START_TEST(test_dump_refuses_bad_structs)
{
	struct dhcp_info d = sample_dhcp();
	struct peer_info p = sample_peer();
	size_t len;

	d.nproxy = SF_MAX_PROXIES + 1;
	errno = 0;
	ck_assert_ptr_null(statefile_dump_dhcp(&d, &len));
	ck_assert_int_eq(errno, EINVAL);
	d = sample_dhcp();
	memset(d.ifname, 'a', sizeof(d.ifname));	/* no NUL */
	ck_assert_ptr_null(statefile_dump_dhcp(&d, &len));
	ck_assert_int_eq(errno, EINVAL);

	/* What the parser would refuse is never written. */
	d = sample_dhcp();
	SET(d.ifname, "../x");
	ck_assert_ptr_null(statefile_dump_dhcp(&d, &len));
	d = sample_dhcp();
	d.state = LEARNED_NSTATE;
	ck_assert_ptr_null(statefile_dump_dhcp(&d, &len));
	SET(p.node, "n\x01");
	ck_assert_ptr_null(statefile_dump_peer(&p, &len));
	p = sample_peer();
	p.ncand = SF_MAX_PROXIES + 1;
	ck_assert_ptr_null(statefile_dump_peer(&p, &len));
	p = sample_peer();
	p.last_heard = -1;
	ck_assert_ptr_null(statefile_dump_peer(&p, &len));
	p = sample_peer();
	p.cand[1].lease_expiry = -5;
	ck_assert_ptr_null(statefile_dump_peer(&p, &len));
}
END_TEST

/* Every parse error class: document and the exact reason. */
struct bad {
	const char *doc;
	const char *err;
};

#define DHCP(inner) "{\"dhcp-client-info\": {" inner "}}"
#define DHCP_OK_STATE "\"interface-name\": \"wan1\", \"resolution-state\": \"resolved\""

static const struct bad bad_dhcp[] = {
	{ "{\"dhcp-client-info\": ", "line 1, column 21: unexpected token near end of file" },
	{ "{\"a\": 1,\n \"a\": 2}", "line 2, column 4: duplicate object key near '\"a\"'" },
	{ "[]", "top-level value is not an object" },
	{ "{}", "dhcp-client-info is missing" },
	{ "{\"dhcp-client-info\": []}", "dhcp-client-info is not an object" },
	{ DHCP("\"resolution-state\": \"x\", \"management-proxies\": []"),
	  "dhcp-client-info: interface-name is missing" },
	{ DHCP("\"interface-name\": 1"),
	  "dhcp-client-info: interface-name is not a string" },
	{ DHCP("\"interface-name\": \"abcdefghijklmnop\""),
	  "dhcp-client-info: interface-name is longer than 15 bytes" },
	{ DHCP("\"interface-name\": \"\""),
	  "dhcp-client-info: interface-name is not a valid interface name" },
	{ DHCP("\"interface-name\": \"..\""),
	  "dhcp-client-info: interface-name is not a valid interface name" },
	{ DHCP("\"interface-name\": \"../etc\""),
	  "dhcp-client-info: interface-name is not a valid interface name" },
	{ DHCP("\"interface-name\": \"wan 1\""),
	  "dhcp-client-info: interface-name is not a valid interface name" },
	{ DHCP("\"interface-name\": \"wan1:0\""),
	  "dhcp-client-info: interface-name is not a valid interface name" },
	{ DHCP("\"interface-name\": \"w\\u00e9\""),
	  "dhcp-client-info: interface-name is not a valid interface name" },
	{ DHCP("\"interface-name\": \"wan1\", \"management-proxies\": []"),
	  "dhcp-client-info: resolution-state is missing" },
	{ DHCP("\"interface-name\": \"wan1\", \"resolution-state\": null"),
	  "dhcp-client-info: resolution-state is not a string" },
	{ DHCP("\"interface-name\": \"wan1\", \"resolution-state\": "
	    "\"0123456789012345678901234567890123\""),
	  "dhcp-client-info: resolution-state is longer than 31 bytes" },
	{ DHCP("\"interface-name\": \"wan1\", \"resolution-state\": \"ok\\n\""),
	  "dhcp-client-info: resolution-state is not printable ASCII" },
	{ DHCP("\"interface-name\": \"wan1\", \"resolution-state\": \"bogus\""),
	  "dhcp-client-info: resolution-state \"bogus\" is not a known state" },
	{ DHCP(DHCP_OK_STATE),
	  "dhcp-client-info: management-proxies is missing" },
	{ DHCP(DHCP_OK_STATE ", \"management-proxies\": \"10.0.0.1:80\""),
	  "dhcp-client-info: management-proxies is not an array" },
	{ DHCP(DHCP_OK_STATE ", \"management-proxies\": [\"a\",\"a\",\"a\",\"a\","
	    "\"a\",\"a\",\"a\",\"a\",\"a\"]"),
	  "dhcp-client-info: management-proxies has more than 8 entries" },
	{ DHCP(DHCP_OK_STATE ", \"management-proxies\": [\"a\", 5]"),
	  "dhcp-client-info: management-proxies[1] is not a string" },
	{ DHCP(DHCP_OK_STATE ", \"management-proxies\": [\"0123456789012345678901234"
	    "567890123456789012345678901234567890123\"]"),
	  "dhcp-client-info: management-proxies[0] is longer than 63 bytes" },
	{ DHCP(DHCP_OK_STATE ", \"management-proxies\": [], \"lease-expiry\": -1"),
	  "dhcp-client-info: lease-expiry is not an integer >= 0" },
	{ DHCP(DHCP_OK_STATE ", \"management-proxies\": [], \"lease-expiry\": \"1\""),
	  "dhcp-client-info: lease-expiry is not an integer >= 0" },
	{ DHCP(DHCP_OK_STATE ", \"management-proxies\": [], \"lease-expiry\": 1.5"),
	  "dhcp-client-info: lease-expiry is not an integer >= 0" },
	{ DHCP(DHCP_OK_STATE ", \"management-proxies\": [], \"server\": 3"),
	  "dhcp-client-info: server is not a string" },
	{ DHCP(DHCP_OK_STATE ", \"management-proxies\": [], \"server\": \"192.0.2.01\""),
	  "dhcp-client-info: server: leading zero in IPv4 address" },
	{ DHCP(DHCP_OK_STATE ", \"management-proxies\": [], \"server\": \"host\""),
	  "dhcp-client-info: server: not a dotted-quad IPv4 address" },
};

#define PEER_OK "\"node\": \"node2\", \"up\": true, \"last-heard\": 0"

static const struct bad bad_peer[] = {
	{ "{\"node\": \"n\",}", "line 1, column 14: string or '}' expected near '}'" },
	{ "\"x\"", "line 1, column 3: '[' or '{' expected near '\"x\"'" },
	{ "{\"up\": true}", "node is missing" },
	{ "{\"node\": \"n\\u0001\"}", "node is not printable ASCII" },
	{ "{\"node\": \"0123456789012345678901234567890123456789012345678901234567"
	    "890123456789\"}", "node is longer than 63 bytes" },
	{ "{\"node\": \"n\"}", "up is missing" },
	{ "{\"node\": \"n\", \"up\": 1}", "up is not a boolean" },
	{ "{\"node\": \"n\", \"up\": false}", "last-heard is missing" },
	{ "{\"node\": \"n\", \"up\": false, \"last-heard\": -3}",
	  "last-heard is not an integer >= 0" },
	{ "{" PEER_OK "}", "management-proxies is missing" },
	{ "{" PEER_OK ", \"management-proxies\": {}}",
	  "management-proxies is not an array" },
	{ "{" PEER_OK ", \"management-proxies\": [1]}",
	  "management-proxies[0] is not an object" },
	{ "{" PEER_OK ", \"management-proxies\": [{\"source\": \"s\"}]}",
	  "management-proxies[0]: proxy is missing" },
	{ "{" PEER_OK ", \"management-proxies\": [{\"proxy\": \"p\", \"source\": \"s\"},"
	    " {\"proxy\": \"p\"}]}",
	  "management-proxies[1]: source is missing" },
	{ "{" PEER_OK ", \"management-proxies\": [{\"proxy\": \"p\", \"source\": \"s\\t\"}]}",
	  "management-proxies[0]: source is not printable ASCII" },
	{ "{" PEER_OK ", \"management-proxies\": [{\"proxy\": \"p\", \"source\": \"s\","
	    " \"lease-expiry\": true}]}",
	  "management-proxies[0]: lease-expiry is not an integer >= 0" },
	{ "{" PEER_OK ", \"management-proxies\": [{},{},{},{},{},{},{},{},{}]}",
	  "management-proxies has more than 8 entries" },
};

static const struct bad bad_proxy[] = {
	{ "{\"proxy_address\": \"10.0.0.1:80\"", "line 1, column 31: '}' expected near end of file" },
	{ "{}", "proxy_address is missing" },
	{ "{\"proxy_address\": null}", "proxy_address is not a string" },
	{ "{\"proxy_address\": \"\"}", "proxy_address: empty" },
	{ "{\"proxy_address\": \"10.0.0.1\"}", "proxy_address: missing port" },
	{ "{\"proxy_address\": \"10.0.0.1:0\"}", "proxy_address: port out of range 1-65535" },
	{ "{\"proxy_address\": \"300.0.0.1:80\"}", "proxy_address: IPv4 octet out of range" },
	{ "{\"proxy_address\": \"224.0.0.1:80\"}", "proxy_address: multicast address" },
	{ "{\"proxy_address\": \"10.0.0.1:80x\"}", "proxy_address: port is not a number" },
};

/* A refused document leaves the output cleared, never half-parsed. */
static void
check_refused(char kind, const struct bad *b)
{
	struct dhcp_info d;
	struct peer_info p;
	struct proxy_addr a;
	char err[CFG_ERR_LEN];
	bool ok, cleared;

	memset(&d, 0xff, sizeof(d));
	memset(&p, 0xff, sizeof(p));
	memset(&a, 0xff, sizeof(a));
	if (kind == 'd') {
		ok = statefile_parse_dhcp(b->doc, strlen(b->doc), &d, err);
		cleared = d.nproxy == 0 && d.ifname[0] == '\0';
	} else if (kind == 'p') {
		ok = statefile_parse_peer(b->doc, strlen(b->doc), &p, err);
		cleared = p.ncand == 0;
	} else {
		ok = statefile_parse_proxy(b->doc, strlen(b->doc), &a, err);
		cleared = a.ip == 0;
	}
	ck_assert_msg(!ok, "accepted: %s", b->doc);
	ck_assert_str_eq(err, b->err);
	ck_assert_msg(cleared, "not cleared after: %s", b->doc);
}

START_TEST(test_bad_dhcp)
{
	check_refused('d', &bad_dhcp[_i]);
}
END_TEST

START_TEST(test_bad_peer)
{
	check_refused('p', &bad_peer[_i]);
}
END_TEST

START_TEST(test_bad_proxy)
{
	check_refused('a', &bad_proxy[_i]);
}
END_TEST

START_TEST(test_parse_too_large)
{
	struct dhcp_info d;
	struct peer_info p;
	struct proxy_addr a;
	char err[CFG_ERR_LEN];
	size_t len = SF_FILE_MAX + 1;
	char *big = unit_big_object(len);

	ck_assert(!statefile_parse_dhcp(big, len, &d, err));
	ck_assert_str_eq(err, "larger than 65536 bytes");
	ck_assert(!statefile_parse_peer(big, len, &p, err));
	ck_assert(!statefile_parse_proxy(big, len, &a, err));
	free(big);
}
END_TEST

START_TEST(test_proxy_text_kept_and_sanitized)
{
	struct dhcp_info d;
	struct peer_info p;
	char err[CFG_ERR_LEN];
	const char *doc = DHCP(DHCP_OK_STATE ", \"management-proxies\": "
	    "[\"not a proxy\", \"10.0.0.1:\\u00e9\\n\", \"\"]");
	const char *pdoc = "{" PEER_OK ", \"management-proxies\": [{\"proxy\": "
	    "\"x\\u001by\", \"source\": \"dhcp:wan1\"}], \"extra\": [1]}";

	/* Proxies are validated later with every candidate; here they are
	 * only kept, bounded and made printable. */
	ck_assert_msg(statefile_parse_dhcp(doc, strlen(doc), &d, err), "%s", err);
	ck_assert_uint_eq(d.nproxy, 3);
	ck_assert_str_eq(d.proxy[0], "not?a?proxy");
	ck_assert_str_eq(d.proxy[1], "10.0.0.1:???");
	ck_assert_str_eq(d.proxy[2], "");
	ck_assert_msg(statefile_parse_peer(pdoc, strlen(pdoc), &p, err), "%s", err);
	ck_assert_uint_eq(p.ncand, 1);
	ck_assert_str_eq(p.cand[0].proxy, "x?y");
	ck_assert(p.up);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("statefile");
	TCase *io = tcase_create("dump"), *parse = tcase_create("parse");

	tcase_add_test(io, test_dhcp_round_trip);
	tcase_add_test(io, test_dhcp_minimal);
	tcase_add_test(io, test_peer_round_trip);
	tcase_add_test(io, test_proxy_round_trip);
	tcase_add_test(io, test_dump_refuses_bad_structs);
	suite_add_tcase(s, io);

	tcase_add_loop_test(parse, test_bad_dhcp, 0, sizeof(bad_dhcp) / sizeof(bad_dhcp[0]));
	tcase_add_loop_test(parse, test_bad_peer, 0, sizeof(bad_peer) / sizeof(bad_peer[0]));
	tcase_add_loop_test(parse, test_bad_proxy, 0, sizeof(bad_proxy) / sizeof(bad_proxy[0]));
	tcase_add_test(parse, test_parse_too_large);
	tcase_add_test(parse, test_proxy_text_kept_and_sanitized);
	suite_add_tcase(s, parse);
	return s;
}
