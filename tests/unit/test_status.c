/* The show commands' JSON contract (status.c): keys, the one time format,
 * and its plain rendering (ctl_render.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_render.h"
#include "ctl_text.h"
#include "log.h"
#include "status.h"
#include "unit.h"

static struct config cfg;
static struct proxy_fsm fsm;
static struct cand_set set;
static struct alarm alarm;
static struct dhcp_info dhcp[1];
static struct status_view v;

static void
setup(void)
{
	log_set_level(LOG_ERR);
	config_defaults(&cfg);
	snprintf(cfg.router, sizeof(cfg.router), "r1");
	snprintf(cfg.node, sizeof(cfg.node), "n1");
	cfg.niface = 1;
	snprintf(cfg.iface[0].name, IFNAMSIZ, "wan1");
	cfg.iface[0].dhcp_v4 = cfg.iface[0].proxy_discovery = true;
	proxy_fsm_init(&fsm, 0);
	memset(&set, 0, sizeof(set));
	memset(&alarm, 0, sizeof(alarm));
	memset(dhcp, 0, sizeof(dhcp));
	v = (struct status_view){ .cfg = &cfg, .mode = MODE_LEARNED, .fsm = &fsm,
	    .cands = &set, .dhcp = dhcp, .ndhcp = 0, .alarm = &alarm };
}

static void
render_proxy_plain(FILE *f, json_t *doc)
{
	ctl_render_proxy(f, doc, false);
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The keys every view carries and the one time format. */
START_TEST(common_keys_and_time)
{
	json_t *doc, *t;

	v.version = "9.8.7";
	proxy_fsm_init(&fsm, 1795000000);
	doc = status_proxy(&v);

	ck_assert_str_eq(str(doc, "version"), "9.8.7");
	ck_assert_str_eq(str(doc, "router"), "r1");
	ck_assert_str_eq(str(doc, "node"), "n1");
	ck_assert_str_eq(str(doc, "since"), "2026-11-18T11:06:40Z");
	json_decref(doc);
	t = status_time(1795000000);
	ck_assert_str_eq(json_string_value(t), "2026-11-18T11:06:40Z");
	json_decref(t);
	ck_assert(json_is_null(t = status_time(0)));
	json_decref(t);
}
END_TEST

START_TEST(candidate_and_lease_expiry_are_iso)
{
	struct dhcp_info d;
	json_t *doc, *c;

	set.n = 1;
	snprintf(set.c[0].text, sizeof(set.c[0].text), "192.0.2.1:3128");
	snprintf(set.c[0].source, sizeof(set.c[0].source), "dhcp:wan1");
	set.c[0].valid = true;
	set.c[0].expiry = 1795000060;
	doc = status_proxy(&v);
	c = json_array_get(json_object_get(doc, "candidates"), 0);
	ck_assert_str_eq(str(c, "expires"), "2026-11-18T11:07:40Z");
	json_decref(doc);

	memset(&d, 0, sizeof(d));
	snprintf(d.ifname, sizeof(d.ifname), "wan1");
	d.state = LEARNED_RESOLVED;
	d.lease_expiry = 1795000120;
	v.dhcp = &d;
	v.ndhcp = 1;
	doc = status_dhcp(&v);
	ck_assert_str_eq(str(json_array_get(doc, 0), "lease-expiry"), "2026-11-18T11:08:40Z");
	json_decref(doc);
}
END_TEST

