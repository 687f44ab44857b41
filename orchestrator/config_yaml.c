/* Configuration, libyaml plumbing: the "FILE:LINE:COL: reason" errors,
 * the node helpers the schema walk is written with, and the event pre-pass
 * that refuses what would make the document tree hard to reason about. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config_int.h"

#define CONFIG_MAX_DEPTH	32

/* Errors */

static void config_verr(struct config_ctx *, size_t, size_t, const char *,
    va_list) __attribute__((format(printf, 4, 0)));

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
void
config_yaml_err(struct config_ctx *ctx, const yaml_mark_t *m, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verr(ctx, m->line + 1, m->column + 1, fmt, ap);
	va_end(ap);
}

void
config_yaml_ferr(struct config_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verr(ctx, 0, 0, fmt, ap);
	va_end(ap);
}

/* The walk reports in schema order; users read files top to bottom. The
 * sort is stable so that errors at one place keep their order. */
void
config_yaml_sort_errors(struct config_ctx *ctx)
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

yaml_node_t *
config_yaml_node(struct config_ctx *ctx, int i)
{
	return yaml_document_get_node(&ctx->doc, i);
}

/* A bounded, printable-ASCII copy of a scalar for messages, so that a
 * hostile file cannot put control characters into a terminal or log. */
const char *
config_yaml_text(const yaml_node_t *n, char *buf, size_t size)
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

bool
config_yaml_eq(const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);

	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	    memcmp(n->data.scalar.value, s, len) == 0;
}

bool
config_yaml_same(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->data.scalar.length == b->data.scalar.length &&
	    memcmp(a->data.scalar.value, b->data.scalar.value,
	    a->data.scalar.length) == 0;
}

/* YAML 1.2 core schema nulls; an absent value is an empty plain scalar. */
bool
config_yaml_is_null(const yaml_node_t *n)
{
	if (n == NULL)
		return true;
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return n->data.scalar.length == 0 || config_yaml_eq(n, "~") ||
	    config_yaml_eq(n, "null") || config_yaml_eq(n, "Null") ||
	    config_yaml_eq(n, "NULL");
}

bool
config_yaml_is_string(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && !config_yaml_is_null(n);
}

/* Describes what was found instead of what was expected. */
void
config_yaml_expected(struct config_ctx *ctx, const yaml_node_t *n,
    const char *want)
{
	char q[CONFIG_QBUF];

	if (n->type == YAML_MAPPING_NODE)
		config_yaml_err(ctx, &n->start_mark,
		    "expected %s, got a mapping", want);
	else if (n->type == YAML_SEQUENCE_NODE)
		config_yaml_err(ctx, &n->start_mark, "expected %s, got a list",
		    want);
	else if (config_yaml_is_null(n))
		config_yaml_err(ctx, &n->start_mark, "expected %s, got null",
		    want);
	else
		config_yaml_err(ctx, &n->start_mark,
		    "expected %s, got \"%s\"", want,
		    config_yaml_text(n, q, sizeof(q)));
}

/* The text of a string node and its length; else the error "expected
 * WANT, got ..." and NULL. */
const char *
config_yaml_want_string(struct config_ctx *ctx, const yaml_node_t *n,
    const char *want, size_t *len)
{
	if (!config_yaml_is_string(n)) {
		config_yaml_expected(ctx, n, want);
		return NULL;
	}
	*len = n->data.scalar.length;
	return (const char *)n->data.scalar.value;
}

/* Stores in vals[i] the value of keys[i] (NULL-terminated), NULL when
 * absent. Unknown and repeated keys are errors. A null node reads as an empty
 * mapping, since "management-proxy:" alone means "present, all defaults".
 * Returns false when `map` is not a mapping at all. */
bool
config_yaml_map(struct config_ctx *ctx, yaml_node_t *map,
    const char *const *keys, yaml_node_t **vals)
{
	char q[CONFIG_QBUF];
	size_t nkeys, i;

	for (nkeys = 0; keys[nkeys] != NULL; nkeys++)
		vals[nkeys] = NULL;
	if (config_yaml_is_null(map))
		return true;
	if (map->type != YAML_MAPPING_NODE) {
		config_yaml_expected(ctx, map, "a mapping");
		return false;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = config_yaml_node(ctx, p->key);
		yaml_node_t *v = config_yaml_node(ctx, p->value);

		if (k == NULL || v == NULL)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			config_yaml_expected(ctx, k, "a string key");
			continue;
		}
		for (i = 0; i < nkeys && !config_yaml_eq(k, keys[i]); i++)
			;
		if (i == nkeys)
			config_yaml_err(ctx, &k->start_mark,
			    "unknown key \"%s\"",
			    config_yaml_text(k, q, sizeof(q)));
		else if (vals[i] != NULL)
			config_yaml_err(ctx, &k->start_mark,
			    "duplicate key \"%s\"", keys[i]);
		else
			vals[i] = v;
	}
	return true;
}

