/* State files: strict JSON parsers and serialisers, pure (the daemon
 * reads and writes the files through fileio). The files are read
 * back at start-up and anyone with root can edit them, so the parsers
 * treat them as hostile input: every string is bounded and an over-long
 * value is an error, never silently cut, because a truncated interface
 * name or proxy would be a different one. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statefile.h"

/* What a string may contain. */
enum sf_chars {
	SF_PRINTABLE,		/* 0x20-0x7e, refused otherwise */
	SF_IFNAME,		/* a Linux interface name, ASCII only */
	SF_SANITIZE,		/* proxy text: 0x21-0x7e, others become '?' */
};

static void sf_err(char err[CFG_ERR_LEN], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sf_err(char err[CFG_ERR_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, CFG_ERR_LEN, fmt, ap);
	va_end(ap);
}

/* Linux dev_valid_name(): not empty, shorter than IFNAMSIZ, not "." or
 * "..", no '/', ':' or white space. We also stay within printable ASCII,
 * because the name becomes a file name under <state-dir>/dhcp/. */
static bool
sf_ifname_ok(const char *s, size_t n)
{
	if (n == 0 || n >= IFNAMSIZ)
		return false;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || c == '/' || c == ':')
			return false;
	}
	return true;
}

static bool
sf_printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* Copy JSON string `v` into dst[size], checked as `chars` says. `label`
 * names the value in error messages. */
static bool
sf_copy(json_t *v, const char *label, enum sf_chars chars, char *dst,
    size_t size, char err[CFG_ERR_LEN])
{
	const char *s;
	size_t n;

	if (!json_is_string(v)) {
		sf_err(err, "%s is not a string", label);
		return false;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (n >= size) {
		sf_err(err, "%s is longer than %zu bytes", label, size - 1);
		return false;
	}
	if ((chars == SF_PRINTABLE && !sf_printable(s, n)) ||
	    (chars == SF_IFNAME && !sf_ifname_ok(s, n))) {
		sf_err(err, "%s is not %s", label, chars == SF_IFNAME ?
		    "a valid interface name" : "printable ASCII");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (chars == SF_SANITIZE && (c < 0x21 || c > 0x7e))
			c = '?';
		dst[i] = (char)c;
	}
	dst[n] = '\0';
	return true;
}

/* A required string member; `ctx` names the enclosing object. */
static bool
sf_get_string(json_t *obj, const char *ctx, const char *key,
    enum sf_chars chars, char *dst, size_t size, char err[CFG_ERR_LEN])
{
	json_t *v = json_object_get(obj, key);
	char label[96];

	snprintf(label, sizeof(label), "%s%s", ctx, key);
	if (v == NULL) {
		sf_err(err, "%s is missing", label);
		return false;
	}
	return sf_copy(v, label, chars, dst, size, err);
}

/* An integer >= 0; an absent optional member leaves *out at 0. */
static bool
sf_get_time(json_t *obj, const char *ctx, const char *key, bool required,
    int64_t *out, char err[CFG_ERR_LEN])
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (v == NULL) {
		if (required)
			sf_err(err, "%s%s is missing", ctx, key);
		return !required;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		sf_err(err, "%s%s is not an integer >= 0", ctx, key);
		return false;
	}
	*out = (int64_t)json_integer_value(v);
	return true;
}

static json_t *
sf_get_typed(json_t *obj, const char *ctx, const char *key, json_type type,
    const char *what, char err[CFG_ERR_LEN])
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		sf_err(err, "%s%s is missing", ctx, key);
		return NULL;
	}
	if (json_typeof(v) != type) {
		sf_err(err, "%s%s is not %s", ctx, key, what);
		return NULL;
	}
	return v;
}

static bool
sf_get_bool(json_t *obj, const char *key, bool *out, char err[CFG_ERR_LEN])
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		sf_err(err, "%s is missing", key);
		return false;
	}
	if (!json_is_boolean(v)) {
		sf_err(err, "%s is not a boolean", key);
		return false;
	}
	*out = json_is_true(v);
	return true;
}

