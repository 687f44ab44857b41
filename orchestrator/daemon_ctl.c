/* The daemon's answers on the control socket, and the metrics figures. */
#include "cert.h"
#include "control.h"
#include "ctl_test.h"
#include "ctl_verbs.h"
#include "daemon_int.h"
#include "event.h"
#include "forward.h"
#include "metrics.h"
#include "status_views.h"
#include "tunnel.h"

static struct status_view
daemon_ctl_view(void)
{
	struct status_view v = {
		.version = d.opts.version,
		.cfg = &d.cfg, .mode = select_effective_mode(&d.cfg, &d.onb),
		.fsm = &d.fsm, .cands = &d.cands, .dhcp = d.dhcp, .ndhcp = d.ndhcp,
		.alarm = &d.alarm, .forwarding = forward_active(),
		.forwarding_error = forward_error(),
		.forwarder_state = forward_state(),
		.last_probe = d.last_probe, .last_probe_error = d.last_probe_error,
		.tunnels = tunnel_stats(),
	};
	return v;
}

/* The figures of the metrics endpoint, read when a scraper asks. */
void
daemon_ctl_metrics(struct metrics_snapshot *m)
{
	static char active[ADDR_STRLEN];
	const struct haproxy_counters *hc = haproxy_counters();
	int64_t when;
	const struct haproxy_stats *hs = haproxy_stats_last(&when);
	const struct tunnel_stats *ts = tunnel_stats();
	struct peer_status ps;

	m->version = d.opts.version ? d.opts.version : "";
	m->router = d.cfg.router;
	m->node = d.cfg.node;
	m->mode = config_mode_name(select_effective_mode(&d.cfg, &d.onb));
	m->state = proxy_fsm_state_name(d.fsm.state);
	if (d.fsm.in_effect) {
		addr_format(&d.fsm.effect, active);
		m->active = active;
	}
	for (size_t i = 0; i < d.cands.n; i++)
		if (d.cands.c[i].valid)
			m->cand_valid++;
		else
			m->cand_invalid++;
	m->alarm = d.alarm.active;
	m->probe_known = d.probe_known;
	m->probe_latency_ms = d.probe_latency_ms;
	m->state_since = d.fsm.since;
	m->dhcp_acks = d.dhcp_acks;
	m->dhcp_refused = d.dhcp_refused;
	m->ha_enabled = d.cfg.ha_enabled;
	peer_status(&ps);
	m->peer_up = ps.reported && ps.info.up;
	m->tunnels_opened = ts->opened;
	m->tunnels_refused = ts->refused;
	m->certificates = cert_names()->n;
	m->certificates_max = CERT_MAX;
	m->certificates_minted = cert_minted();
	m->haproxy = d.cfg.forwarder == FWD_HAPROXY;
	m->haproxy_running = hs->valid;
	m->haproxy_reloads = hc->reloads;
	m->haproxy_proxy_changes = hc->proxy_switches;
	m->haproxy_starts = hc->starts;
	m->haproxy_figures = hs->valid;
	m->haproxy_cur_conns = hs->cur_conns;
	m->haproxy_cum_conns = hs->cum_conns;
}

/* The answers, one per verb. Answered from what the modules hold:
 * HAProxy's figures are read periodically (haproxy_stats.c), never while
 * a client waits. */
static json_t *
daemon_ctl_proxy(const struct status_view *v)
{
	return control_ok(status_proxy(v));
}

static json_t *
daemon_ctl_dhcp(const struct status_view *v)
{
	return control_ok(daemon_dhcp_show(v));
}

static json_t *
daemon_ctl_alarms(const struct status_view *v)
{
	return control_ok(status_alarms(v));
}

static json_t *
daemon_ctl_forwarder(const struct status_view *v)
{
	struct status_forwarder f = {
		.state = forward_state(), .now = event_now(),
		.counters = d.cfg.forwarder == FWD_HAPROXY ? haproxy_counters() : NULL,
	};

	f.stats = haproxy_stats_last(&f.stats_when);
	return control_ok(status_views_forwarder(v, &f));
}

static json_t *
daemon_ctl_certificates(const struct status_view *v)
{
	return control_ok(status_views_certificates(v, cert_names(), CERT_MAX));
}

static json_t *
daemon_ctl_ha(const struct status_view *v)
{
	struct peer_status ps;

	peer_status(&ps);
	return control_ok(status_views_ha(v, &ps));
}

static json_t *
daemon_ctl_reload(const struct status_view *v)
{
	return daemon_reload();
}

static json_t *
daemon_ctl_ca_export(const struct status_view *v)
{
	return forward_ca_export();
}

/* What `test URL` needs to know. */
static json_t *
daemon_ctl_test(const struct status_view *v)
{
	char a[ADDR_STRLEN], t[ADDR_STRLEN];

	if (d.fsm.in_effect)
		addr_format(&d.fsm.effect, a);
	if (d.fsm.has_target)
		addr_format(&d.fsm.target, t);
	return control_ok(ctl_test_info(&d.cfg, d.fsm.in_effect ? a : NULL,
	    d.fsm.has_target ? t : NULL, proxy_fsm_state_name(d.fsm.state)));
}

static json_t *(*const daemon_ctl_answers[CTL_VERB_COUNT])(const struct status_view *) = {
	[CTL_SHOW_PROXY] = daemon_ctl_proxy,
	[CTL_SHOW_DHCP] = daemon_ctl_dhcp,
	[CTL_SHOW_ALARMS] = daemon_ctl_alarms,
	[CTL_SHOW_FORWARDER] = daemon_ctl_forwarder,
	[CTL_SHOW_CERTIFICATES] = daemon_ctl_certificates,
	[CTL_SHOW_HA] = daemon_ctl_ha,
	[CTL_RELOAD] = daemon_ctl_reload,
	[CTL_CA_EXPORT] = daemon_ctl_ca_export,
	[CTL_TEST] = daemon_ctl_test,
};

json_t *
daemon_ctl_request(const char *req, void *arg)
{
	const struct ctl_verb *verb = ctl_verbs_find(req);
	struct status_view v;

	if (verb == NULL)
		return control_error("unknown request");
	v = daemon_ctl_view();
	return daemon_ctl_answers[verb->id](&v);
}
