/* Configuration, scalars: strings, interface names, paths, booleans,
 * integers, ports, enums and addresses, from a YAML scalar node to a C
 * value, or an error naming the place and the reason. */
#include <inttypes.h>
#include <string.h>
#include <yaml.h>

#include "config_int.h"

#define CONFIG_IFNAME_MAX	(IFNAMSIZ - 1)

/* Characters that change how the text around them is shown without being
 * visible themselves: C0 and C1 controls, DEL, and the Unicode format
 * characters that reorder or hide text (bidirectional embeddings,
 * overrides and isolates, zero-width characters, line separators, tag
 * characters). A name holding one can read as another name in a terminal
 * or a log line. */
static bool
config_scalar_unsafe_cp(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xad ||
	    c == 0x61c || c == 0x180e || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) ||
	    c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) ||
	    (c >= 0xe0000 && c <= 0xe007f);
}

/* Finds the first unsafe code point of a UTF-8 string. libyaml has
 * checked the encoding; a malformed sequence is refused all the same and
 * reported as U+FFFD. */
static bool
config_scalar_unsafe(const unsigned char *s, size_t len, uint32_t *cp)
{
	for (size_t i = 0; i < len;) {
		uint32_t c = s[i];
		size_t n = c < 0x80 ? 0 : c >= 0xf8 ? 4 : c >= 0xf0 ? 3 :
		    c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 4;

		*cp = 0xfffd;
		if (n == 4 || n >= len - i)
			return n != 0;
		c &= 0x7f >> n;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return true;
			c = c << 6 | (s[i + k] & 0x3f);
		}
		*cp = c;
		if (config_scalar_unsafe_cp(c))
			return true;
		i += n + 1;
	}
	return false;
}