/* Decode a whole buffer that must hold one JSON object. */
static json_t *
sf_load(const char *buf, size_t len, char err[CFG_ERR_LEN])
{
	json_error_t je;
	json_t *root;

	if (len > SF_FILE_MAX) {
		sf_err(err, "larger than %d bytes", SF_FILE_MAX);
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		sf_err(err, "line %d, column %d: %s", je.line > 0 ? je.line : 1,
		    je.column > 0 ? je.column : 1, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		sf_err(err, "top-level value is not an object");
		json_decref(root);
		return NULL;
	}
	return root;
}

/* The end of every parser: the document released, and on failure nothing
 * half-parsed left in out. */
static bool
sf_done(json_t *root, bool ok, void *out, size_t size)
{
	json_decref(root);
	if (!ok)
		memset(out, 0, size);
	return ok;
}

static bool
sf_parse_dhcp_proxies(json_t *info, struct dhcp_info *out,
    char err[CFG_ERR_LEN])
{
	const char *ctx = "dhcp-client-info: ";
	char label[64];
	json_t *arr, *v;
	size_t i;

	arr = sf_get_typed(info, ctx, "management-proxies", JSON_ARRAY,
	    "an array", err);
	if (arr == NULL)
		return false;
	if (json_array_size(arr) > SF_MAX_PROXIES) {
		sf_err(err, "%smanagement-proxies has more than %d entries",
		    ctx, SF_MAX_PROXIES);
		return false;
	}
	json_array_foreach(arr, i, v) {
		snprintf(label, sizeof(label), "%smanagement-proxies[%zu]",
		    ctx, i);
		if (!sf_copy(v, label, SF_SANITIZE, out->proxy[i],
		    sizeof(out->proxy[i]), err))
			return false;
	}
	out->nproxy = json_array_size(arr);
	return true;
}

static bool
sf_parse_dhcp_server(json_t *info, struct dhcp_info *out, char err[CFG_ERR_LEN])
{
	json_t *v = json_object_get(info, "server");
	const char *why;

	if (v == NULL)
		return true;
	if (!json_is_string(v)) {
		sf_err(err, "dhcp-client-info: server is not a string");
		return false;
	}
	if (!addr_parse_ipv4(json_string_value(v), json_string_length(v),
	    &out->server, &why)) {
		sf_err(err, "dhcp-client-info: server: %s", why);
		return false;
	}
	return true;
}

/* resolution-state: one of the names of learned_state_name(). */
static bool
sf_parse_dhcp_state(json_t *info, const char *ctx, struct dhcp_info *out,
    char err[CFG_ERR_LEN])
{
	char state[SF_STATE_MAX];

	if (!sf_get_string(info, ctx, "resolution-state", SF_PRINTABLE, state,
	    sizeof(state), err))
		return false;
	if (!learned_state_parse(state, &out->state)) {
		sf_err(err, "%sresolution-state \"%s\" is not a known state", ctx,
		    state);
		return false;
	}
	return true;
}

bool
statefile_parse_dhcp(const char *buf, size_t len, struct dhcp_info *out,
    char err[CFG_ERR_LEN])
{
	const char *ctx = "dhcp-client-info: ";
	json_t *root, *info;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if ((root = sf_load(buf, len, err)) == NULL)
		return false;
	info = sf_get_typed(root, "", "dhcp-client-info", JSON_OBJECT,
	    "an object", err);
	if (info != NULL &&
	    sf_get_string(info, ctx, "interface-name", SF_IFNAME, out->ifname,
	    sizeof(out->ifname), err) &&
	    sf_parse_dhcp_state(info, ctx, out, err) &&
	    sf_parse_dhcp_proxies(info, out, err) &&
	    sf_get_time(info, ctx, "lease-expiry", false, &out->lease_expiry,
	    err) &&
	    sf_parse_dhcp_server(info, out, err))
		ok = true;
	return sf_done(root, ok, out, sizeof(*out));
}

static bool
sf_parse_peer_cands(json_t *root, struct peer_info *out, char err[CFG_ERR_LEN])
{
	char ctx[64];
	json_t *arr, *v;
	size_t i;

	arr = sf_get_typed(root, "", "management-proxies", JSON_ARRAY,
	    "an array", err);
	if (arr == NULL)
		return false;
	if (json_array_size(arr) > SF_MAX_PROXIES) {
		sf_err(err, "management-proxies has more than %d entries",
		    SF_MAX_PROXIES);
		return false;
	}
	json_array_foreach(arr, i, v) {
		snprintf(ctx, sizeof(ctx), "management-proxies[%zu]: ", i);
		if (!json_is_object(v)) {
			sf_err(err, "management-proxies[%zu] is not an object",
			    i);
			return false;
		}
		if (!sf_get_string(v, ctx, "proxy", SF_SANITIZE,
		    out->cand[i].proxy, sizeof(out->cand[i].proxy), err) ||
		    !sf_get_string(v, ctx, "source", SF_PRINTABLE,
		    out->cand[i].source, sizeof(out->cand[i].source), err) ||
		    !sf_get_time(v, ctx, "lease-expiry", false,
		    &out->cand[i].lease_expiry, err))
			return false;
	}
	out->ncand = json_array_size(arr);
	return true;
}

bool
statefile_parse_peer(const char *buf, size_t len, struct peer_info *out,
    char err[CFG_ERR_LEN])
{
	json_t *root;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if ((root = sf_load(buf, len, err)) == NULL)
		return false;
	if (sf_get_string(root, "", "node", SF_PRINTABLE, out->node,
	    sizeof(out->node), err) &&
	    sf_get_bool(root, "up", &out->up, err) &&
	    sf_get_time(root, "", "last-heard", true, &out->last_heard, err) &&
	    sf_parse_peer_cands(root, out, err))
		ok = true;
	return sf_done(root, ok, out, sizeof(*out));
}

bool
statefile_parse_proxy(const char *buf, size_t len, struct proxy_addr *out,
    char err[CFG_ERR_LEN])
{
	json_t *root, *v;
	const char *why;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if ((root = sf_load(buf, len, err)) == NULL)
		return false;
	v = sf_get_typed(root, "", "proxy_address", JSON_STRING, "a string",
	    err);
	if (v != NULL) {
		if (addr_parse_proxy(json_string_value(v),
		    json_string_length(v), out, &why))
			ok = true;
		else
			sf_err(err, "proxy_address: %s", why);
	}
	return sf_done(root, ok, out, sizeof(*out));
}

/* A struct field must hold a NUL within its size and pass the check its
 * parser makes; anything else is a caller bug, and writing it would leave
 * a file that the next start-up refuses. */
static json_t *
sf_string(const char *s, size_t size, enum sf_chars chars)
{
	size_t n = strnlen(s, size);

	if (n == size || (chars == SF_PRINTABLE && !sf_printable(s, n)) ||
	    (chars == SF_IFNAME && !sf_ifname_ok(s, n)))
		return NULL;
	return json_stringn(s, n);
}
#define SF_STR(field, chars)	sf_string((field), sizeof(field), (chars))

/* json_object_set_new() steals the value even on failure, so a NULL from
 * sf_string() simply makes the whole dump fail. */
static bool
sf_set(json_t *obj, const char *key, json_t *v)
{
	return v != NULL && json_object_set_new(obj, key, v) == 0;
}

/* Indented JSON plus a trailing newline; keys in insertion order. With
 * fail (an errno) the document is only released: NULL with that errno. */
static char *
sf_dump(json_t *root, int fail, size_t *len)
{
	char *s, *out;
	size_t n;

	if (fail != 0) {
		json_decref(root);
		errno = fail;
		return NULL;
	}
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((out = realloc(s, n + 2)) == NULL) {
		free(s);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	*len = n + 1;
	return out;
}

char *
statefile_dump_dhcp(const struct dhcp_info *d, size_t *len)
{
	json_t *root = json_object(), *info = json_object();
	json_t *arr = json_array();
	char ip[ADDR_IPLEN];
	bool ok;

	ok = root != NULL && info != NULL && arr != NULL &&
	    d->nproxy <= SF_MAX_PROXIES && d->lease_expiry >= 0;
	for (size_t i = 0; ok && i < d->nproxy; i++)
		ok = json_array_append_new(arr,
		    SF_STR(d->proxy[i], SF_SANITIZE)) == 0;
	ok = ok &&
	    sf_set(info, "interface-name", SF_STR(d->ifname, SF_IFNAME)) &&
	    learned_state_name(d->state) != NULL &&
	    sf_set(info, "resolution-state",
	    json_string(learned_state_name(d->state))) &&
	    sf_set(info, "management-proxies", json_incref(arr));
	if (ok && d->lease_expiry > 0)
		ok = sf_set(info, "lease-expiry",
		    json_integer(d->lease_expiry));
	if (ok && d->server != 0) {
		addr_format_ip(d->server, ip);
		ok = sf_set(info, "server", json_string(ip));
	}
	ok = ok && sf_set(root, "dhcp-client-info", json_incref(info));
	json_decref(arr);
	json_decref(info);
	return sf_dump(root, ok ? 0 : EINVAL, len);
}

static json_t *
sf_peer_cand(const struct peer_info *p, size_t i)
{
	json_t *c = json_object();
	int64_t expiry = p->cand[i].lease_expiry;
	bool ok;

	ok = c != NULL && expiry >= 0 &&
	    sf_set(c, "proxy", SF_STR(p->cand[i].proxy, SF_SANITIZE)) &&
	    sf_set(c, "source", SF_STR(p->cand[i].source, SF_PRINTABLE));
	if (ok && expiry > 0)
		ok = sf_set(c, "lease-expiry", json_integer(expiry));
	if (!ok) {
		json_decref(c);
		return NULL;
	}
	return c;
}

char *
statefile_dump_peer(const struct peer_info *p, size_t *len)
{
	json_t *root = json_object(), *arr = json_array();
	bool ok;

	ok = root != NULL && arr != NULL && p->ncand <= SF_MAX_PROXIES &&
	    p->last_heard >= 0;
	for (size_t i = 0; ok && i < p->ncand; i++)
		ok = json_array_append_new(arr, sf_peer_cand(p, i)) == 0;
	ok = ok &&
	    sf_set(root, "node", SF_STR(p->node, SF_PRINTABLE)) &&
	    sf_set(root, "up", json_boolean(p->up)) &&
	    sf_set(root, "last-heard", json_integer(p->last_heard)) &&
	    sf_set(root, "management-proxies", json_incref(arr));
	json_decref(arr);
	return sf_dump(root, ok ? 0 : EINVAL, len);
}

char *
statefile_dump_proxy(const struct proxy_addr *a, size_t *len)
{
	json_t *root = json_object();
	char buf[ADDR_STRLEN];

	addr_format(a, buf);
	return sf_dump(root, root != NULL && sf_set(root, "proxy_address",
	    json_string(buf)) ? 0 : ENOMEM, len);
}
