/* show forwarder / certificates / ha (status_views.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_render.h"
#include "ctl_text.h"
#include "haproxy_stats.h"
#include "log.h"
#include "status_views.h"
#include "unit.h"

static struct config cfg;
static struct proxy_fsm fsm;
static struct cand_set set;
static struct alarm alarm;
static struct status_view v;

static void
setup(void)
{
	log_set_level(LOG_ERR);
	config_defaults(&cfg);
	snprintf(cfg.router, sizeof(cfg.router), "r1");
	snprintf(cfg.node, sizeof(cfg.node), "n1");
	proxy_fsm_init(&fsm, 1795000000);
	memset(&set, 0, sizeof(set));
	memset(&alarm, 0, sizeof(alarm));
	v = (struct status_view){ .version = "9.8.7", .cfg = &cfg, .mode = MODE_STATIC,
	    .fsm = &fsm, .cands = &set, .alarm = &alarm };
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

START_TEST(certificates_by_last_use)
{
	struct cert_lru_entry e[3] = {
		{ .name = "a.test", .used = 1795000001000, .expiry = 1795086400 },
		{ .name = "b.test", .used = 1795000003000, .expiry = 1795086400 },
		{ .name = "c.test", .used = 1795000002000, .expiry = 0 },
	};
	struct cert_lru t = { e, 3, 3 };
	json_t *doc = status_views_certificates(&v, &t, 1024), *list;
	char *txt;

	ck_assert_str_eq(str(doc, "node"), "n1");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "count")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "cap")), 1024);
	list = json_object_get(doc, "certificates");
	ck_assert_str_eq(str(json_array_get(list, 0), "name"), "b.test");
	ck_assert_str_eq(str(json_array_get(list, 0), "last-used"), "2026-11-18T11:06:43Z");
	ck_assert_str_eq(str(json_array_get(list, 0), "expires"), "2026-11-19T11:06:40Z");
	ck_assert_str_eq(str(json_array_get(list, 1), "name"), "c.test");
	ck_assert(json_is_null(json_object_get(json_array_get(list, 1), "expires")));
	ck_assert_str_eq(str(json_array_get(list, 2), "name"), "a.test");
	txt = ctl_text(ctl_render_certificates, doc);
	unit_assert_has(txt, "Minted Certificates: 3 of 1024\n");
	unit_assert_has(txt, " c.test  ");
	unit_assert_has(txt, "N/A");
	free(txt);
	json_decref(doc);
}
END_TEST

START_TEST(forwarder_figures)
{
	struct haproxy_counters hc = { .since = 1795000000, .starts = 1,
	    .started = 1795000000, .reloads = 2, .last_reload = 1795000100,
	    .proxy_switches = 3 };
	struct haproxy_stats st = { .valid = true, .version = "2.6.12", .pid = 42,
	    .uptime = 60, .cur_conns = 3, .cum_conns = 30, .cum_req = 40,
	    .req_errors = 1, .conn_errors = 2, .resp_errors = 0 };
	struct tunnel_stats ts = { .opened = 5, .refused = 1, .last_refusal = 1795000200,
	    .last_why = "407", .last_target = "x.test:443" };
	struct status_forwarder f = { "forwarding", &hc, &st, 1795000300, 1795000300 };
	json_t *doc, *hp;
	char *txt;

	v.tunnels = &ts;
	doc = status_views_forwarder(&v, &f);
	hp = json_object_get(doc, "haproxy");
	ck_assert_str_eq(str(doc, "state"), "forwarding");
	ck_assert_str_eq(str(doc, "version"), "9.8.7");
	ck_assert_int_eq(json_integer_value(json_object_get(hp, "reloads")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(hp, "proxy-changes")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(hp, "total-connections")), 30);
	ck_assert_int_eq(json_integer_value(json_object_get(
	    json_object_get(hp, "errors"), "connection")), 2);
	ck_assert_str_eq(str(hp, "last-reload"), "2026-11-18T11:08:20Z");
	ck_assert_str_eq(str(hp, "read-at"), "2026-11-18T11:11:40Z");
	ck_assert_str_eq(str(json_object_get(json_object_get(doc, "tunnels"),
	    "last-refusal"), "time"), "2026-11-18T11:10:00Z");
	txt = ctl_text(ctl_render_forwarder, doc);
	unit_assert_has(txt, "  Reloads:       2 (0 refused), last 2026-11-18T11:08:20Z\n");
	unit_assert_has(txt, "  Proxy changes: 3 (at run time, no reload)\n");
	unit_assert_has(txt, "  Connections:   3 now, 30 total, 40 requests\n");
	unit_assert_has(txt, "  Tunnels:       5 opened, 1 refused\n");
	free(txt);
	json_decref(doc);

	/* Nothing read from a HAProxy that is not running: null, not 0. */
	st.valid = false;
	doc = status_views_forwarder(&v, &f);
	hp = json_object_get(doc, "haproxy");
	ck_assert(json_is_false(json_object_get(hp, "running")));
	ck_assert(json_is_null(json_object_get(hp, "current-connections")));
	ck_assert_int_eq(json_integer_value(json_object_get(hp, "reloads")), 2);
	txt = ctl_text(ctl_render_forwarder, doc);
	unit_assert_has(txt, "  Connections:   N/A now, N/A total");
	free(txt);
	json_decref(doc);
}
END_TEST

