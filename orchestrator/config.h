/* Configuration: the YAML file (docs/configuration.md), parsed with libyaml into a
 * plain struct. Parsing is pure (buffer in, struct + errors out) so unit
 * tests and the fuzzer drive it directly; config_file_load() (config_file.h)
 * adds the file read.
 * Every error is collected in one pass as "FILE:LINE:COL: reason"
 * (LINE and COL 1-based, from libyaml's marks). */
#ifndef CONFIG_H
#define CONFIG_H
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "ctl_verbs.h"
#include "log_level.h"

#define CFG_NAME_MAX	64	/* names of routers, nodes, proxies, interfaces */
#define CFG_PATH_MAX	256
#define CFG_MAX_PROXY	8	/* entries parsed; static mode requires exactly 1 */
#define CFG_MAX_IFACE	32	/* network-interfaces of this node */
#define CFG_MAX_INTERCEPT 8
#define CFG_MAX_PORTS	8
#define CFG_MAX_NO_INSPECT 64	/* tls.no-inspect entries */
#define CFG_MAX_ORIGIN_CA 8	/* tls.origin-ca files */
#define CFG_NAME_BUF	254	/* a host name (253) or "*." + 251 */
#define CFG_MAX_ERRORS	64
#define CFG_ERR_LEN	384
#define CONFIG_MAX_SIZE	(1024 * 1024)	/* of the file */

enum mp_mode { MODE_DISABLED, MODE_STATIC, MODE_LEARNED };
enum mp_forwarder { FWD_HAPROXY, FWD_NONE };

struct cfg_proxy {
	char name[CFG_NAME_MAX];
	struct proxy_addr addr;		/* validated with addr.h rules */
};

/* A network-interface of this node (authority > router > node >
 * device-interface > network-interface). */
struct cfg_iface {
	char name[IFNAMSIZ];
	char device[CFG_NAME_MAX];	/* its device-interface */
	bool dhcp_v4;			/* dhcp: v4 */
	bool proxy_discovery;		/* enable-proxy-discovery, default true */
};

struct cfg_endpoint {
	uint32_t ip;			/* host order */
	uint16_t port;
};

struct config {
	/* authority > router[name == router] > management-proxy */
	char router[CFG_NAME_MAX];
	char node[CFG_NAME_MAX];
	bool has_mp;			/* management-proxy element present */
	bool enabled;			/* default true */
	enum mp_mode mode;		/* default MODE_DISABLED */
	struct cfg_proxy proxy[CFG_MAX_PROXY];
	size_t nproxy;

	struct cfg_iface iface[CFG_MAX_IFACE];	/* of this node only */
	size_t niface;

	/* mgmt-proxy: settings of this implementation */
	enum mp_forwarder forwarder;	/* default FWD_HAPROXY */
	unsigned hc_interval;		/* seconds, default 60, 1..86400 */
	unsigned hc_timeout;		/* seconds, default 3, 1..60, < interval */
	unsigned hc_fall, hc_rise;	/* probes in a row, default 1, 1..10 */
	/* notify: a script run on alarm and proxy changes; "" when absent.
	 * The position of the value, for the errors of the file check. */
	char notify[CFG_PATH_MAX];
	size_t notify_line, notify_col;
	char intercept_if[CFG_MAX_INTERCEPT][IFNAMSIZ];	/* default {"kni254"} */
	size_t nintercept;
	uint16_t http_port[CFG_MAX_PORTS];	/* default {80} */
	size_t nhttp_port;
	uint16_t https_port[CFG_MAX_PORTS];	/* default {443} */
	size_t nhttps_port;
	char ca_cert[CFG_PATH_MAX];	/* default /etc/mgmt-proxy/ca.crt */
	char ca_key[CFG_PATH_MAX];	/* default /etc/mgmt-proxy/ca.key */
	bool tls_inspect;		/* default true */
	/* Lower-case host names, or "*.suffix" entries. */
	char no_inspect[CFG_MAX_NO_INSPECT][CFG_NAME_BUF];
	size_t nno_inspect;
	char origin_ca[CFG_MAX_ORIGIN_CA][CFG_PATH_MAX];
	size_t norigin_ca;
	/* upstream.auth (type basic): "" when absent. The position of the
	 * credentials-file value, for the errors of the file check. */
	char auth_file[CFG_PATH_MAX];
	size_t auth_line, auth_col;
	bool ha_enabled;		/* mgmt-proxy.ha present */
	struct cfg_endpoint ha_listen;
	struct cfg_endpoint ha_peer;
	char ha_key_file[CFG_PATH_MAX];	/* default /etc/mgmt-proxy/ha.key */
	int log_level;			/* enum log_level; -1: default (info) */
	enum log_access log_access;	/* default LOG_ACCESS_MAIN */
	char log_access_file[CFG_PATH_MAX];	/* with LOG_ACCESS_FILE */
	/* control.read-group: its members may use the read-only verbs;
	 * default "mgmt-proxy" (root only while no such group exists). */
	char read_group[CTL_GROUP_MAX];
	/* metrics.listen: the Prometheus endpoint, off when absent. */
	bool metrics_enabled;
	struct cfg_endpoint metrics_listen;
};

struct cfg_errors {
	char msg[CFG_MAX_ERRORS][CFG_ERR_LEN];
	size_t n;
	size_t dropped;			/* errors beyond CFG_MAX_ERRORS */
};

/* Fill *cfg with every default (mode disabled, forwarder haproxy, ...). */
void config_defaults(struct config *cfg);
/* Parse `len` bytes named `fname` (used in error messages). Returns true
 * when err->n == 0; on false *cfg must not be used. */
bool config_parse(const char *fname, const char *buf, size_t len,
    struct config *cfg, struct cfg_errors *err);
/* The interface is eligible for proxy discovery (dhcp v4 and discovery on). */
bool config_iface_eligible(const struct config *cfg, const char *ifname);
const char *config_mode_name(enum mp_mode);
#endif
