/* Configuration: the YAML file (docs/configuration.md) parsed with
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
 * are parsed into a scratch struct that is thrown away.
 *
 * This file holds the API and the top-level walk. The event pass, the node
 * helpers and the error list are in config_yaml.c, the scalar parsers in
 * config_scalar.c, the two halves of the schema in config_authority.c and
 * config_settings.c; config_int.h is what they share. Nothing here touches
 * a file: config_file.c reads the file and checks the files it names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config_int.h"

/* The top-level walk */

static void
config_root(struct config_ctx *ctx, yaml_node_t *root, struct config *cfg)
{
	static const char *const keys[] = { "authority", "mgmt-proxy", NULL };
	yaml_node_t *v[2];

	if (!config_yaml_map(ctx, root, keys, v))
		return;
	/* mgmt-proxy says which router and node of the tree this box is. */
	config_settings_parse(ctx, v[1], cfg);
	config_authority_parse(ctx, v[0], cfg);
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
	cfg->hc_fall = 1;
	cfg->hc_rise = 1;
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
	cfg->log_level = -1;
	cfg->tls_inspect = true;
	snprintf(cfg->read_group, sizeof(cfg->read_group), "%s",
	    CTL_GROUP_DEFAULT);
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
		config_yaml_ferr(ctx, "larger than 1 MiB");
	else if (config_yaml_precheck(ctx, buf, len)) {
		if (!yaml_parser_initialize(&p))
			config_yaml_ferr(ctx, "out of memory");
		else {
			yaml_parser_set_input_string(&p,
			    (const unsigned char *)buf, len);
			if (!yaml_parser_load(&p, &ctx->doc))
				config_yaml_syntax(ctx, &p, buf, len);
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
	config_yaml_sort_errors(ctx);
	free(ctx);
	return err->n == 0;
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
