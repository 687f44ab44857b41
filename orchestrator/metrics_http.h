/* The request side of the metrics endpoint: a strict reader of one
 * HTTP/1.x request head (RFC 9112 section 3), pure so that a fuzzer and
 * unit tests drive it. Only the request line matters; header lines are
 * skipped up to the empty line that ends the head. */
#ifndef METRICS_HTTP_H
#define METRICS_HTTP_H
#include <stddef.h>

#define METRICS_HTTP_HEAD_MAX	4096	/* a longer head is refused */
#define METRICS_HTTP_PATH_MAX	64	/* longer paths are not ours: 404 */

enum metrics_http_result {
	METRICS_HTTP_MORE,		/* the head is not complete yet */
	METRICS_HTTP_BAD,		/* 400: not an HTTP/1.x request */
	METRICS_HTTP_METHOD,		/* 405: not GET (or HEAD) */
	METRICS_HTTP_GET,		/* path holds the target */
	METRICS_HTTP_HEAD,		/* the same, without a body in the answer */
};

/* buf holds the len bytes received so far. For GET/HEAD, path gets the
 * origin-form target without its query (truncated targets come back as
 * "" so that they match nothing). */
enum metrics_http_result metrics_http_parse(const char *buf, size_t len,
    char path[METRICS_HTTP_PATH_MAX]);
#endif