START_TEST(proxy_contract_keys)
{
	struct pfsm_actions act;
	struct proxy_addr a = { 0xcb00710au, 3128 };
	json_t *doc;
	char *txt;

	select_add(&set, SEL_DHCP, "dhcp:wan1", "203.0.113.10:3128", 0);
	select_add(&set, SEL_DHCP, "dhcp:wan1", "1.2.3.4:0", 0);
	select_pick(&set);
	proxy_fsm_select(&fsm, MODE_LEARNED, &a, 0, &act);
	proxy_fsm_probe_done(&fsm, act.gen, true, 1, &act);
	doc = status_proxy(&v);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "mode")), "learned");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "active-proxy")),
	    "203.0.113.10:3128");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "reachable");
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "candidates")), 2);
	json_t *c1 = json_array_get(json_object_get(doc, "candidates"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(c1, "source")), "dhcp:wan1");
	ck_assert(json_is_false(json_object_get(c1, "valid")));
	ck_assert_str_eq(json_string_value(json_object_get(c1, "reason")),
	    "port out of range 1-65535");
	ck_assert(json_is_false(json_object_get(c1, "selected")));
	txt = ctl_text(render_proxy_plain, doc);
	unit_assert_has(txt, "Active Proxy:  203.0.113.10:3128");
	free(txt);
	json_decref(doc);

	/* Unreachable: no proxy in effect, shown as null / N/A. */
	proxy_fsm_timer(&fsm, false, 60, &act);
	proxy_fsm_probe_done(&fsm, act.gen, false, 63, &act);
	doc = status_proxy(&v);
	ck_assert(json_is_null(json_object_get(doc, "active-proxy")));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "state")), "unreachable");
	txt = ctl_text(render_proxy_plain, doc);
	unit_assert_has(txt, "Active Proxy:  N/A");
	free(txt);
	json_decref(doc);
}
END_TEST

START_TEST(dhcp_lists_eligible_interfaces)
{
	json_t *doc, *e;
	char *txt;

	doc = status_dhcp(&v);
	ck_assert_uint_eq(json_array_size(doc), 1);
	e = json_array_get(doc, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "interface")), "wan1");
	ck_assert_str_eq(json_string_value(json_object_get(e, "resolution-state")), "pending");
	json_decref(doc);

	snprintf(dhcp[0].ifname, IFNAMSIZ, "wan1");
	dhcp[0].state = LEARNED_RESOLVED;
	snprintf(dhcp[0].proxy[0], SF_TEXT_MAX, "203.0.113.10:3128");
	dhcp[0].nproxy = 1;
	v.ndhcp = 1;
	doc = status_dhcp(&v);
	e = json_array_get(doc, 0);
	ck_assert_str_eq(json_string_value(json_array_get(
	    json_object_get(e, "management-proxies"), 0)), "203.0.113.10:3128");
	txt = ctl_text(ctl_render_dhcp, doc);
	unit_assert_has(txt, " wan1 ");
	unit_assert_has(txt, "203.0.113.10:3128");
	free(txt);
	json_decref(doc);
}
END_TEST

START_TEST(alarm_contract)
{
	struct proxy_addr a = { 0xcb00710au, 3128 };
	json_t *doc, *e;
	char *txt;

	doc = status_alarms(&v);
	ck_assert_uint_eq(json_array_size(doc), 0);
	txt = ctl_text(ctl_render_alarms, doc);
	ck_assert_str_eq(txt, "There are no outstanding alarms.\n");
	free(txt);
	json_decref(doc);

	alarm_raise(&alarm, &a, 1795000000);
	alarm_clear(&alarm);
	alarm_raise(&alarm, &a, 1795000000);
	doc = status_alarms(&v);
	e = json_array_get(doc, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "id")), "n1.r1:2");
	ck_assert_str_eq(json_string_value(json_object_get(e, "time")), "2026-11-18T11:06:40Z");
	ck_assert_str_eq(json_string_value(json_object_get(e, "severity")), "critical");
	ck_assert_str_eq(json_string_value(json_object_get(e, "category")), "service");
	ck_assert_str_eq(json_string_value(json_object_get(e, "source")), "ManagementProxy");
	ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
	    "Management Proxy is unreachable");
	txt = ctl_text(ctl_render_alarms, doc);
	unit_assert_has(txt, "Management Proxy is unreachable");
	free(txt);
	json_decref(doc);
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		proxy_contract_keys, dhcp_lists_eligible_interfaces,
		alarm_contract, common_keys_and_time,
		candidate_and_lease_expiry_are_iso, NULL,
	};

	return unit_suite_of("status", setup, NULL, tests);
}
