/* The table of minted names (cert_lru.c): lookup, eviction order, resync
 * marks after an HAProxy reload. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cert_lru.h"
#include "unit.h"

#define CAP	4

static struct cert_lru_entry ents[CAP];

static struct cert_lru
table(void)
{
	struct cert_lru t = { .e = ents, .n = 0, .cap = CAP };

	memset(ents, 0, sizeof(ents));
	return t;
}

START_TEST(test_find_add_remove)
{
	struct cert_lru t = table();

	ck_assert_uint_eq(cert_lru_find(&t, "a.test"), SIZE_MAX);
	ck_assert_uint_eq(cert_lru_add(&t, "a.test", 10, 1), 0);
	ck_assert_uint_eq(cert_lru_add(&t, "b.test", 20, 2), 1);
	ck_assert_uint_eq(cert_lru_add(&t, "c.test", 30, 3), 2);
	ck_assert_uint_eq(cert_lru_add(&t, "d.test", 40, 4), 3);
	/* Full: nothing is overwritten. */
	ck_assert_uint_eq(cert_lru_add(&t, "e.test", 50, 5), SIZE_MAX);
	ck_assert_uint_eq(t.n, CAP);
	ck_assert_uint_eq(cert_lru_find(&t, "c.test"), 2);
	cert_lru_remove(&t, 0);
	ck_assert_uint_eq(t.n, 3);
	ck_assert_uint_eq(cert_lru_find(&t, "a.test"), SIZE_MAX);
	/* The last entry moved into the hole, whole. */
	ck_assert_uint_eq(cert_lru_find(&t, "d.test"), 0);
	ck_assert_int_eq(t.e[0].used, 40);
	ck_assert_uint_eq(t.e[0].seq, 4);
	cert_lru_remove(&t, 7);		/* out of range: no effect */
	ck_assert_uint_eq(t.n, 3);
	cert_lru_remove(&t, 2);		/* the last one */
	ck_assert_uint_eq(t.n, 2);
	ck_assert_uint_eq(cert_lru_find(&t, "c.test"), SIZE_MAX);
}
END_TEST

START_TEST(test_victim_is_least_recently_used)
{
	struct cert_lru t = table();

	ck_assert_uint_eq(cert_lru_victim(&t, NULL), SIZE_MAX);
	cert_lru_add(&t, "a.test", 10, 1);
	cert_lru_add(&t, "b.test", 20, 2);
	cert_lru_add(&t, "c.test", 30, 3);
	ck_assert_uint_eq(cert_lru_victim(&t, NULL), 0);
	/* Using a name protects it: b is now the oldest. */
	cert_lru_touch(&t, 0, 40);
	ck_assert_uint_eq(cert_lru_victim(&t, NULL), 1);
	/* Never the name being served. */
	ck_assert_uint_eq(cert_lru_victim(&t, "b.test"), 2);
	/* A clock that went back never makes a name older. */
	cert_lru_touch(&t, 2, 5);
	ck_assert_int_eq(t.e[2].used, 30);
	/* Ties: the lower index. */
	cert_lru_touch(&t, 1, 40);
	cert_lru_touch(&t, 2, 40);
	ck_assert_uint_eq(cert_lru_victim(&t, NULL), 0);
	/* The only entry, kept: nothing to evict. */
	t.n = 1;
	ck_assert_uint_eq(cert_lru_victim(&t, "a.test"), SIZE_MAX);
}
END_TEST

/* A flood of new names through a full table: every new name gets a slot,
 * and a name used between the flood's names survives it. */
START_TEST(test_flood_keeps_the_name_in_use)
{
	struct cert_lru t = table();
	char name[32];
	int64_t now = 0;

	cert_lru_add(&t, "router.example", ++now, 1);
	for (int i = 0; i < 100; i++) {
		size_t v;

		snprintf(name, sizeof(name), "n%d.flood.test", i);
		if (t.n == t.cap) {
			v = cert_lru_victim(&t, name);
			ck_assert_uint_ne(v, SIZE_MAX);
			ck_assert_str_ne(t.e[v].name, "router.example");
			cert_lru_remove(&t, v);
		}
		ck_assert_uint_ne(cert_lru_add(&t, name, ++now, (uint64_t)i + 2), SIZE_MAX);
		/* The management client keeps using its name. */
		cert_lru_touch(&t, cert_lru_find(&t, "router.example"), ++now);
	}
	ck_assert_uint_eq(t.n, CAP);
	ck_assert_uint_ne(cert_lru_find(&t, "router.example"), SIZE_MAX);
	ck_assert_uint_ne(cert_lru_find(&t, "n99.flood.test"), SIZE_MAX);
	ck_assert_uint_eq(cert_lru_find(&t, "n0.flood.test"), SIZE_MAX);
}
END_TEST

START_TEST(test_resync_marks)
{
	struct cert_lru t = table();

	cert_lru_add(&t, "a.test", 10, 1);
	cert_lru_add(&t, "b.test", 20, 5);
	cert_lru_add(&t, "c.test", 30, 6);
	ck_assert_uint_eq(cert_lru_next_resync(&t), SIZE_MAX);
	/* A reload began when seq 5 was next: b and c may be missing. */
	ck_assert_uint_eq(cert_lru_mark_since(&t, 5), 2);
	ck_assert(!t.e[0].resync);
	ck_assert_uint_eq(cert_lru_next_resync(&t), 1);
	t.e[1].resync = false;
	ck_assert_uint_eq(cert_lru_next_resync(&t), 2);
	t.e[2].resync = false;
	ck_assert_uint_eq(cert_lru_next_resync(&t), SIZE_MAX);
	ck_assert_uint_eq(cert_lru_mark_since(&t, 7), 0);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		test_find_add_remove,
		test_victim_is_least_recently_used,
		test_flood_keeps_the_name_in_use, test_resync_marks,
		NULL,
	};

	return unit_suite_of("cert_lru", NULL, NULL, tests);
}
