/* The table of minted names. At most a thousand entries: linear scans
 * cost microseconds next to one mint (key generation and a file write). */
#include <stdio.h>
#include <string.h>

#include "cert_lru.h"

size_t
cert_lru_find(const struct cert_lru *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->e[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

size_t
cert_lru_add(struct cert_lru *t, const char *name, int64_t used, uint64_t seq)
{
	struct cert_lru_entry *e;

	if (t->n >= t->cap)
		return SIZE_MAX;
	e = &t->e[t->n];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->used = used;
	e->seq = seq;
	e->resync = false;
	e->expiry = 0;
	return t->n++;
}

void
cert_lru_touch(struct cert_lru *t, size_t i, int64_t now)
{
	if (i < t->n && now > t->e[i].used)
		t->e[i].used = now;
}

void
cert_lru_remove(struct cert_lru *t, size_t i)
{
	if (i >= t->n)
		return;
	t->n--;
	if (i != t->n)
		t->e[i] = t->e[t->n];
}

size_t
cert_lru_victim(const struct cert_lru *t, const char *keep)
{
	size_t v = SIZE_MAX;

	for (size_t i = 0; i < t->n; i++) {
		if (keep != NULL && strcmp(t->e[i].name, keep) == 0)
			continue;
		if (v == SIZE_MAX || t->e[i].used < t->e[v].used)
			v = i;
	}
	return v;
}

size_t
cert_lru_mark_since(struct cert_lru *t, uint64_t seq)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].seq >= seq) {
			t->e[i].resync = true;
			n++;
		}
	return n;
}

size_t
cert_lru_next_resync(const struct cert_lru *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].resync)
			return i;
	return SIZE_MAX;
}
