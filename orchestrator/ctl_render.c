/* Tables for mgmt-proxyctl. */
#include <string.h>

#include "ctl_render.h"

static const char *
ctl_render_str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

static void
ctl_render_rule(FILE *out, const size_t *w, size_t ncols)
{
	for (size_t c = 0; c < ncols; c++) {
		for (size_t i = 0; i < w[c] + 2; i++)
			fputc('=', out);
		fputc(c + 1 < ncols ? ' ' : '\n', out);
	}
}

static void
ctl_render_row(FILE *out, const size_t *w, size_t ncols, const char *const *cells)
{
	for (size_t c = 0; c < ncols; c++) {
		if (c + 1 < ncols)
			fprintf(out, " %-*s  ", (int)w[c], cells[c]);
		else
			fprintf(out, " %s\n", cells[c]);
	}
}

void
ctl_render_table(FILE *out, const struct ctl_table *t)
{
	size_t w[CTL_MAX_COLS];
	const char *cells[CTL_MAX_COLS];
	size_t r;
	json_t *row;

	for (size_t c = 0; c < t->ncols; c++)
		w[c] = strlen(t->head[c]);
	json_array_foreach(t->rows, r, row)
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = json_string_value(json_array_get(row, c));
			size_t l = s ? strlen(s) : 0;

			if (l > w[c])
				w[c] = l;
		}
	ctl_render_rule(out, w, t->ncols);
	ctl_render_row(out, w, t->ncols, t->head);
	ctl_render_rule(out, w, t->ncols);
	json_array_foreach(t->rows, r, row) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = json_string_value(json_array_get(row, c));

			cells[c] = s ? s : "";
		}
		ctl_render_row(out, w, t->ncols, cells);
	}
}

/* A table of candidates (t's five columns, rows made here): proxy, source,
 * valid, selected and the field `last` ("" when absent: dflt). */
static void
ctl_render_cands(FILE *out, struct ctl_table *t, json_t *cands, const char *last,
    const char *dflt)
{
	json_t *c;
	size_t i;

	if (t->rows == NULL)
		t->rows = json_array();
	json_array_foreach(cands, i, c)
		json_array_append_new(t->rows, json_pack("[s,s,s,s,s]",
		    ctl_render_str(c, "proxy", ""), ctl_render_str(c, "source", ""),
		    json_is_true(json_object_get(c, "valid")) ? "yes" : "no",
		    json_is_true(json_object_get(c, "selected")) ? "yes" : "no",
		    ctl_render_str(c, last, dflt)));
	ctl_render_table(out, t);
	json_decref(t->rows);
	t->rows = NULL;
}

void
ctl_render_proxy(FILE *out, json_t *doc, bool detail)
{
	json_t *cands = json_object_get(doc, "candidates");
	struct ctl_table t = { 5, { "Proxy", "Source", "Valid", "Selected", "Reason" },
	    NULL };
	json_int_t fall, rise;

	fprintf(out, "Management Proxy\n");
	fprintf(out, "  Mode:          %s\n", ctl_render_str(doc, "mode", "?"));
	fprintf(out, "  Active Proxy:  %s\n", ctl_render_str(doc, "active-proxy", "N/A"));
	fprintf(out, "  State:         %s (since %s)\n", ctl_render_str(doc, "state", "?"),
	    ctl_render_str(doc, "since", "?"));
	if (!detail)
		return;
	fprintf(out, "  Selected:      %s\n", ctl_render_str(doc, "selected", "none"));
	fprintf(out, "  Forwarder:     %s (%s)\n", ctl_render_str(doc, "forwarder", "?"),
	    ctl_render_str(doc, "forwarder-state",
	    json_is_true(json_object_get(doc, "forwarding")) ? "forwarding" :
	    "not forwarding"));
	if (ctl_render_str(doc, "forwarding-error", "")[0] != '\0')
		fprintf(out, "  Forwarding:    failed: %s\n",
		    ctl_render_str(doc, "forwarding-error", ""));
	fprintf(out, "  Health Check:  every %lld s, timeout %lld s",
	    json_integer_value(json_object_get(doc, "health-check-interval")),
	    json_integer_value(json_object_get(doc, "health-check-timeout")));
	/* Only when set: the default (1, 1) is the plain behaviour. */
	fall = json_integer_value(json_object_get(doc, "health-check-fall"));
	rise = json_integer_value(json_object_get(doc, "health-check-rise"));
	if (fall > 1 || rise > 1)
		fprintf(out, ", fall %lld, rise %lld", (long long)fall, (long long)rise);
	fputc('\n', out);
	if (json_object_get(doc, "last-probe") != NULL) {
		const char *e = ctl_render_str(doc, "last-probe-error", "");

		fprintf(out, "  Last Probe:    %s %s\n",
		    ctl_render_str(doc, "last-probe", "?"), e[0] ? e : "ok");
	}
	if (json_is_object(json_object_get(doc, "tunnels"))) {
		json_t *tn = json_object_get(doc, "tunnels");
		json_t *last = json_object_get(tn, "last-refusal");

		fprintf(out, "  Tunnels:       %lld opened, %lld refused\n",
		    json_integer_value(json_object_get(tn, "opened")),
		    json_integer_value(json_object_get(tn, "refused")));
		if (json_is_object(last))
			fprintf(out, "  Last Refusal:  %s at %s (%s)\n",
			    ctl_render_str(last, "status", "?"),
			    ctl_render_str(last, "time", "?"),
			    ctl_render_str(last, "target", "?"));
	}
	fprintf(out, "\nCandidates\n");
	ctl_render_cands(out, &t, cands, "reason", "");
}

