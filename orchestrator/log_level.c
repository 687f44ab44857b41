/* Log level names (pure). */
#include <string.h>

#include "log_level.h"
#include "names.h"

static const char *const log_level_names[] = {
	"error", "warning", "notice", "info", "debug"
};

int
log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++)
		if (strcmp(name, log_level_names[i]) == 0)
			return (int)i;
	return -1;
}

NAMES_ACCESSOR(log_level_name, enum log_level, log_level_names)
