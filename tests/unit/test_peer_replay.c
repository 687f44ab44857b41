/* Replays and freshness of the peer's datagrams (peer_replay.c). */
#include <stdio.h>
#include <string.h>

#include "peer_replay.h"
#include "peer_sample.h"
#include "unit.h"

static struct peer_msg msg;

static struct peer_replay rp;

static void
replay_setup(void)
{
	peer_replay_init(&rp, "node1", NULL, SELF_BOOT);
}

/* We send a datagram at now_ms: its stamp. */
static uint64_t
sent(int64_t now_ms)
{
	return peer_replay_stamp(&rp, now_ms);
}

/* node2's datagram of run `boot`, echoing stamp `echo` of our run
 * `echo_boot` (0: no echo). */
static void
dgram(struct peer_msg *m, uint64_t boot, uint64_t seq, uint64_t echo_boot,
    uint64_t echo)
{
	sample(m);
	m->boot = boot;
	m->seq = seq;
	m->flags = echo_boot != 0 ? PEER_MSG_F_ECHO : 0;
	m->echo_boot = echo_boot;
	m->echo_time_ms = echo_boot != 0 ? echo : 0;
}

/* The decision about node2's datagram (run boot, seq) echoing our stamp
 * `echo` of this run (0: no echo), at now_ms. */
static enum peer_accept
acc_echo(uint64_t boot, uint64_t seq, uint64_t echo, int64_t now_ms)
{
	const char *why = NULL;
	enum peer_accept r;

	dgram(&msg, boot, seq, echo != 0 ? SELF_BOOT : 0, echo);
	r = peer_replay_accept(&rp, &msg, now_ms, &why);
	ck_assert_ptr_nonnull(why);
	return r;
}

/* Takes up run `boot` at seq (t) and sees it fresh at seq + 1 (t + 200).
 * The first datagram of a run cannot prove yet that it heard us since we
 * took it up, even with an echo of our latest stamp. */
static void
follow(uint64_t boot, uint64_t seq, int64_t t)
{
	uint64_t s = sent(t);

	ck_assert_int_eq(acc_echo(boot, seq, s, t + 100), PEER_REPLAY_ONEWAY);
	s = sent(t + 200);
	ck_assert_int_eq(acc_echo(boot, seq + 1, s, t + 300), PEER_REPLAY_FRESH);
	ck_assert(rp.boot == boot && rp.seq == seq + 1);
}

START_TEST(replay_same_and_lower_seq)
{
	follow(PEER_BOOT, 7, 5000);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 8, 5200, 5300), PEER_REPLAY_REFUSED);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 6, 5200, 5300), PEER_REPLAY_REFUSED);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 1, 5200, 5300), PEER_REPLAY_REFUSED);
	/* Gaps are losses. */
	ck_assert_int_eq(acc_echo(PEER_BOOT, 100, 5200, 5300), PEER_REPLAY_FRESH);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 99, 5200, 5300), PEER_REPLAY_REFUSED);
	ck_assert(rp.seq == 100);
	ck_assert(rp.boot == PEER_BOOT);
}
END_TEST

START_TEST(restart_and_earlier_runs)
{
	follow(PEER_BOOT, 50, 1000);
	/* The peer restarted: a higher boot id, any seq, before it heard
	 * us. */
	ck_assert_int_eq(acc_echo(PEER_BOOT + 1, 1, 0, 1400), PEER_REPLAY_ONEWAY);
	ck_assert_int_eq(acc_echo(PEER_BOOT + 1, 1, 0, 1400), PEER_REPLAY_REFUSED);
	/* The earlier run, even with a higher seq and an echo it made
	 * before we took up the new run: refused, the new run stays. */
	ck_assert_int_eq(acc_echo(PEER_BOOT, 52, 1200, 1500), PEER_REPLAY_REFUSED);
	ck_assert(rp.boot == PEER_BOOT + 1);
	/* Its echo of a stamp from before we took it up is not fresh... */
	ck_assert_int_eq(acc_echo(PEER_BOOT + 1, 2, 1200, 1600), PEER_REPLAY_ONEWAY);
	/* ...one sent since is. */
	sent(1700);
	ck_assert_int_eq(acc_echo(PEER_BOOT + 1, 3, 1700, 1800), PEER_REPLAY_FRESH);
	/* An echo of a stamp we never sent proves nothing. */
	ck_assert_int_eq(acc_echo(PEER_BOOT + 1, 4, 1701, 1800), PEER_REPLAY_ONEWAY);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 53, 1701, 1800), PEER_REPLAY_REFUSED);
}
END_TEST

