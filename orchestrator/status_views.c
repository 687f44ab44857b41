/* show forwarder, show certificates, show ha (see status_views.h). */
#include <stdlib.h>
#include <string.h>

#include "status_views.h"

static json_t *
status_views_u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

/* HAProxy's own figures, null when none were read from a running one. */
static json_t *
status_views_figure(const struct haproxy_stats *st, uint64_t v)
{
	return st->valid ? status_views_u64(v) : json_null();
}

json_t *
status_views_forwarder(const struct status_view *v, const struct status_forwarder *f)
{
	const struct haproxy_stats *st = f->stats;
	const struct haproxy_counters *c = f->counters;
	json_t *doc = json_object(), *hp, *err;

	status_common(doc, v);
	json_object_set_new(doc, "forwarder", json_string(
	    v->cfg->forwarder == FWD_NONE ? "none" : "haproxy"));
	json_object_set_new(doc, "state", json_string(f->state));
	if (c != NULL) {
		hp = json_object();
		json_object_set_new(hp, "running", json_boolean(st->valid));
		json_object_set_new(hp, "version", st->valid && st->version[0] ?
		    json_string(st->version) : json_null());
		json_object_set_new(hp, "pid", st->valid ? status_views_u64(st->pid) :
		    json_null());
		json_object_set_new(hp, "started", status_time(c->started));
		json_object_set_new(hp, "uptime", status_views_figure(st, st->uptime));
		json_object_set_new(hp, "starts", status_views_u64(c->starts));
		json_object_set_new(hp, "reloads", status_views_u64(c->reloads));
		json_object_set_new(hp, "reload-failures",
		    status_views_u64(c->reload_failures));
		json_object_set_new(hp, "last-reload", status_time(c->last_reload));
		json_object_set_new(hp, "proxy-changes", status_views_u64(c->proxy_switches));
		json_object_set_new(hp, "current-connections",
		    status_views_figure(st, st->cur_conns));
		json_object_set_new(hp, "total-connections",
		    status_views_figure(st, st->cum_conns));
		json_object_set_new(hp, "total-requests",
		    status_views_figure(st, st->cum_req));
		err = json_object();
		json_object_set_new(err, "request", status_views_figure(st, st->req_errors));
		json_object_set_new(err, "connection", status_views_figure(st, st->conn_errors));
		json_object_set_new(err, "response", status_views_figure(st, st->resp_errors));
		json_object_set_new(hp, "errors", err);
		json_object_set_new(hp, "read-at", st->valid ? status_time(f->stats_when) :
		    json_null());
		json_object_set_new(doc, "haproxy", hp);
	} else
		json_object_set_new(doc, "haproxy", json_null());
	if (v->tunnels != NULL) {
		const struct tunnel_stats *ts = v->tunnels;
		json_t *o = json_pack("{s:I, s:I}", "opened", (json_int_t)ts->opened,
		    "refused", (json_int_t)ts->refused);

		json_object_set_new(o, "last-refusal", ts->last_refusal == 0 ?
		    json_null() : json_pack("{s:s, s:o, s:s}", "status", ts->last_why,
		    "time", status_time(ts->last_refusal), "target", ts->last_target));
		json_object_set_new(doc, "tunnels", o);
	}
	return doc;
}

static int
status_views_by_use(const void *a, const void *b)
{
	const struct cert_lru_entry *x = *(const struct cert_lru_entry *const *)a;
	const struct cert_lru_entry *y = *(const struct cert_lru_entry *const *)b;

	if (x->used != y->used)
		return x->used > y->used ? -1 : 1;
	return strcmp(x->name, y->name);
}

json_t *
status_views_certificates(const struct status_view *v, const struct cert_lru *t,
    size_t cap)
{
	const struct cert_lru_entry **order = t->n ? calloc(t->n, sizeof(*order)) : NULL;
	json_t *doc = json_object(), *arr = json_array();

	status_common(doc, v);
	json_object_set_new(doc, "count", status_views_u64(t->n));
	json_object_set_new(doc, "cap", status_views_u64(cap));
	if (order != NULL) {
		for (size_t i = 0; i < t->n; i++)
			order[i] = &t->e[i];
		qsort(order, t->n, sizeof(*order), status_views_by_use);
		for (size_t i = 0; i < t->n; i++)
			json_array_append_new(arr, json_pack("{s:s, s:o, s:o}",
			    "name", order[i]->name,
			    "expires", status_time(order[i]->expiry),
			    "last-used", status_time(order[i]->used / 1000)));
		free(order);
	}
	json_object_set_new(doc, "certificates", arr);
	return doc;
}

static json_t *
status_views_endpoint(const struct cfg_endpoint *ep)
{
	struct proxy_addr a = { ep->ip, ep->port };
	char s[ADDR_STRLEN];

	addr_format(&a, s);
	return json_string(s);
}

json_t *
status_views_ha(const struct status_view *v, const struct peer_status *ps)
{
	json_t *doc = json_object(), *peer, *contrib;

	status_common(doc, v);
	json_object_set_new(doc, "enabled", json_boolean(v->cfg->ha_enabled));
	if (!v->cfg->ha_enabled)
		return doc;
	json_object_set_new(doc, "listen", status_views_endpoint(&v->cfg->ha_listen));
	json_object_set_new(doc, "peer", status_views_endpoint(&v->cfg->ha_peer));
	json_object_set_new(doc, "channel", json_string(ps->open ? "open" : "closed"));
	json_object_set_new(doc, "boot-id", status_views_u64(ps->boot));
	peer = json_object();
	json_object_set_new(peer, "node", ps->info.node[0] ?
	    json_string(ps->info.node) : json_null());
	json_object_set_new(peer, "state", json_string(!ps->reported ? "unknown" :
	    ps->info.up ? "up" : "down"));
	json_object_set_new(peer, "last-heard", status_time(ps->heard));
	json_object_set_new(peer, "boot-id", ps->peer_boot ?
	    status_views_u64(ps->peer_boot) : json_null());
	/* What it contributes: its candidates as selection sees them. */
	contrib = json_array();
	for (size_t i = 0; i < v->cands->n; i++) {
		const struct candidate *c = &v->cands->c[i];

		if (c->kind != SEL_PEER)
			continue;
		json_array_append_new(contrib, json_pack("{s:s, s:s, s:b, s:s, s:b, s:o}",
		    "proxy", c->text, "source", c->source, "valid", c->valid,
		    "reason", c->reason ? c->reason : "", "selected", c->selected,
		    "expires", status_time(c->expiry)));
	}
	json_object_set_new(peer, "contributes", contrib);
	json_object_set_new(doc, "peer-state", peer);
	return doc;
}
