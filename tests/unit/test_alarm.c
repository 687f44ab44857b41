/* Alarm sequence numbers (alarm.c). */
#include <stdio.h>
#include <string.h>

#include "alarm.h"
#include "unit.h"

START_TEST(seq_round_trip)
{
	char buf[ALARM_SEQ_MAX];
	unsigned seq = 0;
	size_t n = alarm_seq_format(41, buf);

	ck_assert_str_eq(buf, "41\n");
	ck_assert(alarm_seq_parse(buf, n, &seq));
	ck_assert_uint_eq(seq, 41);
	ck_assert(alarm_seq_parse("7", 1, &seq));
	ck_assert_uint_eq(seq, 7);
	ck_assert(alarm_seq_parse("4294967294", 10, &seq));
}
END_TEST

START_TEST(seq_refuses_garbage)
{
	unsigned seq = 5;

	ck_assert(!alarm_seq_parse("", 0, &seq));
	ck_assert(!alarm_seq_parse("\n", 1, &seq));
	ck_assert(!alarm_seq_parse("-1\n", 3, &seq));
	ck_assert(!alarm_seq_parse("12a\n", 4, &seq));
	ck_assert(!alarm_seq_parse("1 2", 3, &seq));
	ck_assert(!alarm_seq_parse("4294967295", 10, &seq));	/* no room for one more */
	ck_assert(!alarm_seq_parse("99999999999", 11, &seq));
	ck_assert(!alarm_seq_parse("3\n\n", 3, &seq));
	ck_assert_uint_eq(seq, 5);
}
END_TEST

START_TEST(raise_counts_on)
{
	struct alarm a = { .seq = 41 };
	struct proxy_addr p = { 0xc0000201u, 3128 };
	char id[ALARM_ID_MAX];

	alarm_raise(&a, &p, 100);
	alarm_id(&a, "n1", "r1", id);
	ck_assert_str_eq(id, "n1.r1:42");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		seq_round_trip, seq_refuses_garbage, raise_counts_on, NULL,
	};

	return unit_suite_of("alarm", NULL, NULL, tests);
}
