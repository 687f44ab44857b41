/* Host names allowed to become certificates and file names (hostname.c). */
#include <string.h>

#include "hostname.h"
#include "unit.h"

START_TEST(test_hostname_valid)
{
	static const char *const good[] = { "example.com", "EXAMPLE.com",
	    "a", "localhost", "x-1.example", "1example.com", "a.b.c.d.e",
	    "192.0.2.1", "0.0.0.0", "255.255.255.255", "xn--nxasmq6b.example",
	    "123.example" };
	static const char *const bad[] = { "", ".", "example.com.",
	    ".example.com", "a..b", "-a.example", "a-.example", "a_b.example",
	    "a b", "a/b", "*.example.com", "1.2.3", "256.1.1.1", "01.2.3.4",
	    "1.2.3.4.5", "123", "example.123", "a:443", "a\\b", "a\nb",
	    "x.test/evil?@b.test" };
	char label[70], longname[300];

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		ck_assert_msg(hostname_valid(good[i], strlen(good[i])),
		    "rejected %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(!hostname_valid(bad[i], strlen(bad[i])),
		    "accepted %s", bad[i]);
	memset(label, 'a', sizeof(label));
	ck_assert(hostname_valid(label, 63));
	ck_assert(!hostname_valid(label, 64));
	ck_assert(!hostname_valid("a\0b", 3));
	ck_assert(!hostname_valid(NULL, 0));
	/* 253 characters in all is the limit (labels of 63 and dots). */
	memset(longname, 'a', sizeof(longname));
	for (size_t i = 63; i < sizeof(longname); i += 64)
		longname[i] = '.';
	ck_assert(hostname_valid(longname, 253));
	ck_assert(!hostname_valid(longname, 254));
	ck_assert(hostname_is_ipv4("10.1.2.3", 8));
	ck_assert(!hostname_is_ipv4("ten.1.2.3", 9));
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		test_hostname_valid, NULL,
	};

	return unit_suite_of("hostname", NULL, NULL, tests);
}
