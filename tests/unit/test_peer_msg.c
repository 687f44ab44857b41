/* The HA peer datagram (peer_msg.c), plus the key file rules of peer.c. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peer.h"
#include "peer_msg.h"
#include "unit.h"

static const uint8_t key[] = "0123456789abcdef0123456789abcdef";
#define KEYLEN	32
static const uint8_t other_key[] = "0123456789abcdef0123456789abcdeF";

#define SELF_BOOT	0x1111111111111111ULL
#define PEER_BOOT	0x2222222222222222ULL

static struct peer_msg msg;
static uint8_t buf[PEER_MSG_MAX];

static void
cand(struct peer_msg *m, const char *ip, uint16_t port, const char *ifname,
    uint32_t remaining)
{
	struct peer_msg_cand *c = &m->cand[m->ncand++];
	const char *why;

	ck_assert(addr_parse_ipv4(ip, strlen(ip), &c->addr.ip, &why));
	c->addr.port = port;
	snprintf(c->ifname, sizeof(c->ifname), "%s", ifname);
	c->remaining = remaining;
}

/* node2 speaking, echoing a message of ours sent at 5000 ms. */
static void
sample(struct peer_msg *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->node, sizeof(m->node), "node2");
	m->boot = PEER_BOOT;
	m->seq = 7;
	m->time_ms = 123456789;
	m->flags = PEER_MSG_F_ECHO;
	m->echo_boot = SELF_BOOT;
	m->echo_time_ms = 5000;
	cand(m, "192.0.2.10", 3128, "wan1", 3600);
	cand(m, "198.51.100.7", 8080, "wan-2.x_y", PEER_MSG_NO_EXPIRY);
}

static size_t
enc(const struct peer_msg *m)
{
	return peer_msg_encode(m, key, KEYLEN, buf, sizeof(buf));
}

