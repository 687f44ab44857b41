/* What a reload changes (pure): a table that puts every field of struct
 * config in one part, and a comparison along it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config_diff.h"

#define CFG_FIELD(f)	#f, offsetof(struct config, f), \
	sizeof(((struct config *)0)->f), _Alignof(__typeof__(((struct config *)0)->f))
/* A scalar, a string, an endpoint; a list with the field counting it. */
#define F(f, part, kind)	{ CFG_FIELD(f), part, kind, 0, 0 }
#define L(f, part, kind, n)	{ CFG_FIELD(f), part, kind, \
	sizeof(((struct config *)0)->f[0]), offsetof(struct config, n) }

/* Short names for the table below. */
#define P(part)	CONFIG_PART_##part
#define B	CONFIG_DIFF_BYTES
#define S	CONFIG_DIFF_STR
#define E	CONFIG_DIFF_ENDPOINT
#define LS	CONFIG_DIFF_STRS
#define LP	CONFIG_DIFF_PORTS

/* In the order of struct config (the unit test relies on it), a line per
 * part; error positions belong to none (0). */
const struct config_diff_field config_diff_fields[] = {
	F(router, P(SELECTION), S), F(node, P(SELECTION), S),
	F(has_mp, P(SELECTION), B), F(enabled, P(SELECTION), B), F(mode, P(SELECTION), B),
	L(proxy, P(SELECTION), CONFIG_DIFF_PROXIES, nproxy), F(nproxy, P(SELECTION), B),
	L(iface, P(INTERFACES), CONFIG_DIFF_IFACES, niface), F(niface, P(INTERFACES), B),
	F(forwarder, P(FORWARDER), B),
	F(hc_interval, P(HEALTH), B), F(hc_timeout, P(HEALTH), B),
	F(hc_fall, P(FALL_RISE), B), F(hc_rise, P(FALL_RISE), B),
	F(notify, P(NOTIFY), S), F(notify_line, 0, B), F(notify_col, 0, B),
	L(intercept_if, P(INTERCEPT), LS, nintercept), F(nintercept, P(INTERCEPT), B),
	L(http_port, P(INTERCEPT), LP, nhttp_port), F(nhttp_port, P(INTERCEPT), B),
	L(https_port, P(INTERCEPT), LP, nhttps_port), F(nhttps_port, P(INTERCEPT), B),
	F(ca_cert, P(TLS), S), F(ca_key, P(TLS), S), F(tls_inspect, P(TLS), B),
	L(no_inspect, P(TLS), LS, nno_inspect), F(nno_inspect, P(TLS), B),
	L(origin_ca, P(TLS), LS, norigin_ca), F(norigin_ca, P(TLS), B),
	F(auth_file, P(UPSTREAM_AUTH), S), F(auth_line, 0, B), F(auth_col, 0, B),
	F(ha_enabled, P(HA), B), F(ha_listen, P(HA), E), F(ha_peer, P(HA), E),
	F(ha_key_file, P(HA), S),
	F(log_level, P(LOG), B), F(log_access, P(LOG), B), F(log_access_file, P(LOG), S),
	F(read_group, P(CONTROL), S),
	F(metrics_enabled, P(METRICS), B), F(metrics_listen, P(METRICS), E),
};
const size_t config_diff_nfields =
    sizeof(config_diff_fields) / sizeof(config_diff_fields[0]);

static const char *const config_diff_names[CONFIG_PART_COUNT] = {
	"selection", "interfaces", "forwarder", "health-check", "fall-rise",
	"notify", "intercept", "tls", "upstream-auth", "ha", "log", "control",
	"metrics",
};

static bool
config_diff_str(const char *a, const char *b, size_t size)
{
	return strncmp(a, b, size) == 0;
}

static bool
config_diff_endpoint(const struct cfg_endpoint *a, const struct cfg_endpoint *b)
{
	return a->ip == b->ip && a->port == b->port;
}

static bool
config_diff_proxy(const struct cfg_proxy *a, const struct cfg_proxy *b)
{
	return config_diff_str(a->name, b->name, sizeof(a->name)) &&
	    a->addr.ip == b->addr.ip && a->addr.port == b->addr.port;
}

static bool
config_diff_iface(const struct cfg_iface *a, const struct cfg_iface *b)
{
	return config_diff_str(a->name, b->name, sizeof(a->name)) &&
	    config_diff_str(a->device, b->device, sizeof(a->device)) &&
	    a->dhcp_v4 == b->dhcp_v4 && a->proxy_discovery == b->proxy_discovery;
}

/* Entry i of a list field in both configurations. */
static bool
config_diff_entry(const struct config_diff_field *f, const char *a,
    const char *b)
{
	switch (f->kind) {
	case CONFIG_DIFF_STRS:
		return config_diff_str(a, b, f->elem);
	case CONFIG_DIFF_PORTS:
		return memcmp(a, b, sizeof(uint16_t)) == 0;
	case CONFIG_DIFF_PROXIES:
		return config_diff_proxy((const struct cfg_proxy *)(const void *)a,
		    (const struct cfg_proxy *)(const void *)b);
	case CONFIG_DIFF_IFACES:
		return config_diff_iface((const struct cfg_iface *)(const void *)a,
		    (const struct cfg_iface *)(const void *)b);
	default:
		return false;
	}
}

/* The entries both lists hold; a different count is the count field's. */
static bool
config_diff_list(const struct config_diff_field *f, const char *a,
    const char *b, size_t na, size_t nb)
{
	size_t n = na < nb ? na : nb;

	if (n > f->size / f->elem)
		n = f->size / f->elem;
	for (size_t i = 0; i < n; i++)
		if (!config_diff_entry(f, a + i * f->elem, b + i * f->elem))
			return false;
	return true;
}

static bool
config_diff_same(const struct config_diff_field *f, const struct config *old,
    const struct config *new_cfg)
{
	const char *a = (const char *)old + f->offset;
	const char *b = (const char *)new_cfg + f->offset;
	size_t na, nb;

	switch (f->kind) {
	case CONFIG_DIFF_BYTES:
		return memcmp(a, b, f->size) == 0;
	case CONFIG_DIFF_STR:
		return config_diff_str(a, b, f->size);
	case CONFIG_DIFF_ENDPOINT:
		return config_diff_endpoint((const struct cfg_endpoint *)(const void *)a,
		    (const struct cfg_endpoint *)(const void *)b);
	default:
		memcpy(&na, (const char *)old + f->count, sizeof(na));
		memcpy(&nb, (const char *)new_cfg + f->count, sizeof(nb));
		return config_diff_list(f, a, b, na, nb);
	}
}

unsigned
config_diff(const struct config *old, const struct config *new_cfg)
{
	unsigned parts = 0;

	for (size_t i = 0; i < config_diff_nfields; i++)
		if (config_diff_fields[i].part != 0 &&
		    !config_diff_same(&config_diff_fields[i], old, new_cfg))
			parts |= config_diff_fields[i].part;
	return parts;
}

const char *
config_diff_part_name(unsigned part)
{
	for (unsigned i = 0; i < CONFIG_PART_COUNT; i++)
		if (part == 1u << i)
			return config_diff_names[i];
	return NULL;
}

char *
config_diff_format(unsigned parts, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	if (len > 0)
		buf[0] = '\0';
	for (unsigned i = 0; i < CONFIG_PART_COUNT && used < len; i++) {
		if ((parts & (1u << i)) == 0)
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "",
		    config_diff_names[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
