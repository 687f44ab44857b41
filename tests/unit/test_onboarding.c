/* onboarding-config.json: parse (pure) and load (file). */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "onboarding.h"
#include "unit.h"
#include "unit_tmp.h"

static bool
parse(const char *text, struct onboarding *o, char err[CFG_ERR_LEN])
{
	err[0] = '\0';
	return onboarding_parse("f.json", text, strlen(text), o, err);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static const char preztp[] =
    "{\n"
    "  \"name\": \"branch-router\",\n"
    "  \"mode\": \"preztp\",\n"
    "  \"registration-code\": \"abc-123\",\n"
    "  \"conductor-hosts\": [\"192.0.2.50\", \"192.0.2.51\"],\n"
    "  \"management-proxy\": {\"address\": \"192.0.2.10\", \"port\": 3128}\n"
    "}\n";

#define MP(members)	"{\"management-proxy\": {" members "}}"
#define ADDR10		"\"address\": \"192.0.2.10\", "

/* Documents and what is read of them: the proxy as text ("": none), or the
 * error of a refused one. Shape errors name the key they are about;
 * jansson gives no positions for values, so onboarding.c finds them in
 * the text. */
static const struct {
	const char	*doc;
	bool		 ok;
	const char	*want;
} docs[] = {
	{ preztp, true, "192.0.2.10:3128" },
	/* Other keys, also inside management-proxy, are ignored. */
	{ "{\"name\": \"r\", \"x\": {\"management-proxy\": 5}, "
	  "\"list\": [1, null, {\"a\": true}]}", true, "" },
	{ "{}", true, "" },
	{ MP("\"port\": 80, \"name\": 1, \"address\": \"192.0.2.1\""), true,
	  "192.0.2.1:80" },
	/* The port is kept as text: addr.c validates it where it is used. */
	{ MP(ADDR10 "\"port\": \"31x8\""), true, "192.0.2.10:31x8" },
	{ MP(ADDR10 "\"port\": \"3128\""), true, "192.0.2.10:3128" },
	{ MP(ADDR10 "\"port\": 99999999999"), true, "192.0.2.10:99999999999" },
	{ MP(ADDR10 "\"port\": -1"), true, "192.0.2.10:-1" },
	/* \n, BEL, space, the two bytes of e-acute, DEL, tab. */
	{ MP("\"address\": \"192.0.2.1\\n\\u0007 \\u00e9\\u007f\", \"port\": \"8\\t0\""),
	  true, "192.0.2.1??????:8?0" },
	/* Syntax errors at their position; a multi-byte UTF-8 character
	 * counts as one column, as in jansson. */
	{ "{\n  \"name\": \"r1\",\n  \"mode\": x\n}\n", false,
	  "f.json:3:11: invalid token near 'x'" },
	{ "{\"a\": 1,\n  \"b\": 2", false, "f.json:2:8: '}' expected near end of file" },
	{ "", false, "f.json:1:1: '[' or '{' expected near end of file" },
	{ "{\"n\": \"\xc3\xa9\", x}", false,
	  "f.json:1:12: string or '}' expected near 'x'" },
	{ "[1, 2]", false, "f.json:1:1: top-level value is not an object" },
	{ "\n  []", false, "f.json:2:3: top-level value is not an object" },
	{ "{\"management-proxy\": null}", false,
	  "f.json:1:2: management-proxy is not an object" },
	{ "{\"a\": {\"management-proxy\": {}},\n \"management-proxy\": \"x\"}", false,
	  "f.json:2:2: management-proxy is not an object" },
	{ MP("\"port\": 80"), false, "f.json:1:2: management-proxy has no address" },
	{ "{\n\"management-proxy\": {\n  \"address\": [\"192.0.2.1\"], \"port\": 80}}",
	  false, "f.json:3:3: management-proxy address is not a string" },
	{ MP("\"address\": \"192.0.2.1\""), false,
	  "f.json:1:2: management-proxy has no port" },
	{ MP("\"address\": \"192.0.2.1\", \"port\": 80.0"), false,
	  "f.json:1:47: management-proxy port is not an integer" },
	{ MP("\"address\": \"192.0.2.1\", \"port\": true"), false,
	  "f.json:1:47: management-proxy port is not an integer" },
	/* A key spelled with escapes is not located: 1:1 then. */
	{ "{\"management\\u002dproxy\": 1}", false,
	  "f.json:1:1: management-proxy is not an object" },
};

START_TEST(test_docs)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	memset(&o, 0xff, sizeof(o));
	ck_assert_msg(parse(docs[_i].doc, &o, err) == docs[_i].ok, "%s", docs[_i].doc);
	if (!docs[_i].ok)
		ck_assert_str_eq(err, docs[_i].want);
	ck_assert_str_eq(o.proxy, docs[_i].ok ? docs[_i].want : "");
	ck_assert(o.has_proxy == (o.proxy[0] != '\0'));
}
END_TEST