START_TEST(counter_went_back)
{
	const uint64_t lower = PEER_BOOT - 1000;

	follow(PEER_BOOT, 1, 1000);
	/* The peer lost its state directory and its clock is behind: its
	 * new run has a lower boot id. Until it proves it heard us after
	 * we took up the run we follow, it looks like a replay. */
	ck_assert_int_eq(acc_echo(lower, 1, 0, 2000), PEER_REPLAY_REFUSED);
	ck_assert_int_eq(acc_echo(lower, 2, 1000, 2000), PEER_REPLAY_REFUSED);
	ck_assert(rp.boot == PEER_BOOT);
	/* It answers one of our datagrams: alive after we took up
	 * PEER_BOOT, which has therefore ended and is retired. */
	sent(2100);
	ck_assert_int_eq(acc_echo(lower, 3, 2100, 2200), PEER_REPLAY_FRESH);
	ck_assert(rp.boot == lower);
	ck_assert_uint_eq(rp.nold, 1);
	sent(2300);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 9, 2300, 2400), PEER_REPLAY_REFUSED);
	ck_assert_int_eq(acc_echo(lower, 4, 2300, 2400), PEER_REPLAY_FRESH);
}
END_TEST

START_TEST(replay_history_bounded)
{
	int64_t t = 1000;

	/* Each run proves itself over the one before, which is retired. */
	for (uint64_t b = 1; b <= PEER_REPLAY_HISTORY + 2; b++) {
		t += 100;
		ck_assert_int_ne(acc_echo(b, 1, sent(t), t), PEER_REPLAY_REFUSED);
	}
	ck_assert_uint_eq(rp.nold, PEER_REPLAY_HISTORY);
	t += 100;
	ck_assert_int_eq(acc_echo(PEER_REPLAY_HISTORY, 5, sent(t), t),
	    PEER_REPLAY_REFUSED);
	ck_assert_int_eq(acc_echo(3, 5, sent(t), t), PEER_REPLAY_REFUSED);
}
END_TEST

START_TEST(reflection_and_lock)
{
	const char *why;

	sent(5000);
	sample(&msg);
	snprintf(msg.node, sizeof(msg.node), "node1");	/* our own name */
	msg.seq = 1;
	ck_assert_int_eq(peer_replay_accept(&rp, &msg, 6000, &why), PEER_REPLAY_REFUSED);
	ck_assert(!rp.have_boot);
	snprintf(msg.node, sizeof(msg.node), "node2");
	msg.seq = 2;
	ck_assert_int_eq(peer_replay_accept(&rp, &msg, 6000, &why), PEER_REPLAY_ONEWAY);
	ck_assert_str_eq(rp.locked, "node2");
	/* A third node with the key is not our peer. */
	snprintf(msg.node, sizeof(msg.node), "node3");
	msg.boot = PEER_BOOT + 5;
	ck_assert_int_eq(peer_replay_accept(&rp, &msg, 6000, &why), PEER_REPLAY_REFUSED);
	ck_assert(rp.boot == PEER_BOOT);

	/* A configured expectation wins over the first sender. */
	peer_replay_init(&rp, "node1", "nodeB", SELF_BOOT);
	sent(5000);
	sample(&msg);
	ck_assert_int_eq(peer_replay_accept(&rp, &msg, 6000, &why), PEER_REPLAY_REFUSED);
	snprintf(msg.node, sizeof(msg.node), "nodeB");
	ck_assert_int_eq(peer_replay_accept(&rp, &msg, 6000, &why), PEER_REPLAY_ONEWAY);
}
END_TEST

