/* libFuzzer target: the HA peer datagram. Each input is decoded twice with
 * a fixed key: as it is (the path a forger takes, which must stop at the
 * HMAC), and with a valid tag appended, so the parser behind the HMAC is
 * reached too. Whatever decodes must encode back to the same bytes, give a
 * peer_info the state file writer accepts, and go through the replay
 * decision, whose state is kept across inputs. Each input is also read as
 * the boot id file of the state directory, which must parse canonically. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peer_msg.h"
#include "peer_replay.h"
#include "statefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_key[] = "fuzz-key-0123456789abcdef";
#define FUZZ_KEYLEN	(sizeof(fuzz_key) - 1)

static struct peer_replay fuzz_replay;
static int fuzz_ready;

static void
fuzz_check(const uint8_t *buf, size_t len)
{
	uint8_t again[PEER_MSG_MAX];
	struct peer_msg m;
	struct peer_info info;
	const char *why = NULL;
	size_t n;
	char *dump;

	if (!peer_msg_decode(buf, len, fuzz_key, FUZZ_KEYLEN, &m, &why)) {
		if (why == NULL)
			abort();
		return;
	}
	n = peer_msg_encode(&m, fuzz_key, FUZZ_KEYLEN, again, sizeof(again));
	if (n != len || memcmp(again, buf, len) != 0)
		abort();
	peer_msg_to_info(&m, 1790000000, &info);
	if ((dump = statefile_dump_peer(&info, &n)) == NULL)
		abort();
	free(dump);
	if (!peer_msg_info_same(&info, &info))
		abort();
	if (!fuzz_ready) {
		peer_replay_init(&fuzz_replay, "node1", NULL, 0x1111111111111111ULL);
		fuzz_ready = 1;
	}
	/* We "send" now and then, so that echoes can match our stamps. */
	if ((m.seq & 1) != 0)
		peer_replay_stamp(&fuzz_replay, (int64_t)(m.time_ms >> 2));
	switch (peer_replay_accept(&fuzz_replay, &m, (int64_t)(m.time_ms >> 1), &why)) {
	case PEER_REPLAY_REFUSED:
	case PEER_REPLAY_ONEWAY:
	case PEER_REPLAY_FRESH:
		break;
	default:
		abort();
	}
	if (why == NULL || fuzz_replay.nold > PEER_REPLAY_HISTORY)
		abort();
}

/* The boot id file: what parses is a number that prints back the same,
 * and the next boot id is above it (unless it is the largest). */
static void
fuzz_boot(const uint8_t *data, size_t size)
{
	char text[32];
	uint64_t v;
	int n;

	if (!peer_msg_boot_parse((const char *)data, size, &v))
		return;
	n = snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
	if (v == 0 || n <= 0 || (size_t)n > size || memcmp(text, data, (size_t)n) != 0)
		abort();
	if (v < UINT64_MAX && peer_msg_boot_next(v, 0) != v + 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[PEER_MSG_MAX + 1];

	fuzz_boot(data, size);
	fuzz_check(data, size);
	if (size + PEER_MSG_MAC_LEN > PEER_MSG_MAX)
		return 0;
	memcpy(buf, data, size);
	if (!peer_msg_mac(fuzz_key, FUZZ_KEYLEN, buf, size, buf + size))
		abort();
	fuzz_check(buf, size + PEER_MSG_MAC_LEN);
	return 0;
}
