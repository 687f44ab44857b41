/* Configuration, the "mgmt-proxy:" mapping: which router and node of the
 * authority tree this box is, and the settings of this implementation
 * (forwarder, health-check, intercept, tls, ha). */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "config_int.h"
#include "ports.h"
#include "hostname.h"

static const char *const config_forwarders[] = { "haproxy", "none", NULL };

static void
config_health(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = {
		"interval", "timeout", "fall", "rise", NULL
	};
	yaml_node_t *v[4];
	bool ok = true;

	if (!config_yaml_map(ctx, n, keys, v))
		return;
	if (v[0] != NULL)
		ok &= config_scalar_uint(ctx, v[0], 1, 86400, "interval",
		    &cfg->hc_interval);
	if (v[1] != NULL)
		ok &= config_scalar_uint(ctx, v[1], 1, 60, "timeout",
		    &cfg->hc_timeout);
	if (v[2] != NULL)
		config_scalar_uint(ctx, v[2], 1, 10, "fall", &cfg->hc_fall);
	if (v[3] != NULL)
		config_scalar_uint(ctx, v[3], 1, 10, "rise", &cfg->hc_rise);
	/* A probe must end before the next is due (the daemon counts one
	 * still open at that moment as failed). */
	if (ok && cfg->hc_timeout > cfg->hc_interval)
		config_yaml_err(ctx,
		    v[1] != NULL ? &v[1]->start_mark : &n->start_mark,
		    "timeout %u must not exceed interval %u", cfg->hc_timeout,
		    cfg->hc_interval);
}

/* The ports HAProxy itself listens on: traffic steered there would be
 * handed to a listener of the other kind, or loop. */
static bool
config_listen_port(uint16_t p)
{
	static const uint16_t own[] = HAPROXY_LISTEN_PORTS;

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (own[i] == p)
			return true;
	return false;
}

static void
config_ports(struct config_ctx *ctx, yaml_node_t *list, uint16_t *ports,
    size_t *np, const uint16_t *other, size_t nother)
{
	yaml_node_item_t *items;
	size_t n;
	uint16_t p;

	if (!config_yaml_seq(ctx, list, &items, &n))
		return;
	*np = 0;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = config_yaml_node(ctx, items[i]);
		bool dup = false;

		if (i == CFG_MAX_PORTS)
			config_yaml_err(ctx, &it->start_mark,
			    "too many ports (max %d)", CFG_MAX_PORTS);
		if (!config_scalar_port(ctx, it, &p))
			continue;
		for (size_t j = 0; j < *np; j++)
			dup |= ports[j] == p;
		for (size_t j = 0; j < nother; j++)
			dup |= other[j] == p;
		if (dup)
			config_yaml_err(ctx, &it->start_mark,
			    "duplicate port %u", p);
		else if (config_listen_port(p))
			config_yaml_err(ctx, &it->start_mark,
			    "port %u is a listener port of the forwarder", p);
		else if (*np < CFG_MAX_PORTS)
			ports[(*np)++] = p;
	}
}

/* Append `s` to a list of `max` strings of `size` bytes each (`*n` in
 * use), or report it as a duplicate "duplicate WHAT". */