bool
config_scalar_str(struct config_ctx *ctx, yaml_node_t *n, char *buf,
    size_t size, const char *what)
{
	const unsigned char *s;
	uint32_t cp;
	size_t len;

	if ((s = (const unsigned char *)config_yaml_want_string(ctx, n,
	    "a string", &len)) == NULL)
		return false;
	if (len == 0) {
		config_yaml_err(ctx, &n->start_mark, "%s must not be empty",
		    what);
		return false;
	}
	if (len >= size) {
		config_yaml_err(ctx, &n->start_mark,
		    "%s too long (max %zu characters)", what, size - 1);
		return false;
	}
	if (config_scalar_unsafe(s, len, &cp)) {
		config_yaml_err(ctx, &n->start_mark,
		    "%s contains a control or format character (U+%04" PRIX32 ")",
		    what, cp);
		return false;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

/* Linux dev_valid_name(): the name ends up in nftables rules and
 * SO_BINDTODEVICE, so only the portable characters are accepted. */
bool
config_scalar_ifname(struct config_ctx *ctx, yaml_node_t *n, char buf[IFNAMSIZ])
{
	static const char allowed[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	char q[CONFIG_QBUF];
	const char *s;
	size_t len;

	if ((s = config_yaml_want_string(ctx, n, "an interface name", &len)) == NULL)
		return false;
	/* A NUL inside the scalar stops strspn() short of len: refused. */
	if (len < 1 || len > CONFIG_IFNAME_MAX || strspn(s, allowed) != len ||
	    config_yaml_eq(n, ".") || config_yaml_eq(n, "..")) {
		config_yaml_err(ctx, &n->start_mark,
		    "invalid interface name \"%s\" "
		    "(1-15 characters of A-Z a-z 0-9 _ . -)",
		    config_yaml_text(n, q, sizeof(q)));
		return false;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

bool
config_scalar_path(struct config_ctx *ctx, yaml_node_t *n,
    char buf[CFG_PATH_MAX])
{
	char q[CONFIG_QBUF];

	if (!config_scalar_str(ctx, n, buf, CFG_PATH_MAX, "path"))
		return false;
	if (buf[0] != '/') {
		config_yaml_err(ctx, &n->start_mark,
		    "path \"%s\" is not absolute",
		    config_yaml_text(n, q, sizeof(q)));
		return false;
	}
	return true;
}

/* Plain true/false only: YAML 1.1's yes/no/on/off are exactly the
 * surprises a router configuration does not need. */
bool
config_scalar_bool(struct config_ctx *ctx, yaml_node_t *n, bool *out)
{
	if (n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (config_yaml_eq(n, "true") || config_yaml_eq(n, "True") ||
		    config_yaml_eq(n, "TRUE")) {
			*out = true;
			return true;
		}
		if (config_yaml_eq(n, "false") || config_yaml_eq(n, "False") ||
		    config_yaml_eq(n, "FALSE")) {
			*out = false;
			return true;
		}
	}
	config_yaml_expected(ctx, n, "a boolean (true or false)");
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
bool
config_scalar_uint(struct config_ctx *ctx, yaml_node_t *n, long lo, long hi,
    const char *what, unsigned *out)
{
	char q[CONFIG_QBUF];
	const unsigned char *s;
	size_t len, i = 0;
	bool neg = false;
	long v = 0;

	if (!config_int_syntax(n)) {
		config_yaml_expected(ctx, n, "an integer");
		return false;
	}
	s = n->data.scalar.value;
	len = n->data.scalar.length;
	if (s[0] == '-' || s[0] == '+')
		neg = s[i++] == '-';
	if (len - i > 1 && s[i] == '0') {
		config_yaml_err(ctx, &n->start_mark,
		    "ambiguous integer \"%s\" (leading zero)",
		    config_yaml_text(n, q, sizeof(q)));
		return false;
	}
	/* Saturate: past hi the value is out of range whatever follows. */
	for (; i < len; i++)
		if (v <= hi)
			v = v * 10 + (s[i] - '0');
	if (neg)
		v = -v;
	if (v < lo || v > hi) {
		config_yaml_err(ctx, &n->start_mark,
		    "%s %s out of range %ld-%ld", what,
		    config_yaml_text(n, q, sizeof(q)), lo, hi);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* A port is an integer 1-65535; addr.h holds the one rule. */
bool
config_scalar_port(struct config_ctx *ctx, yaml_node_t *n, uint16_t *port)
{
	char q[CONFIG_QBUF];
	const char *why;
	const char *s;

	if (!config_int_syntax(n)) {
		config_yaml_expected(ctx, n, "an integer");
		return false;
	}
	s = (const char *)n->data.scalar.value;
	if (s[0] == '-' || s[0] == '+')
		why = "port out of range 1-65535";
	else if (addr_parse_port(s, n->data.scalar.length, port, &why))
		return true;
	config_yaml_err(ctx, &n->start_mark, "invalid port %s: %s",
	    config_yaml_text(n, q, sizeof(q)), why);
	return false;
}

/* Index of the scalar in `names`, or -1 with no error reported. */
int
config_scalar_enum(const yaml_node_t *n, const char *const *names)
{
	if (n->type != YAML_SCALAR_NODE)
		return -1;
	for (int i = 0; names[i] != NULL; i++)
		if (config_yaml_eq(n, names[i]))
			return i;
	return -1;
}

bool
config_scalar_address(struct config_ctx *ctx, yaml_node_t *n, uint32_t *ip)
{
	char q[CONFIG_QBUF];
	const char *s, *why;
	size_t len;

	if ((s = config_yaml_want_string(ctx, n, "an IPv4 address", &len)) == NULL)
		return false;
	if (addr_parse_ipv4(s, len, ip, &why) && addr_usable(*ip, &why))
		return true;
	config_yaml_err(ctx, &n->start_mark, "invalid address \"%s\": %s",
	    config_yaml_text(n, q, sizeof(q)), why);
	return false;
}

bool
config_scalar_endpoint(struct config_ctx *ctx, yaml_node_t *n, const char *what,
    struct cfg_endpoint *ep)
{
	struct proxy_addr a;
	char q[CONFIG_QBUF];
	const char *s, *why;
	size_t len;

	if ((s = config_yaml_want_string(ctx, n, "\"A.B.C.D:PORT\"", &len)) == NULL)
		return false;
	if (!addr_parse_proxy(s, len, &a, &why)) {
		config_yaml_err(ctx, &n->start_mark,
		    "invalid %s address \"%s\": %s", what,
		    config_yaml_text(n, q, sizeof(q)), why);
		return false;
	}
	ep->ip = a.ip;
	ep->port = a.port;
	return true;
}
