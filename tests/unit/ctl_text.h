/* The plain text a ctl_render_* function prints for a document, for the
 * unit tests of the show commands; caller frees. */
#ifndef CTL_TEXT_H
#define CTL_TEXT_H
#include <stdio.h>

#include <jansson.h>

static inline char *
ctl_text(void (*fn)(FILE *, json_t *), json_t *doc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, doc);
	fclose(f);
	return buf;
}
#endif
