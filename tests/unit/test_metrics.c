/* The metrics endpoint's pure parts: the exposition text (metrics_render.c)
 * and the request reader (metrics_http.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_http.h"
#include "metrics_render.h"
#include "unit.h"

static struct metrics_snapshot
snap(void)
{
	struct metrics_snapshot s = {
		.version = "1.2.3", .router = "r1", .node = "n1", .mode = "static",
		.state = "reachable", .active = "203.0.113.10:3128",
		.cand_valid = 1, .cand_invalid = 2, .probe_known = true,
		.probe_latency_ms = 1042, .state_since = 1795000000,
		.dhcp_acks = 7, .dhcp_refused = 3, .ha_enabled = true, .peer_up = true,
		.tunnels_opened = 5, .tunnels_refused = 1, .certificates = 3,
		.certificates_max = 1024, .certificates_minted = 4, .haproxy = true,
		.haproxy_running = true, .haproxy_reloads = 2, .haproxy_starts = 1,
		.haproxy_proxy_changes = 4,
		.haproxy_figures = true, .haproxy_cur_conns = 9, .haproxy_cum_conns = 99,
	};
	return s;
}

static bool
has_line(const char *text, const char *line)
{
	size_t l = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[l] == '\n')
			return true;
	return false;
}

static size_t
count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

START_TEST(render_every_figure)
{
	struct metrics_snapshot s = snap();
	size_t len;
	char *t = metrics_render(&s, &len);

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(len, strlen(t));
	ck_assert(t[len - 1] == '\n');
	ck_assert(has_line(t, "mgmt_proxy_info{version=\"1.2.3\",router=\"r1\",node=\"n1\"} 1"));
	ck_assert(has_line(t, "mgmt_proxy_mode{mode=\"static\"} 1"));
	ck_assert(has_line(t, "mgmt_proxy_mode{mode=\"learned\"} 0"));
	ck_assert(has_line(t, "mgmt_proxy_state{state=\"reachable\"} 1"));
	ck_assert(has_line(t, "mgmt_proxy_state{state=\"unreachable\"} 0"));
	ck_assert_uint_eq(count(t, "mgmt_proxy_state{"), 5);
	ck_assert(has_line(t, "mgmt_proxy_active_info{proxy=\"203.0.113.10:3128\"} 1"));
	ck_assert(has_line(t, "mgmt_proxy_active 1"));
	ck_assert(has_line(t, "mgmt_proxy_candidates{validity=\"valid\"} 1"));
	ck_assert(has_line(t, "mgmt_proxy_candidates{validity=\"invalid\"} 2"));
	ck_assert(has_line(t, "mgmt_proxy_alarm_active 0"));
	ck_assert(has_line(t, "mgmt_proxy_probe_latency_seconds 1.042"));
	ck_assert(has_line(t, "mgmt_proxy_state_change_timestamp_seconds 1795000000"));
	ck_assert(has_line(t, "mgmt_proxy_dhcp_acks_total 7"));
	ck_assert(has_line(t, "mgmt_proxy_dhcp_refused_total 3"));
	ck_assert(has_line(t, "mgmt_proxy_peer_up 1"));
	ck_assert(has_line(t, "mgmt_proxy_tunnels_opened_total 5"));
	ck_assert(has_line(t, "mgmt_proxy_tunnels_refused_total 1"));
	ck_assert(has_line(t, "mgmt_proxy_certificates 3"));
	ck_assert(has_line(t, "mgmt_proxy_certificates_max 1024"));
	ck_assert(has_line(t, "mgmt_proxy_certificates_minted_total 4"));
	ck_assert(has_line(t, "mgmt_proxy_haproxy_reloads_total 2"));
	ck_assert(has_line(t, "mgmt_proxy_haproxy_proxy_changes_total 4"));
	ck_assert(has_line(t, "mgmt_proxy_haproxy_current_connections 9"));
	ck_assert(has_line(t, "# TYPE mgmt_proxy_dhcp_acks_total counter"));
	ck_assert(has_line(t, "# TYPE mgmt_proxy_state gauge"));
	free(t);
}
END_TEST

/* Every family: one HELP, one TYPE, in that order, before its samples; every
 * sample line belongs to the family announced last. */
