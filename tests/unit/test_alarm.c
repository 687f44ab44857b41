/* Alarm sequence numbers (alarm.c) and the notify queue (notify.c). */
#include <stdio.h>
#include <string.h>

#include "alarm.h"
#include "notify.h"
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

static void
item(struct notify_item *it, int k)
{
	char reason[16];

	snprintf(reason, sizeof(reason), "r%d", k);
	notify_item_make(it, NOTIFY_PROXY_CHANGE, NULL, NULL, reason);
}

START_TEST(queue_in_order_drops_oldest)
{
	static struct notify_queue q;
	struct notify_item it;

	for (int k = 0; k < NOTIFY_QUEUE_MAX; k++) {
		item(&it, k);
		ck_assert(notify_queue_push(&q, &it));
	}
	item(&it, NOTIFY_QUEUE_MAX);
	ck_assert(!notify_queue_push(&q, &it));		/* r0 dropped */
	ck_assert_uint_eq(q.dropped, 1);
	for (int k = 1; k <= NOTIFY_QUEUE_MAX; k++) {
		char want[16];

		snprintf(want, sizeof(want), "r%d", k);
		ck_assert(notify_queue_pop(&q, &it));
		ck_assert_str_eq(it.reason, want);
	}
	ck_assert(!notify_queue_pop(&q, &it));
}
END_TEST

START_TEST(item_arguments)
{
	struct notify_item it;
	struct proxy_addr p = { 0xc0000201u, 3128 };

	notify_item_make(&it, NOTIFY_ALARM_RAISE, "n1.r1:3", &p, "Connection refused");
	ck_assert_str_eq(notify_event_name(it.event), "alarm-raise");
	ck_assert_str_eq(it.id, "n1.r1:3");
	ck_assert_str_eq(it.proxy, "192.0.2.1:3128");
	ck_assert_str_eq(it.reason, "Connection refused");
	notify_item_make(&it, NOTIFY_PROXY_CHANGE, NULL, NULL, "");
	ck_assert_str_eq(notify_event_name(it.event), "proxy-change");
	ck_assert_str_eq(it.id, "-");
	ck_assert_str_eq(it.proxy, "none");
	ck_assert_str_eq(it.reason, "-");
	ck_assert_str_eq(notify_event_name(NOTIFY_ALARM_CLEAR), "alarm-clear");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		seq_round_trip, seq_refuses_garbage, raise_counts_on,
		queue_in_order_drops_oldest, item_arguments, NULL,
	};

	return unit_suite_of("alarm", NULL, NULL, tests);
}
