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

static void
metrics_gauge(struct metrics_buf *b, const char *name, const char *help,
    unsigned long long v)
{
	metrics_family(b, name, "gauge", help);
	metrics_put(b, "%s %llu\n", name, v);
}

static void
metrics_counter(struct metrics_buf *b, const char *name, const char *help,
    unsigned long long v)
{
	metrics_family(b, name, "counter", help);
	metrics_put(b, "%s %llu\n", name, v);
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
	metrics_gauge(&b, "mgmt_proxy_active", "1 while a proxy is in effect.",
	    s->active != NULL);
	metrics_family(&b, "mgmt_proxy_candidates", "gauge",
	    "Proxy candidates from every source, by validity.");
	metrics_put(&b, "mgmt_proxy_candidates{validity=\"valid\"} %zu\n", s->cand_valid);
	metrics_put(&b, "mgmt_proxy_candidates{validity=\"invalid\"} %zu\n", s->cand_invalid);
	metrics_gauge(&b, "mgmt_proxy_alarm_active",
	    "1 while the management proxy unreachable alarm is raised.", s->alarm);
	if (s->probe_known) {
		metrics_family(&b, "mgmt_proxy_probe_latency_seconds", "gauge",
		    "TCP connect time of the last successful health check.");
		metrics_put(&b, "mgmt_proxy_probe_latency_seconds %lld.%03lld\n",
		    (long long)(s->probe_latency_ms / 1000),
		    (long long)(s->probe_latency_ms % 1000));
	}
	metrics_gauge(&b, "mgmt_proxy_state_change_timestamp_seconds",
	    "When the state last changed (Unix time).", (unsigned long long)s->state_since);
	metrics_counter(&b, "mgmt_proxy_dhcp_acks_total",
	    "DHCP ACKs and NAKs seen on the learning interfaces.", s->dhcp_acks);
	metrics_counter(&b, "mgmt_proxy_dhcp_refused_total",
	    "DHCP replies refused (not for this client, wrong server, bad options).",
	    s->dhcp_refused);
	if (s->ha_enabled)
		metrics_gauge(&b, "mgmt_proxy_peer_up", "1 while the HA peer is heard.",
		    s->peer_up);
	metrics_counter(&b, "mgmt_proxy_tunnels_opened_total",
	    "CONNECT tunnels the proxy opened for HTTPS.", s->tunnels_opened);
	metrics_counter(&b, "mgmt_proxy_tunnels_refused_total",
	    "CONNECT tunnels refused by the proxy or failed.", s->tunnels_refused);
	metrics_gauge(&b, "mgmt_proxy_certificates",
	    "Minted certificates kept (HTTPS inspection).", s->certificates);
	metrics_gauge(&b, "mgmt_proxy_certificates_max",
	    "Bound of minted certificates kept; beyond it the least recently used goes.",
	    s->certificates_max);
	metrics_counter(&b, "mgmt_proxy_certificates_minted_total",
	    "Certificates minted since start-up (new names and renewals).",
	    s->certificates_minted);
	if (s->haproxy) {
		metrics_gauge(&b, "mgmt_proxy_haproxy_up",
		    "1 while HAProxy runs and answers its runtime API.", s->haproxy_running);
		metrics_counter(&b, "mgmt_proxy_haproxy_reloads_total",
		    "Hitless HAProxy reloads completed.", s->haproxy_reloads);
		metrics_counter(&b, "mgmt_proxy_haproxy_starts_total",
		    "HAProxy masters started (first start and restarts).", s->haproxy_starts);
		if (s->haproxy_figures) {
			metrics_gauge(&b, "mgmt_proxy_haproxy_current_connections",
			    "Connections HAProxy holds now.", s->haproxy_cur_conns);
			metrics_gauge(&b, "mgmt_proxy_haproxy_worker_connections",
			    "Connections accepted by the current HAProxy worker.",
			    s->haproxy_cum_conns);
		}
	}
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
