/* {{NAME}} substitution with typed, validated values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "render.h"

void
render_init(struct render_vars *rv)
{
	memset(rv, 0, sizeof(*rv));
}

static void
render_put(struct render_vars *rv, const char *name, const char *value)
{
	if (rv->n == RENDER_MAX_VARS || strlen(name) >= RENDER_NAME_MAX ||
	    strlen(value) >= RENDER_VALUE_MAX) {
		rv->overflow = true;
		return;
	}
	snprintf(rv->v[rv->n].name, RENDER_NAME_MAX, "%s", name);
	snprintf(rv->v[rv->n].value, RENDER_VALUE_MAX, "%s", value);
	rv->v[rv->n].used = false;
	rv->n++;
}

void
render_set_uint(struct render_vars *rv, const char *name, unsigned long value)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lu", value);
	render_put(rv, name, buf);
}

void
render_set_ip(struct render_vars *rv, const char *name, uint32_t ip)
{
	char buf[ADDR_IPLEN];

	addr_format_ip(ip, buf);
	render_put(rv, name, buf);
}

/* Appends ", item" (or the first item) to a list value; a list that does
 * not fit is refused whole, never cut short. */
static void
render_list_add(struct render_vars *rv, char *buf, size_t *len, const char *item)
{
	int n = snprintf(buf + *len, RENDER_VALUE_MAX - *len, "%s%s",
	    *len ? ", " : "", item);

	if (n < 0 || (size_t)n >= RENDER_VALUE_MAX - *len)
		rv->overflow = true;
	else
		*len += (size_t)n;
}

void
render_set_ports(struct render_vars *rv, const char *name, const uint16_t *p, size_t n)
{
	char buf[RENDER_VALUE_MAX] = "", item[8];
	size_t len = 0;

	if (n == 0)
		rv->overflow = true;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0)
			rv->overflow = true;
		snprintf(item, sizeof(item), "%u", p[i]);
		render_list_add(rv, buf, &len, item);
	}
	if (!rv->overflow)
		render_put(rv, name, buf);
}

static bool
render_charset(const char *s, const char *extra)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return false;
	return true;
}

void
render_set_ifnames(struct render_vars *rv, const char *name,
    const char (*ifs)[16], size_t n)
{
	char buf[RENDER_VALUE_MAX] = "", item[20];
	size_t len = 0;

	if (n == 0)
		rv->overflow = true;
	for (size_t i = 0; i < n; i++) {
		size_t l = strnlen(ifs[i], 16);

		if (l == 0 || l > 15 || !render_charset(ifs[i], "_.-")) {
			rv->overflow = true;
			return;
		}
		snprintf(item, sizeof(item), "\"%s\"", ifs[i]);
		render_list_add(rv, buf, &len, item);
	}
	if (!rv->overflow)
		render_put(rv, name, buf);
}

/* A fixed keyword chosen by the caller (letters, digits, underscore). */
void
render_set_word(struct render_vars *rv, const char *name, const char *word)
{
	if (word[0] == '\0' || !render_charset(word, "_")) {
		rv->overflow = true;
		return;
	}
	render_put(rv, name, word);
}

void
render_set_path(struct render_vars *rv, const char *name, const char *path)
{
	if (path[0] != '/' || !render_charset(path, "_./-") || strstr(path, "..")) {
		rv->overflow = true;
		return;
	}
	render_put(rv, name, path);
}

char *
render_template(const char *tmpl, struct render_vars *rv, const char **why)
{
	size_t cap = strlen(tmpl) + 1, len = 0;
	const char *p = tmpl;
	char *out;

	if (rv->overflow) {
		*why = "a value was refused by its validator";
		return NULL;
	}
	for (size_t i = 0; i < rv->n; i++)
		cap += 8 * strlen(rv->v[i].value);	/* ample: few uses each */
	if ((out = malloc(cap)) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	while (*p != '\0') {
		const char *open = strstr(p, "{{"), *close;
		size_t i, nlen;

		if (open == NULL) {
			size_t l = strlen(p);

			memcpy(out + len, p, l);
			len += l;
			break;
		}
		memcpy(out + len, p, (size_t)(open - p));
		len += (size_t)(open - p);
		if ((close = strstr(open + 2, "}}")) == NULL) {
			*why = "unterminated placeholder";
			goto fail;
		}
		nlen = (size_t)(close - open - 2);
		for (i = 0; i < rv->n; i++)
			if (strlen(rv->v[i].name) == nlen &&
			    memcmp(rv->v[i].name, open + 2, nlen) == 0)
				break;
		if (i == rv->n) {
			*why = "placeholder without a value";
			goto fail;
		}
		if (len + strlen(rv->v[i].value) + strlen(close + 2) + 1 > cap) {
			*why = "rendered text too large";
			goto fail;
		}
		memcpy(out + len, rv->v[i].value, strlen(rv->v[i].value));
		len += strlen(rv->v[i].value);
		rv->v[i].used = true;
		p = close + 2;
	}
	out[len] = '\0';
	for (size_t i = 0; i < rv->n; i++)
		if (!rv->v[i].used) {
			*why = "value given for a placeholder the template lacks";
			goto fail;
		}
	return out;
fail:
	free(out);
	return NULL;
}
