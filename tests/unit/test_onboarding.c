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

START_TEST(test_valid)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	ck_assert(parse(preztp, &o, err));
	ck_assert(o.has_proxy);
	ck_assert_str_eq(o.proxy, "192.0.2.10:3128");
}
END_TEST

START_TEST(test_other_keys_ignored)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	ck_assert(parse("{\"name\": \"r\", \"x\": {\"management-proxy\": 5}, "
	    "\"list\": [1, null, {\"a\": true}]}", &o, err));
	ck_assert(!o.has_proxy);
	ck_assert_str_eq(o.proxy, "");
	ck_assert(parse("{}", &o, err));
	ck_assert(!o.has_proxy);
	/* Extra members inside management-proxy are ignored too. */
	ck_assert(parse("{\"management-proxy\": {\"port\": 80, \"name\": 1, "
	    "\"address\": \"192.0.2.1\"}}", &o, err));
	ck_assert_str_eq(o.proxy, "192.0.2.1:80");
}
END_TEST

START_TEST(test_syntax_error_position)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	ck_assert(!parse("{\n  \"name\": \"r1\",\n  \"mode\": x\n}\n", &o, err));
	ck_assert_str_eq(err, "f.json:3:11: invalid token near 'x'");
	ck_assert(!o.has_proxy);
	ck_assert(!parse("{\"a\": 1,\n  \"b\": 2", &o, err));
	ck_assert_str_eq(err, "f.json:2:8: '}' expected near end of file");
	ck_assert(!parse("", &o, err));
	ck_assert_str_eq(err, "f.json:1:1: '[' or '{' expected near end of file");
	/* A multi-byte UTF-8 character counts as one column, as in jansson. */
	ck_assert(!parse("{\"n\": \"\xc3\xa9\", x}", &o, err));
	ck_assert_str_eq(err, "f.json:1:12: string or '}' expected near 'x'");
}
END_TEST

START_TEST(test_duplicate_key)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	ck_assert(!parse("{\"management-proxy\": {\"address\": \"192.0.2.1\", "
	    "\"port\": 1, \"port\": 2}}", &o, err));
	ck_assert_ptr_nonnull(strstr(err, "duplicate object key"));
	ck_assert(strncmp(err, "f.json:1:", 9) == 0);
}
END_TEST

START_TEST(test_string_port_kept)
{
	struct onboarding o;
	struct proxy_addr a;
	const char *why = NULL;
	char err[CFG_ERR_LEN];

	ck_assert(parse("{\"management-proxy\": {\"address\": \"192.0.2.10\", "
	    "\"port\": \"31x8\"}}", &o, err));
	ck_assert(o.has_proxy);
	ck_assert_str_eq(o.proxy, "192.0.2.10:31x8");
	ck_assert(!addr_parse_proxy(o.proxy, strlen(o.proxy), &a, &why));
	ck_assert_str_eq(why, "port is not a number");
	/* A numeric string is as good as a number once validated. */
	ck_assert(parse("{\"management-proxy\": {\"address\": \"192.0.2.10\", "
	    "\"port\": \"3128\"}}", &o, err));
	ck_assert(addr_parse_proxy(o.proxy, strlen(o.proxy), &a, &why));
	ck_assert_uint_eq(a.port, 3128);
}
END_TEST

START_TEST(test_integer_port_out_of_range_kept)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	ck_assert(parse("{\"management-proxy\": {\"address\": \"192.0.2.10\", "
	    "\"port\": 99999999999}}", &o, err));
	ck_assert_str_eq(o.proxy, "192.0.2.10:99999999999");
	ck_assert(parse("{\"management-proxy\": {\"address\": \"192.0.2.10\", "
	    "\"port\": -1}}", &o, err));
	ck_assert_str_eq(o.proxy, "192.0.2.10:-1");
}
END_TEST

START_TEST(test_sanitized)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	ck_assert(parse("{\"management-proxy\": {\"address\": "
	    "\"192.0.2.1\\n\\u0007 \\u00e9\\u007f\", \"port\": \"8\\t0\"}}", &o, err));
	/* \n, BEL, space, the two bytes of e-acute, DEL, tab. */
	ck_assert_str_eq(o.proxy, "192.0.2.1??????:8?0");
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

/* Shape errors name the key they are about; jansson gives no positions for
 * values, so onboarding.c finds them in the text. */
static const struct {
	const char *doc;
	const char *err;
} shape[] = {
	{ "[1, 2]", "f.json:1:1: top-level value is not an object" },
	{ "\n  []", "f.json:2:3: top-level value is not an object" },
	{ "{\"management-proxy\": null}",
	  "f.json:1:2: management-proxy is not an object" },
	{ "{\"a\": {\"management-proxy\": {}},\n \"management-proxy\": \"x\"}",
	  "f.json:2:2: management-proxy is not an object" },
	{ "{\"management-proxy\": {\"port\": 80}}",
	  "f.json:1:2: management-proxy has no address" },
	{ "{\n\"management-proxy\": {\n  \"address\": [\"192.0.2.1\"], \"port\": 80}}",
	  "f.json:3:3: management-proxy address is not a string" },
	{ "{\"management-proxy\": {\"address\": \"192.0.2.1\"}}",
	  "f.json:1:2: management-proxy has no port" },
	{ "{\"management-proxy\": {\"address\": \"192.0.2.1\", \"port\": 80.0}}",
	  "f.json:1:47: management-proxy port is not an integer" },
	{ "{\"management-proxy\": {\"address\": \"192.0.2.1\", \"port\": true}}",
	  "f.json:1:47: management-proxy port is not an integer" },
	/* A key spelled with escapes is not located: 1:1 then. */
	{ "{\"management\\u002dproxy\": 1}",
	  "f.json:1:1: management-proxy is not an object" },
};

START_TEST(test_shape_errors)
{
	struct onboarding o;
	char err[CFG_ERR_LEN];

	memset(&o, 0xff, sizeof(o));
	ck_assert_msg(!parse(shape[_i].doc, &o, err), "accepted: %s", shape[_i].doc);
	ck_assert_str_eq(err, shape[_i].err);
	ck_assert(!o.has_proxy);
	ck_assert_str_eq(o.proxy, "");
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
		test_valid, test_other_keys_ignored, test_syntax_error_position,
		test_duplicate_key, test_string_port_kept,
		test_integer_port_out_of_range_kept, test_sanitized,
		test_truncated, test_too_large, NULL,
	}, *load_tests[] = {
		test_load_missing, test_load_file, test_load_unreadable,
		test_samples, NULL,
	};
	Suite *s = unit_suite_loop("onboarding", parse_tests, test_shape_errors,
	    sizeof(shape) / sizeof(shape[0]));

	suite_add_tcase(s, unit_tcase_of("load", unit_tmpdir_make,
	    unit_tmpdir_remove, load_tests));
	return s;
}