START_TEST(round_trip)
{
	struct peer_msg out;
	const char *why = NULL;
	size_t len;

	sample(&msg);
	len = enc(&msg);
	ck_assert_uint_eq(len, PEER_MSG_HDR_LEN + 5 + 2 * PEER_MSG_CAND_FIXED +
	    4 + 9 + PEER_MSG_MAC_LEN);
	ck_assert(peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	ck_assert_uint_eq(out.flags, PEER_MSG_F_ECHO);
	ck_assert_str_eq(out.node, "node2");
	ck_assert(out.boot == PEER_BOOT);
	ck_assert(out.seq == 7);
	ck_assert(out.time_ms == 123456789);
	ck_assert(out.echo_boot == SELF_BOOT);
	ck_assert(out.echo_time_ms == 5000);
	ck_assert_uint_eq(out.ncand, 2);
	ck_assert_uint_eq(out.cand[0].addr.ip, 0xc000020a);
	ck_assert_uint_eq(out.cand[0].addr.port, 3128);
	ck_assert_str_eq(out.cand[0].ifname, "wan1");
	ck_assert_uint_eq(out.cand[0].remaining, 3600);
	ck_assert_uint_eq(out.cand[1].addr.ip, 0xc6336407);
	ck_assert_uint_eq(out.cand[1].addr.port, 8080);
	ck_assert_str_eq(out.cand[1].ifname, "wan-2.x_y");
	ck_assert_uint_eq(out.cand[1].remaining, PEER_MSG_NO_EXPIRY);
	/* Canonical: encoding the decoded message gives the same bytes. */
	{
		uint8_t again[PEER_MSG_MAX];

		ck_assert_uint_eq(peer_msg_encode(&out, key, KEYLEN, again,
		    sizeof(again)), len);
		ck_assert_mem_eq(again, buf, len);
	}
}
END_TEST

/* Every bit of the datagram, tag included, is bound by the HMAC. */
START_TEST(every_bit_bound)
{
	struct peer_msg out;
	const char *why;
	size_t len;

	sample(&msg);
	len = enc(&msg);
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			ck_assert_msg(!peer_msg_decode(buf, len, key, KEYLEN,
			    &out, &why), "byte %zu bit %d", i, bit);
			buf[i] ^= (uint8_t)(1u << bit);
		}
	ck_assert(peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
}
END_TEST

/* And every field changes the bytes (nothing is left out of the encoding). */
START_TEST(every_field_encoded)
{
	uint8_t base[PEER_MSG_MAX];
	struct peer_msg m;
	size_t len, n;

	sample(&msg);
	len = enc(&msg);
	memcpy(base, buf, len);
	for (int f = 0; f < 12; f++) {
		m = msg;
		switch (f) {
		case 0: m.node[4] = '3'; break;
		case 1: m.boot++; break;
		case 2: m.seq++; break;
		case 3: m.time_ms++; break;
		case 4: m.echo_boot++; break;
		case 5: m.echo_time_ms++; break;
		case 6: m.cand[0].addr.ip++; break;
		case 7: m.cand[0].addr.port++; break;
		case 8: m.cand[0].remaining++; break;
		case 9: m.cand[1].ifname[0] = 'x'; break;
		case 10: m.ncand = 1; break;
		case 11: m.flags = 0; m.echo_boot = 0; m.echo_time_ms = 0; break;
		}
		n = enc(&m);
		ck_assert_uint_ne(n, 0);
		ck_assert_msg(n != len || memcmp(buf, base, len) != 0,
		    "field %d not encoded", f);
	}
}
END_TEST

START_TEST(truncated_everywhere)
{
	struct peer_msg out;
	const char *why;
	size_t len;

	sample(&msg);
	len = enc(&msg);
	for (size_t i = 0; i < len; i++) {
		why = NULL;
		ck_assert_msg(!peer_msg_decode(buf, i, key, KEYLEN, &out, &why),
		    "accepted %zu of %zu bytes", i, len);
		ck_assert_ptr_nonnull(why);
		ck_assert_str_eq(out.node, "");
		ck_assert_uint_eq(out.ncand, 0);
	}
	/* A byte too many is refused as well. */
	buf[len] = 0;
	ck_assert(!peer_msg_decode(buf, len + 1, key, KEYLEN, &out, &why));
}
END_TEST

START_TEST(bad_hmac)
{
	struct peer_msg out;
	const char *why;
	size_t len;

	sample(&msg);
	len = enc(&msg);
	ck_assert(!peer_msg_decode(buf, len, other_key, KEYLEN, &out, &why));
	ck_assert_str_eq(why, "bad HMAC (wrong key or altered datagram)");
	ck_assert(!peer_msg_decode(buf, len, key, KEYLEN - 1, &out, &why));
	buf[PEER_MSG_HDR_LEN + 1] ^= 0x20;	/* "node2" -> "nOde2" */
	ck_assert(!peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	ck_assert_str_eq(why, "bad HMAC (wrong key or altered datagram)");
	buf[PEER_MSG_HDR_LEN + 1] ^= 0x20;
	buf[len - 1] ^= 1;			/* the tag itself */
	ck_assert(!peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	/* Keys outside 16..512 bytes are never used. */
	ck_assert_uint_eq(peer_msg_encode(&msg, key, 15, buf, sizeof(buf)), 0);
}
END_TEST

/* Builds a datagram by hand, with a valid tag, so the checks behind the
 * HMAC are reached. */
static size_t
forge(uint8_t *b, size_t n)
{
	ck_assert(peer_msg_mac(key, KEYLEN, b, n, b + n));
	return n + PEER_MSG_MAC_LEN;
}

static void
expect_refused(size_t len, const char *reason)
{
	struct peer_msg out;
	const char *why = NULL;

	ck_assert(!peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	ck_assert_ptr_nonnull(why);
	if (reason != NULL)
		ck_assert_str_eq(why, reason);
}

START_TEST(malformed_fields)
{
	size_t len, body, c0;

	sample(&msg);
	len = enc(&msg);
	body = len - PEER_MSG_MAC_LEN;
	c0 = PEER_MSG_HDR_LEN + 5;	/* first candidate */

#define RETRY(stmt, reason) do {					\
	enc(&msg);							\
	stmt;								\
	expect_refused(forge(buf, body), reason);			\
} while (0)
	RETRY(buf[0] = 'X', "bad magic");
	RETRY(buf[4] = 2, "unsupported version");
	RETRY(buf[5] |= 0x80, "unknown flags");
	RETRY(buf[5] = 0, "echo fields set without the echo flag");
	RETRY(buf[6] = 0, "node name length out of range");
	RETRY(buf[6] = 64, "node name length out of range");
	RETRY(buf[6] = 6, NULL);		/* lengths no longer add up */
	RETRY(buf[7] = 9, "too many candidates");
	RETRY(buf[7] = 3, "truncated candidate");
	RETRY(buf[7] = 1, "trailing bytes after the candidates");
	RETRY(memset(buf + 8, 0, 8), "boot id or sequence number is 0");
	RETRY(memset(buf + 16, 0, 8), "boot id or sequence number is 0");
	RETRY(memset(buf + 32, 0, 8), "echo flag with a zero boot id");
	RETRY(buf[PEER_MSG_HDR_LEN] = 0x1f,
	    "node name is empty, too long or not printable");
	RETRY(buf[PEER_MSG_HDR_LEN] = 0x7f,
	    "node name is empty, too long or not printable");
	RETRY(memset(buf + c0, 0, 4), "unspecified address 0.0.0.0");
	RETRY(memset(buf + c0, 0xff, 4), NULL);	/* broadcast */
	RETRY(buf[c0] = 224, NULL);			/* multicast */
	RETRY(memset(buf + c0 + 4, 0, 2), "candidate port is 0");
	RETRY(memset(buf + c0 + 6, 0, 4), "candidate lease has expired");
	RETRY(buf[c0 + 10] = 0, "candidate interface name length out of range");
	RETRY(buf[c0 + 10] = 16, "candidate interface name length out of range");
	RETRY(buf[c0 + 11] = '/', "candidate interface name is invalid");
	RETRY(buf[c0 + 11] = ':', "candidate interface name is invalid");
	RETRY(buf[c0 + 11] = '\0', "candidate interface name is invalid");
	RETRY(buf[c0 + 12] = '\0', "candidate interface name is invalid");
	RETRY(buf[PEER_MSG_HDR_LEN + 4] = '\0',
	    "node name is empty, too long or not printable");
#undef RETRY
}
END_TEST

START_TEST(encode_refuses_invalid)
{
	sample(&msg);
	msg.cand[0].addr.port = 0;
	ck_assert_uint_eq(enc(&msg), 0);
	sample(&msg);
	msg.cand[1].addr.ip = 0xe0000001;	/* 224.0.0.1 */
	ck_assert_uint_eq(enc(&msg), 0);
	sample(&msg);
	msg.node[0] = '\0';
	ck_assert_uint_eq(enc(&msg), 0);
	sample(&msg);
	msg.ncand = PEER_MSG_MAX_CAND + 1;
	ck_assert_uint_eq(enc(&msg), 0);
	sample(&msg);
	msg.seq = 0;
	ck_assert_uint_eq(enc(&msg), 0);
	sample(&msg);
	ck_assert_uint_eq(peer_msg_encode(&msg, key, KEYLEN, buf, 60), 0);
}
END_TEST

START_TEST(zero_and_max_candidates)
{
	struct peer_msg out;
	const char *why;
	size_t len;

	sample(&msg);
	msg.ncand = 0;
	len = enc(&msg);
	ck_assert_uint_eq(len, PEER_MSG_HDR_LEN + 5 + PEER_MSG_MAC_LEN);
	ck_assert(peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	ck_assert_uint_eq(out.ncand, 0);

	/* The largest datagram: longest node name, every candidate with the
	 * longest interface name. */
	sample(&msg);
	memset(msg.node, 'n', PEER_MSG_NODE_MAX);
	msg.node[PEER_MSG_NODE_MAX] = '\0';
	msg.ncand = 0;
	for (int i = 0; i < PEER_MSG_MAX_CAND; i++)
		cand(&msg, "203.0.113.1", (uint16_t)(3128 + i),
		    "abcdefghijklmno", (uint32_t)i + 1);
	len = enc(&msg);
	ck_assert_uint_eq(len, PEER_MSG_HDR_LEN + PEER_MSG_NODE_MAX +
	    PEER_MSG_MAX_CAND * (PEER_MSG_CAND_FIXED + 15) + PEER_MSG_MAC_LEN);
	ck_assert_uint_le(len, PEER_MSG_MAX);
	ck_assert(peer_msg_decode(buf, len, key, KEYLEN, &out, &why));
	ck_assert_uint_eq(out.ncand, PEER_MSG_MAX_CAND);
	ck_assert_uint_eq(out.cand[7].addr.port, 3135);
	ck_assert_str_eq(out.cand[7].ifname, "abcdefghijklmno");
	ck_assert_uint_eq(strlen(out.node), PEER_MSG_NODE_MAX);
}
END_TEST

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
	r = peer_msg_accept(&rp, &msg, now_ms, &why);
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

	ck_assert_int_eq(acc_echo(boot, seq, s, t + 100), PEER_MSG_ONEWAY);
	s = sent(t + 200);
	ck_assert_int_eq(acc_echo(boot, seq + 1, s, t + 300), PEER_MSG_FRESH);
	ck_assert(rp.boot == boot && rp.seq == seq + 1);
}

START_TEST(replay_same_and_lower_seq)
{
	follow(PEER_BOOT, 7, 5000);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 8, 5200, 5300), PEER_MSG_REFUSED);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 6, 5200, 5300), PEER_MSG_REFUSED);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 1, 5200, 5300), PEER_MSG_REFUSED);
	/* Gaps are losses. */
	ck_assert_int_eq(acc_echo(PEER_BOOT, 100, 5200, 5300), PEER_MSG_FRESH);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 99, 5200, 5300), PEER_MSG_REFUSED);
	ck_assert(rp.seq == 100);
	ck_assert(rp.boot == PEER_BOOT);
}
END_TEST