START_TEST(render_families_well_formed)
{
	struct metrics_snapshot s = snap();
	size_t len, fams = 0;
	char *t = metrics_render(&s, &len), *save = NULL, fam[128] = "";
	char *copy = strdup(t);

	for (char *l = strtok_r(copy, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		char name[128];

		if (sscanf(l, "# HELP %127s", name) == 1) {
			ck_assert_msg(strcmp(name, fam) != 0, "second HELP for %s", name);
			ck_assert_uint_eq(count(t, name) > 0, 1);
			snprintf(fam, sizeof(fam), "%s", name);
			fams++;
			continue;
		}
		if (sscanf(l, "# TYPE %127s", name) == 1) {
			ck_assert_str_eq(name, fam);
			continue;
		}
		ck_assert_msg(strncmp(l, fam, strlen(fam)) == 0 &&
		    (l[strlen(fam)] == ' ' || l[strlen(fam)] == '{'),
		    "sample \"%s\" outside its family %s", l, fam);
	}
	ck_assert_uint_ge(fams, 20);
	free(copy);
	free(t);
}
END_TEST

START_TEST(render_without_proxy_haproxy_or_ha)
{
	struct metrics_snapshot s = snap();
	size_t len;
	char *t;

	s.active = NULL;
	s.state = "unreachable";
	s.alarm = true;
	s.probe_known = false;
	s.ha_enabled = false;
	s.haproxy = false;
	t = metrics_render(&s, &len);
	ck_assert(has_line(t, "mgmt_proxy_active 0"));
	ck_assert(has_line(t, "mgmt_proxy_alarm_active 1"));
	ck_assert(has_line(t, "mgmt_proxy_state{state=\"unreachable\"} 1"));
	/* The family is announced; no series while no proxy is in effect. */
	unit_assert_lacks(t, "mgmt_proxy_active_info{");
	unit_assert_lacks(t, "mgmt_proxy_probe_latency_seconds");
	unit_assert_lacks(t, "mgmt_proxy_peer_up");
	unit_assert_lacks(t, "mgmt_proxy_haproxy");
	free(t);
}
END_TEST

START_TEST(render_escapes_label_values)
{
	struct metrics_snapshot s = snap();
	size_t len;
	char *t;

	s.router = "r\"1\\x\ny";
	t = metrics_render(&s, &len);
	unit_assert_has(t, "router=\"r\\\"1\\\\x\\ny\"");
	free(t);
}
END_TEST

static enum metrics_http_result
parse(const char *req, char *path)
{
	return metrics_http_parse(req, strlen(req), path);
}

START_TEST(http_requests)
{
	char path[METRICS_HTTP_PATH_MAX];

	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", path), METRICS_HTTP_GET);
	ck_assert_str_eq(path, "/metrics");
	ck_assert_int_eq(parse("GET /metrics?name[]=x HTTP/1.0\n\n", path), METRICS_HTTP_GET);
	ck_assert_str_eq(path, "/metrics");
	ck_assert_int_eq(parse("HEAD /haproxy-metrics HTTP/1.0\r\n\r\n", path), METRICS_HTTP_HEAD);
	ck_assert_str_eq(path, "/haproxy-metrics");
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", path), METRICS_HTTP_MORE);
	ck_assert_int_eq(parse("GET /met", path), METRICS_HTTP_MORE);
	ck_assert_int_eq(parse("", path), METRICS_HTTP_MORE);
	ck_assert_int_eq(parse("POST /metrics HTTP/1.1\r\n\r\n", path), METRICS_HTTP_METHOD);
	ck_assert_int_eq(parse("get /metrics HTTP/1.1\r\n\r\n", path), METRICS_HTTP_METHOD);
	ck_assert_int_eq(parse("hello\r\n\r\n", path), METRICS_HTTP_BAD);
	ck_assert_int_eq(parse("GET /metrics HTTP/2.0\r\n\r\n", path), METRICS_HTTP_BAD);
	ck_assert_int_eq(parse("GET /metrics HTTP/1.1 x\r\n\r\n", path), METRICS_HTTP_BAD);
	ck_assert_int_eq(parse("GET http://a/metrics HTTP/1.1\r\n\r\n", path), METRICS_HTTP_BAD);
	ck_assert_int_eq(parse("GET  /metrics HTTP/1.1\r\n\r\n", path), METRICS_HTTP_BAD);
	ck_assert_int_eq(parse("GET /m\x01 HTTP/1.1\r\n\r\n", path), METRICS_HTTP_BAD);
	ck_assert_int_eq(metrics_http_parse("GET /\0 HTTP/1.1\r\n\r\n", 20, path), METRICS_HTTP_BAD);
}
END_TEST

START_TEST(http_long_inputs)
{
	char path[METRICS_HTTP_PATH_MAX], buf[METRICS_HTTP_HEAD_MAX + 1];
	char req[METRICS_HTTP_PATH_MAX + 64];

	/* A head that never ends is refused once it reaches the limit. */
	memset(buf, 'a', sizeof(buf));
	ck_assert_int_eq(metrics_http_parse(buf, METRICS_HTTP_HEAD_MAX - 1, path), METRICS_HTTP_MORE);
	ck_assert_int_eq(metrics_http_parse(buf, METRICS_HTTP_HEAD_MAX, path), METRICS_HTTP_BAD);
	/* A path longer than ours matches nothing. */
	snprintf(req, sizeof(req), "GET /%0*d HTTP/1.0\r\n\r\n", METRICS_HTTP_PATH_MAX, 0);
	ck_assert_int_eq(parse(req, path), METRICS_HTTP_GET);
	ck_assert_str_eq(path, "");
}
END_TEST

Suite *
unit_suite(void)
{
	const TTest *tests[] = {
		render_every_figure, render_families_well_formed,
		render_without_proxy_haproxy_or_ha,
		render_escapes_label_values, http_requests,
		http_long_inputs, NULL,
	};

	return unit_suite_of("metrics", NULL, NULL, tests);
}
