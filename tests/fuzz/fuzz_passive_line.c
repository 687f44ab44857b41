/* libFuzzer target: passive_line_failed, which sees every line of HAProxy's
 * log (access lines carry what clients sent). A line it accepts must name
 * a proxy server and end in a connect-phase failure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "passive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_cstr(data, size);
	size_t n;

	if (line == NULL)
		return 0;
	if (passive_line_failed(line)) {
		n = strlen(line);
		if (strstr(line, "/proxy") == NULL || n < 8 ||
		    (line[n - 1] != 'C' && line[n - 3] != 'C'))
			abort();
	}
	free(line);
	return 0;
}
