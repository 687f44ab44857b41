/* Configuration: the YAML file of DESIGN.md ("Configuration") parsed with
 * libyaml into struct config.
 *
 * The parse runs in two steps. An event pass refuses what would make the
 * document tree hard to reason about (syntax errors, aliases and anchors,
 * nesting deeper than CONFIG_MAX_DEPTH, several documents) and stops there.
 * Then the document tree is walked along the schema; every problem found is
 * recorded and the walk goes on, so the user sees all of them at once, each
 * as "FILE:LINE:COL: reason", sorted by position.
 *
 * Every router, node and interface of the authority tree is validated, but
 * only the router and node that are this box land in the struct; the others
 * are parsed into a scratch struct that is thrown away. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "config.h"

#define CONFIG_MAX_SIZE		(1024 * 1024)
#define CONFIG_MAX_DEPTH	32
#define CONFIG_QBUF		52	/* user text quoted in a message */
#define CONFIG_IFNAME_MAX	(IFNAMSIZ - 1)

struct config_pos {
	size_t line, col;
};

struct config_ctx {
	const char *fname;
	struct cfg_errors *err;
	struct config_pos pos[CFG_MAX_ERRORS];	/* of err->msg, to sort */
	yaml_document_t doc;
	yaml_node_t *want_router;	/* mgmt-proxy.router, when valid */
	yaml_node_t *want_node;		/* mgmt-proxy.node, likewise */
	bool select_failed;		/* a selection error was reported */
	struct config scratch;		/* routers, nodes of others */
};

/* In enum order: the index is the enum value. */
static const char *const config_modes[] = {
	"disabled", "static", "learned", NULL
};
static const char *const config_forwarders[] = { "haproxy", "none", NULL };

/* Errors */

static void config_verr(struct config_ctx *, size_t, size_t, const char *,
    va_list) __attribute__((format(printf, 4, 0)));
static void config_err(struct config_ctx *, const yaml_mark_t *,
    const char *, ...) __attribute__((format(printf, 3, 4)));

/* Position 0:0 marks a file-level error ("FILE: reason"), which sorts first. */
static void
config_verr(struct config_ctx *ctx, size_t line, size_t col, const char *fmt,
    va_list ap)
{
	struct cfg_errors *err = ctx->err;
	char *msg;
	int o;

	if (err->n >= CFG_MAX_ERRORS) {
		err->dropped++;
		return;
	}
	/* The prefix first, then the reason in what is left: a long file
	 * name truncates the message rather than losing the position. */
	msg = err->msg[err->n];
	if (line == 0)
		o = snprintf(msg, CFG_ERR_LEN, "%s: ", ctx->fname);
	else
		o = snprintf(msg, CFG_ERR_LEN, "%s:%zu:%zu: ", ctx->fname, line,
		    col);
	if (o >= 0 && o < CFG_ERR_LEN - 1)
		vsnprintf(msg + o, CFG_ERR_LEN - (size_t)o, fmt, ap);
	ctx->pos[err->n].line = line;
	ctx->pos[err->n].col = col;
	err->n++;
}

/* libyaml marks are 0-based; messages are 1-based like every editor. */
static void
config_err(struct config_ctx *ctx, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verr(ctx, m->line + 1, m->column + 1, fmt, ap);
	va_end(ap);
}

static void config_ferr(struct config_ctx *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
config_ferr(struct config_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verr(ctx, 0, 0, fmt, ap);
	va_end(ap);
}

/* The walk reports in schema order; users read files top to bottom. The
 * sort is stable so that errors at one place keep their order. */
static void
config_sort_errors(struct config_ctx *ctx)
{
	struct cfg_errors *err = ctx->err;
	char msg[CFG_ERR_LEN];
	struct config_pos p;

	for (size_t i = 1; i < err->n; i++) {
		size_t j = i;

		p = ctx->pos[i];
		memcpy(msg, err->msg[i], CFG_ERR_LEN);
		while (j > 0 && (ctx->pos[j - 1].line > p.line ||
		    (ctx->pos[j - 1].line == p.line &&
		    ctx->pos[j - 1].col > p.col))) {
			ctx->pos[j] = ctx->pos[j - 1];
			memcpy(err->msg[j], err->msg[j - 1], CFG_ERR_LEN);
			j--;
		}
		ctx->pos[j] = p;
		memcpy(err->msg[j], msg, CFG_ERR_LEN);
	}
}

/* Node helpers */

static yaml_node_t *
config_node(struct config_ctx *ctx, int i)
{
	return yaml_document_get_node(&ctx->doc, i);
}

/* A bounded, printable-ASCII copy of a scalar for messages, so that a
 * hostile file cannot put control characters into a terminal or log. */
static const char *
config_text(const yaml_node_t *n, char *buf, size_t size)
{
	const unsigned char *s;
	size_t i, o = 0, len;

	buf[0] = '\0';
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return buf;
	s = n->data.scalar.value;
	len = n->data.scalar.length;
	for (i = 0; i < len && o + 4 < size; i++)
		buf[o++] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '?';
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static bool
config_eq(const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);

	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	    memcmp(n->data.scalar.value, s, len) == 0;
}

static bool
config_same(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->data.scalar.length == b->data.scalar.length &&
	    memcmp(a->data.scalar.value, b->data.scalar.value,
	    a->data.scalar.length) == 0;
}

/* YAML 1.2 core schema nulls; an absent value is an empty plain scalar. */
static bool
config_is_null(const yaml_node_t *n)
{
	if (n == NULL)
		return true;
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return n->data.scalar.length == 0 || config_eq(n, "~") ||
	    config_eq(n, "null") || config_eq(n, "Null") ||
	    config_eq(n, "NULL");
}

static bool
config_is_string(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && !config_is_null(n);
}

/* Describes what was found instead of what was expected. */
static void
config_expected(struct config_ctx *ctx, const yaml_node_t *n, const char *want)
{
	char q[CONFIG_QBUF];

	if (n->type == YAML_MAPPING_NODE)
		config_err(ctx, &n->start_mark, "expected %s, got a mapping",
		    want);
	else if (n->type == YAML_SEQUENCE_NODE)
		config_err(ctx, &n->start_mark, "expected %s, got a list",
		    want);
	else if (config_is_null(n))
		config_err(ctx, &n->start_mark, "expected %s, got null", want);
	else
		config_err(ctx, &n->start_mark, "expected %s, got \"%s\"", want,
		    config_text(n, q, sizeof(q)));
}

/* Stores in vals[i] the value of keys[i] (NULL-terminated), NULL when
 * absent. Unknown and repeated keys are errors. A null node reads as an empty
 * mapping, since "management-proxy:" alone means "present, all defaults".
 * Returns false when `map` is not a mapping at all. */
static bool
config_map(struct config_ctx *ctx, yaml_node_t *map, const char *const *keys,
    yaml_node_t **vals)
{
	char q[CONFIG_QBUF];
	size_t nkeys, i;

	for (nkeys = 0; keys[nkeys] != NULL; nkeys++)
		vals[nkeys] = NULL;
	if (config_is_null(map))
		return true;
	if (map->type != YAML_MAPPING_NODE) {
		config_expected(ctx, map, "a mapping");
		return false;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = config_node(ctx, p->key);
		yaml_node_t *v = config_node(ctx, p->value);

		if (k == NULL || v == NULL)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			config_expected(ctx, k, "a string key");
			continue;
		}
		for (i = 0; i < nkeys && !config_eq(k, keys[i]); i++)
			;
		if (i == nkeys)
			config_err(ctx, &k->start_mark, "unknown key \"%s\"",
			    config_text(k, q, sizeof(q)));
		else if (vals[i] != NULL)
			config_err(ctx, &k->start_mark, "duplicate key \"%s\"",
			    keys[i]);
		else
			vals[i] = v;
	}
	return true;
}