START_TEST(restart_and_earlier_runs)
{
	follow(PEER_BOOT, 50, 1000);
	/* The peer restarted: a higher boot id, any seq, before it heard
	 * us. */
	ck_assert_int_eq(acc_echo(PEER_BOOT + 1, 1, 0, 1400), PEER_MSG_ONEWAY);
	ck_assert_int_eq(acc_echo(PEER_BOOT + 1, 1, 0, 1400), PEER_MSG_REFUSED);
	/* The earlier run, even with a higher seq and an echo it made
	 * before we took up the new run: refused, the new run stays. */
	ck_assert_int_eq(acc_echo(PEER_BOOT, 52, 1200, 1500), PEER_MSG_REFUSED);
	ck_assert(rp.boot == PEER_BOOT + 1);
	/* Its echo of a stamp from before we took it up is not fresh... */
	ck_assert_int_eq(acc_echo(PEER_BOOT + 1, 2, 1200, 1600), PEER_MSG_ONEWAY);
	/* ...one sent since is. */
	sent(1700);
	ck_assert_int_eq(acc_echo(PEER_BOOT + 1, 3, 1700, 1800), PEER_MSG_FRESH);
	/* An echo of a stamp we never sent proves nothing. */
	ck_assert_int_eq(acc_echo(PEER_BOOT + 1, 4, 1701, 1800), PEER_MSG_ONEWAY);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 53, 1701, 1800), PEER_MSG_REFUSED);
}
END_TEST

