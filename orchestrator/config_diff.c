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

/* In the order of struct config (the unit test relies on it). */
const struct config_diff_field config_diff_fields[] = {
	F(router, CONFIG_PART_SELECTION, CONFIG_DIFF_STR),
	F(node, CONFIG_PART_SELECTION, CONFIG_DIFF_STR),
	F(has_mp, CONFIG_PART_SELECTION, CONFIG_DIFF_BYTES),
	F(enabled, CONFIG_PART_SELECTION, CONFIG_DIFF_BYTES),
	F(mode, CONFIG_PART_SELECTION, CONFIG_DIFF_BYTES),
	L(proxy, CONFIG_PART_SELECTION, CONFIG_DIFF_PROXIES, nproxy),
	F(nproxy, CONFIG_PART_SELECTION, CONFIG_DIFF_BYTES),
	L(iface, CONFIG_PART_INTERFACES, CONFIG_DIFF_IFACES, niface),
	F(niface, CONFIG_PART_INTERFACES, CONFIG_DIFF_BYTES),
	F(forwarder, CONFIG_PART_FORWARDER, CONFIG_DIFF_BYTES),
	F(hc_interval, CONFIG_PART_HEALTH, CONFIG_DIFF_BYTES),
	F(hc_timeout, CONFIG_PART_HEALTH, CONFIG_DIFF_BYTES),
	F(hc_fall, CONFIG_PART_FALL_RISE, CONFIG_DIFF_BYTES),
	F(hc_rise, CONFIG_PART_FALL_RISE, CONFIG_DIFF_BYTES),
	F(notify, CONFIG_PART_NOTIFY, CONFIG_DIFF_STR),
	F(notify_line, 0, CONFIG_DIFF_BYTES),
	F(notify_col, 0, CONFIG_DIFF_BYTES),
	L(intercept_if, CONFIG_PART_INTERCEPT, CONFIG_DIFF_STRS, nintercept),
	F(nintercept, CONFIG_PART_INTERCEPT, CONFIG_DIFF_BYTES),
	L(http_port, CONFIG_PART_INTERCEPT, CONFIG_DIFF_PORTS, nhttp_port),
	F(nhttp_port, CONFIG_PART_INTERCEPT, CONFIG_DIFF_BYTES),
	L(https_port, CONFIG_PART_INTERCEPT, CONFIG_DIFF_PORTS, nhttps_port),
	F(nhttps_port, CONFIG_PART_INTERCEPT, CONFIG_DIFF_BYTES),
	F(ca_cert, CONFIG_PART_TLS, CONFIG_DIFF_STR),
	F(ca_key, CONFIG_PART_TLS, CONFIG_DIFF_STR),
	F(tls_inspect, CONFIG_PART_TLS, CONFIG_DIFF_BYTES),
	L(no_inspect, CONFIG_PART_TLS, CONFIG_DIFF_STRS, nno_inspect),
	F(nno_inspect, CONFIG_PART_TLS, CONFIG_DIFF_BYTES),
	L(origin_ca, CONFIG_PART_TLS, CONFIG_DIFF_STRS, norigin_ca),
	F(norigin_ca, CONFIG_PART_TLS, CONFIG_DIFF_BYTES),
	F(auth_file, CONFIG_PART_UPSTREAM_AUTH, CONFIG_DIFF_STR),
	F(auth_line, 0, CONFIG_DIFF_BYTES),
	F(auth_col, 0, CONFIG_DIFF_BYTES),
	F(ha_enabled, CONFIG_PART_HA, CONFIG_DIFF_BYTES),
	F(ha_listen, CONFIG_PART_HA, CONFIG_DIFF_ENDPOINT),
	F(ha_peer, CONFIG_PART_HA, CONFIG_DIFF_ENDPOINT),
	F(ha_key_file, CONFIG_PART_HA, CONFIG_DIFF_STR),
	F(log_level, CONFIG_PART_LOG, CONFIG_DIFF_BYTES),
	F(log_access, CONFIG_PART_LOG, CONFIG_DIFF_BYTES),
	F(log_access_file, CONFIG_PART_LOG, CONFIG_DIFF_STR),
	F(read_group, CONFIG_PART_CONTROL, CONFIG_DIFF_STR),
	F(metrics_enabled, CONFIG_PART_METRICS, CONFIG_DIFF_BYTES),
	F(metrics_listen, CONFIG_PART_METRICS, CONFIG_DIFF_ENDPOINT),
};
const size_t config_diff_nfields = sizeof(config_diff_fields) / sizeof(config_diff_fields[0]);

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
