/* Rendering the owned tables: typed values into the compiled-in templates. */
#include <stdlib.h>
#include <string.h>

#include "firewall_rules.h"
#include "ports.h"
#include "render.h"
#include "templates.h"

/* The named template rendered with rv; NULL with *why on error. */
static char *
firewall_rules_render(const char *name, struct render_vars *rv, const char **why)
{
	const char *tmpl = templates_get(name);

	if (tmpl == NULL) {
		*why = "template not compiled in";
		return NULL;
	}
	return render_template(tmpl, rv, why);
}

char *
firewall_rules_intercept(const struct config *cfg, const struct proxy_addr *proxy,
    const char **why)
{
	struct render_vars rv;

	render_init(&rv);
	render_set_uint(&rv, "FWMARK", FIREWALL_FWMARK);
	render_set_ifnames(&rv, "INTERCEPT_IFACES", cfg->intercept_if, cfg->nintercept);
	render_set_ip(&rv, "PROXY_IP", proxy->ip);
	render_set_ports(&rv, "HTTP_PORTS", cfg->http_port, cfg->nhttp_port);
	render_set_ports(&rv, "HTTPS_PORTS", cfg->https_port, cfg->nhttps_port);
	render_set_uint(&rv, "HTTP_LISTEN_PORT", HAPROXY_HTTP_PORT);
	render_set_uint(&rv, "HTTPS_LISTEN_PORT", HAPROXY_HTTPS_PORT);
	return firewall_rules_render("nftables.nft.tmpl", &rv, why);
}

size_t
firewall_rules_dhcp_count(const struct config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->niface; i++)
		if (config_iface_eligible(cfg, cfg->iface[i].name))
			n++;
	return n;
}

/* Appends the forward drop for interface i to *text (realloc'd). */
static int
firewall_rules_forward(char **text, const char (*ifname)[16], const uint8_t m[6],
    const char **why)
{
	struct render_vars rv;
	uint64_t mac = 0;
	char *rule, *p;
	size_t a, b;

	for (int k = 0; k < 6; k++)
		mac = mac << 8 | m[k];
	render_init(&rv);
	render_set_ifnames(&rv, "IFACE", ifname, 1);
	render_set_uint(&rv, "MAC", (unsigned long)mac);
	if ((rule = firewall_rules_render("nftables-dhcp-forward.nft.tmpl", &rv, why)) == NULL)
		return -1;
	a = strlen(*text);
	b = strlen(rule);
	if ((p = realloc(*text, a + b + 1)) == NULL) {
		free(rule);
		*why = "out of memory";
		return -1;
	}
	memcpy(p + a, rule, b + 1);
	free(rule);
	*text = p;
	return 0;
}

char *
firewall_rules_dhcp(const struct config *cfg, const struct firewall_hw hw[],
    const char **why)
{
	char ifs[CFG_MAX_IFACE][16];
	struct render_vars rv;
	size_t n = 0;
	char *text;

	/* Names passed the config loader's ifname check; render checks again. */
	for (size_t i = 0; i < cfg->niface; i++)
		if (config_iface_eligible(cfg, cfg->iface[i].name))
			memcpy(ifs[n++], cfg->iface[i].name, sizeof(ifs[0]));
	render_init(&rv);
	render_set_ifnames(&rv, "SNOOP_IFACES", (const char (*)[16])ifs, n);
	if ((text = firewall_rules_render("nftables-dhcp.nft.tmpl", &rv, why)) == NULL)
		return NULL;
	for (size_t i = 0; hw != NULL && i < cfg->niface; i++) {
		if (!config_iface_eligible(cfg, cfg->iface[i].name) || !hw[i].known)
			continue;
		if (firewall_rules_forward(&text, &cfg->iface[i].name, hw[i].addr, why) == -1) {
			free(text);
			return NULL;
		}
	}
	return text;
}
