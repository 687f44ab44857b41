/* The notify queue and its items (notify.c). */
#include <stdio.h>
#include <string.h>

#include "notify.h"
#include "unit.h"

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
	const TTest *tests[] = { queue_in_order_drops_oldest, item_arguments, NULL };

	return unit_suite_of("notify", NULL, NULL, tests);
}