START_TEST(ha_contributions)
{
	struct peer_status ps;
	json_t *doc, *peer, *c;
	char *txt;

	memset(&ps, 0, sizeof(ps));
	doc = status_views_ha(&v, &ps);
	ck_assert(json_is_false(json_object_get(doc, "enabled")));
	ck_assert_ptr_null(json_object_get(doc, "peer-state"));
	json_decref(doc);

	cfg.ha_enabled = true;
	cfg.ha_listen = (struct cfg_endpoint){ 0xa9fefd01u, 4790 };
	cfg.ha_peer = (struct cfg_endpoint){ 0xa9fefd02u, 4790 };
	memset(&ps, 0, sizeof(ps));
	ps.open = ps.reported = ps.info.up = true;
	ps.boot = 7;
	ps.peer_boot = 9;
	ps.heard = 1795000000;
	snprintf(ps.info.node, sizeof(ps.info.node), "n2");
	set.n = 2;
	snprintf(set.c[0].text, sizeof(set.c[0].text), "192.0.2.1:3128");
	snprintf(set.c[0].source, sizeof(set.c[0].source), "static");
	set.c[0].kind = SEL_STATIC;
	snprintf(set.c[1].text, sizeof(set.c[1].text), "192.0.2.2:3128");
	snprintf(set.c[1].source, sizeof(set.c[1].source), "peer:n2");
	set.c[1].kind = SEL_PEER;
	set.c[1].valid = set.c[1].selected = true;
	doc = status_views_ha(&v, &ps);
	peer = json_object_get(doc, "peer-state");
	ck_assert_str_eq(str(doc, "listen"), "169.254.253.1:4790");
	ck_assert_str_eq(str(peer, "state"), "up");
	ck_assert_str_eq(str(peer, "last-heard"), "2026-11-18T11:06:40Z");
	ck_assert_int_eq(json_integer_value(json_object_get(peer, "boot-id")), 9);
	ck_assert_uint_eq(json_array_size(json_object_get(peer, "contributes")), 1);
	c = json_array_get(json_object_get(peer, "contributes"), 0);
	ck_assert_str_eq(str(c, "proxy"), "192.0.2.2:3128");
	ck_assert(json_is_true(json_object_get(c, "selected")));
	txt = ctl_text(ctl_render_ha, doc);
	unit_assert_has(txt, "  Peer:          n2 up\n");
	unit_assert_has(txt, " 192.0.2.2:3128 ");
	free(txt);
	json_decref(doc);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		certificates_by_last_use, forwarder_figures,
		ha_contributions, NULL,
	};

	return unit_suite_of("status_views", setup, NULL, tests);
}
