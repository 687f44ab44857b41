/* Prometheus text rendering (see metrics_render.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_render.h"
#include "proxy_fsm.h"

struct metrics_buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void __attribute__((format(printf, 2, 3)))
metrics_put(struct metrics_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *q = realloc(b->p, b->cap * 2 + (size_t)n);

		if (q == NULL) {
			b->failed = true;
			return;
		}
		b->p = q;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

static void
metrics_family(struct metrics_buf *b, const char *name, const char *type,
    const char *help)
{
	metrics_put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the exposition format wants it. */
static void
metrics_escape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in != '\0' && o + 3 < len; in++) {
		if (*in == '\\' || *in == '"') {
			out[o++] = '\\';
			out[o++] = *in;
		} else if (*in == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else
			out[o++] = *in;
	}
	out[o] = '\0';
}

/* One series without labels; shown says whether it is in the document. */
struct metrics_plain {
	const char *name, *type, *help;
	unsigned long long v;
	bool shown;
};

static void
metrics_plain(struct metrics_buf *b, const struct metrics_plain *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].shown) {
			metrics_family(b, m[i].name, m[i].type, m[i].help);
			metrics_put(b, "%s %llu\n", m[i].name, m[i].v);
		}
}

char *
metrics_render(const struct metrics_snapshot *s, size_t *len)
{
	static const enum mp_mode modes[] = { MODE_DISABLED, MODE_STATIC, MODE_LEARNED };
	struct metrics_buf b = { malloc(4096), 0, 4096, false };
	char v[3][256];

	if (b.p == NULL)
		return NULL;
	metrics_family(&b, "mgmt_proxy_info", "gauge",
	    "Version of mgmt-proxyd and the router and node it serves.");
	metrics_escape(s->version, v[0], sizeof(v[0]));
	metrics_escape(s->router, v[1], sizeof(v[1]));
	metrics_escape(s->node, v[2], sizeof(v[2]));
	metrics_put(&b, "mgmt_proxy_info{version=\"%s\",router=\"%s\",node=\"%s\"} 1\n",
	    v[0], v[1], v[2]);
	metrics_family(&b, "mgmt_proxy_mode", "gauge",
	    "Mode in effect: 1 for the current one, 0 for the others.");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		metrics_put(&b, "mgmt_proxy_mode{mode=\"%s\"} %d\n",
		    config_mode_name(modes[i]), strcmp(config_mode_name(modes[i]), s->mode) == 0);
	metrics_family(&b, "mgmt_proxy_state", "gauge",
	    "State of the active proxy: 1 for the current one, 0 for the others.");
	for (int i = PFSM_DISABLED; i <= PFSM_UNREACHABLE; i++)
		metrics_put(&b, "mgmt_proxy_state{state=\"%s\"} %d\n",
		    proxy_fsm_state_name(i), strcmp(proxy_fsm_state_name(i), s->state) == 0);
	metrics_family(&b, "mgmt_proxy_active_info", "gauge",
	    "The proxy in effect (one series while one is, none otherwise).");
	if (s->active != NULL) {
		metrics_escape(s->active, v[0], sizeof(v[0]));
		metrics_put(&b, "mgmt_proxy_active_info{proxy=\"%s\"} 1\n", v[0]);
	}
	metrics_plain(&b, &(struct metrics_plain){ "mgmt_proxy_active", "gauge",
	    "1 while a proxy is in effect.", s->active != NULL, true }, 1);
	metrics_family(&b, "mgmt_proxy_candidates", "gauge",
	    "Proxy candidates from every source, by validity.");
	metrics_put(&b, "mgmt_proxy_candidates{validity=\"valid\"} %zu\n", s->cand_valid);
	metrics_put(&b, "mgmt_proxy_candidates{validity=\"invalid\"} %zu\n", s->cand_invalid);
	metrics_plain(&b, &(struct metrics_plain){ "mgmt_proxy_alarm_active", "gauge",
	    "1 while the management proxy unreachable alarm is raised.", s->alarm, true }, 1);
	if (s->probe_known) {
		metrics_family(&b, "mgmt_proxy_probe_latency_seconds", "gauge",
		    "TCP connect time of the last successful health check.");
		metrics_put(&b, "mgmt_proxy_probe_latency_seconds %lld.%03lld\n",
		    (long long)(s->probe_latency_ms / 1000),
		    (long long)(s->probe_latency_ms % 1000));
	}
	const struct metrics_plain plain[] = {
	{ "mgmt_proxy_state_change_timestamp_seconds", "gauge",
	  "When the state last changed (Unix time).",
	  (unsigned long long)s->state_since, true },
	{ "mgmt_proxy_dhcp_acks_total", "counter",
	  "DHCP ACKs and NAKs seen on the learning interfaces.", s->dhcp_acks, true },
	{ "mgmt_proxy_dhcp_refused_total", "counter",
	  "DHCP replies refused (not for this client, wrong server, bad options).",
	  s->dhcp_refused, true },
	{ "mgmt_proxy_peer_up", "gauge", "1 while the HA peer is heard.",
	  s->peer_up, s->ha_enabled },
	{ "mgmt_proxy_tunnels_opened_total", "counter",
	  "CONNECT tunnels the proxy opened for HTTPS.", s->tunnels_opened, true },
	{ "mgmt_proxy_tunnels_refused_total", "counter",
	  "CONNECT tunnels refused by the proxy or failed.", s->tunnels_refused, true },
	{ "mgmt_proxy_certificates", "gauge",
	  "Minted certificates kept (HTTPS inspection).", s->certificates, true },
	{ "mgmt_proxy_certificates_max", "gauge",
	  "Bound of minted certificates kept; beyond it the least recently used goes.",
	  s->certificates_max, true },
	{ "mgmt_proxy_certificates_minted_total", "counter",
	  "Certificates minted since start-up (new names and renewals).",
	  s->certificates_minted, true },
	{ "mgmt_proxy_haproxy_up", "gauge",
	  "1 while HAProxy runs and answers its runtime API.", s->haproxy_running,
	  s->haproxy },
	{ "mgmt_proxy_haproxy_reloads_total", "counter",
	  "Hitless HAProxy reloads completed.", s->haproxy_reloads, s->haproxy },
	{ "mgmt_proxy_haproxy_proxy_changes_total", "counter",
	  "Changes of the active proxy made in HAProxy at run time (no reload).",
	  s->haproxy_proxy_changes, s->haproxy },
	{ "mgmt_proxy_haproxy_starts_total", "counter",
	  "HAProxy masters started (first start and restarts).", s->haproxy_starts,
	  s->haproxy },
	{ "mgmt_proxy_haproxy_current_connections", "gauge",
	  "Connections HAProxy holds now.", s->haproxy_cur_conns,
	  s->haproxy && s->haproxy_figures },
	{ "mgmt_proxy_haproxy_worker_connections", "gauge",
	  "Connections accepted by the current HAProxy worker.", s->haproxy_cum_conns,
	  s->haproxy && s->haproxy_figures },
	};

	metrics_plain(&b, plain, sizeof(plain) / sizeof(plain[0]));
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
