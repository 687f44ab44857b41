/* libFuzzer target: ctl_test_status and ctl_test_clean, which read the
 * status lines and certificate names `mgmt-proxyctl test` receives from a
 * proxy and an origin and print them. The shown text must be printable
 * ASCII that fits; a code is 0 or three digits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "ctl_test.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[CTL_TEST_LINE_MAX], small[8];
	char *line = fuzz_cstr(data, size);
	int code;

	if (line == NULL)
		return 0;
	code = ctl_test_status(line, out, sizeof(out));
	if (code != 0 && (code < 100 || code > 999))
		abort();
	for (const char *p = out; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			abort();
	if (strlen(out) >= sizeof(out))
		abort();
	ctl_test_clean(line, small, sizeof(small));
	if (strlen(small) >= sizeof(small) || strlen(small) > size)
		abort();
	free(line);
	return 0;
}
