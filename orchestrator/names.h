/* The names of an enum's values: one bounds-checked lookup for every name
 * table, so a value outside its table (a corrupted state, a table that
 * fell behind its enum) reads "unknown" instead of past the table's end. Pure. */
#ifndef NAMES_H
#define NAMES_H
#include <stddef.h>

#define NAMES_OF(table, v) \
	names_of((table), sizeof(table) / sizeof((table)[0]), (size_t)(v))

/* Defines `const char *FN(TYPE v)` returning TABLE's name of v: the one
 * body of every public name accessor. */
#define NAMES_ACCESSOR(fn, type, table) \
	const char *fn(type v) { return NAMES_OF(table, v); }

static inline const char *
names_of(const char *const *table, size_t n, size_t i)
{
	return i < n && table[i] != NULL ? table[i] : "unknown";
}
#endif
