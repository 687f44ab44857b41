/* JSON documents for show management-proxy, show dhcp learned-proxies and
 * show alarms. */
#include <string.h>

#include "status.h"

void
status_common(json_t *doc, const struct status_view *v)
{
	json_object_set_new(doc, "version", json_string(v->version ? v->version : ""));
	json_object_set_new(doc, "router", json_string(v->cfg->router));
	json_object_set_new(doc, "node", json_string(v->cfg->node));
}

json_t *
status_time(int64_t t)
{
	char buf[ALARM_TIME_MAX];

	if (t == 0)
		return json_null();
	alarm_time(t, buf);
	return json_string(buf);
}

/* "A.B.C.D:P", or null when there is none. */
static json_t *
status_addr(bool has, const struct proxy_addr *a)
{
	char text[ADDR_STRLEN];

	if (!has)
		return json_null();
	addr_format(a, text);
	return json_string(text);
}

json_t *
status_proxy(const struct status_view *v)
{
	const struct proxy_fsm *f = v->fsm;
	char t[ALARM_TIME_MAX];
	json_t *doc, *cands;
	const char *err;

	doc = json_object();
	status_common(doc, v);
	json_object_set_new(doc, "mode", json_string(config_mode_name(v->mode)));
	json_object_set_new(doc, "active-proxy", status_addr(f->in_effect, &f->effect));
	json_object_set_new(doc, "state", json_string(proxy_fsm_state_name(f->state)));
	json_object_set_new(doc, "selected", status_addr(f->has_target, &f->target));
	alarm_time(f->since, t);
	json_object_set_new(doc, "since", json_string(t));
	json_object_set_new(doc, "forwarder", json_string(
	    v->cfg->forwarder == FWD_NONE ? "none" : "haproxy"));
	json_object_set_new(doc, "forwarding", json_boolean(v->forwarding));
	err = v->forwarding_error != NULL ? v->forwarding_error : "";
	json_object_set_new(doc, "forwarding-state", json_string(
	    v->forwarding ? "forwarding" : err[0] ? "failed" : "off"));
	json_object_set_new(doc, "forwarding-error", json_string(err));
	if (v->forwarder_state != NULL)
		json_object_set_new(doc, "forwarder-state", json_string(v->forwarder_state));
	json_object_set_new(doc, "health-check-interval", json_integer(v->cfg->hc_interval));
	json_object_set_new(doc, "health-check-timeout", json_integer(v->cfg->hc_timeout));
	json_object_set_new(doc, "health-check-fall", json_integer(v->cfg->hc_fall));
	json_object_set_new(doc, "health-check-rise", json_integer(v->cfg->hc_rise));
	if (v->last_probe != 0) {
		alarm_time(v->last_probe, t);
		json_object_set_new(doc, "last-probe", json_string(t));
		json_object_set_new(doc, "last-probe-error",
		    json_string(v->last_probe_error ? v->last_probe_error : ""));
	}
	if (v->tunnels != NULL) {
		const struct tunnel_stats *ts = v->tunnels;
		json_t *o = json_pack("{s:I, s:I}", "opened", (json_int_t)ts->opened,
		    "refused", (json_int_t)ts->refused);

		if (ts->last_refusal != 0) {
			alarm_time(ts->last_refusal, t);
			json_object_set_new(o, "last-refusal", json_pack("{s:s, s:s, s:s}",
			    "status", ts->last_why, "time", t, "target", ts->last_target));
		} else
			json_object_set_new(o, "last-refusal", json_null());
		json_object_set_new(doc, "tunnels", o);
	}
	cands = json_array();
	for (size_t i = 0; i < v->cands->n; i++) {
		const struct candidate *c = &v->cands->c[i];
		json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:b}", "proxy", c->text,
		    "source", c->source, "valid", c->valid, "reason",
		    c->reason ? c->reason : "", "selected", c->selected);

		if (c->expiry != 0)
			json_object_set_new(o, "expires", status_time(c->expiry));
		json_array_append_new(cands, o);
	}
	json_object_set_new(doc, "candidates", cands);
	return doc;
}

json_t *
status_dhcp(const struct status_view *v)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < v->cfg->niface; i++) {
		const struct cfg_iface *ifc = &v->cfg->iface[i];
		const struct dhcp_info *d;
		json_t *o, *px;

		if (!config_iface_eligible(v->cfg, ifc->name))
			continue;
		d = learned_find(v->dhcp, v->ndhcp, ifc->name);
		px = json_array();
		if (d != NULL)
			for (size_t j = 0; j < d->nproxy; j++)
				json_array_append_new(px, json_string(d->proxy[j]));
		o = json_pack("{s:s, s:s, s:o}", "interface", ifc->name,
		    "resolution-state",
		    learned_state_name(d != NULL ? d->state : LEARNED_PENDING),
		    "management-proxies", px);
		if (d != NULL && d->lease_expiry != 0)
			json_object_set_new(o, "lease-expiry", status_time(d->lease_expiry));
		if (d != NULL && d->server != 0) {
			char s[ADDR_IPLEN];

			addr_format_ip(d->server, s);
			json_object_set_new(o, "server", json_string(s));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *
status_alarms(const struct status_view *v)
{
	char id[ALARM_ID_MAX], t[ALARM_TIME_MAX], a[ADDR_STRLEN];
	json_t *arr = json_array();

	if (!v->alarm->active)
		return arr;
	alarm_id(v->alarm, v->cfg->node[0] ? v->cfg->node : "node",
	    v->cfg->router[0] ? v->cfg->router : "router", id);
	alarm_time(v->alarm->raised, t);
	addr_format(&v->alarm->proxy, a);
	json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "id", id, "time", t, "severity", ALARM_SEVERITY, "category",
	    ALARM_CATEGORY, "source", ALARM_SOURCE, "message", ALARM_MESSAGE,
	    "proxy", a));
	return arr;
}