static void
config_add_unique(struct config_ctx *ctx, const yaml_node_t *it, const char *s,
    char *list, size_t size, size_t *n, size_t max, const char *what)
{
	for (size_t j = 0; j < *n; j++)
		if (strcmp(list + j * size, s) == 0) {
			config_yaml_err(ctx, &it->start_mark,
			    "duplicate %s \"%s\"", what, s);
			return;
		}
	if (*n < max)
		snprintf(list + (*n)++ * size, size, "%s", s);
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

	if (!config_yaml_map(ctx, n, keys, v))
		return;
	if (v[0] != NULL && config_yaml_seq(ctx, v[0], &items, &ni)) {
		cfg->nintercept = 0;
		for (size_t i = 0; i < ni; i++) {
			yaml_node_t *it = config_yaml_node(ctx, items[i]);

			if (i == CFG_MAX_INTERCEPT)
				config_yaml_err(ctx, &it->start_mark,
				    "too many interfaces (max %d)",
				    CFG_MAX_INTERCEPT);
			if (config_scalar_ifname(ctx, it, ifn))
				config_add_unique(ctx, it, ifn, cfg->intercept_if[0],
				    IFNAMSIZ, &cfg->nintercept, CFG_MAX_INTERCEPT,
				    "interface");
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
				config_yaml_err(ctx, &v[1]->start_mark,
				    "duplicate port %u", cfg->http_port[i]);
}

/* An item of tls.no-inspect: a host name or a "*.suffix" entry, stored
 * lower-case (TLS names compare without case). */
static void
config_no_inspect(struct config_ctx *ctx, yaml_node_t *it, void *arg)
{
	struct config *cfg = arg;
	char name[CFG_NAME_BUF], q[CONFIG_QBUF];
	const char *host;

	if (!config_scalar_str(ctx, it, name, sizeof(name), "name"))
		return;
	for (char *c = name; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	host = strncmp(name, "*.", 2) == 0 ? name + 2 : name;
	if (!hostname_valid(host, strlen(host)) ||
	    (host != name && hostname_is_ipv4(host, strlen(host)))) {
		config_yaml_err(ctx, &it->start_mark,
		    "\"%s\" is not a host name or \"*.\" and a domain",
		    config_yaml_text(it, q, sizeof(q)));
		return;
	}
	config_add_unique(ctx, it, name, cfg->no_inspect[0], CFG_NAME_BUF,
	    &cfg->nno_inspect, CFG_MAX_NO_INSPECT, "no-inspect name");
}

/* An item of tls.origin-ca; one past the limit is still checked. */
static void
config_origin_ca(struct config_ctx *ctx, yaml_node_t *it, void *arg)
{
	struct config *cfg = arg;
	char spare[CFG_PATH_MAX];

	if (cfg->norigin_ca == CFG_MAX_ORIGIN_CA)
		config_scalar_path(ctx, it, spare);
	else if (config_scalar_path(ctx, it, cfg->origin_ca[cfg->norigin_ca]))
		cfg->norigin_ca++;
}

static void
config_tls(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = {
		"ca-cert", "ca-key", "inspect", "no-inspect", "origin-ca", NULL
	};
	yaml_node_t *v[5];

	if (!config_yaml_map(ctx, n, keys, v))
		return;
	if (v[0] != NULL)
		config_scalar_path(ctx, v[0], cfg->ca_cert);
	if (v[1] != NULL)
		config_scalar_path(ctx, v[1], cfg->ca_key);
	if (v[2] != NULL)
		config_scalar_bool(ctx, v[2], &cfg->tls_inspect);
	if (v[3] != NULL) {
		cfg->nno_inspect = 0;
		config_yaml_each(ctx, v[3], CFG_MAX_NO_INSPECT, "no-inspect names",
		    config_no_inspect, cfg);
	}
	if (v[4] != NULL) {
		cfg->norigin_ca = 0;
		config_yaml_each(ctx, v[4], CFG_MAX_ORIGIN_CA, "origin-ca files",
		    config_origin_ca, cfg);
	}
}

/* upstream: {auth: {type: basic, credentials-file: FILE}} */
static void
config_upstream(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = { "auth", NULL };
	static const char *const auth_keys[] = { "type", "credentials-file", NULL };
	static const char *const types[] = { "basic", NULL };
	yaml_node_t *v[1], *a[2];
	bool ok = true;

	if (!config_yaml_map(ctx, n, keys, v) || v[0] == NULL)
		return;
	if (!config_yaml_map(ctx, v[0], auth_keys, a))
		return;
	for (size_t i = 0; i < 2; i++)
		ok &= config_yaml_require(ctx, v[0], a, auth_keys, i);
	if (!ok)
		return;
	if (config_scalar_enum(a[0], types) < 0) {
		config_yaml_err(ctx, &a[0]->start_mark,
		    "auth type must be basic");
		return;
	}
	if (config_scalar_path(ctx, a[1], cfg->auth_file)) {
		cfg->auth_line = a[1]->start_mark.line + 1;
		cfg->auth_col = a[1]->start_mark.column + 1;
	}
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
	if (!config_yaml_map(ctx, n, keys, v))
		return;
	for (size_t i = 0; i < 2; i++)
		ok &= config_yaml_require(ctx, n, v, keys, i);
	if (v[0] != NULL)
		ok &= config_scalar_endpoint(ctx, v[0], "listen",
		    &cfg->ha_listen);
	if (v[1] != NULL)
		ok &= config_scalar_endpoint(ctx, v[1], "peer", &cfg->ha_peer);
	if (ok && cfg->ha_listen.ip == cfg->ha_peer.ip &&
	    cfg->ha_listen.port == cfg->ha_peer.port)
		config_yaml_err(ctx, &v[1]->start_mark,
		    "peer address must differ from listen address");
	if (v[2] != NULL)
		config_scalar_path(ctx, v[2], cfg->ha_key_file);
}

/* What the haproxy forwarder cannot run is refused now, at check time,
 * rather than found by a HAProxy or nftables that refuse the rendering at
 * every health check: each intercept list must hold something (an empty
 * one cannot be rendered, and would intercept nothing). The defaults are
 * not empty, so an error points at a list the file gives. */
static void
config_forwarder_check(struct config_ctx *ctx, yaml_node_t *intercept,
    const struct config *cfg)
{
	static const char *const keys[] = {
		"interfaces", "http-ports", "https-ports"
	};
	const size_t n[] = { cfg->nintercept, cfg->nhttp_port, cfg->nhttps_port };
	yaml_node_t *list;

	if (cfg->forwarder != FWD_HAPROXY)
		return;
	for (size_t i = 0; i < 3; i++) {
		/* Only a list written empty: one whose items were all refused
		 * has its errors already. */
		if (n[i] > 0 || (list = config_yaml_map_get(ctx, intercept,
		    keys[i])) == NULL || (!config_yaml_is_null(list) &&
		    (list->type != YAML_SEQUENCE_NODE ||
		    list->data.sequence.items.top !=
		    list->data.sequence.items.start)))
			continue;
		config_yaml_err(ctx, &list->start_mark,
		    "intercept.%s must not be empty with forwarder haproxy",
		    keys[i]);
	}
}

/* log: {level: error|warning|notice|info|debug, access: main|off|PATH} */
static void
config_log(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = { "level", "access", NULL };
	static const char *const access[] = { "main", "off", NULL };
	yaml_node_t *v[2];
	char q[CONFIG_QBUF];
	int i;

	if (!config_yaml_map(ctx, n, keys, v))
		return;
	if (v[0] != NULL) {
		if (!config_yaml_is_string(v[0]))
			config_yaml_expected(ctx, v[0], "a string");
		else if ((i = log_level_parse(config_yaml_text(v[0], q,
		    sizeof(q)))) < 0)
			config_yaml_err(ctx, &v[0]->start_mark,
			    "unknown log level \"%s\" (expected " LOG_LEVELS ")",
			    q);
		else
			cfg->log_level = i;
	}
	if (v[1] == NULL)
		return;
	if (config_yaml_is_string(v[1]) &&
	    (i = config_scalar_enum(v[1], access)) >= 0)
		cfg->log_access = i == 0 ? LOG_ACCESS_MAIN : LOG_ACCESS_OFF;
	else if (config_scalar_path(ctx, v[1], cfg->log_access_file))
		cfg->log_access = LOG_ACCESS_FILE;
}

/* control: {read-group: NAME} */
static void
config_control(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = { "read-group", NULL };
	yaml_node_t *v[1];
	char name[CTL_GROUP_MAX + 1];

	if (!config_yaml_map(ctx, n, keys, v) || v[0] == NULL ||
	    !config_scalar_str(ctx, v[0], name, sizeof(name), "group name"))
		return;
	if (!ctl_verbs_group_name_ok(name))
		config_yaml_err(ctx, &v[0]->start_mark, "\"%s\" is not a group "
		    "name ([a-z_][a-z0-9_-]*, at most %d characters)", name,
		    CTL_GROUP_MAX - 1);
	else
		memcpy(cfg->read_group, name, sizeof(cfg->read_group));
}

/* metrics: {listen: "A.B.C.D:PORT"}. The address must be one of the box's
 * own (the bind fails otherwise); 0.0.0.0 is refused with every other
 * invalid proxy address: the endpoint would answer on the WAN too. */
static void
config_metrics(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	static const char *const keys[] = { "listen", NULL };
	yaml_node_t *v[1];

	if (!config_yaml_map(ctx, n, keys, v) || !config_yaml_require(ctx, n, v, keys, 0))
		return;
	cfg->metrics_enabled = config_scalar_endpoint(ctx, v[0], "metrics listen",
	    &cfg->metrics_listen);
}

enum { ST_ROUTER, ST_NODE, ST_FWD, ST_HC, ST_INTERCEPT, ST_TLS, ST_HA,
    ST_LOG, ST_UPSTREAM, ST_CONTROL, ST_NOTIFY, ST_METRICS, ST_NKEYS };
static const char *const config_st_keys[] = {
	"router", "node", "forwarder", "health-check", "intercept", "tls",
	"ha", "log", "upstream", "control", "notify", "metrics", NULL
};

/* mgmt-proxy.router / .node: which router and node of the tree is this
 * box. A bad name was reported; "not found" on top of it is noise. */
static void
config_settings_name(struct config_ctx *ctx, yaml_node_t *n, char *buf,
    size_t size, const char *what, yaml_node_t **want)
{
	if (n == NULL)
		return;
	if (config_scalar_str(ctx, n, buf, size, what))
		*want = n;
	else
		ctx->select_failed = true;
}

static void
config_forwarder(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	char q[CONFIG_QBUF];
	int f;

	if (!config_yaml_is_string(n))
		config_yaml_expected(ctx, n, "a string");
	else if ((f = config_scalar_enum(n, config_forwarders)) < 0)
		config_yaml_err(ctx, &n->start_mark, "unknown forwarder \"%s\" "
		    "(expected haproxy or none)", config_yaml_text(n, q, sizeof(q)));
	else
		cfg->forwarder = (enum mp_forwarder)f;
}

static void
config_notify(struct config_ctx *ctx, yaml_node_t *n, struct config *cfg)
{
	if (config_scalar_path(ctx, n, cfg->notify)) {
		cfg->notify_line = n->start_mark.line + 1;
		cfg->notify_col = n->start_mark.column + 1;
	}
}

/* The sections after router and node, by key. */
static void (*const config_sections[ST_NKEYS])(struct config_ctx *,
    yaml_node_t *, struct config *) = {
	[ST_FWD] = config_forwarder, [ST_HC] = config_health,
	[ST_INTERCEPT] = config_intercept, [ST_TLS] = config_tls,
	[ST_HA] = config_ha, [ST_LOG] = config_log,
	[ST_UPSTREAM] = config_upstream, [ST_CONTROL] = config_control,
	[ST_NOTIFY] = config_notify, [ST_METRICS] = config_metrics,
};

void
config_settings_parse(struct config_ctx *ctx, yaml_node_t *n,
    struct config *cfg)
{
	yaml_node_t *v[ST_NKEYS];

	if (!config_yaml_map(ctx, n, config_st_keys, v))
		return;
	config_settings_name(ctx, v[ST_ROUTER], cfg->router, sizeof(cfg->router),
	    "router name", &ctx->want_router);
	config_settings_name(ctx, v[ST_NODE], cfg->node, sizeof(cfg->node),
	    "node name", &ctx->want_node);
	for (size_t i = ST_FWD; i < ST_NKEYS; i++) {
		if (v[i] != NULL)
			config_sections[i](ctx, v[i], cfg);
		/* Once forwarder and intercept are known; in this place so
		 * that the error cap keeps the same first errors. */
		if (i == ST_HA)
			config_forwarder_check(ctx, v[ST_INTERCEPT], cfg);
	}
}