START_TEST(freshness_by_echo)
{
	const char *why;

	sent(1000);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 1, 0, 1000), PEER_REPLAY_ONEWAY);
	ck_assert(rp.seq == 1);
	sent(5000);
	/* Echo of an earlier run of ours: a recording from before our
	 * restart. */
	dgram(&msg, PEER_BOOT, 2, SELF_BOOT + 1, 5000);
	ck_assert_int_eq(peer_replay_accept(&rp, &msg, 5000, &why), PEER_REPLAY_ONEWAY);
	/* Echo too old, exactly at the limit. */
	ck_assert_int_eq(acc_echo(PEER_BOOT, 3, 5000, 5000 + PEER_MSG_ECHO_MAX_MS + 1),
	    PEER_REPLAY_ONEWAY);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 4, 5000, 5000 + PEER_MSG_ECHO_MAX_MS),
	    PEER_REPLAY_FRESH);
	/* Stamps keep growing when the clock does not. */
	ck_assert(sent(4000) == 5001);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 5, 5001, 4000), PEER_REPLAY_FRESH);
	/* Forgetting the peer (a new key) keeps our stamps: what it said
	 * before cannot be fresh afterwards. */
	peer_replay_forget(&rp, "node1", NULL);
	ck_assert(rp.stamp == 5001 && !rp.have_boot && rp.self_boot == SELF_BOOT);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 6, 5001, 5100), PEER_REPLAY_ONEWAY);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 7, sent(5200), 5300), PEER_REPLAY_FRESH);
}
END_TEST

/* Replays in every order. node2's runs: X (earlier, recorded) and Y (the
 * one that lives now); in `went_back` Y's boot id is below X's (node2
 * lost its counter). Our stamps: 300 heard by X before it ended, then Y
 * started; 500 sent before we first heard Y; 1000 and 2000 echoed by Y.
 * Every recorded datagram is replayed, in every order, to: a node that
 * restarted since (another boot id of ours), one that forgot the peer (a
 * new key), one that follows Y and never heard X, and one that heard X
 * first. No replay may be fresh; with monotonic boot ids a node that
 * follows Y must not move at all; afterwards the live Y is accepted
 * (fresh at once, or after one more exchange), every recorded datagram
 * is refused, and Y is still followed. */
#define RUN_X	0x0000019000000000ULL
#define RUN_Y	0x0000019000001000ULL
#define SELF_NEW (SELF_BOOT + 7)
#define NREC	6

enum node_state { NODE_RESTARTED, NODE_FORGOT, NODE_FOLLOWS_Y, NODE_HEARD_X,
	NODE_STATES };

static struct peer_msg rec[NREC];

static void
record(bool went_back)
{
	uint64_t x = went_back ? RUN_Y : RUN_X, y = went_back ? RUN_X : RUN_Y;

	dgram(&rec[0], x, 1, 0, 0);
	dgram(&rec[1], x, 2, SELF_BOOT, 300);
	dgram(&rec[2], x, 3, SELF_BOOT - 1, 900);	/* an earlier run of ours */
	dgram(&rec[3], y, 1, 0, 0);
	dgram(&rec[4], y, 2, SELF_BOOT, 1000);
	dgram(&rec[5], y, 3, SELF_BOOT, 2000);
}

static enum peer_accept
acc_rec(const struct peer_msg *m, int64_t now_ms)
{
	const char *why = NULL;
	enum peer_accept r = peer_replay_accept(&rp, m, now_ms, &why);

	ck_assert_ptr_nonnull(why);
	return r;
}

/* Brings rp into `st` as of time 3000 (the live Y at seq 3). */
static void
node_prepare(enum node_state st, bool went_back)
{
	peer_replay_init(&rp, "node1", NULL, st == NODE_RESTARTED ? SELF_NEW :
	    SELF_BOOT);
	if (st == NODE_RESTARTED)
		return;
	sent(300);
	if (st == NODE_HEARD_X) {
		ck_assert_int_eq(acc_rec(&rec[0], 310), PEER_REPLAY_ONEWAY);
		ck_assert_int_eq(acc_rec(&rec[1], 320), PEER_REPLAY_ONEWAY);
		sent(330);
	}
	sent(500);
	/* Y's first datagram has no echo: when it is below X it must wait
	 * for its proof (the next one). */
	ck_assert_int_eq(acc_rec(&rec[3], 510), st == NODE_HEARD_X && went_back ?
	    PEER_REPLAY_REFUSED : PEER_REPLAY_ONEWAY);
	sent(1000);
	ck_assert_int_eq(acc_rec(&rec[4], 1010), PEER_REPLAY_FRESH);
	sent(2000);
	ck_assert_int_eq(acc_rec(&rec[5], 2010), PEER_REPLAY_FRESH);
	sent(3000);
	if (st == NODE_FORGOT)
		peer_replay_forget(&rp, "node1", NULL);
}