START_TEST(counter_went_back)
{
	const uint64_t lower = PEER_BOOT - 1000;

	follow(PEER_BOOT, 1, 1000);
	/* The peer lost its state directory and its clock is behind: its
	 * new run has a lower boot id. Until it proves it heard us after
	 * we took up the run we follow, it looks like a replay. */
	ck_assert_int_eq(acc_echo(lower, 1, 0, 2000), PEER_MSG_REFUSED);
	ck_assert_int_eq(acc_echo(lower, 2, 1000, 2000), PEER_MSG_REFUSED);
	ck_assert(rp.boot == PEER_BOOT);
	/* It answers one of our datagrams: alive after we took up
	 * PEER_BOOT, which has therefore ended and is retired. */
	sent(2100);
	ck_assert_int_eq(acc_echo(lower, 3, 2100, 2200), PEER_MSG_FRESH);
	ck_assert(rp.boot == lower);
	ck_assert_uint_eq(rp.nold, 1);
	sent(2300);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 9, 2300, 2400), PEER_MSG_REFUSED);
	ck_assert_int_eq(acc_echo(lower, 4, 2300, 2400), PEER_MSG_FRESH);
}
END_TEST

START_TEST(replay_history_bounded)
{
	int64_t t = 1000;

	/* Each run proves itself over the one before, which is retired. */
	for (uint64_t b = 1; b <= PEER_REPLAY_HISTORY + 2; b++) {
		t += 100;
		ck_assert_int_ne(acc_echo(b, 1, sent(t), t), PEER_MSG_REFUSED);
	}
	ck_assert_uint_eq(rp.nold, PEER_REPLAY_HISTORY);
	t += 100;
	ck_assert_int_eq(acc_echo(PEER_REPLAY_HISTORY, 5, sent(t), t),
	    PEER_MSG_REFUSED);
	ck_assert_int_eq(acc_echo(3, 5, sent(t), t), PEER_MSG_REFUSED);
}
END_TEST

