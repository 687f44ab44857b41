/* Pre-ZTP onboarding-config.json. The file belongs to the bootstrapper and
 * carries many keys we do not own, so only "management-proxy" is looked at
 * and everything else is accepted as is. The proxy is not validated here:
 * it becomes a candidate like any other, and candidate validation gives the
 * reason a bad one is refused. */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onboarding.h"
#include "fileio.h"

struct onb_pos {
	int line;
	int col;
};

static void onboarding_err(char err[CFG_ERR_LEN], const char *fname,
    struct onb_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
onboarding_err(char err[CFG_ERR_LEN], const char *fname, struct onb_pos pos,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, CFG_ERR_LEN, "%s:%d:%d: ", fname, pos.line, pos.col);
	if (n < 0 || n >= CFG_ERR_LEN)
		return;		/* a file name that long leaves no room */
	va_start(ap, fmt);
	vsnprintf(err + n, CFG_ERR_LEN - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Line and column of byte `at`, counted the way jansson counts them for
 * syntax errors (1-based, a UTF-8 sequence is one column), so every
 * message of this file points into the text the same way. */
static struct onb_pos
onboarding_pos_at(const char *buf, size_t at)
{
	struct onb_pos pos = { 1, 1 };

	for (size_t i = 0; i < at; i++) {
		if (buf[i] == '\n') {
			pos.line++;
			pos.col = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80)
			pos.col++;
	}
	return pos;
}

static size_t
onboarding_skip_ws(const char *buf, size_t len, size_t i)
{
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
	    buf[i] == '\r'))
		i++;
	return i;
}

/* Where the member keys[0] > keys[1] > ... sits in the text, for shape
 * errors: jansson records positions only for syntax errors. The buffer
 * has already been accepted by jansson, so following strings and nesting
 * is enough. A key spelled with escapes is not found; the caller then
 * points at 1:1. */
static struct onb_pos
onboarding_locate(const char *buf, size_t len, const char *const keys[],
    size_t nkeys)
{
	size_t depth = 0, matched = 0, i, start, j;
	bool pending = false;

	for (i = 0; i < len; i++) {
		switch (buf[i]) {
		case '"':
			start = i;
			for (i++; i < len && buf[i] != '"'; i++)
				if (buf[i] == '\\')
					i++;
			j = onboarding_skip_ws(buf, len, i + 1);
			pending = false;
			if (j >= len || buf[j] != ':')
				break;		/* a value, not a key */
			if (depth == matched + 1 && i - start - 1 ==
			    strlen(keys[matched]) && memcmp(buf + start + 1,
			    keys[matched], i - start - 1) == 0) {
				if (matched + 1 == nkeys)
					return onboarding_pos_at(buf, start);
				pending = true;
			}
			i = j;
			break;
		case '{':
		case '[':
			depth++;
			if (pending && buf[i] == '{')
				matched++;
			pending = false;
			break;
		case '}':
		case ']':
			if (matched > 0 && depth == matched + 1)
				matched--;
			depth--;
			break;
		case ' ': case '\t': case '\n': case '\r': case ',':
			break;
		default:
			pending = false;	/* a number or literal value */
			break;
		}
	}
	return (struct onb_pos){ 1, 1 };
}

static struct onb_pos
onboarding_key_pos(const char *buf, size_t len, const char *key)
{
	const char *keys[2] = { "management-proxy", key };

	return onboarding_locate(buf, len, keys, key == NULL ? 1 : 2);
}

/* Append src[n] to dst at `at`, every byte outside 0x21-0x7e replaced by
 * '?': the text ends up in logs and `show` output, where control bytes
 * could forge lines. Stops when dst is full. */
static size_t
onboarding_append(char dst[ONB_TEXT_MAX], size_t at, const char *src, size_t n)
{
	for (size_t i = 0; i < n && at + 1 < ONB_TEXT_MAX; i++, at++) {
		unsigned char c = (unsigned char)src[i];

		dst[at] = c >= 0x21 && c <= 0x7e ? (char)c : '?';
	}
	dst[at] = '\0';
	return at;
}

/* Build "address:port" from the management-proxy object, or name what is
 * wrong with it. */
static bool
onboarding_proxy(const char *fname, const char *buf, size_t len, json_t *mp,
    struct onboarding *out, char err[CFG_ERR_LEN])
{
	json_t *addr = json_object_get(mp, "address");
	json_t *port = json_object_get(mp, "port");
	char num[32];
	size_t at;

	if (addr == NULL) {
		onboarding_err(err, fname, onboarding_key_pos(buf, len, NULL),
		    "management-proxy has no address");
		return false;
	}
	if (!json_is_string(addr)) {
		onboarding_err(err, fname, onboarding_key_pos(buf, len,
		    "address"), "management-proxy address is not a string");
		return false;
	}
	if (port == NULL) {
		onboarding_err(err, fname, onboarding_key_pos(buf, len, NULL),
		    "management-proxy has no port");
		return false;
	}
	if (json_is_integer(port)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(port));
	} else if (!json_is_string(port)) {
		onboarding_err(err, fname, onboarding_key_pos(buf, len, "port"),
		    "management-proxy port is not an integer");
		return false;
	}
	at = onboarding_append(out->proxy, 0, json_string_value(addr),
	    json_string_length(addr));
	at = onboarding_append(out->proxy, at, ":", 1);
	if (json_is_integer(port))
		onboarding_append(out->proxy, at, num, strlen(num));
	else
		onboarding_append(out->proxy, at, json_string_value(port),
		    json_string_length(port));
	out->has_proxy = true;
	return true;
}

bool
onboarding_parse(const char *fname, const char *buf, size_t len,
    struct onboarding *out, char err[CFG_ERR_LEN])
{
	json_error_t je;
	json_t *root, *mp;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	if (len > ONB_FILE_MAX) {
		snprintf(err, CFG_ERR_LEN, "%s: larger than %d bytes", fname,
		    ONB_FILE_MAX);
		return false;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		onboarding_err(err, fname, (struct onb_pos){
		    je.line > 0 ? je.line : 1, je.column > 0 ? je.column : 1 },
		    "%s", je.text);
		return false;
	}
	if (!json_is_object(root)) {
		onboarding_err(err, fname, onboarding_pos_at(buf,
		    onboarding_skip_ws(buf, len, 0)),
		    "top-level value is not an object");
		ok = false;
	} else if ((mp = json_object_get(root, "management-proxy")) != NULL) {
		if (!json_is_object(mp)) {
			onboarding_err(err, fname, onboarding_key_pos(buf, len,
			    NULL), "management-proxy is not an object");
			ok = false;
		} else
			ok = onboarding_proxy(fname, buf, len, mp, out, err);
	}
	json_decref(root);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return ok;
}

bool
onboarding_load(const char *path, struct onboarding *out, char err[CFG_ERR_LEN])
{
	char *buf;
	size_t len;
	bool ok;

	memset(out, 0, sizeof(*out));
	/* Symlinks are followed: the bootstrapper owns this path. */
	if ((buf = fileio_read(path, ONB_FILE_MAX, 0, &len)) == NULL) {
		if (errno == ENOENT)
			return true;	/* no pre-ZTP proxy, not an error */
		if (errno == EFBIG)
			snprintf(err, CFG_ERR_LEN, "%s: larger than %d bytes",
			    path, ONB_FILE_MAX);
		else
			snprintf(err, CFG_ERR_LEN, "%s: %s", path,
			    fileio_strerror(errno));
		return false;
	}
	ok = onboarding_parse(path, buf, len, out, err);
	free(buf);
	return ok;
}
