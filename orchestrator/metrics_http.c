/* HTTP/1.x request head reader of the metrics endpoint (see metrics_http.h). */
#include <string.h>

#include "metrics_http.h"

/* The end of the head: the first empty line ("\r\n\r\n", or bare "\n\n"
 * from a hand-typed request); 0 when not there yet. */
static size_t
metrics_http_head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

enum metrics_http_result
metrics_http_parse(const char *buf, size_t len, char path[METRICS_HTTP_PATH_MAX])
{
	const char *sp1, *sp2, *eol, *q;
	size_t end, mlen, tlen, vlen;
	enum metrics_http_result method;

	path[0] = '\0';
	if (memchr(buf, '\0', len) != NULL)
		return METRICS_HTTP_BAD;
	end = metrics_http_head_end(buf, len);
	if (end == 0)
		return len >= METRICS_HTTP_HEAD_MAX ? METRICS_HTTP_BAD : METRICS_HTTP_MORE;
	eol = memchr(buf, '\n', end);
	/* request-line = method SP request-target SP HTTP-version */
	if ((sp1 = memchr(buf, ' ', (size_t)(eol - buf))) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1))) == NULL)
		return METRICS_HTTP_BAD;
	mlen = (size_t)(sp1 - buf);
	tlen = (size_t)(sp2 - sp1 - 1);
	vlen = (size_t)(eol - sp2 - 1);
	if (vlen > 0 && sp2[vlen] == '\r')
		vlen--;
	if (vlen != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return METRICS_HTTP_BAD;
	if (mlen == 0 || tlen == 0 || sp1[1] != '/')
		return METRICS_HTTP_BAD;
	for (size_t i = 0; i < tlen; i++)
		if ((unsigned char)sp1[1 + i] <= ' ' || (unsigned char)sp1[1 + i] >= 0x7f)
			return METRICS_HTTP_BAD;
	if (mlen == 3 && memcmp(buf, "GET", 3) == 0)
		method = METRICS_HTTP_GET;
	else if (mlen == 4 && memcmp(buf, "HEAD", 4) == 0)
		method = METRICS_HTTP_HEAD;
	else
		return METRICS_HTTP_METHOD;
	if ((q = memchr(sp1 + 1, '?', tlen)) != NULL)
		tlen = (size_t)(q - sp1 - 1);
	if (tlen < METRICS_HTTP_PATH_MAX) {
		memcpy(path, sp1 + 1, tlen);
		path[tlen] = '\0';
	}
	return method;
}