START_TEST(reflection_and_lock)
{
	const char *why;

	sent(5000);
	sample(&msg);
	snprintf(msg.node, sizeof(msg.node), "node1");	/* our own name */
	msg.seq = 1;
	ck_assert_int_eq(peer_msg_accept(&rp, &msg, 6000, &why), PEER_MSG_REFUSED);
	ck_assert(!rp.have_boot);
	snprintf(msg.node, sizeof(msg.node), "node2");
	msg.seq = 2;
	ck_assert_int_eq(peer_msg_accept(&rp, &msg, 6000, &why), PEER_MSG_ONEWAY);
	ck_assert_str_eq(rp.locked, "node2");
	/* A third node with the key is not our peer. */
	snprintf(msg.node, sizeof(msg.node), "node3");
	msg.boot = PEER_BOOT + 5;
	ck_assert_int_eq(peer_msg_accept(&rp, &msg, 6000, &why), PEER_MSG_REFUSED);
	ck_assert(rp.boot == PEER_BOOT);

	/* A configured expectation wins over the first sender. */
	peer_replay_init(&rp, "node1", "nodeB", SELF_BOOT);
	sent(5000);
	sample(&msg);
	ck_assert_int_eq(peer_msg_accept(&rp, &msg, 6000, &why), PEER_MSG_REFUSED);
	snprintf(msg.node, sizeof(msg.node), "nodeB");
	ck_assert_int_eq(peer_msg_accept(&rp, &msg, 6000, &why), PEER_MSG_ONEWAY);
}
END_TEST