/* A required key is reported at its parent mapping, the nearest place. */
static bool
config_require(struct config_ctx *ctx, const yaml_node_t *map,
    yaml_node_t *const *vals, const char *const *keys, size_t i)
{
	if (vals[i] != NULL)
		return true;
	config_err(ctx, &map->start_mark, "missing key \"%s\"", keys[i]);
	return false;
}

/* The value of `key` in `map`, for look-ahead before the full walk. */
static yaml_node_t *
config_map_get(struct config_ctx *ctx, yaml_node_t *map, const char *key)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = config_node(ctx, p->key);

		if (k != NULL && config_eq(k, key))
			return config_node(ctx, p->value);
	}
	return NULL;
}

/* A list's items; null reads as an empty list. */
static bool
config_seq(struct config_ctx *ctx, yaml_node_t *n, yaml_node_item_t **items,
    size_t *count)
{
	*items = NULL;
	*count = 0;
	if (config_is_null(n))
		return true;
	if (n->type != YAML_SEQUENCE_NODE) {
		config_expected(ctx, n, "a list");
		return false;
	}
	*items = n->data.sequence.items.start;
	*count = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	return true;
}

/* Scalars */

static bool
config_str(struct config_ctx *ctx, yaml_node_t *n, char *buf, size_t size,
    const char *what)
{
	const unsigned char *s;
	size_t len;

	if (!config_is_string(n)) {
		config_expected(ctx, n, "a string");
		return false;
	}
	s = n->data.scalar.value;
	len = n->data.scalar.length;
	if (len == 0) {
		config_err(ctx, &n->start_mark, "%s must not be empty", what);
		return false;
	}
	if (len >= size) {
		config_err(ctx, &n->start_mark,
		    "%s too long (max %zu characters)", what, size - 1);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f) {
			config_err(ctx, &n->start_mark,
			    "%s contains control characters", what);
			return false;
		}
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

/* Linux dev_valid_name(): the name ends up in nftables rules and
 * SO_BINDTODEVICE, so only the portable characters are accepted. */
static bool
config_ifname(struct config_ctx *ctx, yaml_node_t *n, char buf[IFNAMSIZ])
{
	char q[CONFIG_QBUF];
	const unsigned char *s;
	size_t len;
	bool ok;

	if (!config_is_string(n)) {
		config_expected(ctx, n, "an interface name");
		return false;
	}
	s = n->data.scalar.value;
	len = n->data.scalar.length;
	ok = len >= 1 && len <= CONFIG_IFNAME_MAX && !config_eq(n, ".") &&
	    !config_eq(n, "..");
	for (size_t i = 0; ok && i < len; i++)
		ok = (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '.' || s[i] == '-';
	if (!ok) {
		config_err(ctx, &n->start_mark, "invalid interface name \"%s\" "
		    "(1-15 characters of A-Z a-z 0-9 _ . -)",
		    config_text(n, q, sizeof(q)));
		return false;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

static bool
config_path(struct config_ctx *ctx, yaml_node_t *n, char buf[CFG_PATH_MAX])
{
	char q[CONFIG_QBUF];

	if (!config_str(ctx, n, buf, CFG_PATH_MAX, "path"))
		return false;
	if (buf[0] != '/') {
		config_err(ctx, &n->start_mark, "path \"%s\" is not absolute",
		    config_text(n, q, sizeof(q)));
		return false;
	}
	return true;
}

/* Plain true/false only: YAML 1.1's yes/no/on/off are exactly the
 * surprises a router configuration does not need. */
static bool
config_bool(struct config_ctx *ctx, yaml_node_t *n, bool *out)
{
	if (n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (config_eq(n, "true") || config_eq(n, "True") ||
		    config_eq(n, "TRUE")) {
			*out = true;
			return true;
		}
		if (config_eq(n, "false") || config_eq(n, "False") ||
		    config_eq(n, "FALSE")) {
			*out = false;
			return true;
		}
	}
	config_expected(ctx, n, "a boolean (true or false)");
	return false;
}

/* A YAML integer: a plain scalar of an optional sign and decimal digits. */
static bool
config_int_syntax(const yaml_node_t *n)
{
	const unsigned char *s;
	size_t len, i = 0;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = n->data.scalar.value;
	len = n->data.scalar.length;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i == len)
		return false;
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* An integer in lo..hi. A leading zero is refused because YAML 1.1 reads
 * "010" as octal and YAML 1.2 as decimal. */
static bool
config_uint(struct config_ctx *ctx, yaml_node_t *n, long lo, long hi,
    const char *what, unsigned *out)
{
	char q[CONFIG_QBUF];
	const unsigned char *s;
	size_t len, i = 0;
	bool neg = false;
	long v = 0;

	if (!config_int_syntax(n)) {
		config_expected(ctx, n, "an integer");
		return false;
	}
	s = n->data.scalar.value;
	len = n->data.scalar.length;
	if (s[0] == '-' || s[0] == '+')
		neg = s[i++] == '-';
	if (len - i > 1 && s[i] == '0') {
		config_err(ctx, &n->start_mark,
		    "ambiguous integer \"%s\" (leading zero)",
		    config_text(n, q, sizeof(q)));
		return false;
	}
	/* Saturate: past hi the value is out of range whatever follows. */
	for (; i < len; i++)
		if (v <= hi)
			v = v * 10 + (s[i] - '0');
	if (neg)
		v = -v;
	if (v < lo || v > hi) {
		config_err(ctx, &n->start_mark, "%s %s out of range %ld-%ld",
		    what, config_text(n, q, sizeof(q)), lo, hi);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* DESIGN.md: a port is an integer 1-65535; addr.h holds the one rule. */
static bool
config_port(struct config_ctx *ctx, yaml_node_t *n, uint16_t *port)
{
	char q[CONFIG_QBUF];
	const char *why;
	const char *s;

	if (!config_int_syntax(n)) {
		config_expected(ctx, n, "an integer");
		return false;
	}
	s = (const char *)n->data.scalar.value;
	if (s[0] == '-' || s[0] == '+')
		why = "port out of range 1-65535";
	else if (addr_parse_port(s, n->data.scalar.length, port, &why))
		return true;
	config_err(ctx, &n->start_mark, "invalid port %s: %s",
	    config_text(n, q, sizeof(q)), why);
	return false;
}

/* Index of the scalar in `names`, or -1 with no error reported. */
static int
config_enum(const yaml_node_t *n, const char *const *names)
{
	if (n->type != YAML_SCALAR_NODE)
		return -1;
	for (int i = 0; names[i] != NULL; i++)
		if (config_eq(n, names[i]))
			return i;
	return -1;
}

/* Duplicate names */

static int
config_name_cmp(const void *a, const void *b)
{
	const yaml_node_t *x = *(const yaml_node_t *const *)a;
	const yaml_node_t *y = *(const yaml_node_t *const *)b;
	size_t lx = x->data.scalar.length, ly = y->data.scalar.length;
	int c = memcmp(x->data.scalar.value, y->data.scalar.value,
	    lx < ly ? lx : ly);

	if (c != 0)
		return c;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	/* Equal names keep file order, so the first one is not reported. */
	if (x->start_mark.index != y->start_mark.index)
		return x->start_mark.index < y->start_mark.index ? -1 : 1;
	return 0;
}

/* Appends the "name" scalars of the items of `list` to out (when not NULL)
 * and returns how many there are. */
static size_t
config_collect_names(struct config_ctx *ctx, yaml_node_t *list,
    yaml_node_t **out)
{
	size_t n = 0;

	if (list == NULL || list->type != YAML_SEQUENCE_NODE)
		return 0;
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++) {
		yaml_node_t *name = config_map_get(ctx, config_node(ctx, *it),
		    "name");

		if (name != NULL && config_is_string(name)) {
			if (out != NULL)
				out[n] = name;
			n++;
		}
	}
	return n;
}

/* Sorting keeps this linear-logarithmic: a 1 MiB file holds ~100k items. */
static void
config_check_dups(struct config_ctx *ctx, yaml_node_t **names, size_t n,
    const char *what)
{
	char q[CONFIG_QBUF];

	qsort(names, n, sizeof(*names), config_name_cmp);
	for (size_t i = 1; i < n; i++)
		if (config_same(names[i - 1], names[i]))
			config_err(ctx, &names[i]->start_mark,
			    "duplicate %s name \"%s\"", what,
			    config_text(names[i], q, sizeof(q)));
}

static void
config_list_dups(struct config_ctx *ctx, yaml_node_t *list, const char *what)
{
	size_t n = config_collect_names(ctx, list, NULL);
	yaml_node_t **names;

	if (n < 2)
		return;
	if ((names = calloc(n, sizeof(*names))) == NULL) {
		config_ferr(ctx, "out of memory");
		return;
	}
	config_collect_names(ctx, list, names);
	config_check_dups(ctx, names, n, what);
	free(names);
}

/* Network-interface names are unique per node, across its devices, because
 * they are the kernel interface names. */
static void
config_iface_dups(struct config_ctx *ctx, yaml_node_t *devs)
{
	yaml_node_t **names;
	size_t n = 0;

	if (devs == NULL || devs->type != YAML_SEQUENCE_NODE)
		return;
	for (yaml_node_item_t *it = devs->data.sequence.items.start;
	    it < devs->data.sequence.items.top; it++)
		n += config_collect_names(ctx, config_map_get(ctx,
		    config_node(ctx, *it), "network-interface"), NULL);
	if (n < 2)
		return;
	if ((names = calloc(n, sizeof(*names))) == NULL) {
		config_ferr(ctx, "out of memory");
		return;
	}
	n = 0;
	for (yaml_node_item_t *it = devs->data.sequence.items.start;
	    it < devs->data.sequence.items.top; it++)
		n += config_collect_names(ctx, config_map_get(ctx,
		    config_node(ctx, *it), "network-interface"), names + n);
	config_check_dups(ctx, names, n, "network-interface");
	free(names);
}

/* Index of this box's entry in a router or node list: the one named in
 * mgmt-proxy, else the only one; -1 when there is none. */
static long
config_select(struct config_ctx *ctx, yaml_node_t *list,
    yaml_node_item_t *items, size_t n, yaml_node_t *want, const char *what,
    const char *where)
{
	char q[CONFIG_QBUF];

	if (want != NULL) {
		for (size_t i = 0; i < n; i++) {
			yaml_node_t *name = config_map_get(ctx,
			    config_node(ctx, items[i]), "name");

			if (name != NULL && config_is_string(name) &&
			    config_same(name, want))
				return (long)i;
		}
		config_err(ctx, &want->start_mark, "%s \"%s\" not found in %s",
		    what, config_text(want, q, sizeof(q)), where);
		ctx->select_failed = true;
		return -1;
	}
	if (n == 1)
		return 0;
	if (n > 1) {
		config_err(ctx, &list->start_mark,
		    "several %ss in %s: set mgmt-proxy.%s", what, where, what);
		ctx->select_failed = true;
	}
	return -1;
}

/* authority > router > node > device-interface > network-interface */

enum { NI_NAME, NI_DHCP, NI_DISCOVERY, NI_NKEYS };
static const char *const config_ni_keys[] = {
	"name", "dhcp", "enable-proxy-discovery", NULL
};

static bool
config_iface(struct config_ctx *ctx, yaml_node_t *n, const char *device,
    struct cfg_iface *out)
{
	static const char *const dhcp[] = { "disabled", "v4", "v6", NULL };
	yaml_node_t *v[NI_NKEYS];
	char q[CONFIG_QBUF];
	bool ok = true;
	int d;

	memset(out, 0, sizeof(*out));
	out->proxy_discovery = true;
	snprintf(out->device, sizeof(out->device), "%s", device);
	if (!config_map(ctx, n, config_ni_keys, v))
		return false;
	if (config_require(ctx, n, v, config_ni_keys, NI_NAME))
		ok &= config_ifname(ctx, v[NI_NAME], out->name);
	else
		ok = false;
	if (v[NI_DHCP] != NULL) {
		if (!config_is_string(v[NI_DHCP])) {
			config_expected(ctx, v[NI_DHCP], "a string");
			ok = false;
		} else if ((d = config_enum(v[NI_DHCP], dhcp)) < 0) {
			config_err(ctx, &v[NI_DHCP]->start_mark,
			    "unknown dhcp \"%s\" (expected disabled, v4 or v6)",
			    config_text(v[NI_DHCP], q, sizeof(q)));
			ok = false;
		} else
			out->dhcp_v4 = d == 1;
	}
	if (v[NI_DISCOVERY] != NULL)
		ok &= config_bool(ctx, v[NI_DISCOVERY], &out->proxy_discovery);
	return ok;
}

enum { DEV_NAME, DEV_NI, DEV_NKEYS };
static const char *const config_dev_keys[] = {
	"name", "network-interface", NULL
};

static void
config_device(struct config_ctx *ctx, yaml_node_t *n, struct config *dst,
    size_t *count)
{
	char dev[CFG_NAME_MAX] = "";
	yaml_node_t *v[DEV_NKEYS];
	yaml_node_item_t *items;
	struct cfg_iface ifc;
	size_t ni;

	if (!config_map(ctx, n, config_dev_keys, v))
		return;
	if (config_require(ctx, n, v, config_dev_keys, DEV_NAME))
		config_str(ctx, v[DEV_NAME], dev, sizeof(dev),
		    "device-interface name");
	if (v[DEV_NI] == NULL || !config_seq(ctx, v[DEV_NI], &items, &ni))
		return;
	for (size_t i = 0; i < ni; i++) {
		yaml_node_t *it = config_node(ctx, items[i]);

		if (++*count == CFG_MAX_IFACE + 1)
			config_err(ctx, &it->start_mark,
			    "too many network-interfaces on one node (max %d)",
			    CFG_MAX_IFACE);
		if (config_iface(ctx, it, dev, &ifc) &&
		    dst->niface < CFG_MAX_IFACE)
			dst->iface[dst->niface++] = ifc;
	}
}

enum { NODE_NAME, NODE_DEV, NODE_NKEYS };
static const char *const config_node_keys[] = {
	"name", "device-interface", NULL
};

static void
config_node_entry(struct config_ctx *ctx, yaml_node_t *n, struct config *dst)
{
	yaml_node_t *v[NODE_NKEYS];
	yaml_node_item_t *items;
	size_t ndev, count = 0;

	dst->niface = 0;
	if (!config_map(ctx, n, config_node_keys, v))
		return;
	if (config_require(ctx, n, v, config_node_keys, NODE_NAME))
		config_str(ctx, v[NODE_NAME], dst->node, sizeof(dst->node),
		    "node name");
	if (v[NODE_DEV] == NULL || !config_seq(ctx, v[NODE_DEV], &items, &ndev))
		return;
	config_list_dups(ctx, v[NODE_DEV], "device-interface");
	config_iface_dups(ctx, v[NODE_DEV]);
	for (size_t i = 0; i < ndev; i++)
		config_device(ctx, config_node(ctx, items[i]), dst, &count);
}

static void
config_nodes(struct config_ctx *ctx, yaml_node_t *list, yaml_node_t *rname,
    struct config *dst, bool selected)
{
	char where[CONFIG_QBUF + 16], q[CONFIG_QBUF];
	yaml_node_item_t *items;
	size_t n;
	long sel = -1;

	if (!config_seq(ctx, list, &items, &n)) {
		if (selected)
			ctx->select_failed = true;
		return;
	}
	config_list_dups(ctx, list, "node");
	if (selected && !ctx->select_failed) {
		snprintf(where, sizeof(where), "router \"%s\"",
		    config_text(rname, q, sizeof(q)));
		sel = config_select(ctx, list, items, n, ctx->want_node, "node",
		    where);
	}
	for (size_t i = 0; i < n; i++)
		config_node_entry(ctx, config_node(ctx, items[i]),
		    (long)i == sel ? dst : &ctx->scratch);
}

enum { PX_NAME, PX_ADDRESS, PX_PORT, PX_NKEYS };
static const char *const config_px_keys[] = {
	"name", "address", "port", NULL
};

static bool
config_address(struct config_ctx *ctx, yaml_node_t *n, uint32_t *ip)
{
	char q[CONFIG_QBUF];
	const char *why;

	if (!config_is_string(n)) {
		config_expected(ctx, n, "an IPv4 address");
		return false;
	}
	if (addr_parse_ipv4((const char *)n->data.scalar.value,
	    n->data.scalar.length, ip, &why) && addr_usable(*ip, &why))
		return true;
	config_err(ctx, &n->start_mark, "invalid address \"%s\": %s",
	    config_text(n, q, sizeof(q)), why);
	return false;
}

static bool
config_proxy(struct config_ctx *ctx, yaml_node_t *n, struct cfg_proxy *out)
{
	yaml_node_t *v[PX_NKEYS];
	bool ok = true;

	memset(out, 0, sizeof(*out));
	if (!config_map(ctx, n, config_px_keys, v))
		return false;
	for (size_t i = 0; i < PX_NKEYS; i++)
		ok &= config_require(ctx, n, v, config_px_keys, i);
	if (v[PX_NAME] != NULL)
		ok &= config_str(ctx, v[PX_NAME], out->name, sizeof(out->name),
		    "proxy name");
	if (v[PX_ADDRESS] != NULL)
		ok &= config_address(ctx, v[PX_ADDRESS], &out->addr.ip);
	if (v[PX_PORT] != NULL)
		ok &= config_port(ctx, v[PX_PORT], &out->addr.port);
	return ok;
}

enum { MP_ENABLED, MP_MODE, MP_PROXY, MP_NKEYS };
static const char *const config_mp_keys[] = {
	"enabled", "mode", "proxy", NULL
};

static void
config_proxies(struct config_ctx *ctx, yaml_node_t *list, struct config *dst,
    size_t *count, yaml_node_t **second)
{
	yaml_node_item_t *items;
	struct cfg_proxy px;

	if (!config_seq(ctx, list, &items, count))
		return;
	config_list_dups(ctx, list, "proxy");
	for (size_t i = 0; i < *count; i++) {
		yaml_node_t *it = config_node(ctx, items[i]);

		if (i == 1)
			*second = it;
		if (i == CFG_MAX_PROXY)
			config_err(ctx, &it->start_mark,
			    "too many proxy entries (max %d)", CFG_MAX_PROXY);
		if (config_proxy(ctx, it, &px) && dst->nproxy < CFG_MAX_PROXY)
			dst->proxy[dst->nproxy++] = px;
	}
}

static void
config_mp(struct config_ctx *ctx, yaml_node_t *n, struct config *dst)
{
	yaml_node_t *v[MP_NKEYS], *second = NULL;
	char q[CONFIG_QBUF];
	size_t count = 0;
	bool mode_ok = true;
	int m;

	dst->has_mp = true;
	dst->nproxy = 0;
	if (!config_map(ctx, n, config_mp_keys, v))
		return;
	if (v[MP_ENABLED] != NULL)
		config_bool(ctx, v[MP_ENABLED], &dst->enabled);
	if (v[MP_MODE] != NULL) {
		if (!config_is_string(v[MP_MODE])) {
			config_expected(ctx, v[MP_MODE], "a string");
			mode_ok = false;
		} else if ((m = config_enum(v[MP_MODE], config_modes)) < 0) {
			config_err(ctx, &v[MP_MODE]->start_mark, "unknown mode "
			    "\"%s\" (expected disabled, static or learned)",
			    config_text(v[MP_MODE], q, sizeof(q)));
			mode_ok = false;
		} else
			dst->mode = (enum mp_mode)m;
	}
	if (v[MP_PROXY] != NULL)
		config_proxies(ctx, v[MP_PROXY], dst, &count, &second);
	/* The spec allows only one proxy entry in static mode. */
	if (mode_ok && dst->mode == MODE_STATIC && count == 0)
		config_err(ctx, v[MP_PROXY] != NULL ?
		    &v[MP_PROXY]->start_mark : &n->start_mark,
		    "static mode requires exactly one proxy, found 0");
	else if (mode_ok && dst->mode == MODE_STATIC && count > 1)
		config_err(ctx, &second->start_mark,
		    "static mode requires exactly one proxy, found %zu", count);
}

enum { RT_NAME, RT_MP, RT_NODE, RT_NKEYS };
static const char *const config_rt_keys[] = {
	"name", "management-proxy", "node", NULL
};

static void
config_router(struct config_ctx *ctx, yaml_node_t *n, struct config *dst,
    bool selected)
{
	yaml_node_t *v[RT_NKEYS];

	if (!config_map(ctx, n, config_rt_keys, v)) {
		if (selected)
			ctx->select_failed = true;
		return;
	}
	if (config_require(ctx, n, v, config_rt_keys, RT_NAME))
		config_str(ctx, v[RT_NAME], dst->router, sizeof(dst->router),
		    "router name");
	if (v[RT_MP] != NULL)
		config_mp(ctx, v[RT_MP], dst);
	config_nodes(ctx, v[RT_NODE], v[RT_NAME], dst, selected);
}

static void
config_authority(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = { "router", NULL };
	char q[CONFIG_QBUF];
	yaml_node_t *v[1];
	yaml_node_item_t *items = NULL;
	size_t nr = 0;
	long sel = -1;

	if (!config_map(ctx, n, keys, v))
		ctx->select_failed = true;
	else if (v[0] != NULL && !config_seq(ctx, v[0], &items, &nr))
		ctx->select_failed = true;
	if (!ctx->select_failed) {
		config_list_dups(ctx, v[0], "router");
		sel = config_select(ctx, v[0] != NULL ? v[0] : n, items, nr,
		    ctx->want_router, "router", "authority");
	}
	for (size_t i = 0; i < nr; i++) {
		yaml_node_t *it = config_node(ctx, items[i]);

		if ((long)i == sel)
			config_router(ctx, it, cfg, true);
		else {
			config_defaults(&ctx->scratch);
			config_router(ctx, it, &ctx->scratch, false);
		}
	}
	/* A node named for a box that has no router cannot be found either. */
	if (sel < 0 && ctx->want_node != NULL && !ctx->select_failed)
		config_err(ctx, &ctx->want_node->start_mark,
		    "node \"%s\" not found in authority",
		    config_text(ctx->want_node, q, sizeof(q)));
}

/* mgmt-proxy: the settings of this implementation */

static void
config_health(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = { "interval", "timeout", NULL };
	yaml_node_t *v[2];
	bool ok = true;

	if (!config_map(ctx, n, keys, v))
		return;
	if (v[0] != NULL)
		ok &= config_uint(ctx, v[0], 1, 86400, "interval",
		    &cfg->hc_interval);
	if (v[1] != NULL)
		ok &= config_uint(ctx, v[1], 1, 60, "timeout",
		    &cfg->hc_timeout);
	/* A probe must end before the next is due (the daemon counts one
	 * still open at that moment as failed). */
	if (ok && cfg->hc_timeout > cfg->hc_interval)
		config_err(ctx,
		    v[1] != NULL ? &v[1]->start_mark : &n->start_mark,
		    "timeout %u must not exceed interval %u", cfg->hc_timeout,
		    cfg->hc_interval);
}

static void
config_ports(struct config_ctx *ctx, yaml_node_t *list, uint16_t *ports,
    size_t *np, const uint16_t *other, size_t nother)
{
	yaml_node_item_t *items;
	size_t n;
	uint16_t p;

	if (!config_seq(ctx, list, &items, &n))
		return;
	*np = 0;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = config_node(ctx, items[i]);
		bool dup = false;

		if (i == CFG_MAX_PORTS)
			config_err(ctx, &it->start_mark,
			    "too many ports (max %d)", CFG_MAX_PORTS);
		if (!config_port(ctx, it, &p))
			continue;
		for (size_t j = 0; j < *np; j++)
			dup |= ports[j] == p;
		for (size_t j = 0; j < nother; j++)
			dup |= other[j] == p;
		if (dup)
			config_err(ctx, &it->start_mark, "duplicate port %u",
			    p);
		else if (*np < CFG_MAX_PORTS)
			ports[(*np)++] = p;
	}
}

static void
config_intercept(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = {
		"interfaces", "http-ports", "https-ports", NULL
	};
	yaml_node_t *v[3];
	yaml_node_item_t *items;
	char ifn[IFNAMSIZ];
	size_t ni;

	if (!config_map(ctx, n, keys, v))
		return;
	if (v[0] != NULL && config_seq(ctx, v[0], &items, &ni)) {
		cfg->nintercept = 0;
		for (size_t i = 0; i < ni; i++) {
			yaml_node_t *it = config_node(ctx, items[i]);
			bool dup = false;

			if (i == CFG_MAX_INTERCEPT)
				config_err(ctx, &it->start_mark,
				    "too many interfaces (max %d)",
				    CFG_MAX_INTERCEPT);
			if (!config_ifname(ctx, it, ifn))
				continue;
			for (size_t j = 0; j < cfg->nintercept; j++)
				dup |= strcmp(cfg->intercept_if[j], ifn) == 0;
			if (dup)
				config_err(ctx, &it->start_mark,
				    "duplicate interface \"%s\"", ifn);
			else if (cfg->nintercept < CFG_MAX_INTERCEPT)
				memcpy(cfg->intercept_if[cfg->nintercept++],
				    ifn, sizeof(ifn));
		}
	}
	if (v[1] != NULL)
		config_ports(ctx, v[1], cfg->http_port, &cfg->nhttp_port,
		    NULL, 0);
	/* One port cannot be steered both as HTTP and as HTTPS. */
	if (v[2] != NULL)
		config_ports(ctx, v[2], cfg->https_port, &cfg->nhttps_port,
		    cfg->http_port, cfg->nhttp_port);
	else if (v[1] != NULL)
		for (size_t i = 0; i < cfg->nhttp_port; i++)
			if (cfg->http_port[i] == cfg->https_port[0])
				config_err(ctx, &v[1]->start_mark,
				    "duplicate port %u", cfg->http_port[i]);
}

static void
config_tls(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = { "ca-cert", "ca-key", NULL };
	yaml_node_t *v[2];

	if (!config_map(ctx, n, keys, v))
		return;
	if (v[0] != NULL)
		config_path(ctx, v[0], cfg->ca_cert);
	if (v[1] != NULL)
		config_path(ctx, v[1], cfg->ca_key);
}

static bool
config_endpoint(struct config_ctx *ctx, yaml_node_t *n, const char *what,
    struct cfg_endpoint *ep)
{
	struct proxy_addr a;
	char q[CONFIG_QBUF];
	const char *why;

	if (!config_is_string(n)) {
		config_expected(ctx, n, "\"A.B.C.D:PORT\"");
		return false;
	}
	if (!addr_parse_proxy((const char *)n->data.scalar.value,
	    n->data.scalar.length, &a, &why)) {
		config_err(ctx, &n->start_mark, "invalid %s address \"%s\": %s",
		    what, config_text(n, q, sizeof(q)), why);
		return false;
	}
	ep->ip = a.ip;
	ep->port = a.port;
	return true;
}

static void
config_ha(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = {
		"listen", "peer", "key-file", NULL
	};
	yaml_node_t *v[3];
	bool ok = true;

	cfg->ha_enabled = true;
	if (!config_map(ctx, n, keys, v))
		return;
	for (size_t i = 0; i < 2; i++)
		ok &= config_require(ctx, n, v, keys, i);
	if (v[0] != NULL)
		ok &= config_endpoint(ctx, v[0], "listen", &cfg->ha_listen);
	if (v[1] != NULL)
		ok &= config_endpoint(ctx, v[1], "peer", &cfg->ha_peer);
	if (ok && cfg->ha_listen.ip == cfg->ha_peer.ip &&
	    cfg->ha_listen.port == cfg->ha_peer.port)
		config_err(ctx, &v[1]->start_mark,
		    "peer address must differ from listen address");
	if (v[2] != NULL)
		config_path(ctx, v[2], cfg->ha_key_file);
}

enum { ST_ROUTER, ST_NODE, ST_FWD, ST_HC, ST_INTERCEPT, ST_TLS, ST_HA,
    ST_NKEYS };
static const char *const config_st_keys[] = {
	"router", "node", "forwarder", "health-check", "intercept", "tls",
	"ha", NULL
};

static void
config_settings(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	yaml_node_t *v[ST_NKEYS];
	char q[CONFIG_QBUF];
	int f;

	if (!config_map(ctx, n, config_st_keys, v))
		return;
	/* A bad name was reported; "not found" on top of it is noise. */
	if (v[ST_ROUTER] != NULL) {
		if (config_str(ctx, v[ST_ROUTER], cfg->router,
		    sizeof(cfg->router), "router name"))
			ctx->want_router = v[ST_ROUTER];
		else
			ctx->select_failed = true;
	}
	if (v[ST_NODE] != NULL) {
		if (config_str(ctx, v[ST_NODE], cfg->node, sizeof(cfg->node),
		    "node name"))
			ctx->want_node = v[ST_NODE];
		else
			ctx->select_failed = true;
	}
	if (v[ST_FWD] != NULL) {
		if (!config_is_string(v[ST_FWD]))
			config_expected(ctx, v[ST_FWD], "a string");
		else if ((f = config_enum(v[ST_FWD], config_forwarders)) < 0)
			config_err(ctx, &v[ST_FWD]->start_mark, "unknown "
			    "forwarder \"%s\" (expected haproxy or none)",
			    config_text(v[ST_FWD], q, sizeof(q)));
		else
			cfg->forwarder = (enum mp_forwarder)f;
	}
	if (v[ST_HC] != NULL)
		config_health(ctx, v[ST_HC], cfg);
	if (v[ST_INTERCEPT] != NULL)
		config_intercept(ctx, v[ST_INTERCEPT], cfg);
	if (v[ST_TLS] != NULL)
		config_tls(ctx, v[ST_TLS], cfg);
	if (v[ST_HA] != NULL)
		config_ha(ctx, v[ST_HA], cfg);
}

static void
config_root(struct config_ctx *ctx, yaml_node_t *root, struct config *cfg)
{
	static const char *const keys[] = { "authority", "mgmt-proxy", NULL };
	yaml_node_t *v[2];

	if (!config_map(ctx, root, keys, v))
		return;
	/* mgmt-proxy says which router and node of the tree this box is. */
	config_settings(ctx, v[1], cfg);
	config_authority(ctx, v[0], cfg);
}

/* YAML syntax */

/* Reader errors (bad UTF-8, control characters) carry a byte offset, not a
 * mark; the column is counted in bytes there. */
static void
config_syntax(struct config_ctx *ctx, const yaml_parser_t *p, const char *buf,
    size_t len)
{
	const char *problem = p->problem != NULL ? p->problem : "unknown error";
	yaml_mark_t m = p->problem_mark;

	if (p->error == YAML_MEMORY_ERROR) {
		config_ferr(ctx, "out of memory");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		size_t off = p->problem_offset < len ? p->problem_offset : len;

		memset(&m, 0, sizeof(m));
		for (size_t i = 0; i < off; i++) {
			m.column++;
			if (buf[i] == '\n') {
				m.line++;
				m.column = 0;
			}
		}
	}
	if (p->context != NULL)
		config_err(ctx, &m, "syntax error: %s (%s at %zu:%zu)", problem,
		    p->context, p->context_mark.line + 1,
		    p->context_mark.column + 1);
	else
		config_err(ctx, &m, "syntax error: %s", problem);
}

static bool
config_anchor(struct config_ctx *ctx, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL;

	if (ev->type == YAML_SCALAR_EVENT)
		anchor = ev->data.scalar.anchor;
	else if (ev->type == YAML_SEQUENCE_START_EVENT)
		anchor = ev->data.sequence_start.anchor;
	else if (ev->type == YAML_MAPPING_START_EVENT)
		anchor = ev->data.mapping_start.anchor;
	if (anchor == NULL)
		return true;
	config_err(ctx, &ev->start_mark, "anchors are not supported");
	return false;
}

/* The event pass: libyaml's loader would build any depth and resolve
 * aliases into shared nodes, so both are refused here, before loading. */
static bool
config_precheck(struct config_ctx *ctx, const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, docs = 0;
	bool ok = true, done = false;

	if (!yaml_parser_initialize(&p)) {
		config_ferr(ctx, "out of memory");
		return false;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			config_syntax(ctx, &p, buf, len);
			ok = false;
			break;
		}
		ok &= config_anchor(ctx, &ev);
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				config_err(ctx, &ev.start_mark,
				    "more than one YAML document");
				ok = false;
				done = true;
			}
			break;
		case YAML_ALIAS_EVENT:
			config_err(ctx, &ev.start_mark,
			    "aliases are not supported");
			ok = false;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CONFIG_MAX_DEPTH) {
				config_err(ctx, &ev.start_mark,
				    "nesting deeper than %d levels",
				    CONFIG_MAX_DEPTH);
				ok = false;
				done = true;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return ok;
}

/* API */

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->enabled = true;
	cfg->mode = MODE_DISABLED;
	cfg->forwarder = FWD_HAPROXY;
	cfg->hc_interval = 60;
	cfg->hc_timeout = 3;
	snprintf(cfg->intercept_if[0], IFNAMSIZ, "%s", "kni254");
	cfg->nintercept = 1;
	cfg->http_port[0] = 80;
	cfg->nhttp_port = 1;
	cfg->https_port[0] = 443;
	cfg->nhttps_port = 1;
	snprintf(cfg->ca_cert, sizeof(cfg->ca_cert), "%s",
	    "/etc/mgmt-proxy/ca.crt");
	snprintf(cfg->ca_key, sizeof(cfg->ca_key), "%s",
	    "/etc/mgmt-proxy/ca.key");
	snprintf(cfg->ha_key_file, sizeof(cfg->ha_key_file), "%s",
	    "/etc/mgmt-proxy/ha.key");
}

bool
config_parse(const char *fname, const char *buf, size_t len,
    struct config *cfg, struct cfg_errors *err)
{
	struct config_ctx *ctx;
	yaml_parser_t p;
	yaml_node_t *root;

	memset(err, 0, sizeof(*err));
	config_defaults(cfg);
	/* The context holds a whole scratch config; keep it off the stack. */
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		snprintf(err->msg[0], CFG_ERR_LEN, "%s: out of memory", fname);
		err->n = 1;
		return false;
	}
	ctx->fname = fname;
	ctx->err = err;
	config_defaults(&ctx->scratch);
	if (len > CONFIG_MAX_SIZE)
		config_ferr(ctx, "larger than 1 MiB");
	else if (config_precheck(ctx, buf, len)) {
		if (!yaml_parser_initialize(&p))
			config_ferr(ctx, "out of memory");
		else {
			yaml_parser_set_input_string(&p,
			    (const unsigned char *)buf, len);
			if (!yaml_parser_load(&p, &ctx->doc))
				config_syntax(ctx, &p, buf, len);
			else {
				/* An empty file is a valid, all-default one. */
				if ((root = yaml_document_get_root_node(
				    &ctx->doc)) != NULL)
					config_root(ctx, root, cfg);
				yaml_document_delete(&ctx->doc);
			}
			yaml_parser_delete(&p);
		}
	}
	config_sort_errors(ctx);
	free(ctx);
	return err->n == 0;
}

bool
config_load(const char *path, struct config *cfg, struct cfg_errors *err)
{
	size_t len = 0;
	ssize_t r = 0;
	char *buf;
	int fd;
	bool ok;

	memset(err, 0, sizeof(*err));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err->msg[0], CFG_ERR_LEN, "%s: %s", path,
		    strerror(errno));
		err->n = 1;
		return false;
	}
	/* One byte more than allowed tells "too large" from "exactly 1 MiB". */
	if ((buf = malloc(CONFIG_MAX_SIZE + 1)) == NULL) {
		close(fd);
		snprintf(err->msg[0], CFG_ERR_LEN, "%s: out of memory", path);
		err->n = 1;
		return false;
	}
	while (len < CONFIG_MAX_SIZE + 1) {
		r = read(fd, buf + len, CONFIG_MAX_SIZE + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (r == -1) {
		snprintf(err->msg[0], CFG_ERR_LEN, "%s: %s", path,
		    strerror(errno));
		err->n = 1;
		ok = false;
	} else
		ok = config_parse(path, buf, len, cfg, err);
	free(buf);
	close(fd);
	return ok;
}

bool
config_iface_eligible(const struct config *cfg, const char *ifname)
{
	for (size_t i = 0; i < cfg->niface; i++)
		if (strcmp(cfg->iface[i].name, ifname) == 0)
			return cfg->iface[i].dhcp_v4 &&
			    cfg->iface[i].proxy_discovery;
	return false;
}

const char *
config_mode_name(enum mp_mode mode)
{
	switch (mode) {
	case MODE_DISABLED:
		return "disabled";
	case MODE_STATIC:
		return "static";
	case MODE_LEARNED:
		return "learned";
	}
	return "unknown";
}