static void
replay_order(const int *order, enum node_state st, bool went_back)
{
	uint64_t self = st == NODE_RESTARTED ? SELF_NEW : SELF_BOOT;
	uint64_t y = went_back ? RUN_X : RUN_Y, yseq = 3;
	int64_t t = 4000;
	enum peer_accept r;
	struct peer_msg live;

	node_prepare(st, went_back);
	for (int i = 0; i < NREC; i++) {
		t += 10;
		r = acc_rec(&rec[order[i]], t);
		ck_assert_msg(r != PEER_REPLAY_FRESH, "replay of #%d is fresh "
		    "(state %d, step %d)", order[i], st, i);
		if (st >= NODE_FOLLOWS_Y && !went_back)
			ck_assert_msg(r == PEER_REPLAY_REFUSED && rp.boot == y &&
			    rp.seq == 3, "replay of #%d moved a node that "
			    "follows the live run (state %d, step %d)",
			    order[i], st, i);
		if (r != PEER_REPLAY_REFUSED)
			sent(t + 1);	/* the node answers at once */
	}
	/* The live Y's next datagrams echo our latest one. */
	t += 10;
	dgram(&live, y, ++yseq, self, rp.stamp);
	r = acc_rec(&live, t);
	ck_assert_msg(r != PEER_REPLAY_REFUSED, "live run refused (state %d, "
	    "went_back %d)", st, went_back);
	ck_assert(rp.boot == y);
	if (st >= NODE_FOLLOWS_Y)
		ck_assert_msg(r == PEER_REPLAY_FRESH, "live run not fresh at once "
		    "(state %d, went_back %d)", st, went_back);
	if (r != PEER_REPLAY_FRESH) {
		t += 10;
		dgram(&live, y, ++yseq, self, sent(t));
		ck_assert_int_eq(acc_rec(&live, t + 1), PEER_REPLAY_FRESH);
	}
	for (int i = 0; i < NREC; i++)
		ck_assert_msg(acc_rec(&rec[i], t + 20) == PEER_REPLAY_REFUSED,
		    "replay of #%d accepted after the live run came back "
		    "(state %d, went_back %d)", i, st, went_back);
	ck_assert(rp.boot == y);
	dgram(&live, y, ++yseq, self, sent(t + 30));
	ck_assert_int_eq(acc_rec(&live, t + 40), PEER_REPLAY_FRESH);
}

static bool
next_permutation(int *a, int n)
{
	int i = n - 2, j = n - 1, tmp;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return false;
	while (a[j] <= a[i])
		j--;
	tmp = a[i], a[i] = a[j], a[j] = tmp;
	for (int l = i + 1, r = n - 1; l < r; l++, r--)
		tmp = a[l], a[l] = a[r], a[r] = tmp;
	return true;
}

START_TEST(replay_every_order)
{
	bool went_back = _i != 0;
	int order[NREC];
	size_t n = 0;

	record(went_back);
	for (int st = 0; st < NODE_STATES; st++) {
		for (int i = 0; i < NREC; i++)
			order[i] = i;
		do {
			replay_order(order, (enum node_state)st, went_back);
			n++;
		} while (next_permutation(order, NREC));
	}
	ck_assert_uint_eq(n, NODE_STATES * 720);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("peer_replay");
	TCase *replay = tcase_create("replay");

	tcase_add_checked_fixture(replay, replay_setup, NULL);
	tcase_add_test(replay, replay_same_and_lower_seq);
	tcase_add_test(replay, restart_and_earlier_runs);
	tcase_add_test(replay, counter_went_back);
	tcase_add_test(replay, replay_history_bounded);
	tcase_add_test(replay, reflection_and_lock);
	tcase_add_test(replay, freshness_by_echo);
	tcase_add_loop_test(replay, replay_every_order, 0, 2);
	suite_add_tcase(s, replay);
	return s;
}
