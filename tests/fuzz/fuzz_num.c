/* libFuzzer target: num_u64, which reads numbers from the alarm sequence
 * file and HAProxy's runtime API. An accepted input is all digits, its
 * value no larger than the maximum, and printing it back gives the same
 * digits without leading zeros. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first 8 bytes choose the maximum, the rest is the text. */
	uint64_t max = UINT64_MAX, v;
	const char *s = (const char *)data;
	char back[32];
	size_t skip;

	if (size >= 8) {
		memcpy(&max, data, 8);
		s += 8;
		size -= 8;
	}
	if (!num_u64(s, size, max, &v))
		return 0;
	if (v > max)
		abort();
	for (skip = 0; skip + 1 < size && s[skip] == '0'; skip++)
		;
	snprintf(back, sizeof(back), "%" PRIu64, v);
	if (strlen(back) != size - skip || memcmp(back, s + skip, size - skip) != 0)
		abort();
	return 0;
}