START_TEST(freshness_by_echo)
{
	const char *why;

	sent(1000);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 1, 0, 1000), PEER_MSG_ONEWAY);
	ck_assert(rp.seq == 1);
	sent(5000);
	/* Echo of an earlier run of ours: a recording from before our
	 * restart. */
	dgram(&msg, PEER_BOOT, 2, SELF_BOOT + 1, 5000);
	ck_assert_int_eq(peer_msg_accept(&rp, &msg, 5000, &why), PEER_MSG_ONEWAY);
	/* Echo too old, exactly at the limit. */
	ck_assert_int_eq(acc_echo(PEER_BOOT, 3, 5000, 5000 + PEER_MSG_ECHO_MAX_MS + 1),
	    PEER_MSG_ONEWAY);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 4, 5000, 5000 + PEER_MSG_ECHO_MAX_MS),
	    PEER_MSG_FRESH);
	/* Stamps keep growing when the clock does not. */
	ck_assert(sent(4000) == 5001);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 5, 5001, 4000), PEER_MSG_FRESH);
	/* Forgetting the peer (a new key) keeps our stamps: what it said
	 * before cannot be fresh afterwards. */
	peer_replay_forget(&rp, "node1", NULL);
	ck_assert(rp.stamp == 5001 && !rp.have_boot && rp.self_boot == SELF_BOOT);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 6, 5001, 5100), PEER_MSG_ONEWAY);
	ck_assert_int_eq(acc_echo(PEER_BOOT, 7, sent(5200), 5300), PEER_MSG_FRESH);
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
	enum peer_accept r = peer_msg_accept(&rp, m, now_ms, &why);

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
		ck_assert_int_eq(acc_rec(&rec[0], 310), PEER_MSG_ONEWAY);
		ck_assert_int_eq(acc_rec(&rec[1], 320), PEER_MSG_ONEWAY);
		sent(330);
	}
	sent(500);
	/* Y's first datagram has no echo: when it is below X it must wait
	 * for its proof (the next one). */
	ck_assert_int_eq(acc_rec(&rec[3], 510), st == NODE_HEARD_X && went_back ?
	    PEER_MSG_REFUSED : PEER_MSG_ONEWAY);
	sent(1000);
	ck_assert_int_eq(acc_rec(&rec[4], 1010), PEER_MSG_FRESH);
	sent(2000);
	ck_assert_int_eq(acc_rec(&rec[5], 2010), PEER_MSG_FRESH);
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
		ck_assert_msg(r != PEER_MSG_FRESH, "replay of #%d is fresh "
		    "(state %d, step %d)", order[i], st, i);
		if (st >= NODE_FOLLOWS_Y && !went_back)
			ck_assert_msg(r == PEER_MSG_REFUSED && rp.boot == y &&
			    rp.seq == 3, "replay of #%d moved a node that "
			    "follows the live run (state %d, step %d)",
			    order[i], st, i);
		if (r != PEER_MSG_REFUSED)
			sent(t + 1);	/* the node answers at once */
	}
	/* The live Y's next datagrams echo our latest one. */
	t += 10;
	dgram(&live, y, ++yseq, self, rp.stamp);
	r = acc_rec(&live, t);
	ck_assert_msg(r != PEER_MSG_REFUSED, "live run refused (state %d, "
	    "went_back %d)", st, went_back);
	ck_assert(rp.boot == y);
	if (st >= NODE_FOLLOWS_Y)
		ck_assert_msg(r == PEER_MSG_FRESH, "live run not fresh at once "
		    "(state %d, went_back %d)", st, went_back);
	if (r != PEER_MSG_FRESH) {
		t += 10;
		dgram(&live, y, ++yseq, self, sent(t));
		ck_assert_int_eq(acc_rec(&live, t + 1), PEER_MSG_FRESH);
	}
	for (int i = 0; i < NREC; i++)
		ck_assert_msg(acc_rec(&rec[i], t + 20) == PEER_MSG_REFUSED,
		    "replay of #%d accepted after the live run came back "
		    "(state %d, went_back %d)", i, st, went_back);
	ck_assert(rp.boot == y);
	dgram(&live, y, ++yseq, self, sent(t + 30));
	ck_assert_int_eq(acc_rec(&live, t + 40), PEER_MSG_FRESH);
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

START_TEST(boot_id_file)
{
	uint64_t v;

	ck_assert(peer_msg_boot_parse("1795843694123\n", 14, &v));
	ck_assert(v == 1795843694123ULL);
	ck_assert(peer_msg_boot_parse("18446744073709551615", 20, &v));
	ck_assert(v == UINT64_MAX);
	ck_assert(!peer_msg_boot_parse("18446744073709551616", 20, &v));
	ck_assert(!peer_msg_boot_parse("", 0, &v));
	ck_assert(!peer_msg_boot_parse("\n", 1, &v));
	ck_assert(!peer_msg_boot_parse("0", 1, &v));
	ck_assert(!peer_msg_boot_parse("012", 3, &v));
	ck_assert(!peer_msg_boot_parse("12\n\n", 4, &v));
	ck_assert(!peer_msg_boot_parse("12 ", 3, &v));
	ck_assert(!peer_msg_boot_parse("-12", 3, &v));
	ck_assert(!peer_msg_boot_parse("1\0002", 3, &v));
	/* Above the last; the clock is a floor, never a ceiling. */
	ck_assert(peer_msg_boot_next(0, 1795843694123LL) == 1795843694123ULL);
	ck_assert(peer_msg_boot_next(1795843694123ULL, 1795843694123LL) ==
	    1795843694124ULL);
	ck_assert(peer_msg_boot_next(1795843694123ULL, 1000) == 1795843694124ULL);
	ck_assert(peer_msg_boot_next(0, -5) == 1);
	ck_assert(peer_msg_boot_next(UINT64_MAX, 1000) == UINT64_MAX);
}
END_TEST

