/* The TPROXY table and its policy routing. */
#include <stdlib.h>

#include "haproxy.h"
#include "log.h"
#include "nft.h"
#include "render.h"
#include "route.h"
#include "templates.h"
#include "tproxy.h"

char *
tproxy_render(const struct config *cfg, const struct proxy_addr *proxy,
    const char **why)
{
	const char *tmpl = templates_get("nftables.nft.tmpl");
	struct render_vars rv;

	if (tmpl == NULL) {
		*why = "no nftables.nft.tmpl compiled in";
		return NULL;
	}
	render_init(&rv);
	render_set_uint(&rv, "FWMARK", ROUTE_FWMARK);
	render_set_ifnames(&rv, "INTERCEPT_IFACES", cfg->intercept_if, cfg->nintercept);
	render_set_ip(&rv, "PROXY_IP", proxy->ip);
	render_set_ports(&rv, "HTTP_PORTS", cfg->http_port, cfg->nhttp_port);
	render_set_ports(&rv, "HTTPS_PORTS", cfg->https_port, cfg->nhttps_port);
	render_set_uint(&rv, "HTTP_LISTEN_PORT", HAPROXY_HTTP_PORT);
	render_set_uint(&rv, "HTTPS_LISTEN_PORT", HAPROXY_HTTPS_PORT);
	return render_template(tmpl, &rv, why);
}

int
tproxy_apply(const struct config *cfg, const struct proxy_addr *proxy)
{
	const char *why = "";
	char *rules = tproxy_render(cfg, proxy, &why), err[512];
	int rc;

	if (rules == NULL) {
		log_err("interception rules not rendered: %s", why);
		return -1;
	}
	rc = nft_apply(rules, err, sizeof(err));
	free(rules);
	if (rc == -1) {
		log_err("interception rules refused by nftables: %s", err);
		return -1;
	}
	if (route_tproxy_add() == -1) {
		log_err("policy routing for TPROXY failed: removing interception");
		tproxy_remove();
		return -1;
	}
	return 0;
}

void
tproxy_remove(void)
{
	nft_delete_table(TPROXY_FAMILY, TPROXY_TABLE);
	route_tproxy_del();
}
