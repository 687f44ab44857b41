/* The one reader of unsigned decimal numbers from outside text (state
 * files, HAProxy's runtime API): digits only, no sign, no blanks, no
 * overflow. Pure. */
#ifndef NUM_H
#define NUM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* s[0..len) as a number no larger than max; false (out untouched) when it
 * is empty, holds anything but digits, or is larger. */
bool num_u64(const char *s, size_t len, uint64_t max, uint64_t *out);
#endif