/* A required key is reported at its parent mapping, the nearest place. */
bool
config_yaml_require(struct config_ctx *ctx, const yaml_node_t *map,
    yaml_node_t *const *vals, const char *const *keys, size_t i)
{
	if (vals[i] != NULL)
		return true;
	config_yaml_err(ctx, &map->start_mark, "missing key \"%s\"", keys[i]);
	return false;
}

/* The value of `key` in `map`, for look-ahead before the full walk. */
yaml_node_t *
config_yaml_map_get(struct config_ctx *ctx, yaml_node_t *map, const char *key)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = config_yaml_node(ctx, p->key);

		if (k != NULL && config_yaml_eq(k, key))
			return config_yaml_node(ctx, p->value);
	}
	return NULL;
}

/* A list's items; null reads as an empty list. */
bool
config_yaml_seq(struct config_ctx *ctx, yaml_node_t *n,
    yaml_node_item_t **items, size_t *count)
{
	*items = NULL;
	*count = 0;
	if (config_yaml_is_null(n))
		return true;
	if (n->type != YAML_SEQUENCE_NODE) {
		config_yaml_expected(ctx, n, "a list");
		return false;
	}
	*items = n->data.sequence.items.start;
	*count = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	return true;
}

/* Calls item() for each item of a list (null: none). The first item over
 * max is an error, and it and the rest are still checked: one pass names
 * every mistake. */
void
config_yaml_each(struct config_ctx *ctx, yaml_node_t *list, size_t max,
    const char *what, config_yaml_item_fn *item, void *arg)
{
	yaml_node_item_t *items;
	size_t n;

	if (!config_yaml_seq(ctx, list, &items, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = config_yaml_node(ctx, items[i]);

		if (i == max)
			config_yaml_err(ctx, &it->start_mark,
			    "too many %s (max %zu)", what, max);
		item(ctx, it, arg);
	}
}

/* YAML syntax */

/* Reader errors (bad UTF-8, control characters) carry a byte offset, not a
 * mark; the column is counted in bytes there. */
void
config_yaml_syntax(struct config_ctx *ctx, const yaml_parser_t *p,
    const char *buf, size_t len)
{
	const char *problem = p->problem != NULL ? p->problem : "unknown error";
	yaml_mark_t m = p->problem_mark;

	if (p->error == YAML_MEMORY_ERROR) {
		config_yaml_ferr(ctx, "out of memory");
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
		config_yaml_err(ctx, &m, "syntax error: %s (%s at %zu:%zu)",
		    problem, p->context, p->context_mark.line + 1,
		    p->context_mark.column + 1);
	else
		config_yaml_err(ctx, &m, "syntax error: %s", problem);
}

/* Anchors and explicit tags are refused. A tag would change what a value
 * is without changing how it reads: the loaded tree gives `!!str 3128` the
 * very tag of a plain 3128, so only this pass can tell them apart, and a
 * port, a boolean or an integer must be written plainly. */
static bool
config_props(struct config_ctx *ctx, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;

	if (ev->type == YAML_SCALAR_EVENT) {
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
	} else if (ev->type == YAML_SEQUENCE_START_EVENT) {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	} else if (ev->type == YAML_MAPPING_START_EVENT) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	}
	if (anchor != NULL)
		config_yaml_err(ctx, &ev->start_mark, "anchors are not supported");
	if (tag != NULL)
		config_yaml_err(ctx, &ev->start_mark, "tags are not supported");
	return anchor == NULL && tag == NULL;
}

/* The event pass: libyaml's loader would build any depth and resolve
 * aliases into shared nodes, so both are refused here, before loading. */
bool
config_yaml_precheck(struct config_ctx *ctx, const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, docs = 0;
	bool ok = true, done = false;

	if (!yaml_parser_initialize(&p)) {
		config_yaml_ferr(ctx, "out of memory");
		return false;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			config_yaml_syntax(ctx, &p, buf, len);
			ok = false;
			break;
		}
		ok &= config_props(ctx, &ev);
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				config_yaml_err(ctx, &ev.start_mark,
				    "more than one YAML document");
				ok = false;
				done = true;
			}
			break;
		case YAML_ALIAS_EVENT:
			config_yaml_err(ctx, &ev.start_mark,
			    "aliases are not supported");
			ok = false;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > CONFIG_MAX_DEPTH) {
				config_yaml_err(ctx, &ev.start_mark,
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