void
ctl_render_dhcp(FILE *out, json_t *doc)
{
	struct ctl_table t = { 3, { "Interface", "Resolution State",
	    "Management Proxies" }, json_array() };
	json_t *e;
	size_t i;

	json_array_foreach(doc, i, e) {
		json_t *px = json_object_get(e, "management-proxies"), *p;
		char list[512] = "";
		size_t j, len = 0;

		json_array_foreach(px, j, p) {
			int n = snprintf(list + len, sizeof(list) - len, "%s%s",
			    j ? ", " : "", json_string_value(p) ? json_string_value(p) : "");

			if (n < 0 || (size_t)n >= sizeof(list) - len)
				break;
			len += (size_t)n;
		}
		json_array_append_new(t.rows, json_pack("[s,s,s]",
		    ctl_render_str(e, "interface", ""),
		    ctl_render_str(e, "resolution-state", ""), list));
	}
	ctl_render_table(out, &t);
	json_decref(t.rows);
}

void
ctl_render_alarms(FILE *out, json_t *doc)
{
	struct ctl_table t = { 6, { "ID", "Time", "Severity", "Category", "Source",
	    "Message" }, json_array() };
	json_t *a;
	size_t i;

	if (json_array_size(doc) == 0) {
		fprintf(out, "There are no outstanding alarms.\n");
		json_decref(t.rows);
		return;
	}
	json_array_foreach(doc, i, a)
		json_array_append_new(t.rows, json_pack("[s,s,s,s,s,s]",
		    ctl_render_str(a, "id", ""), ctl_render_str(a, "time", ""),
		    ctl_render_str(a, "severity", ""), ctl_render_str(a, "category", ""),
		    ctl_render_str(a, "source", ""), ctl_render_str(a, "message", "")));
	ctl_render_table(out, &t);
	json_decref(t.rows);
}

/* An integer of a view, or "N/A" when it is null (not known now). */
static const char *
ctl_render_num(json_t *o, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return "N/A";
	snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	return buf;
}

