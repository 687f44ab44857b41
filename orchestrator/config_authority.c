/* Configuration, the authority tree that mirrors the router's own
 * configuration: authority > router >
 * management-proxy / node > device-interface > network-interface.
 *
 * Every router, node and interface is validated, but only the router and
 * node that are this box (mgmt-proxy.router and .node, read first by
 * config_settings.c, or the only one) land in the struct; the others are
 * parsed into a scratch struct that is thrown away. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config_int.h"

/* In enum order: the index is the enum value. */
static const char *const config_modes[] = {
	"disabled", "static", "learned", NULL
};

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
		yaml_node_t *name = config_yaml_map_get(ctx,
		    config_yaml_node(ctx, *it), "name");

		if (name != NULL && config_yaml_is_string(name)) {
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
		if (config_yaml_same(names[i - 1], names[i]))
			config_yaml_err(ctx, &names[i]->start_mark,
			    "duplicate %s name \"%s\"", what,
			    config_yaml_text(names[i], q, sizeof(q)));
}

static void
config_list_dups(struct config_ctx *ctx, yaml_node_t *list, const char *what)
{
	size_t n = config_collect_names(ctx, list, NULL);
	yaml_node_t **names;

	if (n < 2)
		return;
	if ((names = calloc(n, sizeof(*names))) == NULL) {
		config_yaml_ferr(ctx, "out of memory");
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
		n += config_collect_names(ctx, config_yaml_map_get(ctx,
		    config_yaml_node(ctx, *it), "network-interface"), NULL);
	if (n < 2)
		return;
	if ((names = calloc(n, sizeof(*names))) == NULL) {
		config_yaml_ferr(ctx, "out of memory");
		return;
	}
	n = 0;
	for (yaml_node_item_t *it = devs->data.sequence.items.start;
	    it < devs->data.sequence.items.top; it++)
		n += config_collect_names(ctx, config_yaml_map_get(ctx,
		    config_yaml_node(ctx, *it), "network-interface"),
		    names + n);
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
			yaml_node_t *name = config_yaml_map_get(ctx,
			    config_yaml_node(ctx, items[i]), "name");

			if (name != NULL && config_yaml_is_string(name) &&
			    config_yaml_same(name, want))
				return (long)i;
		}
		config_yaml_err(ctx, &want->start_mark,
		    "%s \"%s\" not found in %s", what,
		    config_yaml_text(want, q, sizeof(q)), where);
		ctx->select_failed = true;
		return -1;
	}
	if (n == 1)
		return 0;
	if (n > 1) {
		config_yaml_err(ctx, &list->start_mark,
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
	if (!config_yaml_map(ctx, n, config_ni_keys, v))
		return false;
	if (config_yaml_require(ctx, n, v, config_ni_keys, NI_NAME))
		ok &= config_scalar_ifname(ctx, v[NI_NAME], out->name);
	else
		ok = false;
	if (v[NI_DHCP] != NULL) {
		if (!config_yaml_is_string(v[NI_DHCP])) {
			config_yaml_expected(ctx, v[NI_DHCP], "a string");
			ok = false;
		} else if ((d = config_scalar_enum(v[NI_DHCP], dhcp)) < 0) {
			config_yaml_err(ctx, &v[NI_DHCP]->start_mark,
			    "unknown dhcp \"%s\" (expected disabled, v4 or v6)",
			    config_yaml_text(v[NI_DHCP], q, sizeof(q)));
			ok = false;
		} else
			out->dhcp_v4 = d == 1;
	}
	if (v[NI_DISCOVERY] != NULL)
		ok &= config_scalar_bool(ctx, v[NI_DISCOVERY],
		    &out->proxy_discovery);
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

	if (!config_yaml_map(ctx, n, config_dev_keys, v))
		return;
	if (config_yaml_require(ctx, n, v, config_dev_keys, DEV_NAME))
		config_scalar_str(ctx, v[DEV_NAME], dev, sizeof(dev),
		    "device-interface name");
	if (v[DEV_NI] == NULL || !config_yaml_seq(ctx, v[DEV_NI], &items, &ni))
		return;
	for (size_t i = 0; i < ni; i++) {
		yaml_node_t *it = config_yaml_node(ctx, items[i]);

		if (++*count == CFG_MAX_IFACE + 1)
			config_yaml_err(ctx, &it->start_mark,
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
	if (!config_yaml_map(ctx, n, config_node_keys, v))
		return;
	if (config_yaml_require(ctx, n, v, config_node_keys, NODE_NAME))
		config_scalar_str(ctx, v[NODE_NAME], dst->node,
		    sizeof(dst->node), "node name");
	if (v[NODE_DEV] == NULL ||
	    !config_yaml_seq(ctx, v[NODE_DEV], &items, &ndev))
		return;
	config_list_dups(ctx, v[NODE_DEV], "device-interface");
	config_iface_dups(ctx, v[NODE_DEV]);
	for (size_t i = 0; i < ndev; i++)
		config_device(ctx, config_yaml_node(ctx, items[i]), dst,
		    &count);
}

static void
config_nodes(struct config_ctx *ctx, yaml_node_t *list, yaml_node_t *rname,
    struct config *dst, bool selected)
{
	char where[CONFIG_QBUF + 16], q[CONFIG_QBUF];
	yaml_node_item_t *items;
	size_t n;
	long sel = -1;

	if (!config_yaml_seq(ctx, list, &items, &n)) {
		if (selected)
			ctx->select_failed = true;
		return;
	}
	config_list_dups(ctx, list, "node");
	if (selected && !ctx->select_failed) {
		snprintf(where, sizeof(where), "router \"%s\"",
		    config_yaml_text(rname, q, sizeof(q)));
		sel = config_select(ctx, list, items, n, ctx->want_node, "node",
		    where);
	}
	for (size_t i = 0; i < n; i++)
		config_node_entry(ctx, config_yaml_node(ctx, items[i]),
		    (long)i == sel ? dst : &ctx->scratch);
}

enum { PX_NAME, PX_ADDRESS, PX_PORT, PX_NKEYS };
static const char *const config_px_keys[] = {
	"name", "address", "port", NULL
};

static bool
config_proxy(struct config_ctx *ctx, yaml_node_t *n, struct cfg_proxy *out)
{
	yaml_node_t *v[PX_NKEYS];
	bool ok = true;

	memset(out, 0, sizeof(*out));
	if (!config_yaml_map(ctx, n, config_px_keys, v))
		return false;
	for (size_t i = 0; i < PX_NKEYS; i++)
		ok &= config_yaml_require(ctx, n, v, config_px_keys, i);
	if (v[PX_NAME] != NULL)
		ok &= config_scalar_str(ctx, v[PX_NAME], out->name,
		    sizeof(out->name), "proxy name");
	if (v[PX_ADDRESS] != NULL)
		ok &= config_scalar_address(ctx, v[PX_ADDRESS], &out->addr.ip);
	if (v[PX_PORT] != NULL)
		ok &= config_scalar_port(ctx, v[PX_PORT], &out->addr.port);
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

	if (!config_yaml_seq(ctx, list, &items, count))
		return;
	config_list_dups(ctx, list, "proxy");
	for (size_t i = 0; i < *count; i++) {
		yaml_node_t *it = config_yaml_node(ctx, items[i]);

		if (i == 1)
			*second = it;
		if (i == CFG_MAX_PROXY)
			config_yaml_err(ctx, &it->start_mark,
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
	if (!config_yaml_map(ctx, n, config_mp_keys, v))
		return;
	if (v[MP_ENABLED] != NULL)
		config_scalar_bool(ctx, v[MP_ENABLED], &dst->enabled);
	if (v[MP_MODE] != NULL) {
		if (!config_yaml_is_string(v[MP_MODE])) {
			config_yaml_expected(ctx, v[MP_MODE], "a string");
			mode_ok = false;
		} else if ((m = config_scalar_enum(v[MP_MODE],
		    config_modes)) < 0) {
			config_yaml_err(ctx, &v[MP_MODE]->start_mark,
			    "unknown mode \"%s\" "
			    "(expected disabled, static or learned)",
			    config_yaml_text(v[MP_MODE], q, sizeof(q)));
			mode_ok = false;
		} else
			dst->mode = (enum mp_mode)m;
	}
	if (v[MP_PROXY] != NULL)
		config_proxies(ctx, v[MP_PROXY], dst, &count, &second);
	/* Static mode takes exactly one proxy entry. */
	if (mode_ok && dst->mode == MODE_STATIC && count == 0)
		config_yaml_err(ctx, v[MP_PROXY] != NULL ?
		    &v[MP_PROXY]->start_mark : &n->start_mark,
		    "static mode requires exactly one proxy, found 0");
	else if (mode_ok && dst->mode == MODE_STATIC && count > 1)
		config_yaml_err(ctx, &second->start_mark,
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

	if (!config_yaml_map(ctx, n, config_rt_keys, v)) {
		if (selected)
			ctx->select_failed = true;
		return;
	}
	if (config_yaml_require(ctx, n, v, config_rt_keys, RT_NAME))
		config_scalar_str(ctx, v[RT_NAME], dst->router,
		    sizeof(dst->router), "router name");
	if (v[RT_MP] != NULL)
		config_mp(ctx, v[RT_MP], dst);
	config_nodes(ctx, v[RT_NODE], v[RT_NAME], dst, selected);
}

void
config_authority_parse(struct config_ctx *ctx, yaml_node_t *n,
    struct config *cfg)
{
	static const char *const keys[] = { "router", NULL };
	char q[CONFIG_QBUF];
	yaml_node_t *v[1];
	yaml_node_item_t *items = NULL;
	size_t nr = 0;
	long sel = -1;

	if (!config_yaml_map(ctx, n, keys, v))
		ctx->select_failed = true;
	else if (v[0] != NULL && !config_yaml_seq(ctx, v[0], &items, &nr))
		ctx->select_failed = true;
	if (!ctx->select_failed) {
		config_list_dups(ctx, v[0], "router");
		sel = config_select(ctx, v[0] != NULL ? v[0] : n, items, nr,
		    ctx->want_router, "router", "authority");
	}
	for (size_t i = 0; i < nr; i++) {
		yaml_node_t *it = config_yaml_node(ctx, items[i]);

		if ((long)i == sel)
			config_router(ctx, it, cfg, true);
		else {
			config_defaults(&ctx->scratch);
			config_router(ctx, it, &ctx->scratch, false);
		}
	}
	/* A node named for a box that has no router cannot be found either. */
	if (sel < 0 && ctx->want_node != NULL && !ctx->select_failed)
		config_yaml_err(ctx, &ctx->want_node->start_mark,
		    "node \"%s\" not found in authority",
		    config_yaml_text(ctx->want_node, q, sizeof(q)));
}