/* A port kept as text is refused, or read, where it is used. */
START_TEST(test_port_checked_on_use)
{
	struct proxy_addr a;
	const char *why = NULL;

	ck_assert(!addr_parse_proxy("192.0.2.10:31x8", 15, &a, &why));
	ck_assert_str_eq(why, "port is not a number");
	ck_assert(addr_parse_proxy("192.0.2.10:3128", 15, &a, &why));
	ck_assert_uint_eq(a.port, 3128);
}
END_TEST

START_TEST(test_duplicate_key)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	ck_assert(!parse("{\"management-proxy\": {\"address\": \"192.0.2.1\", "
	    "\"port\": 1, \"port\": 2}}", &o, err));
	unit_assert_has(err, "duplicate object key");
	ck_assert(strncmp(err, "f.json:1:", 9) == 0);
}
END_TEST

START_TEST(test_truncated)
{
	struct onboarding o;
	char err[CFG_ERR_LEN], doc[512], addr[201];

	memset(addr, 'a', 200);
	addr[200] = '\0';
	snprintf(doc, sizeof(doc), "{\"management-proxy\": {\"address\": \"%s\", "
	    "\"port\": 80}}", addr);
	ck_assert(parse(doc, &o, err));
	ck_assert_uint_eq(strlen(o.proxy), ONB_TEXT_MAX - 1);
	ck_assert(strspn(o.proxy, "a") == ONB_TEXT_MAX - 1);
}
END_TEST

START_TEST(test_too_large)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];
	size_t len = ONB_FILE_MAX + 1;
	char *big = malloc(len);

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', len);
	big[0] = '{';
	big[len - 1] = '}';
	ck_assert(!onboarding_parse("f.json", big, len, &o, err));
	ck_assert_str_eq(err, "f.json: larger than 1048576 bytes");
	/* Exactly the limit is fine. */
	big[len - 2] = '}';
	ck_assert(onboarding_parse("f.json", big, len - 1, &o, err));
	free(big);
}
END_TEST

START_TEST(test_load_missing)
{
	struct onboarding o;
	char err[CFG_ERR_LEN] = "", path[PATH_MAX];

	memset(&o, 0xff, sizeof(o));
	snprintf(path, sizeof(path), "%s/absent.json", unit_tmpdir);
	ck_assert(onboarding_load(path, &o, err));
	ck_assert(!o.has_proxy);
	ck_assert_str_eq(o.proxy, "");
}
END_TEST

START_TEST(test_load_file)
{
	struct onboarding o;
	char err[CFG_ERR_LEN], path[PATH_MAX], link[PATH_MAX], want[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/onboarding-config.json", unit_tmpdir);
	write_file(path, preztp);
	ck_assert(onboarding_load(path, &o, err));
	ck_assert_str_eq(o.proxy, "192.0.2.10:3128");
	/* The bootstrapper may install it as a symlink. */
	snprintf(link, sizeof(link), "%s/link.json", unit_tmpdir);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert(onboarding_load(link, &o, err));
	ck_assert(o.has_proxy);
	/* Errors carry the path. */
	write_file(path, "{\n  \"management-proxy\": 1\n}\n");
	ck_assert(!onboarding_load(path, &o, err));
	snprintf(want, sizeof(want), "%s:2:3: management-proxy is not an object", path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_load_unreadable)
{
	struct onboarding o;
	char err[CFG_ERR_LEN], want[PATH_MAX + 64], path[PATH_MAX];

	ck_assert(!onboarding_load(unit_tmpdir, &o, err));
	snprintf(want, sizeof(want), "%s: %s", unit_tmpdir, strerror(EISDIR));
	ck_assert_str_eq(err, want);
	ck_assert(!o.has_proxy);
	/* A FIFO is refused at once, never waited on, and said so. */
	snprintf(path, sizeof(path), "%s/fifo.json", unit_tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert(!onboarding_load(path, &o, err));
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	ck_assert_str_eq(err, want);
	unlink(path);
}
END_TEST

/* The shipped samples; skipped when not run from the source tree. */
START_TEST(test_samples)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	if (access("onboarding/samples", F_OK) != 0)
		return;
	ck_assert_msg(onboarding_load("onboarding/samples/preztp-static.json",
	    &o, err), "%s", err);
	ck_assert(o.has_proxy);
	ck_assert_str_eq(o.proxy, "192.0.2.10:3128");
	ck_assert_msg(onboarding_load("onboarding/samples/no-proxy.json", &o, err),
	    "%s", err);
	ck_assert(!o.has_proxy);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *parse_tests[] = {
		test_port_checked_on_use, test_duplicate_key, test_truncated,
		test_too_large, NULL,
	}, *load_tests[] = {
		test_load_missing, test_load_file, test_load_unreadable,
		test_samples, NULL,
	};
	Suite *s = unit_suite_loop("onboarding", parse_tests, test_docs,
	    sizeof(docs) / sizeof(docs[0]));

	suite_add_tcase(s, unit_tcase_of("load", unit_tmp_setup,
	    unit_tmp_teardown, load_tests));
	return s;
}
