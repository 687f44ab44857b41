/* libFuzzer target: tunnel_parse_line and tunnel_line_is_echo, which see
 * every line of HAProxy's log (access lines carry what clients sent). An
 * accepted line must fill the event with NUL-terminated fields that fit,
 * and counting it must keep the tally consistent; a line taken for
 * HAProxy's stderr copy must look like one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#include "tunnel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tunnel_stats st;
	struct tunnel_event ev;
	char *line = fuzz_cstr(data, size);

	if (line == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	if (tunnel_parse_line(line, &ev)) {
		if (strlen(ev.target) >= sizeof(ev.target) || strlen(ev.why) >= sizeof(ev.why) ||
		    ev.target[0] == '\0' || ev.why[0] == '\0')
			abort();
		tunnel_stats_add(&st, &ev, 1);
		if (st.opened + st.refused != 1)
			abort();
	}
	if (tunnel_line_is_echo(line) &&
	    (line[0] != '[' || strstr(line, ") : mgmt-proxy-tunnel ") == NULL))
		abort();
	free(line);
	return 0;
}
