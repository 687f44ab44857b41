/* Private to the configuration parser (config*.c); no other module
 * includes this header, they use config.h.
 *
 * config.c           the API and the top-level walk
 * config_yaml.c      libyaml plumbing: "FILE:LINE:COL: reason" errors,
 *                    node helpers, the event pre-pass
 * config_scalar.c    scalar nodes to C values (strings, names, paths,
 *                    booleans, integers, ports, enums, addresses)
 * config_authority.c authority > router > management-proxy / node /
 *                    device-interface / network-interface
 * config_settings.c  mgmt-proxy: the settings of this implementation */
#ifndef CONFIG_INT_H
#define CONFIG_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "config.h"

#define CONFIG_QBUF		52	/* user text quoted in a message */

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

/* config_yaml.c: errors */
void config_yaml_err(struct config_ctx *, const yaml_mark_t *,
    const char *, ...) __attribute__((format(printf, 3, 4)));
void config_yaml_ferr(struct config_ctx *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void config_yaml_sort_errors(struct config_ctx *);

/* config_yaml.c: syntax */
void config_yaml_syntax(struct config_ctx *, const yaml_parser_t *,
    const char *, size_t);
bool config_yaml_precheck(struct config_ctx *, const char *, size_t);

/* config_yaml.c: nodes */
yaml_node_t *config_yaml_node(struct config_ctx *, int);
const char *config_yaml_text(const yaml_node_t *, char *, size_t);
bool config_yaml_eq(const yaml_node_t *, const char *);
bool config_yaml_same(const yaml_node_t *, const yaml_node_t *);
bool config_yaml_is_null(const yaml_node_t *);
bool config_yaml_is_string(const yaml_node_t *);
void config_yaml_expected(struct config_ctx *, const yaml_node_t *,
    const char *);
const char *config_yaml_want_string(struct config_ctx *,
    const yaml_node_t *, const char *, size_t *);
bool config_yaml_map(struct config_ctx *, yaml_node_t *,
    const char *const *, yaml_node_t **);
bool config_yaml_require(struct config_ctx *, const yaml_node_t *,
    yaml_node_t *const *, const char *const *, size_t);
yaml_node_t *config_yaml_map_get(struct config_ctx *, yaml_node_t *,
    const char *);
bool config_yaml_seq(struct config_ctx *, yaml_node_t *,
    yaml_node_item_t **, size_t *);
typedef void config_yaml_item_fn(struct config_ctx *, yaml_node_t *, void *);
void config_yaml_each(struct config_ctx *, yaml_node_t *list, size_t max,
    const char *what, config_yaml_item_fn *, void *);

/* config_scalar.c */
bool config_scalar_str(struct config_ctx *, yaml_node_t *, char *, size_t,
    const char *);
bool config_scalar_ifname(struct config_ctx *, yaml_node_t *,
    char [IFNAMSIZ]);
bool config_scalar_path(struct config_ctx *, yaml_node_t *,
    char [CFG_PATH_MAX]);
bool config_scalar_bool(struct config_ctx *, yaml_node_t *, bool *);
bool config_scalar_uint(struct config_ctx *, yaml_node_t *, long, long,
    const char *, unsigned *);
bool config_scalar_port(struct config_ctx *, yaml_node_t *, uint16_t *);
int config_scalar_enum(const yaml_node_t *, const char *const *);
bool config_scalar_address(struct config_ctx *, yaml_node_t *, uint32_t *);
bool config_scalar_endpoint(struct config_ctx *, yaml_node_t *, const char *,
    struct cfg_endpoint *);

/* config_authority.c */
void config_authority_parse(struct config_ctx *, yaml_node_t *,
    struct config *);

/* config_settings.c */
void config_settings_parse(struct config_ctx *, yaml_node_t *,
    struct config *);
#endif
