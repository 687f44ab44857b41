/* Lookup of the compiled-in templates. */
#include <string.h>

#include "templates.h"

const char *
templates_get(const char *name)
{
	for (const struct template_file *t = templates; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0)
			return t->text;
	return NULL;
}