void
ctl_render_forwarder(FILE *out, json_t *doc)
{
	json_t *hp = json_object_get(doc, "haproxy");
	json_t *tn = json_object_get(doc, "tunnels");
	json_t *err = json_object_get(hp, "errors");
	char a[32], b[32], c[32];

	fprintf(out, "Forwarder\n");
	fprintf(out, "  Forwarder:     %s (%s)\n", ctl_render_str(doc, "forwarder", "?"),
	    ctl_render_str(doc, "state", "?"));
	if (json_is_object(hp)) {
		fprintf(out, "  HAProxy:       %s, version %s, pid %s\n",
		    json_is_true(json_object_get(hp, "running")) ? "running" : "not running",
		    ctl_render_str(hp, "version", "N/A"),
		    ctl_render_num(hp, "pid", a, sizeof(a)));
		fprintf(out, "  Started:       %s (worker up %s s)\n",
		    ctl_render_str(hp, "started", "N/A"),
		    ctl_render_num(hp, "uptime", a, sizeof(a)));
		fprintf(out, "  Reloads:       %s (%s refused), last %s\n",
		    ctl_render_num(hp, "reloads", a, sizeof(a)),
		    ctl_render_num(hp, "reload-failures", b, sizeof(b)),
		    ctl_render_str(hp, "last-reload", "never"));
		fprintf(out, "  Proxy changes: %s (at run time, no reload)\n",
		    ctl_render_num(hp, "proxy-changes", a, sizeof(a)));
		fprintf(out, "  Connections:   %s now, %s total, %s requests\n",
		    ctl_render_num(hp, "current-connections", a, sizeof(a)),
		    ctl_render_num(hp, "total-connections", b, sizeof(b)),
		    ctl_render_num(hp, "total-requests", c, sizeof(c)));
		fprintf(out, "  Errors:        %s request, ",
		    ctl_render_num(err, "request", a, sizeof(a)));
		fprintf(out, "%s connection, %s response\n",
		    ctl_render_num(err, "connection", b, sizeof(b)),
		    ctl_render_num(err, "response", c, sizeof(c)));
		fprintf(out, "  Figures Read:  %s\n", ctl_render_str(hp, "read-at", "N/A"));
	}
	if (json_is_object(tn)) {
		json_t *last = json_object_get(tn, "last-refusal");

		fprintf(out, "  Tunnels:       %s opened, %s refused\n",
		    ctl_render_num(tn, "opened", a, sizeof(a)),
		    ctl_render_num(tn, "refused", b, sizeof(b)));
		if (json_is_object(last))
			fprintf(out, "  Last Refusal:  %s at %s (%s)\n",
			    ctl_render_str(last, "status", "?"),
			    ctl_render_str(last, "time", "?"),
			    ctl_render_str(last, "target", "?"));
	}
}

void
ctl_render_certificates(FILE *out, json_t *doc)
{
	struct ctl_table t = { 3, { "Name", "Expires", "Last Used" }, json_array() };
	json_t *c;
	char a[32], b[32];
	size_t i;

	fprintf(out, "Minted Certificates: %s of %s\n",
	    ctl_render_num(doc, "count", a, sizeof(a)),
	    ctl_render_num(doc, "cap", b, sizeof(b)));
	json_array_foreach(json_object_get(doc, "certificates"), i, c)
		json_array_append_new(t.rows, json_pack("[s,s,s]",
		    ctl_render_str(c, "name", ""), ctl_render_str(c, "expires", "N/A"),
		    ctl_render_str(c, "last-used", "N/A")));
	if (json_array_size(t.rows) > 0)
		ctl_render_table(out, &t);
	json_decref(t.rows);
}

void
ctl_render_ha(FILE *out, json_t *doc)
{
	json_t *ps = json_object_get(doc, "peer-state");
	struct ctl_table t = { 5, { "Proxy", "Source", "Valid", "Selected", "Expires" },
	    json_array() };
	char a[32];

	fprintf(out, "High Availability\n");
	if (!json_is_true(json_object_get(doc, "enabled"))) {
		fprintf(out, "  HA:            not configured\n");
		json_decref(t.rows);
		return;
	}
	fprintf(out, "  Channel:       %s, %s -> %s, boot id %s\n",
	    ctl_render_str(doc, "channel", "?"), ctl_render_str(doc, "listen", "?"),
	    ctl_render_str(doc, "peer", "?"), ctl_render_num(doc, "boot-id", a, sizeof(a)));
	fprintf(out, "  Peer:          %s %s\n", ctl_render_str(ps, "node", "(unknown)"),
	    ctl_render_str(ps, "state", "?"));
	fprintf(out, "  Last Heard:    %s\n", ctl_render_str(ps, "last-heard", "never"));
	fprintf(out, "  Peer Boot ID:  %s\n", ctl_render_num(ps, "boot-id", a, sizeof(a)));
	fprintf(out, "\nContributed Candidates\n");
	ctl_render_cands(out, &t, json_object_get(ps, "contributes"), "expires", "never");
}
