/* Validation and ordering of proxy addresses (addr.c). */
#include <string.h>

#include "addr.h"
#include "unit.h"

static bool
parse(const char *s, struct proxy_addr *a, const char **why)
{
	return addr_parse_proxy(s, strlen(s), a, why);
}

START_TEST(valid_forms)
{
	struct proxy_addr a;
	const char *why = NULL;

	ck_assert(parse("10.92.53.8:3128", &a, &why));
	ck_assert_uint_eq(a.ip, 0x0a5c3508u);
	ck_assert_uint_eq(a.port, 3128);
	ck_assert(parse("1.2.3.4:1", &a, &why));
	ck_assert(parse("223.255.255.254:65535", &a, &why));
	ck_assert_uint_eq(a.port, 65535);
	ck_assert(parse("0.0.0.1:80", &a, &why));
}
END_TEST

static const struct {
	const char *in;
	const char *why;
} bad[] = {
	{ "010.0.0.1:80", "leading zero in IPv4 address" },
	{ "10.00.0.1:80", "leading zero in IPv4 address" },
	{ "0.0.0.0:80", "unspecified address 0.0.0.0" },
	{ "255.255.255.255:80", "broadcast address" },
	{ "224.0.0.1:80", "multicast address" },
	{ "239.255.255.255:80", "multicast address" },
	{ "10.0.0.1:0", "port out of range 1-65535" },
	{ "10.0.0.1:65536", "port out of range 1-65535" },
	{ "10.0.0.1:999999", "port out of range 1-65535" },
	{ "10.0.0.1", "missing port" },
	{ "10.0.0.1:", "missing port" },
	{ " 10.0.0.1:80", "not a dotted-quad IPv4 address" },
	{ "10.0.0.1 :80", "not a dotted-quad IPv4 address" },
	{ "10.0.0.1: 80", "port is not a number" },
	{ "10.0.0.1:80 ", "port is not a number" },
	{ "10.0.0.1:0080", "leading zero in port" },
	{ "10.0.0.1:8a", "port is not a number" },
	{ "10.0.0.1:-1", "port is not a number" },
	{ "proxy.example:80", "not a dotted-quad IPv4 address" },
	{ "10.0.0:80", "not a dotted-quad IPv4 address" },
	{ "10.0.0.1.5:80", "not a dotted-quad IPv4 address" },
	{ "256.0.0.1:80", "IPv4 octet out of range" },
	{ "1.2.3.4444:80", "not a dotted-quad IPv4 address" },
	{ "", "empty" },
	{ "10.0.0.1:80\n#", "port is not a number" },
	{ "10.0.0.1:80:81", "port is not a number" },
};

START_TEST(invalid_forms)
{
	struct proxy_addr a;
	const char *why = NULL;

	ck_assert_msg(!parse(bad[_i].in, &a, &why), "accepted \"%s\"", bad[_i].in);
	ck_assert_str_eq(why, bad[_i].why);
}
END_TEST

START_TEST(length_is_respected)
{
	struct proxy_addr a;
	const char *why;
	/* The parser must not read past len even without a NUL. */
	char buf[] = { '1', '.', '2', '.', '3', '.', '4', ':', '8', '0', '9' };

	ck_assert(addr_parse_proxy(buf, 10, &a, &why));
	ck_assert_uint_eq(a.port, 80);
}
END_TEST

START_TEST(numeric_order)
{
	struct proxy_addr a, b;
	const char *why;

	/* As strings these compare the other way round. */
	ck_assert(parse("127.0.0.9:80", &a, &why));
	ck_assert(parse("127.0.0.10:80", &b, &why));
	ck_assert_int_lt(addr_cmp(&a, &b), 0);
	ck_assert(parse("9.255.255.255:80", &a, &why));
	ck_assert(parse("10.0.0.0:80", &b, &why));
	ck_assert_int_lt(addr_cmp(&a, &b), 0);
	ck_assert(parse("10.0.0.1:3128", &a, &why));
	ck_assert(parse("10.0.0.1:80", &b, &why));
	ck_assert_int_gt(addr_cmp(&a, &b), 0);
	ck_assert_int_eq(addr_cmp(&a, &a), 0);
}
END_TEST

START_TEST(format_round_trip)
{
	struct proxy_addr a;
	char buf[ADDR_STRLEN];
	const char *why;

	ck_assert(parse("223.255.255.254:65535", &a, &why));
	addr_format(&a, buf);
	ck_assert_str_eq(buf, "223.255.255.254:65535");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		valid_forms, length_is_respected, numeric_order,
		format_round_trip, NULL,
	};

	return unit_suite_loop("addr", tests, invalid_forms,
	    sizeof(bad) / sizeof(bad[0]));
}
