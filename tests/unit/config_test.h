/* What the configuration unit tests share: parse a text named t.yaml,
 * all its errors joined, OK() and FAILS() with the exact messages, and
 * the usual first lines of an input. */
#ifndef CONFIG_TEST_H
#define CONFIG_TEST_H
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

static struct config cfg;
static struct cfg_errors err;
static char joined[CFG_MAX_ERRORS * CFG_ERR_LEN];

static inline bool
parse(const char *yaml)
{
	return config_parse("t.yaml", yaml, strlen(yaml), &cfg, &err);
}

/* All errors, one per line, so a failed assertion shows every one. */
static inline const char *
errors(void)
{
	size_t o = 0;

	joined[0] = '\0';
	for (size_t i = 0; i < err.n && o < sizeof(joined); i++)
		o += (size_t)snprintf(joined + o, sizeof(joined) - o, "%s%s",
		    i ? "\n" : "", err.msg[i]);
	return joined;
}

#define OK(y) do {							\
	bool ok_ = parse(y);						\
	ck_assert_msg(ok_, "unexpected errors:\n%s", errors());		\
} while (0)

#define FAILS(y, want) do {						\
	ck_assert(!parse(y));						\
	ck_assert_str_eq(errors(), want);				\
} while (0)

/* Lines 1-4 of most inputs; management-proxy keys start on line 5. */
#define MP "authority:\n  router:\n    - name: r\n      management-proxy:\n"
/* A static proxy entry on lines 6-9: address value at 8:22, port at 9:19. */
#define PXHEAD MP "        mode: static\n        proxy:\n          - name: p\n"
/* The suite `name`: one test case of that name holding the tests. */
static inline Suite *
config_test_suite(const char *name, const TTest *const *tests, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);

	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return s;
}

/* unit_suite(): the suite `name` of the tests listed. */
#define CONFIG_TEST_SUITE(name, ...)					\
Suite *									\
unit_suite(void)							\
{									\
	const TTest *const tests_[] = { __VA_ARGS__ };			\
									\
	return config_test_suite(name, tests_,				\
	    sizeof(tests_) / sizeof(tests_[0]));			\
}
#endif
