/* State files: parsers (pure), dumps, atomic writes, guarded reads. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* nftw() */
#endif
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "statefile.h"
#include "unit.h"

static char tmpdir[64];		/* short, so paths built on it always fit */

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_statefile.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
teardown(void)
{
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
tmp_path(char path[PATH_MAX], const char *name)
{
	snprintf(path, PATH_MAX, "%s/%s", tmpdir, name);
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void
write_raw(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
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
	char path[PATH_MAX], err[CFG_ERR_LEN];
	size_t len;
	char *buf;

	tmp_path(path, "wan1");
	ck_assert_int_eq(statefile_write_dhcp(path, &d), 0);
	buf = statefile_read(path, &len);
	ck_assert_ptr_nonnull(buf);
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
	char path[PATH_MAX], err[CFG_ERR_LEN];
	size_t len;
	char *buf;

	/* The spec's own example: no lease-expiry, no server, extra keys. */
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
	tmp_path(path, "wan2");
	ck_assert_int_eq(statefile_write_dhcp(path, &d), 0);
	buf = statefile_read(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_null(strstr(buf, "lease-expiry"));
	ck_assert_ptr_null(strstr(buf, "server"));
	ck_assert(statefile_parse_dhcp(buf, len, &back, err));
	ck_assert_uint_eq(back.nproxy, 0);
	free(buf);
}
END_TEST

START_TEST(test_peer_round_trip)
{
	struct peer_info p = sample_peer(), back;
	char path[PATH_MAX], err[CFG_ERR_LEN];
	size_t len;
	char *buf;

	tmp_path(path, "peer-proxy.json");
	ck_assert_int_eq(statefile_write_peer(path, &p), 0);
	buf = statefile_read(path, &len);
	ck_assert_ptr_nonnull(buf);
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
	ck_assert_int_eq(statefile_write_peer(path, &p), 0);
	buf = statefile_read(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert(statefile_parse_peer(buf, len, &back, err));
	ck_assert(memcmp(&p, &back, sizeof(p)) == 0);
	free(buf);
}
END_TEST

START_TEST(test_proxy_round_trip)
{
	struct proxy_addr a = { 0x0a5c3508, 3128 }, back;	/* 10.92.53.8 */
	char path[PATH_MAX], err[CFG_ERR_LEN];
	size_t len;
	char *buf;

	tmp_path(path, "proxy-address.json");
	ck_assert_int_eq(statefile_write_proxy(path, &a), 0);
	buf = statefile_read(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_str_eq(buf, "{\n  \"proxy_address\": \"10.92.53.8:3128\"\n}\n");
	ck_assert_msg(statefile_parse_proxy(buf, len, &back, err), "%s", err);
	ck_assert_uint_eq(back.ip, a.ip);
	ck_assert_uint_eq(back.port, a.port);
	free(buf);
	/* The spec's one-line form. */
	buf = "{ \"proxy_address\": \"10.92.53.8:3128\" }";
	ck_assert(statefile_parse_proxy(buf, strlen(buf), &back, err));
	ck_assert_uint_eq(back.ip, a.ip);
}
END_TEST

START_TEST(test_atomic_mode_and_no_temp)
{
	struct proxy_addr a = { 0xc000020a, 3128 };
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct stat st;
	mode_t old = umask(077);

	tmp_path(path, "proxy-address.json");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* An old file with other bits, and a stale temp from a crash. */
	write_raw(path, "old", 3);
	ck_assert_int_eq(chmod(path, 0600), 0);
	write_raw(tmp, "stale", 5);
	ck_assert_int_eq(chmod(tmp, 0600), 0);
	ck_assert_int_eq(statefile_write_proxy(path, &a), 0);
	ck_assert(!exists(tmp));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert(S_ISREG(st.st_mode));

	/* Secrets get 0600 whatever the umask. */
	umask(0);
	ck_assert_int_eq(statefile_write_atomic(path, "k", 1, 0600), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_size, 1);
	ck_assert(!exists(tmp));
	umask(old);
}
END_TEST

START_TEST(test_atomic_replaces_not_rewrites)
{
	char path[PATH_MAX];
	struct stat before, after;
	char *buf;
	size_t len;

	/* rename() puts a new inode in place: a reader holding the old file
	 * never sees a half-written one. */
	tmp_path(path, "f");
	ck_assert_int_eq(statefile_write_atomic(path, "one\n", 4, 0644), 0);
	ck_assert_int_eq(stat(path, &before), 0);
	ck_assert_int_eq(statefile_write_atomic(path, "two!\n", 5, 0644), 0);
	ck_assert_int_eq(stat(path, &after), 0);
	ck_assert_uint_ne(before.st_ino, after.st_ino);
	buf = statefile_read(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_str_eq(buf, "two!\n");
	free(buf);
	/* Empty contents are fine too. */
	ck_assert_int_eq(statefile_write_atomic(path, "", 0, 0644), 0);
	buf = statefile_read(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, 0);
	free(buf);
}
END_TEST

START_TEST(test_atomic_nosync_then_sync)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct stat st;
	char *buf;
	size_t len;

	/* Readers see the new file at once; the flush comes later. */
	tmp_path(path, "lazy");
	ck_assert_int_eq(statefile_write_atomic_nosync(path, "one\n", 4, 0600), 0);
	ck_assert_int_eq(statefile_write_atomic_nosync(path, "two\n", 4, 0600), 0);
	buf = statefile_read(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_str_eq(buf, "two\n");
	free(buf);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert(!exists(tmp));
	ck_assert_int_eq(statefile_sync(path), 0);
	tmp_path(path, "absent");
	ck_assert_int_eq(statefile_sync(path), -1);
}
END_TEST

START_TEST(test_atomic_failures_leave_no_temp)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], inner[PATH_MAX + 8];
	char target[PATH_MAX];
	char *buf;
	size_t len;

	/* No directory: the caller creates it, we do not. */
	tmp_path(path, "nodir/f");
	errno = 0;
	ck_assert_int_eq(statefile_write_atomic(path, "x", 1, 0644), -1);
	ck_assert_int_eq(errno, ENOENT);
	tmp_path(path, "nodir");
	ck_assert(!exists(path));

	/* rename() fails (a non-empty directory is in the way): the temp goes. */
	tmp_path(path, "busy");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(inner, sizeof(inner), "%s/x", path);
	write_raw(inner, "x", 1);
	errno = 0;
	ck_assert_int_eq(statefile_write_atomic(path, "x", 1, 0644), -1);
	ck_assert_int_eq(errno, EISDIR);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert(!exists(tmp));

	/* A link planted at the temp name, symbolic or hard, is removed, not
	 * followed: its target keeps its content and mode, and the state file
	 * is still written (a planted link must not block it for good). */
	tmp_path(path, "g");
	tmp_path(target, "target");
	write_raw(target, "keep", 4);
	ck_assert_int_eq(chmod(target, 0600), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_eq(symlink(target, tmp), 0);
	ck_assert_int_eq(statefile_write_atomic(path, "new1", 4, 0644), 0);
	buf = statefile_read(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_str_eq(buf, "new1");
	free(buf);
	ck_assert_int_eq(link(target, tmp), 0);
	ck_assert_int_eq(statefile_write_atomic(path, "new2", 4, 0644), 0);
	buf = statefile_read(target, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_str_eq(buf, "keep");
	free(buf);
	{
		struct stat st;

		ck_assert_int_eq(stat(target, &st), 0);
		ck_assert_int_eq(st.st_mode & 07777, 0600);
		ck_assert_int_eq(st.st_nlink, 1);
	}
}
END_TEST

START_TEST(test_read_limits)
{
	char path[PATH_MAX], link[PATH_MAX];
	char *big, *buf;
	size_t len = 12345;

	tmp_path(path, "big");
	big = malloc(SF_FILE_MAX + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', SF_FILE_MAX + 1);
	write_raw(path, big, SF_FILE_MAX + 1);
	errno = 0;
	ck_assert_ptr_null(statefile_read(path, &len));
	ck_assert_int_eq(errno, EFBIG);

	/* Exactly the limit is read whole and NUL-terminated. */
	write_raw(path, big, SF_FILE_MAX);
	buf = statefile_read(path, &len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(len, SF_FILE_MAX);
	ck_assert_int_eq(buf[SF_FILE_MAX], '\0');
	ck_assert(memcmp(buf, big, SF_FILE_MAX) == 0);
	free(buf);
	free(big);

	/* A symlink is refused (O_NOFOLLOW). */
	tmp_path(link, "link");
	ck_assert_int_eq(symlink(path, link), 0);
	errno = 0;
	ck_assert_ptr_null(statefile_read(link, &len));
	ck_assert_int_eq(errno, ELOOP);

	tmp_path(path, "absent");
	errno = 0;
	ck_assert_ptr_null(statefile_read(path, &len));
	ck_assert_int_eq(errno, ENOENT);

	errno = 0;
	ck_assert_ptr_null(statefile_read(tmpdir, &len));
	ck_assert_int_eq(errno, EISDIR);

	/* A FIFO neither blocks nor is read. */
	tmp_path(path, "fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	errno = 0;
	ck_assert_ptr_null(statefile_read(path, &len));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_remove)
{
	struct proxy_addr a = { 0xc000020a, 3128 };
	char path[PATH_MAX];

	tmp_path(path, "proxy-address.json");
	ck_assert_int_eq(statefile_write_proxy(path, &a), 0);
	ck_assert_int_eq(statefile_remove(path), 0);
	ck_assert(!exists(path));
	ck_assert_int_eq(statefile_remove(path), 0);	/* absent: fine */
}
END_TEST

START_TEST(test_dump_refuses_bad_structs)
{
	struct dhcp_info d = sample_dhcp();
	struct peer_info p = sample_peer();
	char path[PATH_MAX];
	size_t len;

	tmp_path(path, "wan1");
	d.nproxy = SF_MAX_PROXIES + 1;
	errno = 0;
	ck_assert_ptr_null(statefile_dump_dhcp(&d, &len));
	ck_assert_int_eq(errno, EINVAL);
	d = sample_dhcp();
	memset(d.ifname, 'a', sizeof(d.ifname));	/* no NUL */
	ck_assert_int_eq(statefile_write_dhcp(path, &d), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert(!exists(path));

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

START_TEST(test_bad_dhcp)
{
	struct dhcp_info d;
	char err[CFG_ERR_LEN];
	const struct bad *b = &bad_dhcp[_i];

	memset(&d, 0xff, sizeof(d));
	ck_assert_msg(!statefile_parse_dhcp(b->doc, strlen(b->doc), &d, err),
	    "accepted: %s", b->doc);
	ck_assert_str_eq(err, b->err);
	ck_assert_uint_eq(d.nproxy, 0);		/* cleared on failure */
	ck_assert_str_eq(d.ifname, "");
}
END_TEST

START_TEST(test_bad_peer)
{
	struct peer_info p;
	char err[CFG_ERR_LEN];
	const struct bad *b = &bad_peer[_i];

	memset(&p, 0xff, sizeof(p));
	ck_assert_msg(!statefile_parse_peer(b->doc, strlen(b->doc), &p, err),
	    "accepted: %s", b->doc);
	ck_assert_str_eq(err, b->err);
	ck_assert_uint_eq(p.ncand, 0);
}
END_TEST

START_TEST(test_bad_proxy)
{
	struct proxy_addr a;
	char err[CFG_ERR_LEN];
	const struct bad *b = &bad_proxy[_i];

	ck_assert_msg(!statefile_parse_proxy(b->doc, strlen(b->doc), &a, err),
	    "accepted: %s", b->doc);
	ck_assert_str_eq(err, b->err);
	ck_assert_uint_eq(a.ip, 0);
}
END_TEST

START_TEST(test_parse_too_large)
{
	struct dhcp_info d;
	struct peer_info p;
	struct proxy_addr a;
	char err[CFG_ERR_LEN];
	size_t len = SF_FILE_MAX + 1;
	char *big = malloc(len);

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', len);
	big[0] = '{';
	big[len - 1] = '}';
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
	TCase *io = tcase_create("io"), *parse = tcase_create("parse");

	tcase_add_checked_fixture(io, setup, teardown);
	tcase_add_test(io, test_dhcp_round_trip);
	tcase_add_test(io, test_dhcp_minimal);
	tcase_add_test(io, test_peer_round_trip);
	tcase_add_test(io, test_proxy_round_trip);
	tcase_add_test(io, test_atomic_mode_and_no_temp);
	tcase_add_test(io, test_atomic_replaces_not_rewrites);
	tcase_add_test(io, test_atomic_nosync_then_sync);
	tcase_add_test(io, test_atomic_failures_leave_no_temp);
	tcase_add_test(io, test_read_limits);
	tcase_add_test(io, test_remove);
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
