/* libFuzzer target: metrics_http_parse, which reads whatever a client of
 * the metrics endpoint sends. A GET or HEAD must come with a NUL-terminated
 * path that fits and starts with '/' (or is empty when too long); a head
 * shorter than the limit without its end must ask for more, never fail. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[METRICS_HTTP_PATH_MAX];
	char *buf = malloc(size ? size : 1);
	enum metrics_http_result r;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	memset(path, 'x', sizeof(path));
	r = metrics_http_parse(buf, size, path);
	if (memchr(path, '\0', sizeof(path)) == NULL)
		abort();
	if ((r == METRICS_HTTP_GET || r == METRICS_HTTP_HEAD) && path[0] != '\0' &&
	    (path[0] != '/' || strchr(path, '?') != NULL || strchr(path, ' ') != NULL))
		abort();
	if (r == METRICS_HTTP_MORE && size >= METRICS_HTTP_HEAD_MAX)
		abort();
	free(buf);
	return 0;
}