START_TEST(expiry_conversion)
{
	struct peer_info a, b;

	sample(&msg);
	peer_msg_to_info(&msg, 1790000000, &a);
	ck_assert_str_eq(a.node, "node2");
	ck_assert(a.up);
	ck_assert_int_eq(a.last_heard, 1790000000);
	ck_assert_uint_eq(a.ncand, 2);
	ck_assert_str_eq(a.cand[0].proxy, "192.0.2.10:3128");
	ck_assert_str_eq(a.cand[0].source, "dhcp:wan1");
	ck_assert_int_eq(a.cand[0].lease_expiry, 1790000000 + 3600);
	ck_assert_str_eq(a.cand[1].proxy, "198.51.100.7:8080");
	ck_assert_str_eq(a.cand[1].source, "dhcp:wan-2.x_y");
	ck_assert_int_eq(a.cand[1].lease_expiry, 0);

	/* The next keepalive, a little later on both clocks: the same. */
	msg.cand[0].remaining = 3590;
	peer_msg_to_info(&msg, 1790000009, &b);
	ck_assert_int_eq(b.cand[0].lease_expiry, 1790000000 + 3599);
	ck_assert(peer_msg_info_same(&a, &b));
	/* A renewal moves the expiry: a change. */
	msg.cand[0].remaining = 7200;
	peer_msg_to_info(&msg, 1790000009, &b);
	ck_assert(!peer_msg_info_same(&a, &b));
	/* So does a changed candidate, or the peer going down. */
	b = a;
	snprintf(b.cand[1].source, sizeof(b.cand[1].source), "dhcp:wan3");
	ck_assert(!peer_msg_info_same(&a, &b));
	b = a;
	b.up = false;
	ck_assert(!peer_msg_info_same(&a, &b));
	b = a;
	b.cand[1].lease_expiry = 1790000100;
	ck_assert(!peer_msg_info_same(&a, &b));
	/* And statefile accepts what we hand the daemon. */
	{
		size_t len;
		char *s = statefile_dump_peer(&a, &len);

		ck_assert_ptr_nonnull(s);
		free(s);
	}
}
END_TEST

START_TEST(gather_and_fill)
{
	struct config cfg;
	struct dhcp_info d[4];
	struct peer_local loc[PEER_MSG_MAX_CAND];
	size_t n, dropped;
	const int64_t now = 1790000000;

	config_defaults(&cfg);
	cfg.niface = 2;
	snprintf(cfg.iface[0].name, IFNAMSIZ, "wan1");
	cfg.iface[0].dhcp_v4 = cfg.iface[0].proxy_discovery = true;
	snprintf(cfg.iface[1].name, IFNAMSIZ, "wan2");
	cfg.iface[1].dhcp_v4 = true;
	cfg.iface[1].proxy_discovery = false;
	memset(d, 0, sizeof(d));
	snprintf(d[0].ifname, IFNAMSIZ, "wan1");
	snprintf(d[0].state, SF_STATE_MAX, "resolved");
	d[0].nproxy = 3;
	snprintf(d[0].proxy[0], SF_TEXT_MAX, "192.0.2.1:3128");
	snprintf(d[0].proxy[1], SF_TEXT_MAX, "192.0.2.1:0");	/* invalid */
	snprintf(d[0].proxy[2], SF_TEXT_MAX, "192.0.2.2:8080");
	d[0].lease_expiry = now + 100;
	d[1] = d[0];					/* not eligible */
	snprintf(d[1].ifname, IFNAMSIZ, "wan2");
	d[2] = d[0];					/* not configured */
	snprintf(d[2].ifname, IFNAMSIZ, "wan9");
	d[3] = d[0];
	d[3].lease_expiry = now;			/* ended */

	n = peer_msg_gather(d, 4, &cfg, now, loc, PEER_MSG_MAX_CAND, &dropped);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(dropped, 0);
	ck_assert_str_eq(loc[1].ifname, "wan1");
	ck_assert_uint_eq(loc[1].addr.port, 8080);
	ck_assert_int_eq(loc[1].expiry, now + 100);
	/* Not resolved: nothing. */
	snprintf(d[0].state, SF_STATE_MAX, "nak");
	ck_assert_uint_eq(peer_msg_gather(d, 1, &cfg, now, loc,
	    PEER_MSG_MAX_CAND, &dropped), 0);
	snprintf(d[0].state, SF_STATE_MAX, "resolved");
	/* A full list counts the rest. */
	ck_assert_uint_eq(peer_msg_gather(d, 1, &cfg, now, loc, 1, &dropped), 1);
	ck_assert_uint_eq(dropped, 1);

	n = peer_msg_gather(d, 1, &cfg, now, loc, PEER_MSG_MAX_CAND, &dropped);
	loc[0].expiry = 0;
	memset(&msg, 0, sizeof(msg));
	peer_msg_fill(&msg, loc, n, now + 40);
	ck_assert_uint_eq(msg.ncand, 2);
	ck_assert_uint_eq(msg.cand[0].remaining, PEER_MSG_NO_EXPIRY);
	ck_assert_uint_eq(msg.cand[1].remaining, 60);
	/* Ended between publish and keepalive: left out. */
	peer_msg_fill(&msg, loc, n, now + 100);
	ck_assert_uint_eq(msg.ncand, 1);
}
END_TEST

