/* The table of minted names (pure, no I/O): lookup, last use, mint order,
 * and the choice of the name that gives way when the table is full.
 *
 * The table is bounded so that a client asking for ever new names cannot
 * fill the disk or HAProxy's memory; the least recently used name is
 * evicted rather than refusing new ones, so a flood of names costs at
 * worst a fresh mint for a name that comes back later, never the default
 * certificate for a name seen for the first time. */
#ifndef CERT_LRU_H
#define CERT_LRU_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostname.h"

struct cert_lru_entry {
	char name[HOSTNAME_BUF];
	int64_t used;		/* last use (ms); the file's mtime across restarts */
	uint64_t seq;		/* when it was last loaded into HAProxy (order) */
	bool resync;		/* to be loaded into a newly started HAProxy worker */
	int64_t expiry;		/* the leaf's notAfter (epoch s), 0 = unknown */
};

struct cert_lru {
	struct cert_lru_entry *e;
	size_t n, cap;
};

/* Index of name, or SIZE_MAX. */
size_t cert_lru_find(const struct cert_lru *, const char *name);
/* Appends name (the table must not be full); returns its index. */
size_t cert_lru_add(struct cert_lru *, const char *name, int64_t used, uint64_t seq);
void   cert_lru_touch(struct cert_lru *, size_t i, int64_t now);
/* Removes entry i; the last entry takes its place. */
void   cert_lru_remove(struct cert_lru *, size_t i);
/* The least recently used entry other than the one named keep (NULL: none
 * kept); ties go to the lower index. SIZE_MAX when there is none. */
size_t cert_lru_victim(const struct cert_lru *, const char *keep);
/* Marks for resync every entry loaded at or after seq; returns how many. */
size_t cert_lru_mark_since(struct cert_lru *, uint64_t seq);
/* Index of an entry marked for resync, or SIZE_MAX. */
size_t cert_lru_next_resync(const struct cert_lru *);
#endif
