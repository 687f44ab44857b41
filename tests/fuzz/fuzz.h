/* Shared by the libFuzzer targets that read text. */
#ifndef FUZZ_H
#define FUZZ_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The input as a NUL-terminated string of its own (free it), or NULL when
 * memory is short; a NUL inside ends the string early, as on the wire. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}
#endif