static void
write_key(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

START_TEST(key_file_rules)
{
	char dir[] = "/tmp/test_peer_msg.XXXXXX", path[64], link[80];
	uint8_t k[PEER_MSG_KEY_MAX];
	char big[PEER_MSG_KEY_MAX + 2];
	const char *why;
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ha.key", dir);
	snprintf(link, sizeof(link), "%s/link.key", dir);

	write_key(path, "0123456789abcdef\n", 17, 0600);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), 0);
	ck_assert_uint_eq(len, 16);
	ck_assert_mem_eq(k, "0123456789abcdef", 16);
	write_key(path, "0123456789abcdefX\r\n", 19, 0400);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), 0);
	ck_assert_uint_eq(len, 17);
	write_key(path, "0123456789abcdef\n", 17, 0640);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "0600"));
	write_key(path, "0123456789abcdef\n", 17, 0604);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), -1);
	write_key(path, "0123456789abcde\n", 16, 0600);	/* 15 bytes */
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), -1);
	memset(big, 'k', sizeof(big));
	write_key(path, big, PEER_MSG_KEY_MAX, 0600);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), 0);
	ck_assert_uint_eq(len, PEER_MSG_KEY_MAX);
	write_key(path, big, PEER_MSG_KEY_MAX + 1, 0600);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), -1);
	write_key(path, "0123456789abcdef\n", 17, 0600);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(peer_key_load(link, k, &len, &why), -1);
	ck_assert_int_eq(peer_key_load(dir, k, &len, &why), -1);
	unlink(link);
	unlink(path);
	ck_assert_int_eq(peer_key_load(path, k, &len, &why), -1);
	rmdir(dir);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("peer_msg");
	TCase *wire = tcase_create("wire");
	TCase *replay = tcase_create("replay");
	TCase *info = tcase_create("info");

	tcase_add_test(wire, round_trip);
	tcase_add_test(wire, every_bit_bound);
	tcase_add_test(wire, every_field_encoded);
	tcase_add_test(wire, truncated_everywhere);
	tcase_add_test(wire, bad_hmac);
	tcase_add_test(wire, malformed_fields);
	tcase_add_test(wire, encode_refuses_invalid);
	tcase_add_test(wire, zero_and_max_candidates);
	suite_add_tcase(s, wire);

	tcase_add_checked_fixture(replay, replay_setup, NULL);
	tcase_add_test(replay, replay_same_and_lower_seq);
	tcase_add_test(replay, restart_and_earlier_runs);
	tcase_add_test(replay, counter_went_back);
	tcase_add_test(replay, replay_history_bounded);
	tcase_add_test(replay, reflection_and_lock);
	tcase_add_test(replay, freshness_by_echo);
	tcase_add_loop_test(replay, replay_every_order, 0, 2);
	tcase_add_test(replay, boot_id_file);
	suite_add_tcase(s, replay);

	tcase_add_test(info, expiry_conversion);
	tcase_add_test(info, gather_and_fill);
	tcase_add_test(info, key_file_rules);
	suite_add_tcase(s, info);
	return s;
}
